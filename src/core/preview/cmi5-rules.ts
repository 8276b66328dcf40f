/**
 * The LMS side of cmi5 (spec sections 9.3-9.6): what an LMS checks about the statements an AU
 * sends in a launch session. The loopback LRS rejects a statement that breaks these rules with
 * 403, as cmi5 6.3 says an LMS should, and keeps the reason so a test or the preview can show it.
 */
import { agentKey, type XapiAgent } from './agent.js';
import type { XapiStatement } from './statement-schema.js';

/** cmi5 identifiers used by the AU and the LMS. */
export const CMI5 = {
  categoryCmi5: 'https://w3id.org/xapi/cmi5/context/categories/cmi5',
  categoryMoveOn: 'https://w3id.org/xapi/cmi5/context/categories/moveon',
  extSessionId: 'https://w3id.org/xapi/cmi5/context/extensions/sessionid',
  extMasteryScore: 'https://w3id.org/xapi/cmi5/context/extensions/masteryscore',
  extLaunchMode: 'https://w3id.org/xapi/cmi5/context/extensions/launchmode',
  extLaunchUrl: 'https://w3id.org/xapi/cmi5/context/extensions/launchurl',
  extMoveOn: 'https://w3id.org/xapi/cmi5/context/extensions/moveon',
  extLaunchParameters: 'https://w3id.org/xapi/cmi5/context/extensions/launchparameters',
  resultProgress: 'https://w3id.org/xapi/cmi5/result/extensions/progress',
  verbs: {
    launched: 'http://adlnet.gov/expapi/verbs/launched',
    initialized: 'http://adlnet.gov/expapi/verbs/initialized',
    completed: 'http://adlnet.gov/expapi/verbs/completed',
    passed: 'http://adlnet.gov/expapi/verbs/passed',
    failed: 'http://adlnet.gov/expapi/verbs/failed',
    terminated: 'http://adlnet.gov/expapi/verbs/terminated',
    abandoned: 'https://w3id.org/xapi/adl/verbs/abandoned',
    waived: 'https://w3id.org/xapi/adl/verbs/waived',
    satisfied: 'https://w3id.org/xapi/adl/verbs/satisfied',
  },
} as const;

/** The cmi5 launch modes (section 10). */
export type Cmi5LaunchMode = 'Normal' | 'Browse' | 'Review';

/** One AU launch session, as the launcher registered it. */
export interface Cmi5Session {
  /** The LMS-generated session id (context extension on every statement). */
  sessionId: string;
  /** The learner's registration. */
  registration: string;
  /** The AU's activity id as launched (object id of every cmi5 defined statement). */
  activityId: string;
  /** The AU id from cmi5.xml (publisher id, in contextActivities.grouping). */
  publisherId: string;
  /** The learner. */
  actor: XapiAgent;
  /** Launch mode written to LMS.LaunchData. */
  launchMode: Cmi5LaunchMode;
  /** moveOn written to LMS.LaunchData. */
  moveOn: string;
  /** masteryScore (0..1) written to LMS.LaunchData, if any. */
  masteryScore?: number;
  /** Verbs of cmi5 defined statements accepted in this session, in order. */
  verbs: string[];
  /** True once any statement was accepted (initialized must be first). */
  initialized: boolean;
  /** True once terminated was accepted; later statements are rejected. */
  terminated: boolean;
  /** When the LMS launched the session (ISO). */
  launchedAt: string;
  /** The course the AU belongs to, when the launcher knows it (for `satisfied`, cmi5 9.3.9). */
  course?: Cmi5CourseInfo;
}

/** What the LMS knows of the course an AU belongs to. */
export interface Cmi5CourseInfo {
  /** The course id from cmi5.xml (publisher id; goes in contextActivities.grouping). */
  publisherId: string;
  /** The LMS's own activity id for the course (object of `satisfied`; differs from the publisher id). */
  activityId: string;
  /** Every AU of the course: its LMS activity id and moveOn. */
  aus: { activityId: string; moveOn: string }[];
}

/** True when the AU's moveOn criterion is met by the cmi5 defined verbs of the registration. */
export function moveOnMet(moveOn: string, verbs: string[]): boolean {
  const completed = verbs.includes(CMI5.verbs.completed);
  const passed = verbs.includes(CMI5.verbs.passed);
  switch (moveOn) {
    case 'Completed':
      return completed;
    case 'Passed':
      return passed;
    case 'CompletedAndPassed':
      return completed && passed;
    case 'CompletedOrPassed':
      return completed || passed;
    default:
      return true; // NotApplicable
  }
}

const AU_VERBS = new Set<string>([CMI5.verbs.initialized, CMI5.verbs.completed, CMI5.verbs.passed, CMI5.verbs.failed, CMI5.verbs.terminated]);
const DURATION_REQUIRED = new Set<string>([CMI5.verbs.completed, CMI5.verbs.passed, CMI5.verbs.failed, CMI5.verbs.terminated]);

function ids(list: unknown): string[] {
  const arr = Array.isArray(list) ? list : list ? [list] : [];
  return arr.map((a) => (a as { id?: unknown }).id).filter((x): x is string => typeof x === 'string');
}

/** True when the statement is "cmi5 defined": it carries the cmi5 category activity. */
export function isCmi5Defined(statement: XapiStatement): boolean {
  const ca = (statement.context as { contextActivities?: { category?: unknown } } | undefined)?.contextActivities;
  return ids(ca?.category).includes(CMI5.categoryCmi5);
}

/**
 * Checks a statement an AU sends in `session` against the cmi5 rules. `history` holds the
 * statements already stored for the same registration and AU (any session), so the
 * per-registration rules (one completed, one passed, no failed after passed) can be checked.
 * Returns the reason for rejection, or undefined when the statement is acceptable.
 */
export function checkCmi5Statement(session: Cmi5Session, statement: XapiStatement, history: XapiStatement[]): string | undefined {
  const verb = (statement.verb as { id?: string } | undefined)?.id ?? '';
  const context = (statement.context ?? {}) as { registration?: string; extensions?: Record<string, unknown>; contextActivities?: { grouping?: unknown; category?: unknown } };
  if (session.terminated) return 'the session has already been terminated; no statement may follow terminated (cmi5 9.3.8)';
  if (agentKey(statement.actor) !== agentKey(session.actor)) return 'the actor does not match the launch actor (cmi5 8.1)';
  if (!session.initialized && verb !== CMI5.verbs.initialized) return `the first statement of a session must be initialized, got ${verb} (cmi5 9.3.2)`;
  if (context.registration !== session.registration) return 'context.registration must be the launch registration (cmi5 9.6.1)';
  if (context.extensions?.[CMI5.extSessionId] !== session.sessionId) return 'the session id extension from the context template is missing or wrong (cmi5 9.6.3.1)';
  if (!ids(context.contextActivities?.grouping).includes(session.publisherId)) return 'the publisher id grouping activity from the context template is missing (cmi5 9.6.2.3)';
  if (!isCmi5Defined(statement)) {
    // "cmi5 allowed": any verb, between initialized and terminated, with the context template.
    return undefined;
  }
  if (!AU_VERBS.has(verb)) return `${verb} is not a verb an AU may use in a cmi5 defined statement (cmi5 9.3)`;
  const objectId = (statement.object as { id?: string } | undefined)?.id;
  if (objectId !== session.activityId) return 'the object of a cmi5 defined statement must be the launched activityId (cmi5 9.4)';
  if (session.verbs.includes(verb)) return `${verb} was already sent in this session (cmi5 9.3: verbs must not be duplicated)`;
  if (session.launchMode !== 'Normal' && verb !== CMI5.verbs.initialized && verb !== CMI5.verbs.terminated) {
    return `${session.launchMode} mode allows only initialized and terminated (cmi5 10, launchMode)`;
  }
  const result = (statement.result ?? {}) as { duration?: string; success?: boolean; completion?: boolean; score?: unknown };
  if (DURATION_REQUIRED.has(verb) && !result.duration) return `${verb} must include result.duration (cmi5 9.5.4)`;
  if (verb === CMI5.verbs.completed && result.completion !== true) return 'completed must have result.completion true (cmi5 9.5.3)';
  if (verb !== CMI5.verbs.completed && result.completion !== undefined) return 'only completed may carry result.completion (cmi5 9.5.3)';
  if (verb === CMI5.verbs.passed && result.success !== true) return 'passed must have result.success true (cmi5 9.5.2)';
  if (verb === CMI5.verbs.failed && result.success !== false) return 'failed must have result.success false (cmi5 9.5.2)';
  if (verb !== CMI5.verbs.passed && verb !== CMI5.verbs.failed && (result.success !== undefined || result.score !== undefined)) {
    return 'only passed and failed may carry result.success or result.score (cmi5 9.5.1-9.5.2)';
  }
  const hasMoveOnCategory = ids(context.contextActivities?.category).includes(CMI5.categoryMoveOn);
  const needsMoveOn = result.success !== undefined || result.completion !== undefined;
  if (needsMoveOn !== hasMoveOnCategory) return 'the moveon category goes on exactly the statements with success or completion (cmi5 9.6.2.2)';
  if ((verb === CMI5.verbs.passed || verb === CMI5.verbs.failed) && (session.verbs.includes(CMI5.verbs.passed) || session.verbs.includes(CMI5.verbs.failed))) {
    return 'only one of passed and failed may be sent in a session (cmi5 9.3)';
  }
  const before = history.filter((s) => isCmi5Defined(s)).map((s) => (s.verb as { id?: string }).id);
  if (verb === CMI5.verbs.completed && before.includes(CMI5.verbs.completed)) return 'completed was already sent in this registration (cmi5 9.3.3)';
  if (verb === CMI5.verbs.passed && before.includes(CMI5.verbs.passed)) return 'passed was already sent in this registration (cmi5 9.3.4)';
  if (verb === CMI5.verbs.failed && before.includes(CMI5.verbs.passed)) return 'failed must not follow passed in a registration (cmi5 9.3)';
  return undefined;
}

/** Updates the session after a statement was accepted. */
export function recordCmi5Statement(session: Cmi5Session, statement: XapiStatement): void {
  const verb = (statement.verb as { id?: string } | undefined)?.id ?? '';
  if (verb === CMI5.verbs.initialized) session.initialized = true;
  if (isCmi5Defined(statement)) session.verbs.push(verb);
  if (verb === CMI5.verbs.terminated) session.terminated = true;
}
