/**
 * `lessonkit preview`: a small LMS on 127.0.0.1. It opens a course (built into a private
 * temporary folder), a package zip (unpacked there) or a package folder (served in place,
 * read-only), serves a panel page that hosts the package in an iframe, runs SCORM on
 * scorm-again in that page and xAPI/cmi5 on the loopback LRS with the cmi5 launch sequence,
 * and shows, live, every runtime call or statement and what the LMS recorded.
 */
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunContext } from '../context.js';
import { buildCourse } from '../package/build.js';
import { renderTemplate, TEMPLATES_DIR } from '../templates.js';
import { isCancellation, UserError } from '../../errors.js';
import { displayPath } from '../../utils/fs.js';
import { DEFAULT_LEARNER, launchCmi5, launchXapi, lmsActivityId } from './launch.js';
import { describePackage, type Launchable, type PackageDescription, type PreviewStandard } from './launchables.js';
import { startLrs, type LoopbackLrs, type LrsRequestLog } from './lrs.js';
import { scormRecord, xapiRecord, type LearnerRecord, type ScormCmi } from './record.js';
import type { XapiStatement } from './statement-schema.js';
import { closeServer, listenLoopback, sendPackageFile, rawRequestPath } from './static-server.js';
import { unzipInto } from './unzip.js';
import { watchCourseFiles, type CourseFilesWatcher } from './watch.js';
import { LMS_QUIRKS_SCRIPT, packageSetsCompletion, profileEmulation } from './lms-quirks.js';
import { resolveLmsProfile } from '../package/lms/index.js';

const require = createRequire(import.meta.url);

/** Options for {@link startPreview}. */
export interface StartPreviewOptions {
  /** Base for relative paths. */
  cwd: string;
  /** A course folder (or its course.yaml), a package zip or an unpacked package folder; default `cwd`. */
  input?: string;
  /** Targets to build when `input` is a course (default: the course's targets). */
  targets?: string[];
  /** Port on 127.0.0.1 for the panel and the package (0 = any free port, the default). */
  port?: number;
  /** Render cache folder for a course build (default `<course>/.lessonkit/cache`). */
  cacheDir?: string;
  /** One SCO/AU per lesson when building a course. */
  scoPerLesson?: boolean;
  /** `--lms`: build for this LMS profile and switch its quirks on in the preview LMS. */
  lms?: string;
  /** `--ffmpeg` for a course build. */
  ffmpeg?: string;
  /** `--ffprobe` for a course build. */
  ffprobe?: string;
  /** Environment for tool lookup. */
  env: Record<string, string | undefined>;
  /** `--watch` (a course only): rebuild when the course's files change and reload the page; a failed rebuild keeps the last good build. */
  watch?: boolean;
}

/** The state of the preview's build (`--watch`): what `/__lk/api/build.json` answers and the panel shows. */
export interface PreviewBuildStatus {
  /** Number of the build being served: 1 for the first, one more for each good rebuild. */
  id: number;
  /** `ok` (build `id` is served), `building` (a rebuild runs), `error` (the last rebuild failed; build `id` is still served). */
  state: 'ok' | 'building' | 'error';
  /** True while the course is watched. */
  watching: boolean;
  /** The files whose change started the last rebuild (relative to the course folder). */
  changed?: string[];
  /** `error`: what went wrong, as on stderr. */
  message?: string;
  /** `error`: one line per problem (file:line:column and fix). */
  details?: string[];
  /** `error`: how to fix it. */
  hint?: string;
  /** ISO time of the last change of state. */
  time: string;
}

/** One package the preview serves (one per built target). */
export interface PreviewPackage {
  /** The target name (`scorm12`, `scorm2004-4th`, ...) or, for a package from elsewhere, its standard. */
  target: string;
  /** What its descriptor says. */
  description: PackageDescription;
  /** Where its files are. */
  root: string;
}

/** One line of the live log. */
export interface PreviewLogEntry {
  /** Sequence number. */
  seq: number;
  /** ISO time. */
  time: string;
  /** The launch it belongs to (`target/id`), when known. */
  launch?: string;
  /** `call` (SCORM API), `statement`, `state`, `request` (an LRS refusal), `launch`, `info`, `quirk` (what the emulated LMS did, `--lms`). */
  kind: 'call' | 'statement' | 'state' | 'request' | 'launch' | 'info' | 'quirk';
  /** One-line text. */
  text: string;
  /** SCORM error code, or the rule a statement broke. */
  error?: string;
  /** Severity. */
  level: 'info' | 'warning' | 'error';
}

/** What the LMS holds for one launchable. */
export interface PreviewLaunchState {
  /** `target/id`. */
  key: string;
  /** Target. */
  target: string;
  /** Launchable id. */
  id: string;
  /** Its title. */
  title: string;
  /** The record as an LMS shows it. */
  record: LearnerRecord;
}

/** A running preview. */
export interface PreviewServer extends EventEmitter {
  /** The panel's URL (`http://127.0.0.1:<port>/`). */
  url: string;
  /** What was opened (`course`, `zip` or `folder`) and from where. */
  source: { kind: 'course' | 'zip' | 'folder'; path: string };
  /** The packages served. */
  packages: PreviewPackage[];
  /** The loopback LRS (xAPI and cmi5). */
  lrs: LoopbackLrs;
  /** The live log so far. */
  log: PreviewLogEntry[];
  /** Every launchable's record. */
  records(): PreviewLaunchState[];
  /** The downloadable document (records, log). */
  document(): PreviewDocument;
  /** The build being served and, with `--watch`, the last rebuild's outcome. */
  build: PreviewBuildStatus;
  /** Stops the watcher and the servers and removes the private temporary folder. */
  close(): Promise<void>;
}

/** The JSON the panel's Download button saves. */
export interface PreviewDocument {
  /** Course title. */
  title: string;
  /** Source. */
  source: { kind: string; path: string };
  /** Records. */
  records: PreviewLaunchState[];
  /** The log. */
  log: PreviewLogEntry[];
}

interface LaunchState {
  key: string;
  pkg: PreviewPackage;
  launchable: Launchable;
  sessions: number;
  finished: boolean;
  committed?: ScormCmi;
  registration?: string;
  activityId?: string;
  record: LearnerRecord;
}

const MAX_LOG = 5000;
const MAX_BODY = 2 * 1024 * 1024;

/** Starts the preview: opens the input, starts the LRS and the panel server. */
export async function startPreview(options: StartPreviewOptions, ctx: RunContext): Promise<PreviewServer> {
  const work = await mkdtemp(path.join(tmpdir(), 'lessonkit-preview-'));
  let lrs: LoopbackLrs | undefined;
  try {
    const opened = await openInput(options, work, ctx);
    if (options.watch && opened.kind !== 'course') {
      throw new UserError(`--watch rebuilds a course when its files change, but ${displayPath(opened.path, options.cwd)} is a package ${opened.kind}.`, {
        code: 'E_USAGE',
        hint: 'Pass --watch a course folder (the one with course.yaml), or leave out --watch for a package.',
      });
    }
    lrs = await startLrs();
    return await serve(options, opened, lrs, work, ctx);
  } catch (err) {
    await lrs?.stop();
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}

async function openInput(options: StartPreviewOptions, work: string, ctx: RunContext): Promise<{ kind: 'course' | 'zip' | 'folder'; path: string; packages: PreviewPackage[] }> {
  let input = path.resolve(options.cwd, options.input ?? '.');
  const shown = displayPath(input, options.cwd);
  let info = await stat(input).catch(() => undefined);
  if (!info) throw new UserError(`${shown} does not exist.`, { code: 'E_NOT_FOUND', hint: 'Pass a course folder, a package zip or an unpacked package folder.' });
  if (info.isFile() && path.basename(input) === 'course.yaml') {
    input = path.dirname(input);
    info = await stat(input);
  }
  if (info.isFile()) {
    const dest = path.join(work, 'pkg', 'zip');
    await mkdir(dest, { recursive: true });
    await unzipInto(input, dest, ctx.signal);
    const description = await describePackage(dest, shown);
    return { kind: 'zip', path: input, packages: [{ target: description.standard, description, root: dest }] };
  }
  const isCourse = await stat(path.join(input, 'course.yaml')).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isCourse) {
    const description = await describePackage(input, shown);
    return { kind: 'folder', path: input, packages: [{ target: description.standard, description, root: input }] };
  }
  const built = await buildCourse(
    {
      cwd: options.cwd,
      dir: input,
      out: path.join(work, 'zips'),
      ...(options.targets ? { targets: options.targets } : {}),
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      scoPerLesson: Boolean(options.scoPerLesson),
      ...(options.lms ? { lms: options.lms } : {}),
      ffmpeg: options.ffmpeg,
      ffprobe: options.ffprobe,
      env: options.env,
    },
    ctx,
  );
  const packages: PreviewPackage[] = [];
  for (const b of built.bundles) {
    const dest = path.join(work, 'pkg', b.target);
    await mkdir(dest, { recursive: true });
    await unzipInto(b.path, dest, ctx.signal);
    packages.push({ target: b.target, description: await describePackage(dest, b.target), root: dest });
  }
  return { kind: 'course', path: input, packages };
}

class Preview extends EventEmitter implements PreviewServer {
  url = '';
  log: PreviewLogEntry[] = [];
  build: PreviewBuildStatus = { id: 1, state: 'ok', watching: false, time: new Date().toISOString() };
  private seq = 0;
  readonly states = new Map<string, LaunchState>();

  constructor(
    readonly source: { kind: 'course' | 'zip' | 'folder'; path: string },
    readonly packages: PreviewPackage[],
    readonly lrs: LoopbackLrs,
    readonly closeAll: () => Promise<void>,
  ) {
    super();
    this.syncStates();
  }

  /** One state per launchable; a rebuild keeps the learner's record of every item that is still there. */
  syncStates(): void {
    const keys = new Set<string>();
    for (const pkg of this.packages) {
      for (const l of pkg.description.launchables) {
        const key = `${pkg.target}/${l.id}`;
        keys.add(key);
        const old = this.states.get(key);
        if (old) {
          old.pkg = pkg;
          old.launchable = l;
          continue;
        }
        const st: LaunchState = { key, pkg, launchable: l, sessions: 0, finished: false, record: scormRecord('scorm12', undefined, { sessions: 0, finished: false }) };
        st.record = this.computeRecord(st);
        this.states.set(key, st);
      }
    }
    for (const key of [...this.states.keys()]) if (!keys.has(key)) this.states.delete(key);
  }

  /** Serves a new build in place of the current one (`--watch`). */
  replacePackages(packages: PreviewPackage[]): void {
    this.packages.splice(0, this.packages.length, ...packages);
    this.syncStates();
  }

  /** Records and announces the build's state (`--watch`). */
  setBuild(status: Omit<PreviewBuildStatus, 'time' | 'watching'>, extra: { configChanged?: boolean } = {}): void {
    this.build = { ...status, watching: this.build.watching, time: new Date().toISOString() };
    this.emit('build', this.build, extra);
  }

  close(): Promise<void> {
    return this.closeAll();
  }

  records(): PreviewLaunchState[] {
    return [...this.states.values()].map((s) => this.publicState(s));
  }

  document(): PreviewDocument {
    return { title: this.packages[0]?.description.title ?? '', source: this.source, records: this.records(), log: this.log };
  }

  publicState(s: LaunchState): PreviewLaunchState {
    return { key: s.key, target: s.pkg.target, id: s.launchable.id, title: s.launchable.title, record: s.record };
  }

  addLog(entry: Omit<PreviewLogEntry, 'seq' | 'time'>): void {
    const full: PreviewLogEntry = { seq: ++this.seq, time: new Date().toISOString(), ...entry };
    this.log.push(full);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    this.emit('log', full);
  }

  updateRecord(s: LaunchState): void {
    s.record = this.computeRecord(s);
    this.emit('record', this.publicState(s));
  }

  computeRecord(s: LaunchState): LearnerRecord {
    const standard: PreviewStandard = s.pkg.description.standard;
    const meta = { sessions: s.sessions, finished: s.finished };
    if (standard === 'scorm12' || standard === 'scorm2004') return scormRecord(standard, s.committed, meta);
    if (standard === 'xapi' || standard === 'cmi5') {
      const activityId = s.activityId ?? s.launchable.activityId ?? '';
      const statements = s.registration ? this.lrs.statements().filter((x) => (x.context as { registration?: string } | undefined)?.registration === s.registration) : [];
      const courseActivityId = standard === 'cmi5' ? lmsActivityId(s.pkg.description.courseId, 'course') : undefined;
      return xapiRecord(standard, statements, activityId, {
        sessions: s.sessions,
        stateBytes: s.registration ? this.lrs.stateBytes(activityId, DEFAULT_LEARNER, s.registration) : 0,
        ...(courseActivityId ? { courseActivityId } : {}),
      });
    }
    return { standard, completion: 'unknown', success: 'unknown', completed: false, suspendData: { size: 0, level: 'ok' }, ...meta };
  }

  /** Launches `target/id` (a new session of the same learner); returns what the panel needs. */
  launch(target: string, id: string): Record<string, unknown> {
    const s = this.states.get(`${target}/${id}`);
    if (!s) throw new HttpError(404, `no launchable ${target}/${id}`);
    s.sessions += 1;
    s.finished = false;
    const base = `${this.url}pkg/${encodeURIComponent(target)}/`;
    const standard = s.pkg.description.standard;
    const href = s.launchable.href;
    const abs = /^[a-z][a-z0-9+.-]*:/i.test(href) ? href : new URL(href, base).toString();
    let out: Record<string, unknown>;
    if (standard === 'scorm12' || standard === 'scorm2004') {
      out = { runtime: standard, src: abs, saved: resumeData(standard, s.committed), scormType: s.launchable.scormType ?? 'sco' };
    } else if (standard === 'xapi') {
      const r = launchXapi(this.lrs, { launchUrl: abs, activityId: s.launchable.activityId ?? id, ...(s.registration ? { registration: s.registration } : {}) });
      s.registration = r.registration;
      out = { runtime: standard, src: r.url };
    } else if (standard === 'cmi5') {
      const d = s.pkg.description;
      const r = launchCmi5(this.lrs, {
        auUrl: abs,
        publisherId: s.launchable.publisherId ?? id,
        ...(s.registration ? { registration: s.registration } : {}),
        moveOn: s.launchable.moveOn ?? 'NotApplicable',
        ...(s.launchable.masteryScore !== undefined ? { masteryScore: s.launchable.masteryScore } : {}),
        ...(s.launchable.launchParameters !== undefined ? { launchParameters: s.launchable.launchParameters } : {}),
        returnURL: `${this.url}__lk/returned.html`,
        course: { publisherId: d.courseId, aus: d.launchables.map((a) => ({ publisherId: a.publisherId ?? a.id, moveOn: a.moveOn ?? 'NotApplicable' })) },
      });
      s.registration = r.registration;
      s.activityId = r.activityId;
      out = { runtime: standard, src: r.url };
    } else {
      out = { runtime: 'web', src: abs };
    }
    this.addLog({ launch: s.key, kind: 'launch', text: `Launched ${s.launchable.title} (${target}), session ${s.sessions}${s.sessions > 1 ? ', resuming' : ''}`, level: 'info' });
    this.updateRecord(s);
    return { ...out, key: s.key, record: s.record };
  }

  /** Forgets the learner's data for `target/id` (a new attempt next launch). */
  reset(target: string, id: string): void {
    const s = this.states.get(`${target}/${id}`);
    if (!s) throw new HttpError(404, `no launchable ${target}/${id}`);
    delete s.committed;
    delete s.registration;
    delete s.activityId;
    s.sessions = 0;
    s.finished = false;
    this.addLog({ launch: s.key, kind: 'info', text: `Reset the learner's record of ${s.launchable.title}`, level: 'info' });
    this.updateRecord(s);
  }

  /** One SCORM runtime call, as the panel's wrapper saw it. */
  scormCall(body: ScormCallBody): void {
    const s = this.states.get(`${body.target}/${body.id}`);
    if (!s) throw new HttpError(404, `no launchable ${body.target}/${body.id}`);
    const args = (Array.isArray(body.args) ? body.args : []).map((a) => JSON.stringify(String(a))).join(', ');
    const error = String(body.error ?? '0');
    const failed = error !== '0' && error !== '';
    this.addLog({
      launch: s.key,
      kind: 'call',
      text: `${String(body.method)}(${args}) \u2192 ${JSON.stringify(String(body.result ?? ''))}`,
      ...(failed ? { error: `${error}${body.errorString ? ` ${String(body.errorString)}` : ''}` } : {}),
      // A failed read (a value never set) or an echo of the last error is normal; a refused write, commit or finish is not.
      level: !failed ? 'info' : /GetValue|GetLastError|GetErrorString|GetDiagnostic/.test(String(body.method)) ? 'warning' : 'error',
    });
    const method = String(body.method);
    const ok = String(body.result) === 'true';
    if (ok && /^(LMSCommit|Commit|LMSFinish|Terminate)$/.test(method) && body.cmi && typeof body.cmi === 'object') {
      s.committed = body.cmi as ScormCmi;
      if (/Finish|Terminate/.test(method)) s.finished = true;
      this.updateRecord(s);
    }
  }

  /**
   * What the emulated LMS did on its own (`--lms`): a quirk event for the log, what it stored (its
   * quirks decide when a Commit or Finish is kept), a session it ended, or a fresh attempt.
   */
  lmsEvent(body: LmsEventBody): void {
    const s = this.states.get(`${body.target}/${body.id}`);
    if (!s) throw new HttpError(404, `no launchable ${body.target}/${body.id}`);
    if (typeof body.event === 'string' && body.event) this.addLog({ launch: s.key, kind: 'quirk', text: body.event.slice(0, 500), level: 'warning' });
    if (body.reset === true) delete s.committed;
    if (body.cmi && typeof body.cmi === 'object') s.committed = body.cmi as ScormCmi;
    if (body.finished === true) s.finished = true;
    if (body.reset === true || body.cmi || body.finished === true) this.updateRecord(s);
  }

  onStatement(statement: XapiStatement): void {
    const registration = (statement.context as { registration?: string } | undefined)?.registration;
    const s = [...this.states.values()].find((x) => x.registration !== undefined && x.registration === registration);
    const verb = statement.verb as { id?: string; display?: Record<string, string> };
    const verbName = Object.values(verb.display ?? {})[0] ?? String(verb.id).split('/').pop();
    const objectId = (statement.object as { id?: string } | undefined)?.id ?? '';
    const result = statement.result as { completion?: boolean; success?: boolean; score?: { scaled?: number }; duration?: string; extensions?: Record<string, unknown> } | undefined;
    const parts: string[] = [];
    if (result?.completion !== undefined) parts.push(`completion ${result.completion}`);
    if (result?.success !== undefined) parts.push(`success ${result.success}`);
    if (result?.score?.scaled !== undefined) parts.push(`score ${result.score.scaled}`);
    if (result?.duration) parts.push(`duration ${result.duration}`);
    const by = String((statement.authority as { name?: string } | undefined)?.name ?? '');
    this.addLog({
      ...(s ? { launch: s.key } : {}),
      kind: 'statement',
      text: `${by === this.lrs.admin.username ? 'LMS: ' : ''}${verbName} ${objectId}${parts.length ? ` (${parts.join(', ')})` : ''}`,
      level: 'info',
    });
    if (s) {
      if (verb.id === 'http://adlnet.gov/expapi/verbs/terminated') s.finished = true;
      this.updateRecord(s);
    }
  }

  onRequest(r: LrsRequestLog): void {
    if (r.status < 400) return;
    // A GET of a document not written yet (resume state on a first launch) is how xAPI says "none".
    const absent = r.status === 404 && r.method === 'GET';
    this.addLog({ kind: 'request', text: `${r.method} ${r.url.replace(/\?.*$/, '')} ${absent ? 'found nothing' : 'refused'} (HTTP ${r.status})`, error: r.error ?? `HTTP ${r.status}`, level: absent ? 'info' : 'error' });
  }

  onState(e: { registration?: string; stateId?: string }): void {
    const s = [...this.states.values()].find((x) => x.registration !== undefined && x.registration === e.registration);
    if (!s) return;
    this.addLog({ launch: s.key, kind: 'state', text: `State document ${String(e.stateId)} saved`, level: 'info' });
    this.updateRecord(s);
  }
}

interface LmsEventBody {
  target: string;
  id: string;
  event?: unknown;
  cmi?: unknown;
  finished?: unknown;
  reset?: unknown;
}

interface ScormCallBody {
  target: string;
  id: string;
  method: string;
  args?: unknown[];
  result?: unknown;
  error?: unknown;
  errorString?: unknown;
  cmi?: unknown;
}

/** What the LMS hands scorm-again for the next session: the committed data, a new session. */
function resumeData(standard: 'scorm12' | 'scorm2004', committed: ScormCmi | undefined): Record<string, unknown> {
  const learner = { id: 'preview-learner', name: 'Learner, Preview' };
  if (standard === 'scorm12') {
    const cmi = structuredClone(committed ?? {}) as Record<string, unknown>;
    const core = { ...((cmi.core ?? {}) as Record<string, unknown>) };
    const suspended = core.exit === 'suspend';
    delete core.session_time;
    core.entry = committed ? (suspended ? 'resume' : '') : 'ab-initio';
    core.student_id = learner.id;
    core.student_name = learner.name;
    cmi.core = core;
    return cmi;
  }
  const cmi = structuredClone(committed ?? {}) as Record<string, unknown>;
  const suspended = cmi.exit === 'suspend';
  delete cmi.session_time;
  cmi.entry = committed ? (suspended ? 'resume' : '') : 'ab-initio';
  cmi.learner_id = learner.id;
  cmi.learner_name = learner.name;
  return cmi;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
    chunks.push(c as Buffer);
  }
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'the body must be a JSON object');
}

const ASSETS: Record<string, { file: () => string; type: string }> = {
  'panel.js': { file: () => path.join(TEMPLATES_DIR, 'preview/panel.js'), type: 'text/javascript; charset=utf-8' },
  'panel.css': { file: () => path.join(TEMPLATES_DIR, 'preview/panel.css'), type: 'text/css; charset=utf-8' },
  'scorm12.js': { file: () => require.resolve('scorm-again/scorm12'), type: 'text/javascript; charset=utf-8' },
  'scorm2004.js': { file: () => require.resolve('scorm-again/scorm2004'), type: 'text/javascript; charset=utf-8' },
  'lms-quirks.js': { file: () => LMS_QUIRKS_SCRIPT, type: 'text/javascript; charset=utf-8' },
};

async function serve(options: StartPreviewOptions, opened: { kind: 'course' | 'zip' | 'folder'; path: string; packages: PreviewPackage[] }, lrs: LoopbackLrs, work: string, ctx: RunContext): Promise<PreviewServer> {
  const clients = new Set<http.ServerResponse>();
  let watcher: CourseFilesWatcher | undefined;
  let building: Promise<void> | undefined;
  // Requests arrive only after listen(), when `handle` below exists.
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(err instanceof Error ? err.message : 'error');
      else res.destroy();
    });
  });
  let closed = false;
  const preview = new Preview({ kind: opened.kind, path: opened.path }, opened.packages, lrs, async () => {
    if (closed) return;
    closed = true;
    watcher?.close();
    await building?.catch(() => undefined);
    for (const c of clients) c.end();
    await closeServer(server);
    await lrs.stop();
    await rm(work, { recursive: true, force: true });
  });
  lrs.on('statement', (s: XapiStatement) => preview.onStatement(s));
  lrs.on('request', (r: LrsRequestLog) => preview.onRequest(r));
  lrs.on('state', (e: { registration?: string; stateId?: string }) => preview.onState(e));
  const broadcast = (type: string, data: unknown) => {
    const line = `data: ${JSON.stringify({ type, data })}\n\n`;
    for (const c of clients) c.write(line);
  };
  preview.on('log', (e: PreviewLogEntry) => broadcast('log', e));
  preview.on('record', (r: PreviewLaunchState) => broadcast('record', r));
  preview.on('build', (b: PreviewBuildStatus, extra: { configChanged?: boolean }) => broadcast('build', { ...b, ...extra }));

  // `--lms`: the preview LMS runs with that LMS's quirks switched on (templates/preview/lms-quirks.js).
  const emulation = options.lms ? profileEmulation(resolveLmsProfile(options.lms, '--lms').name) : undefined;
  const panelConfigOf = async (packages: readonly PreviewPackage[]) => {
    const setsCompletion = new Map<string, boolean>();
    if (emulation) for (const p of packages) setsCompletion.set(p.target, await packageSetsCompletion(p.root));
    return {
      title: packages[0]?.description.title ?? 'Preview',
      watch: Boolean(options.watch),
      ...(emulation ? { lms: emulation } : {}),
      packages: packages.map((p) => ({
        ...(emulation ? { setsCompletion: setsCompletion.get(p.target) ?? false } : {}),
        target: p.target,
        standard: p.description.standard,
        title: p.description.title,
        launchables: p.description.launchables.map((l) => ({ id: l.id, title: l.title, ...(l.scormType ? { scormType: l.scormType } : {}), ...(l.organization ? { organization: l.organization } : {}) })),
      })),
    };
  };
  let panelConfig = await panelConfigOf(opened.packages);
  let panelHtml = await renderTemplate('preview/panel.html.hbs', { title: panelConfig.title, config: panelConfig });

  // --watch: each batch of changes rebuilds into a new folder beside the served one; only a
  // good build replaces it, so a mistake in course.yaml never takes the preview down.
  let generation = 1;
  let again: string[] | undefined;
  // The folders of the build being served: the first build's, then build-N.
  let servedDirs = [path.join(work, 'pkg'), path.join(work, 'zips')];
  const rebuildLoop = async (changed: string[]): Promise<void> => {
    for (let files: string[] | undefined = changed; files && !closed; files = again) {
      again = undefined;
      generation += 1;
      const dir = path.join(work, `build-${generation}`);
      const last = preview.build.id;
      preview.setBuild({ id: last, state: 'building', changed: files });
      try {
        const next = await openInput({ ...options, input: opened.path }, dir, ctx);
        if (closed) return;
        const config = await panelConfigOf(next.packages);
        const configChanged = JSON.stringify(config) !== JSON.stringify(panelConfig);
        panelHtml = await renderTemplate('preview/panel.html.hbs', { title: config.title, config });
        panelConfig = config;
        const old = servedDirs;
        servedDirs = [dir];
        preview.replacePackages(next.packages);
        preview.addLog({ kind: 'info', text: `Rebuilt after a change of ${files.join(', ')} (build ${last + 1})`, level: 'info' });
        preview.setBuild({ id: last + 1, state: 'ok', changed: files }, { configChanged });
        // The previous build's files go once nothing serves them (a video being streamed keeps its open file).
        for (const d of old) await rm(d, { recursive: true, force: true }).catch(() => undefined);
      } catch (err) {
        await rm(dir, { recursive: true, force: true }).catch(() => undefined);
        if (closed || isCancellation(err)) return;
        const user = err instanceof UserError ? err : undefined;
        const message = err instanceof Error ? err.message : String(err);
        preview.addLog({ kind: 'info', text: `The rebuild failed; still serving build ${last}: ${message}`, level: 'error' });
        preview.setBuild({ id: last, state: 'error', changed: files, message, ...(user?.details.length ? { details: user.details } : {}), ...(user?.hint ? { hint: user.hint.replace(/then run the command again\.?$/, 'then save: the preview rebuilds by itself.') } : {}) });
      }
    }
  };
  const onChange = (changed: string[]) => {
    if (building) {
      again = [...new Set([...(again ?? []), ...changed])].sort();
      return;
    }
    building = rebuildLoop(changed).finally(() => {
      building = undefined;
    });
  };
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    // A page elsewhere may make the browser talk to 127.0.0.1 (DNS rebinding, cross-site
    // requests): only our own host name is served, and the API only takes same-origin JSON.
    if (!allowedHosts().has(String(req.headers.host ?? ''))) throw new HttpError(421, 'unexpected Host header');
    const raw = rawRequestPath(req.url);
    if (raw.startsWith('/pkg/')) {
      const rest = raw.slice('/pkg/'.length);
      const slash = rest.indexOf('/');
      const target = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
      const pkg = preview.packages.find((p) => p.target === target);
      if (!pkg) throw new HttpError(404, 'no such package');
      await sendPackageFile(pkg.root, slash < 0 ? '/' : rest.slice(slash), req, res);
      return;
    }
    if (raw === '/' || raw === '/index.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).end(panelHtml);
      return;
    }
    if (raw === '/__lk/returned.html') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Returned to the LMS</title></head><body><p>The course returned to the LMS.</p></body></html>');
      return;
    }
    const asset = raw.startsWith('/__lk/') ? ASSETS[raw.slice('/__lk/'.length)] : undefined;
    if (asset) {
      res.writeHead(200, { 'Content-Type': asset.type, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }).end(await readFile(asset.file()));
      return;
    }
    if (raw === '/__lk/api/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(`data: ${JSON.stringify({ type: 'snapshot', data: { log: preview.log.slice(-500), records: preview.records(), build: preview.build } })}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (raw === '/__lk/api/build.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(preview.build));
      return;
    }
    if (raw === '/__lk/api/record.json') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Disposition': 'attachment; filename="lessonkit-preview-record.json"', 'Cache-Control': 'no-store' }).end(JSON.stringify(preview.document(), null, 2));
      return;
    }
    if (raw.startsWith('/__lk/api/')) {
      if (req.method !== 'POST') throw new HttpError(405, 'POST only');
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedHosts().has(origin.replace(/^http:\/\//, ''))) throw new HttpError(403, 'cross-origin request');
      if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) throw new HttpError(415, 'JSON only');
      const body = await readJson(req);
      let answer: unknown = { ok: true };
      if (raw === '/__lk/api/launch') answer = preview.launch(String(body.target), String(body.id));
      else if (raw === '/__lk/api/reset') preview.reset(String(body.target), String(body.id));
      else if (raw === '/__lk/api/scorm') preview.scormCall(body as unknown as ScormCallBody);
      else if (raw === '/__lk/api/lms') preview.lmsEvent(body as unknown as LmsEventBody);
      else throw new HttpError(404, 'no such endpoint');
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(answer));
      return;
    }
    throw new HttpError(404, 'not found');
  };

  try {
    port = await listenLoopback(server, options.port ?? 0);
  } catch (err) {
    await preview.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new UserError(`Port ${options.port} on 127.0.0.1 is ${code === 'EADDRINUSE' ? 'already in use' : 'not allowed'}, so the preview cannot start.`, { code: 'E_USAGE', hint: 'Pass another --port, or leave it out to use any free port.' });
    }
    throw err;
  }
  preview.url = `http://127.0.0.1:${port}/`;
  if (options.watch) {
    const ignore = [options.cacheDir ? path.resolve(options.cwd, options.cacheDir) : path.join(opened.path, '.lessonkit'), work];
    try {
      watcher = await watchCourseFiles({ root: opened.path, ignore, onChange });
    } catch (err) {
      await preview.close();
      throw err;
    }
    preview.build = { ...preview.build, watching: true };
  }
  return preview;
}
