/**
 * `exportCourses`: the batch build of a workspace. Finds every course, plans one item per
 * (course, target), skips the items whose inputs have not changed since their zip was written,
 * and builds the rest with one scheduler: courses in parallel, encodes within a budget, renders
 * shared across courses through one cache. A course that fails is reported and the others go
 * on. Each finished course leaves its zips and an input manifest beside them, so an interrupted
 * run resumes where it stopped.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RunContext } from '../context.js';
import { loadCourse, type Course } from '../course/load.js';
import { findMediaTools } from '../media/locate.js';
import { buildCourse, resolveTargets } from '../package/build.js';
import type { PackageTargetName } from '../package/targets/types.js';
import { isCancellation, UserError, FindingsError, throwIfCancelled } from '../../errors.js';
import { writeFileAtomic } from '../../utils/fs.js';
import { findCourses } from './discover.js';
import { errorLine } from './report.js';
import { binaryIdentity, changedFiles, combineHashes, hashCourseFiles, toolchainHash, type FileHashes } from './inputs.js';
import { createLimiter, defaultBudget, runPool } from './scheduler.js';
import { partition, type Shard } from './shard.js';

/** Options for {@link exportCourses}. */
export interface ExportCoursesOptions {
  /** Folders to search for courses (relative to `cwd`); default `cwd`. */
  paths?: string[];
  /** Base for relative paths: the workspace. */
  cwd: string;
  /** Targets for every course instead of each course's `targets`. */
  targets?: string[];
  /** Output folder (default `<cwd>/dist`); zips go to `<out>/<course-id>/`. */
  out?: string;
  /** Render cache shared by every course (default `<cwd>/.lessonkit/cache`). */
  cacheDir?: string;
  /** Courses built at once (default: one per core). Encodes get half as many slots. */
  concurrency?: number;
  /** Build only this part of the workspace. */
  shard?: Shard;
  /** Rebuild even what has not changed. */
  force?: boolean;
  /** Only say what would be built and why. */
  dryRun?: boolean;
  /** One SCO (AU) per lesson. */
  scoPerLesson?: boolean;
  /** `--lms`: the LMS profile for every course (overrides each course's `lms:`). */
  lms?: string;
  /** `--ffmpeg` */
  ffmpeg?: string;
  /** `--ffprobe` */
  ffprobe?: string;
  /** Environment for tool lookup. */
  env: Record<string, string | undefined>;
}

/** What happened to an item. `planned` only in a dry run. */
export type ExportStatus = 'built' | 'unchanged' | 'failed' | 'planned';

/** One (course, target) of the export: a line of export.json. */
export interface ExportItem {
  /** Course folder relative to the workspace (`/` separators; `.` for the workspace itself). */
  course: string;
  /** Course id and version (absent when course.yaml could not be read). */
  id?: string;
  version?: string;
  /** Target (absent when the course failed before its targets were known). */
  target?: PackageTargetName;
  /** The zip, relative to the workspace. */
  zip?: string;
  size?: number;
  sha256?: string;
  status: ExportStatus;
  /** Why it was (or would be) built, or why it is unchanged. */
  reason: string;
  /** Milliseconds spent on the item's course in this run (shared by its targets). */
  durationMs: number;
  /** What went wrong, for a failed item. */
  error?: { code: string; message: string; hint?: string; details?: string[] };
}

/** What {@link exportCourses} returns (what `--json` prints and export.json holds). */
export interface ExportCoursesResult {
  /** The output folder, absolute. */
  out: string;
  /** `I/N` when sharded. */
  shard?: string;
  dryRun: boolean;
  /** Courses found in the workspace, and how many belong to this shard. */
  courses: { found: number; inShard: number };
  items: ExportItem[];
  summary: { built: number; unchanged: number; failed: number; planned: number };
}

/** The input manifest kept beside each zip (`<out>/<id>/.<zip>.inputs.json`). */
interface InputManifest {
  inputs: string;
  files: FileHashes;
  tool: string;
  options: string;
  size: number;
  sha256: string;
}

/** A course as planned: loaded, or failed to load. */
interface PlannedCourse {
  dir: string;
  rel: string;
  course?: Course;
  targets: PackageTargetName[];
  cost: number;
  error?: ExportItem['error'];
}

function errorOf(err: unknown): NonNullable<ExportItem['error']> {
  if (err instanceof UserError) return { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(err.details.length ? { details: err.details } : {}) };
  if (err instanceof FindingsError) return { code: 'E_FINDINGS', message: err.message };
  return { code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err), hint: 'This is a lessonkit bug; run the course alone with `lessonkit build --debug` and report the output.' };
}


function manifestPath(zip: string): string {
  return path.join(path.dirname(zip), `.${path.basename(zip)}.inputs.json`);
}

async function readManifest(zip: string): Promise<InputManifest | undefined> {
  try {
    return JSON.parse(await readFile(manifestPath(zip), 'utf8')) as InputManifest;
  } catch {
    return undefined;
  }
}

/** Loads each course and resolves its targets; a course that cannot be read becomes a failed plan. */
async function planCourses(dirs: string[], options: ExportCoursesOptions): Promise<PlannedCourse[]> {
  const seen = new Map<string, string>();
  const plans: PlannedCourse[] = [];
  for (const dir of dirs) {
    const rel = path.relative(options.cwd, dir).split(path.sep).join('/') || '.';
    try {
      const { course } = await loadCourse({ dir, cwd: options.cwd });
      const targets = resolveTargets(options.targets ?? course.targets, options.targets ? '--target' : `${rel}/course.yaml`).map((t) => t.name);
      const other = seen.get(course.id);
      if (other !== undefined) {
        throw new UserError(`${rel}/course.yaml has id "${course.id}", which ${other}/course.yaml uses too; both would write ${course.id}/ in the output.`, {
          code: 'E_COURSE_SCHEMA',
          hint: 'Give each course its own id (the id becomes SCORM identifiers and IRIs, so change the newer course).',
        });
      }
      seen.set(course.id, rel);
      const seconds = course.lessons.reduce((n, l) => n + l.segments.reduce((m, s) => m + (s.to - s.from), 0), 0);
      plans.push({ dir, rel, course, targets, cost: Math.round(seconds * 1000) + 1000 * targets.length });
    } catch (err) {
      if (isCancellation(err)) throw err;
      plans.push({ dir, rel, targets: [], cost: 0, error: errorOf(err) });
    }
  }
  return plans;
}

/** Exports every course under the paths; see the module comment. */
export async function exportCourses(options: ExportCoursesOptions, ctx: RunContext): Promise<ExportCoursesResult> {
  const cwd = options.cwd;
  const out = path.resolve(cwd, options.out ?? 'dist');
  const cacheDir = path.resolve(cwd, options.cacheDir ?? path.join('.lessonkit', 'cache'));
  const dirs = await findCourses({ paths: options.paths ?? [], cwd, exclude: [out, cacheDir] });
  if (dirs.length === 0) {
    throw new UserError(`No course.yaml found under ${(options.paths?.length ? options.paths : ['.']).join(', ')}.`, {
      code: 'E_COURSE_MISSING',
      hint: 'Run export in the folder that holds your courses, or give their folders: lessonkit export courses/',
    });
  }
  const plans = await planCourses(dirs, options);
  let mine = plans;
  if (options.shard) {
    const owner = partition(plans.map((p) => ({ key: p.rel, cost: p.cost })), options.shard.count);
    mine = plans.filter((p) => owner.get(p.rel) === options.shard?.index);
  }
  const tools = await findMediaTools({ ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env }).catch(() => ({}) as Awaited<ReturnType<typeof findMediaTools>>);
  const tool = combineHashes({
    lessonkit: await toolchainHash(),
    ffmpeg: tools.ffmpeg ? await binaryIdentity(tools.ffmpeg.path) : 'none',
  });
  // The LMS profile changes the launch pages and manifests: a different --lms rebuilds.
  const optionsKey = JSON.stringify({ scoPerLesson: Boolean(options.scoPerLesson), ...(options.lms ? { lms: options.lms } : {}) });
  const budget = defaultBudget();
  const concurrency = options.concurrency ?? budget.courses;
  const encodeSlots = createLimiter(options.concurrency ? Math.max(1, Math.floor(options.concurrency / 2)) : budget.encodes);

  const total = mine.reduce((n, p) => n + Math.max(1, p.targets.length), 0);
  const items: ExportItem[] = [];
  let finished = 0;
  const report = (item: ExportItem) => {
    items.push(item);
    finished++;
    ctx.onProgress?.({ phase: 'export', current: finished, total, item: `${item.id ?? item.course}${item.target ? ' ' + item.target : ''}`, done: true, detail: item.status === 'failed' ? `failed: ${errorLine(item.error)}` : item.reason });
  };

  await runPool(mine, concurrency, async (plan) => {
    throwIfCancelled(ctx.signal);
    const started = Date.now();
    const course = plan.course;
    if (!course || plan.error) {
      report({ course: plan.rel, status: 'failed', reason: 'the course could not be read', durationMs: 0, ...(plan.error ? { error: plan.error } : {}) });
      return;
    }
    const courseOut = path.join(out, course.id);
    const zipOf = (t: PackageTargetName) => path.join(courseOut, `${course.id}-${course.version}-${t}.zip`);
    const relZip = (t: PackageTargetName) => path.relative(cwd, zipOf(t)).split(path.sep).join('/');
    const base = { course: plan.rel, id: course.id, version: course.version };
    let files: FileHashes;
    try {
      files = await hashCourseFiles(course.dir, [out, cacheDir]);
    } catch (err) {
      if (isCancellation(err)) throw err;
      for (const t of plan.targets) report({ ...base, target: t, status: 'failed', reason: 'its files could not be read', durationMs: Date.now() - started, error: errorOf(err) });
      return;
    }
    const inputs = combineHashes({ files: combineHashes(files), tool, options: optionsKey });

    // Which targets need a build, and why.
    const todo: { target: PackageTargetName; reason: string }[] = [];
    for (const t of plan.targets) {
      const prev = options.force ? undefined : await readManifest(zipOf(t));
      const zipSize = await stat(zipOf(t)).then((s) => s.size, () => undefined);
      let reason: string | undefined;
      if (options.force) reason = '--force';
      else if (!prev || zipSize === undefined) reason = 'no previous output';
      else if (zipSize !== prev.size) reason = 'the zip in the output folder was changed or replaced';
      else if (prev.tool !== tool) reason = 'lessonkit, its player or ffmpeg changed';
      else if (prev.options !== optionsKey) reason = 'build options changed';
      else if (prev.inputs !== inputs) {
        const changed = changedFiles(prev.files, files);
        reason = changed.length ? `changed: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ` and ${changed.length - 5} more` : ''}` : 'inputs changed';
      }
      if (reason) todo.push({ target: t, reason });
      else report({ ...base, target: t, zip: relZip(t), size: prev!.size, sha256: prev!.sha256, status: 'unchanged', reason: 'nothing changed', durationMs: 0 });
    }
    if (todo.length === 0) return;
    if (options.dryRun) {
      for (const d of todo) report({ ...base, target: d.target, zip: relZip(d.target), status: 'planned', reason: d.reason, durationMs: 0 });
      return;
    }
    try {
      const built = await buildCourse(
        {
          dir: course.dir,
          cwd,
          targets: todo.map((d) => d.target),
          out: courseOut,
          cacheDir,
          scoPerLesson: Boolean(options.scoPerLesson),
          ...(options.lms ? { lms: options.lms } : {}),
          ...(options.ffmpeg ? { ffmpeg: options.ffmpeg } : {}),
          ...(options.ffprobe ? { ffprobe: options.ffprobe } : {}),
          env: options.env,
        },
        {
          logger: ctx.logger,
          ...(ctx.signal ? { signal: ctx.signal } : {}),
          encodeSlots,
          // Inner work shows on the live bar only; the finished lines are the export's own.
          onProgress: (e) => {
            if (!e.done) ctx.onProgress?.({ phase: 'export', current: finished, total, item: `${course.id}: ${e.phase} ${e.item ?? ''}`.trim(), ...(e.detail ? { detail: e.detail } : {}) });
          },
        },
      );
      const durationMs = Date.now() - started;
      for (const d of todo) {
        const b = built.bundles.find((x) => x.target === d.target);
        if (!b) throw new Error(`buildCourse returned no ${d.target} bundle`);
        const manifest: InputManifest = { inputs, files, tool, options: optionsKey, size: b.size, sha256: b.sha256 };
        await writeFileAtomic(manifestPath(b.path), JSON.stringify(manifest, null, 2) + '\n');
        report({ ...base, target: d.target, zip: relZip(d.target), size: b.size, sha256: b.sha256, status: 'built', reason: d.reason, durationMs });
      }
    } catch (err) {
      if (isCancellation(err)) throw err;
      const error = errorOf(err);
      for (const d of todo) report({ ...base, target: d.target, status: 'failed', reason: d.reason, durationMs: Date.now() - started, error });
    }
  });

  // export.json lists items in workspace order, whatever order they finished in.
  const order = new Map(plans.map((p, i) => [p.rel, i]));
  const targetRank = (i: ExportItem) => plans[order.get(i.course) ?? 0]?.targets.indexOf(i.target as PackageTargetName) ?? 0;
  items.sort((a, b) => (order.get(a.course) ?? 0) - (order.get(b.course) ?? 0) || targetRank(a) - targetRank(b));
  const result: ExportCoursesResult = {
    out,
    ...(options.shard ? { shard: `${options.shard.index}/${options.shard.count}` } : {}),
    dryRun: Boolean(options.dryRun),
    courses: { found: plans.length, inShard: mine.length },
    items,
    summary: {
      built: items.filter((i) => i.status === 'built').length,
      unchanged: items.filter((i) => i.status === 'unchanged').length,
      failed: items.filter((i) => i.status === 'failed').length,
      planned: items.filter((i) => i.status === 'planned').length,
    },
  };
  if (!options.dryRun) await writeFileAtomic(path.join(out, 'export.json'), JSON.stringify(result, null, 2) + '\n');
  return result;
}
