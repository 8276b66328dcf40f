/**
 * The learner's record as an LMS would show it, from what the LMS holds: the SCORM data model
 * as committed (scorm-again's commit object) or the statements and state documents of an
 * xAPI/cmi5 registration. Pure functions, so the panel, `--json` and the tests agree.
 */
import { CMI5 } from './cmi5-rules.js';
import type { PreviewStandard } from './launchables.js';
import type { XapiStatement } from './statement-schema.js';

/** How close suspend_data (or the resume state) is to the standard's limit. */
export interface SuspendDataSize {
  /** Characters (SCORM) or bytes (xAPI state documents). */
  size: number;
  /** The limit of the standard; absent when it sets none (xAPI, cmi5). */
  limit?: number;
  /** `warning` from 80 % of the limit, `error` past it. */
  level: 'ok' | 'warning' | 'error';
}

/** What the LMS recorded for one launchable (SCO, AU or activity). */
export interface LearnerRecord {
  /** The runtime. */
  standard: PreviewStandard;
  /** `completed`, `incomplete`, `not attempted` or `unknown` (SCORM 1.2 `passed`/`failed` count as completed). */
  completion: string;
  /** `passed`, `failed` or `unknown`. */
  success: string;
  /** True when an LMS would count it completed (or passed). */
  completed: boolean;
  /** Score, when one was reported. */
  score?: { scaled?: number; raw?: number; min?: number; max?: number };
  /** Progress 0..1, when reported (SCORM 2004 progress_measure, cmi5 progress extension). */
  progress?: number;
  /** Bookmark (lesson_location / location). */
  location?: string;
  /** Total time over every session, as the standard writes it. */
  totalTime?: string;
  /** Time of the last session, as the standard writes it. */
  sessionTime?: string;
  /** SCORM cmi.exit / cmi.core.exit of the last session. */
  exit?: string;
  /** Resume data size against the limit. */
  suspendData: SuspendDataSize;
  /** Sessions launched so far. */
  sessions: number;
  /** True once the session was finished (LMSFinish, Terminate, terminated). */
  finished: boolean;
  /** cmi5: the LMS recorded `satisfied` for the course. */
  satisfied?: boolean;
}

/** suspend_data limits: SCORM 1.2 (CMIString4096) and SCORM 2004 (SPM 64000 characters). */
export const SUSPEND_LIMITS = { scorm12: 4096, scorm2004: 64000 } as const;

/** Classifies a size against a limit: warning at 80 %, error past it. */
export function suspendLevel(size: number, limit: number | undefined): SuspendDataSize['level'] {
  if (limit === undefined) return 'ok';
  if (size > limit) return 'error';
  return size >= limit * 0.8 ? 'warning' : 'ok';
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const num = (v: unknown): number | undefined => {
  const s = str(v).trim();
  if (s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
};

/** The `cmi` object of scorm-again's commit (`renderCommitCMI(true).cmi`), loosely typed: it comes from the page. */
export type ScormCmi = Record<string, unknown>;

/** The record of a SCORM 1.2 or 2004 SCO from its committed data model. */
export function scormRecord(standard: 'scorm12' | 'scorm2004', cmi: ScormCmi | undefined, meta: { sessions: number; finished: boolean }): LearnerRecord {
  const limit = SUSPEND_LIMITS[standard];
  if (!cmi) return { standard, completion: 'not attempted', success: 'unknown', completed: false, suspendData: { size: 0, limit, level: 'ok' }, ...meta };
  const suspend = str(cmi.suspend_data);
  const suspendData = { size: suspend.length, limit, level: suspendLevel(suspend.length, limit) };
  if (standard === 'scorm12') {
    const core = (cmi.core ?? {}) as Record<string, unknown>;
    const score = (core.score ?? {}) as Record<string, unknown>;
    const status = str(core.lesson_status) || 'not attempted';
    const raw = num(score.raw);
    return {
      standard,
      completion: status === 'passed' || status === 'failed' ? 'completed' : status,
      success: status === 'passed' || status === 'failed' ? status : 'unknown',
      completed: status === 'completed' || status === 'passed',
      ...(raw !== undefined ? { score: { raw, ...optional('min', num(score.min)), ...optional('max', num(score.max)) } } : {}),
      ...optional('location', str(core.lesson_location) || undefined),
      ...optional('totalTime', str(core.total_time) || undefined),
      ...optional('sessionTime', str(core.session_time) || undefined),
      ...optional('exit', str(core.exit) || undefined),
      suspendData,
      ...meta,
    };
  }
  const score = (cmi.score ?? {}) as Record<string, unknown>;
  const completion = str(cmi.completion_status) || 'unknown';
  const success = str(cmi.success_status) || 'unknown';
  const scaled = num(score.scaled);
  const raw = num(score.raw);
  return {
    standard,
    completion,
    success,
    completed: completion === 'completed',
    ...(scaled !== undefined || raw !== undefined ? { score: { ...optional('scaled', scaled), ...optional('raw', raw), ...optional('min', num(score.min)), ...optional('max', num(score.max)) } } : {}),
    ...optional('progress', num(cmi.progress_measure)),
    ...optional('location', str(cmi.location) || undefined),
    ...optional('totalTime', str(cmi.total_time) || undefined),
    ...optional('sessionTime', str(cmi.session_time) || undefined),
    ...optional('exit', str(cmi.exit) || undefined),
    suspendData,
    ...meta,
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const VERB = {
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  passed: 'http://adlnet.gov/expapi/verbs/passed',
  failed: 'http://adlnet.gov/expapi/verbs/failed',
  terminated: 'http://adlnet.gov/expapi/verbs/terminated',
};

/** Seconds in an ISO 8601 duration (`PT1H2M3.5S`, `P1DT2H`); 0 when it does not parse. */
export function isoSeconds(duration: unknown): number {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(str(duration));
  if (!m) return 0;
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
}

/** Seconds as an ISO 8601 duration with at most two decimals. */
export function isoDuration(seconds: number): string {
  return `PT${Math.round(seconds * 100) / 100}S`;
}

/**
 * The record of an xAPI activity or cmi5 AU in one registration: completion and success from
 * the verbs about `activityId`, score from passed/failed, progress from the cmi5 progress
 * extension, time from the durations of `terminated`, resume data from the state documents.
 */
export function xapiRecord(
  standard: 'xapi' | 'cmi5',
  statements: readonly XapiStatement[],
  activityId: string,
  meta: { sessions: number; stateBytes: number; courseActivityId?: string },
): LearnerRecord {
  const about = statements.filter((s) => (s.object as { id?: string } | undefined)?.id === activityId);
  const verbs = about.map((s) => (s.verb as { id?: string }).id);
  const completed = verbs.includes(VERB.completed);
  const judged = [...about].reverse().find((s) => [VERB.passed, VERB.failed].includes(String((s.verb as { id?: string }).id)));
  const success = judged ? ((judged.verb as { id?: string }).id === VERB.passed ? 'passed' : 'failed') : 'unknown';
  const result = (judged?.result ?? {}) as { score?: { scaled?: number; raw?: number; min?: number; max?: number } };
  let progress: number | undefined;
  for (const s of about) {
    const ext = (s.result as { extensions?: Record<string, unknown> } | undefined)?.extensions;
    const p = ext?.[CMI5.resultProgress];
    if (typeof p === 'number') progress = p / 100;
  }
  const terminated = about.filter((s) => (s.verb as { id?: string }).id === VERB.terminated);
  const total = terminated.reduce((t, s) => t + isoSeconds((s.result as { duration?: string } | undefined)?.duration), 0);
  const last = terminated.at(-1);
  const started = verbs.includes(VERB.initialized);
  const satisfied =
    meta.courseActivityId !== undefined ? statements.some((s) => (s.verb as { id?: string }).id === CMI5.verbs.satisfied && (s.object as { id?: string }).id === meta.courseActivityId) : undefined;
  return {
    standard,
    completion: completed ? 'completed' : started ? 'incomplete' : 'not attempted',
    success,
    completed: completed || success === 'passed',
    ...(result.score ? { score: result.score } : {}),
    ...optional('progress', completed ? 1 : progress),
    ...(terminated.length ? { totalTime: isoDuration(total) } : {}),
    ...optional('sessionTime', (last?.result as { duration?: string } | undefined)?.duration),
    suspendData: { size: meta.stateBytes, level: 'ok' },
    sessions: meta.sessions,
    finished: last !== undefined && about.lastIndexOf(last) === about.length - 1,
    ...(satisfied !== undefined ? { satisfied } : {}),
  };
}
