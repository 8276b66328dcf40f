/**
 * Launch parameters and statement building shared by the xAPI and cmi5 adapters: activity ids
 * (derived from the course IRI exactly as src/core/package/targets/xapi-ids.ts does), the ADL
 * video profile, and durations in the form the xAPI schema accepts (seconds to hundredths).
 */
import { formatIsoDuration } from '../adapters/scorm-time.js';
import type { InteractionReport, MediaEvent } from '../adapters/types.js';
import type { Statement } from './client.js';

/** ADL verbs and the video profile vocabulary. */
export const VERBS = {
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  progressed: 'http://adlnet.gov/expapi/verbs/progressed',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  terminated: 'http://adlnet.gov/expapi/verbs/terminated',
  played: 'https://w3id.org/xapi/video/verbs/played',
  paused: 'https://w3id.org/xapi/video/verbs/paused',
  seeked: 'https://w3id.org/xapi/video/verbs/seeked',
  answered: 'http://adlnet.gov/expapi/verbs/answered',
} as const;

const VERB_NAMES: Record<string, string> = Object.fromEntries(Object.entries(VERBS).map(([k, v]) => [v, k]));

/** The video profile's IRIs. */
export const VIDEO = {
  profile: 'https://w3id.org/xapi/video',
  activityType: 'https://w3id.org/xapi/video/activity-type/video',
  time: 'https://w3id.org/xapi/video/extensions/time',
  timeFrom: 'https://w3id.org/xapi/video/extensions/time-from',
  timeTo: 'https://w3id.org/xapi/video/extensions/time-to',
  progress: 'https://w3id.org/xapi/video/extensions/progress',
  playedSegments: 'https://w3id.org/xapi/video/extensions/played-segments',
  length: 'https://w3id.org/xapi/video/extensions/length',
  sessionId: 'https://w3id.org/xapi/video/extensions/session-id',
} as const;

/** The cmi5 progress result extension (an integer percentage); also used by the plain xAPI adapter. */
export const PROGRESS_EXTENSION = 'https://w3id.org/xapi/cmi5/result/extensions/progress';

/** The course activity type. */
export const COURSE_TYPE = 'http://adlnet.gov/expapi/activities/course';

/** The activity id of a lesson (matches the package writer). */
export function lessonActivityId(iri: string, lessonId: string): string {
  return `${iri.replace(/\/+$/, '')}/lessons/${encodeURIComponent(lessonId)}`;
}

/** The activity id of a segment video. */
export function segmentActivityId(iri: string, lessonId: string, segmentId: string): string {
  return `${lessonActivityId(iri, lessonId)}/segments/${encodeURIComponent(segmentId)}`;
}

/** A verb object with its English display. */
export function verb(id: string): { id: string; display: Record<string, string> } {
  return { id, display: { 'en-US': VERB_NAMES[id] ?? id.replace(/.*\//, '') } };
}

/** An ISO 8601 duration from milliseconds, seconds to hundredths (what xAPI LRSs keep). */
export function duration(ms: number): string {
  return formatIsoDuration(ms);
}

/** Seconds rounded to milliseconds, as the video profile's time extensions expect. */
function sec(n: number): number {
  return Number.isFinite(n) ? Math.round(Math.max(0, n) * 1000) / 1000 : 0;
}

/** The video profile's played-segments string: `start[.]end[,]start[.]end`. */
export function playedSegments(played: [number, number][]): string {
  return played.map(([a, b]) => `${sec(a)}[.]${sec(b)}`).join('[,]');
}

/** Share of the video played, 0..1, to three places. */
function playedShare(played: [number, number][], length: number): number {
  if (!(length > 0)) return 0;
  const total = played.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, length) - Math.max(a, 0)), 0);
  return Math.round(Math.min(1, total / length) * 1000) / 1000;
}

/**
 * The ADL video profile statement for a media event, without actor, id, timestamp or the
 * registration/context template (the adapter adds those). `session` is the video session id.
 */
export function videoStatement(iri: string, event: MediaEvent, session: string, language: string): Partial<Statement> & { verb: unknown; object: unknown; result: Record<string, unknown>; context: Record<string, unknown> } {
  const extensions: Record<string, unknown> = {};
  let verbId: string;
  let completion: boolean | undefined;
  switch (event.type) {
    case 'play':
      verbId = VERBS.played;
      extensions[VIDEO.time] = sec(event.time);
      break;
    case 'pause':
      verbId = VERBS.paused;
      extensions[VIDEO.time] = sec(event.time);
      extensions[VIDEO.progress] = playedShare(event.played, event.length);
      extensions[VIDEO.playedSegments] = playedSegments(event.played);
      break;
    case 'seek':
      verbId = VERBS.seeked;
      extensions[VIDEO.timeFrom] = sec(event.from ?? 0);
      extensions[VIDEO.timeTo] = sec(event.time);
      break;
    default:
      verbId = VERBS.completed;
      completion = true;
      extensions[VIDEO.time] = sec(event.time);
      extensions[VIDEO.progress] = playedShare(event.played, event.length);
      extensions[VIDEO.playedSegments] = playedSegments(event.played);
  }
  const playedMs = event.played.reduce((sum, [a, b]) => sum + (b - a), 0) * 1000;
  return {
    verb: verb(verbId),
    object: {
      objectType: 'Activity',
      id: segmentActivityId(iri, event.lessonId, event.segmentId),
      definition: { type: VIDEO.activityType, name: { [language]: event.segmentTitle } },
    },
    result: { extensions, ...(completion ? { completion: true, duration: duration(playedMs) } : {}) },
    context: {
      contextActivities: { category: [{ objectType: 'Activity', id: VIDEO.profile }], parent: [{ objectType: 'Activity', id: lessonActivityId(iri, event.lessonId) }] },
      extensions: { [VIDEO.sessionId]: session, [VIDEO.length]: sec(event.length) },
    },
  };
}

/** Parses the `actor` launch parameter, accepting the older Tin Can form with arrays (`{"mbox":["mailto:..."]}`). */
export function parseActor(raw: string | null): Record<string, unknown> | undefined {
  if (!raw) return undefined;
  try {
    const a = JSON.parse(raw) as Record<string, unknown>;
    if (!a || typeof a !== 'object') return undefined;
    const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
    const out: Record<string, unknown> = { objectType: 'Agent' };
    const name = first(a.name);
    if (typeof name === 'string') out.name = name;
    if (a.account) {
      const acc = first(a.account) as { homePage?: string; accountServiceHomePage?: string; name?: string; accountName?: string };
      out.account = { homePage: acc.homePage ?? acc.accountServiceHomePage, name: acc.name ?? acc.accountName };
    } else if (first(a.mbox)) out.mbox = first(a.mbox);
    else if (first(a.mbox_sha1sum)) out.mbox_sha1sum = first(a.mbox_sha1sum);
    else if (first(a.openid)) out.openid = first(a.openid);
    else return undefined;
    return out;
  } catch {
    return undefined;
  }
}

/** Merges `extra` into a copy of `template` without overwriting anything the template sets; lists are joined. */
export function mergeContext(template: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = JSON.parse(JSON.stringify(template)) as Record<string, unknown>;
  for (const [k, v] of Object.entries(extra)) {
    const cur = out[k];
    if (cur === undefined) out[k] = v;
    else if (Array.isArray(cur) && Array.isArray(v)) {
      const ids = new Set(cur.map((x) => (x as { id?: string }).id));
      out[k] = [...cur, ...v.filter((x) => !ids.has((x as { id?: string }).id))];
    } else if (cur && typeof cur === 'object' && v && typeof v === 'object' && !Array.isArray(cur)) {
      out[k] = mergeContext(cur as Record<string, unknown>, v as Record<string, unknown>);
    }
    // A scalar the template set wins (cmi5 10: the AU must not overwrite template values).
  }
  return out;
}

/**
 * The `answered` statement for one knowledge-check question (without actor, id, timestamp or
 * context): a cmi.interaction activity under the lesson, with the xAPI response formats
 * (`a[,]b` for choices, `true`/`false`, `{case_matters=true}` for case-sensitive fill-in).
 */
export function answeredStatement(iri: string, q: InteractionReport, language: string): { verb: unknown; object: unknown; result: Record<string, unknown> } {
  const pattern = (answer: string[]) => {
    const text = answer.join('[,]');
    return q.type === 'fill-in' && q.caseSensitive ? `{case_matters=true}${text}` : text;
  };
  const definition: Record<string, unknown> = {
    type: 'http://adlnet.gov/expapi/activities/cmi.interaction',
    name: { [language]: q.prompt },
    interactionType: q.type,
    correctResponsesPattern: q.correctResponses.map(pattern),
  };
  if (q.type === 'choice' && q.choices) definition.choices = q.choices.map((c) => ({ id: c.id, description: { [language]: c.text } }));
  return {
    verb: verb(VERBS.answered),
    object: { objectType: 'Activity', id: `${lessonActivityId(iri, q.lessonId)}/questions/${encodeURIComponent(q.questionId)}`, definition },
    result: { response: q.response.join('[,]'), success: q.correct, duration: duration(q.latencyMs) },
  };
}
