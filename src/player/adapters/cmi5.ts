/**
 * cmi5 AU adapter. Reads endpoint, fetch, actor, registration and activityId from the launch
 * URL; POSTs to the fetch URL once for the auth token (kept in sessionStorage, so a reload of
 * the same launch does not fetch again); reads LMS.LaunchData (never writes it) and the
 * learner preferences; then sends initialized first, completed at most once per registration
 * (checked against the LRS, so a second session does not repeat it), terminated last with the
 * session duration, and nothing but initialized and terminated in Browse and Review modes.
 * Every cmi5 defined statement carries the context template, the cmi5 category, the
 * registration and the session id; video statements are "cmi5 allowed" (template, no category).
 * On exit the learner goes to returnURL when the LMS gave one.
 */
import { LrsClient, uuid, type Statement } from '../xapi/client.js';
import { PROGRESS_EXTENSION, VERBS, answeredStatement, duration, lessonActivityId, mergeContext, parseActor, verb, videoStatement } from '../xapi/statements.js';
import type { AdapterOptions, InitializeResult, InteractionReport, LaunchMode, LmsAdapter, MediaEvent, ProgressReport, ScoreReport, TerminateReason } from './types.js';

const CATEGORY_CMI5 = 'https://w3id.org/xapi/cmi5/context/categories/cmi5';
const CATEGORY_MOVEON = 'https://w3id.org/xapi/cmi5/context/categories/moveon';
const MASTERY_EXTENSION = 'https://w3id.org/xapi/cmi5/context/extensions/masteryscore';
/** The State API document id of the resume data (the AU's own document, beside LMS.LaunchData). */
export const CMI5_RESUME_STATE_ID = 'https://lessonkit.dev/xapi/state/resume';
/** Resume data limit in the State API. */
export const CMI5_STATE_LIMIT = 64000;

/** The LMS.LaunchData document (cmi5 section 10). */
interface LaunchData {
  contextTemplate?: Record<string, unknown>;
  launchMode?: 'Normal' | 'Browse' | 'Review';
  moveOn?: string;
  masteryScore?: number;
  returnURL?: string;
}

/** Creates the cmi5 AU adapter. */
export function createCmi5Adapter(options: AdapterOptions): LmsAdapter {
  const win = options.window;
  const language = win.document.documentElement.lang || 'en-US';
  let client: LrsClient | undefined;
  let actor: Record<string, unknown> = {};
  let registration = '';
  let activityId = '';
  let iri = '';
  let launch: LaunchData = {};
  let normal = true;
  let started = 0;
  let completed = false;
  /** passed already recorded in this registration (cmi5 9.3.4: at most once). */
  let passed = false;
  /** A failing attempt waiting for the end of the session (see reportScore). */
  let pendingFailed: ScoreReport | undefined;
  let lastPercent = -1;
  let finished = false;
  let resume: { state?: string; location?: string; completed?: boolean } = {};
  const videoSession = uuid(win);

  const context = (categories: string[], extra: Record<string, unknown> = {}): Record<string, unknown> =>
    mergeContext(launch.contextTemplate ?? {}, {
      registration,
      ...(categories.length > 0 ? { contextActivities: { category: categories.map((id) => ({ objectType: 'Activity', id })) } } : {}),
      ...extra,
    });
  const send = (partial: Partial<Statement> & { context: Record<string, unknown> }): void => {
    if (!client || finished) return;
    client.sendStatement({ id: uuid(win), actor, timestamp: new Date().toISOString(), ...partial });
  };
  const auObject = () => ({ objectType: 'Activity', id: activityId });
  const stateParams = () => ({ activityId, agent: actor, registration, stateId: CMI5_RESUME_STATE_ID });
  const elapsed = () => duration(Date.now() - started);

  /** Where this launch's session progress is kept across reloads of the same launch URL. */
  const sessionKey = (fetchUrl: string) => `lessonkit:cmi5-session:${fetchUrl}`;
  const readSession = (fetchUrl: string): string | null => {
    try {
      return win.sessionStorage.getItem(sessionKey(fetchUrl));
    } catch {
      return null;
    }
  };
  const writeSession = (fetchUrl: string, value: 'initialized' | 'terminated'): void => {
    try {
      win.sessionStorage.setItem(sessionKey(fetchUrl), value);
    } catch {
      // Without sessionStorage a reload starts over; the LMS refuses what breaks the rules.
    }
  };
  let launchFetchUrl = '';

  /** Sends passed or failed (cmi5 defined, moveOn category, masteryScore extension when the LMS gave one). */
  function sendVerdict(score: ScoreReport, success: boolean): void {
    const mastery = launch.masteryScore;
    send({
      verb: verb(success ? VERBS.passed : VERBS.failed),
      object: auObject(),
      result: { success, score: { scaled: score.scaled, raw: score.raw, min: score.min, max: score.max }, duration: elapsed() },
      context: context([CATEGORY_CMI5, CATEGORY_MOVEON], mastery !== undefined ? { extensions: { [MASTERY_EXTENSION]: mastery } } : {}),
    });
  }

  /** cmi5 8.2: one POST per launch. A reload of the same launch URL reuses the token. */
  async function fetchToken(fetchUrl: string): Promise<string> {
    const key = `lessonkit:cmi5-token:${fetchUrl}`;
    try {
      const saved = win.sessionStorage.getItem(key);
      if (saved) return saved;
    } catch {
      // sessionStorage unavailable (sandboxed frame): fetch without caching.
    }
    const res = await win.fetch(fetchUrl, { method: 'POST', cache: 'no-store' });
    const body = (await res.json()) as { 'auth-token'?: string; 'error-code'?: string; 'error-text'?: string };
    if (!res.ok || !body['auth-token']) throw new Error(`the fetch URL answered ${res.status} ${body['error-code'] ? `error ${body['error-code']}: ${body['error-text'] ?? ''}` : 'without a token'}`);
    try {
      win.sessionStorage.setItem(key, body['auth-token']);
    } catch {
      // Not kept: a reload would have to be relaunched from the LMS.
    }
    return body['auth-token'];
  }

  return {
    name: 'cmi5',
    stateLimit: CMI5_STATE_LIMIT,
    async initialize(): Promise<InitializeResult> {
      const q = new URLSearchParams(win.location.search);
      const endpoint = q.get('endpoint');
      const fetchUrl = q.get('fetch');
      const parsedActor = parseActor(q.get('actor'));
      activityId = q.get('activityId') ?? '';
      registration = q.get('registration') ?? '';
      if (!endpoint || !fetchUrl || !parsedActor || !activityId || !registration) {
        const missing = [!endpoint && 'endpoint', !fetchUrl && 'fetch', !parsedActor && 'actor', !activityId && 'activityId', !registration && 'registration'].filter(Boolean).join(', ');
        options.log(`lessonkit: cmi5 launch parameters missing: ${missing}`);
        return { ok: false, message: `This course must be opened from your learning system (the cmi5 launch is missing: ${missing}). Open it again from there.` };
      }
      actor = parsedActor;
      iri = options.courseIri ?? activityId;
      launchFetchUrl = fetchUrl;
      const previous = readSession(fetchUrl);
      if (previous === 'terminated') {
        // A reload after the session ended (leaving the page terminates it): cmi5 allows no
        // statement after terminated, so only a new launch from the LMS can record anything.
        options.log('lessonkit: this cmi5 session has already ended; it must be launched again from the LMS');
        return { ok: false, message: 'This session has ended and your progress was saved. To continue, open the course again from your learning system.' };
      }
      const base = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
      try {
        const token = await fetchToken(fetchUrl);
        client = new LrsClient({ endpoint: base, authorization: `Basic ${token}`, storageKey: `lessonkit:cmi5:${base}|${registration}|${activityId}`, window: win, log: options.log });
        launch = ((await client.getState({ activityId, agent: actor, registration, stateId: 'LMS.LaunchData' })) as LaunchData | undefined) ?? {};
        if (!launch.contextTemplate) throw new Error('LMS.LaunchData is missing or has no contextTemplate');
        // cmi5 11: the AU must read the learner preferences at start-up (none is fine).
        await client.getAgentProfile(actor, 'cmi5LearnerPreferences').catch((err: unknown) => options.log(`lessonkit: learner preferences unreadable: ${String(err)}`));
      } catch (err) {
        client = undefined;
        options.log(`lessonkit: cmi5 launch failed: ${err instanceof Error ? err.message : String(err)}`);
        return { ok: false, message: 'The course could not connect to your learning system. Close it and launch it again from there.' };
      }
      normal = (launch.launchMode ?? 'Normal') === 'Normal';
      started = Date.now();
      try {
        resume = ((await client.getState(stateParams())) as typeof resume | undefined) ?? {};
        // cmi5 9.3.3: completed at most once per registration, whatever session sent it.
        const isDefined = (s: Statement) => JSON.stringify((s.context as { contextActivities?: unknown } | undefined)?.contextActivities ?? {}).includes(CATEGORY_CMI5);
        const earlier = async (verbId: string) => (await client!.queryStatements({ verb: verbId, activity: activityId, registration, agent: JSON.stringify(actor), limit: '10' })).some(isDefined);
        completed = Boolean(resume.completed) || (await earlier(VERBS.completed));
        passed = await earlier(VERBS.passed);
      } catch (err) {
        // The resume document may have answered before the query failed: it also records completion.
        completed = Boolean(resume.completed);
        options.log(`lessonkit: could not read earlier progress from the LMS: ${err instanceof Error ? err.message : String(err)}`);
      }
      // A reload within the same session must not send initialized twice (cmi5 9.3.2).
      if (previous !== 'initialized') send({ verb: verb(VERBS.initialized), object: auObject(), context: context([CATEGORY_CMI5]) });
      writeSession(fetchUrl, 'initialized');
      const mode = (launch.launchMode ?? 'Normal').toLowerCase() as LaunchMode;
      return {
        ok: true,
        resume: resume.state,
        location: resume.location,
        alreadyCompleted: completed,
        mode,
        learnerName: typeof actor.name === 'string' ? actor.name : undefined,
        ...(launch.masteryScore !== undefined ? { masteryScore: launch.masteryScore } : {}),
      };
    },
    reportProgress(report: ProgressReport): void {
      if (!client || finished) return;
      if (normal) {
        if (report.completed && !completed) {
          completed = true;
          send({ verb: verb(VERBS.completed), object: auObject(), result: { completion: true, duration: elapsed() }, context: context([CATEGORY_CMI5, CATEGORY_MOVEON]) });
        } else if (!completed && report.reason !== 'tick') {
          // cmi5 9.5.5.1: progress in a "cmi5 allowed" statement, never after completion.
          const percent = Math.floor(Math.min(1, Math.max(0, report.overall)) * 100);
          if (percent !== lastPercent && percent > 0 && percent < 100) {
            lastPercent = percent;
            send({ verb: verb(VERBS.progressed), object: auObject(), result: { extensions: { [PROGRESS_EXTENSION]: percent } }, context: context([]) });
          }
        }
      }
      if (report.reason !== 'tick') {
        resume = { state: report.state, location: report.location, completed };
        client.putState(stateParams(), resume);
      }
      if (report.reason === 'hide' || report.reason === 'final') client.flushOnHide();
    },
    reportMedia(event: MediaEvent): void {
      // Browse and Review send only initialized and terminated.
      if (!normal) return;
      const s = videoStatement(iri, event, videoSession, language);
      send({ ...s, context: context([], s.context) });
    },
    reportInteraction(q: InteractionReport): void {
      if (!normal) return;
      // "cmi5 allowed": the context template, no cmi5 category.
      const s = answeredStatement(iri, q, language);
      send({ ...s, context: context([], { contextActivities: { parent: [{ objectType: 'Activity', id: lessonActivityId(iri, q.lessonId) }] } }) });
    },
    reportScore(score: ScoreReport): void {
      if (!normal || passed || score.passed === undefined) return;
      // cmi5 9.3.4/9.3.5: with a masteryScore the verdict follows it.
      const success = launch.masteryScore !== undefined ? score.scaled >= launch.masteryScore : score.passed;
      if (success) {
        // passed is final: once per registration, and it replaces a failed attempt still waiting.
        passed = true;
        pendingFailed = undefined;
        sendVerdict(score, true);
      } else {
        // cmi5 allows one of passed/failed per session: a failed attempt waits for the end of
        // the session, so a later attempt that passes can still be recorded.
        pendingFailed = score;
      }
    },
    async terminate(reason: TerminateReason): Promise<void> {
      if (!client || finished) return;
      if (pendingFailed) sendVerdict(pendingFailed, false);
      pendingFailed = undefined;
      send({ verb: verb(VERBS.terminated), object: auObject(), result: { duration: elapsed() }, context: context([CATEGORY_CMI5]) });
      finished = true;
      writeSession(launchFetchUrl, 'terminated');
      client.putState(stateParams(), resume);
      if (reason === 'unload') {
        client.flushOnHide();
        return;
      }
      if (!(await client.flush(8000))) options.log(`lessonkit: ${client.pending} request(s) are still waiting; they are kept and sent on the next visit`);
      // cmi5 10: with a returnURL, the AU sends the learner back to the LMS on exit.
      if (launch.returnURL) win.location.assign(launch.returnURL);
    },
  };
}
