/**
 * xAPI adapter (Rustici launch convention): reads endpoint, auth, actor, registration and
 * activity_id from the launch URL; sends initialized, progressed, completed (once), terminated
 * about the course activity and ADL video profile statements per segment, all with the
 * registration in context; keeps the learner's position and watched ranges in the State API
 * for resume. Delivery goes through the queued, retrying client (src/player/xapi/client.ts).
 */
import { LrsClient, uuid, type Statement } from '../xapi/client.js';
import { COURSE_TYPE, PROGRESS_EXTENSION, VERBS, answeredStatement, duration, lessonActivityId, parseActor, verb, videoStatement } from '../xapi/statements.js';
import type { AdapterOptions, InitializeResult, InteractionReport, LmsAdapter, MediaEvent, ProgressReport, ScoreReport, TerminateReason } from './types.js';

/** The State API document id of the resume data. */
export const RESUME_STATE_ID = 'https://lessonkit.dev/xapi/state/resume';
/** Resume data in the State API; generous, as SCORM 2004's limit. */
export const XAPI_STATE_LIMIT = 64000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The resume document. */
interface ResumeDocument {
  state?: string;
  location?: string;
  completed?: boolean;
}

/** Creates the xAPI adapter. */
export function createXapiAdapter(options: AdapterOptions): LmsAdapter {
  const win = options.window;
  const language = win.document.documentElement.lang || 'en-US';
  let client: LrsClient | undefined;
  let actor: Record<string, unknown> = {};
  let registration: string | undefined;
  let courseActivity = '';
  let iri = '';
  let started = 0;
  let completed = false;
  let lastPercent = -1;
  let finished = false;
  let resume: ResumeDocument = {};
  const videoSession = uuid(win);

  const send = (partial: Partial<Statement> & { context?: Record<string, unknown> }): void => {
    if (!client || finished) return;
    client.sendStatement({
      id: uuid(win),
      actor,
      timestamp: new Date().toISOString(),
      ...partial,
      context: { ...(registration ? { registration } : {}), ...(partial.context ?? {}) },
    });
  };
  const courseObject = () => ({ objectType: 'Activity', id: courseActivity, definition: { type: COURSE_TYPE, name: { [language]: options.courseTitle } } });
  const stateParams = () => ({ activityId: courseActivity, agent: actor, stateId: RESUME_STATE_ID, ...(registration ? { registration } : {}) });
  const saveState = (report: ProgressReport | undefined): void => {
    if (!client) return;
    if (report) resume = { state: report.state, location: report.location, completed: completed || report.completed };
    client.putState(stateParams(), resume);
  };

  return {
    name: 'xapi',
    stateLimit: XAPI_STATE_LIMIT,
    async initialize(): Promise<InitializeResult> {
      const q = new URLSearchParams(win.location.search);
      const endpoint = q.get('endpoint');
      const auth = q.get('auth');
      const parsedActor = parseActor(q.get('actor'));
      courseActivity = q.get('activity_id') ?? options.courseIri ?? '';
      iri = options.courseIri ?? courseActivity;
      if (!endpoint || !auth || !parsedActor || !courseActivity) {
        const missing = [!endpoint && 'endpoint', !auth && 'auth', !parsedActor && 'actor', !courseActivity && 'activity_id'].filter(Boolean).join(', ');
        options.log(`lessonkit: xAPI launch parameters missing: ${missing}`);
        return { ok: false, message: `This course must be opened from your learning system (the xAPI launch is missing: ${missing}). Open it again from there.` };
      }
      actor = parsedActor;
      const reg = q.get('registration');
      registration = reg && UUID.test(reg) ? reg : undefined;
      const base = endpoint.endsWith('/') ? endpoint : `${endpoint}/`;
      client = new LrsClient({ endpoint: base, authorization: auth, storageKey: `lessonkit:xapi:${base}|${JSON.stringify(actor)}|${registration ?? ''}|${courseActivity}`, window: win, log: options.log });
      started = Date.now();
      try {
        resume = ((await client.getState(stateParams())) as ResumeDocument | undefined) ?? {};
        if (!resume.completed) {
          const previous = await client.queryStatements({ verb: VERBS.completed, activity: courseActivity, agent: JSON.stringify(actor), ...(registration ? { registration } : {}), limit: '1' });
          resume.completed = previous.length > 0;
        }
      } catch (err) {
        // The learner can still watch; statements wait in the queue until the LRS answers.
        options.log(`lessonkit: could not read the saved progress from the LRS (${err instanceof Error ? err.message : String(err)}); starting without it`);
      }
      completed = Boolean(resume.completed);
      send({ verb: verb(VERBS.initialized), object: courseObject() });
      return { ok: true, resume: resume.state, location: resume.location, alreadyCompleted: completed, mode: 'normal', learnerName: typeof actor.name === 'string' ? actor.name : undefined };
    },
    reportProgress(report: ProgressReport): void {
      if (!client || finished) return;
      if (report.completed && !completed) {
        completed = true;
        send({ verb: verb(VERBS.completed), object: courseObject(), result: { completion: true, duration: duration(Date.now() - started) } });
      } else if (!completed && report.reason !== 'tick') {
        const percent = Math.floor(Math.min(1, Math.max(0, report.overall)) * 100);
        if (percent !== lastPercent && percent > 0) {
          lastPercent = percent;
          send({ verb: verb(VERBS.progressed), object: courseObject(), result: { extensions: { [PROGRESS_EXTENSION]: percent } } });
        }
      }
      if (report.reason !== 'tick') saveState(report);
      if (report.reason === 'hide' || report.reason === 'final') client.flushOnHide();
    },
    reportMedia(event: MediaEvent): void {
      const s = videoStatement(iri, event, videoSession, language);
      send({ ...s, context: { ...s.context, contextActivities: { ...(s.context.contextActivities as object), grouping: [{ objectType: 'Activity', id: courseActivity }] } } });
    },
    reportInteraction(q: InteractionReport): void {
      const s = answeredStatement(iri, q, language);
      send({ ...s, context: { contextActivities: { parent: [{ objectType: 'Activity', id: lessonActivityId(iri, q.lessonId) }], grouping: [{ objectType: 'Activity', id: courseActivity }] } } });
    },
    reportScore(score: ScoreReport): void {
      if (score.passed === undefined) return;
      send({
        verb: verb(score.passed ? VERBS.passed : VERBS.failed),
        object: courseObject(),
        result: { success: score.passed, score: { scaled: score.scaled, raw: score.raw, min: score.min, max: score.max }, duration: duration(Date.now() - started) },
      });
    },
    async terminate(reason: TerminateReason): Promise<void> {
      if (!client || finished) return;
      send({ verb: verb(VERBS.terminated), object: courseObject(), result: { duration: duration(Date.now() - started) } });
      finished = true;
      saveState(undefined);
      if (reason === 'unload') client.flushOnHide();
      else if (!(await client.flush(8000))) options.log(`lessonkit: ${client.pending} xAPI request(s) are still waiting; they are kept and sent on the next visit`);
    },
  };
}
