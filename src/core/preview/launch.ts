/**
 * Launching content the way an LMS does: for cmi5, a registration, the LMS.LaunchData state
 * document, a `launched` statement and the launch URL with a one-time fetch URL; for xAPI
 * (Rustici's launch convention), the launch URL with endpoint, auth, actor, registration and
 * activity_id.
 */
import { randomUUID } from 'node:crypto';
import type { XapiAgent } from './agent.js';
import { CMI5, type Cmi5LaunchMode, type Cmi5Session } from './cmi5-rules.js';
import { basic, type LoopbackLrs } from './lrs.js';

/** The learner used when none is given: an account, as cmi5 9.2 requires. */
export const DEFAULT_LEARNER: XapiAgent = { objectType: 'Agent', name: 'Preview Learner', account: { homePage: 'https://lessonkit.invalid/learners', name: 'preview-learner' } };

/** Options for {@link launchCmi5}. */
export interface LaunchCmi5Options {
  /** Absolute URL of the AU (its `url` in cmi5.xml, resolved against where the package is served). */
  auUrl: string;
  /** The AU id in cmi5.xml (the publisher id). */
  publisherId: string;
  /**
   * The activity id the LMS gives the AU. cmi5 8.1 says it must differ from the publisher id;
   * default: the publisher id with `/lms-au` appended (stable, so every launch agrees).
   */
  activityId?: string;
  /** The learner; default {@link DEFAULT_LEARNER}. */
  actor?: XapiAgent;
  /** An existing registration to launch into again; default a new one. */
  registration?: string;
  /** Normal (default), Browse or Review. */
  launchMode?: Cmi5LaunchMode;
  /** moveOn from cmi5.xml; default `NotApplicable` (the XSD default). */
  moveOn?: string;
  /** masteryScore from cmi5.xml (0..1). */
  masteryScore?: number;
  /** launchParameters from cmi5.xml. */
  launchParameters?: string;
  /** Where the AU sends the learner on exit. */
  returnURL?: string;
  /** entitlementKey from cmi5.xml. */
  entitlementKey?: string;
  /**
   * The course the AU belongs to: its id in cmi5.xml and every AU (publisher id and moveOn).
   * With it, the LMS records `satisfied` for the course once every AU's moveOn is met.
   */
  course?: { publisherId: string; aus: { publisherId: string; moveOn: string }[] };
}

/** The activity id the loopback LMS gives an AU or a course: the publisher id plus a suffix (cmi5 8.1: they must differ). */
export function lmsActivityId(publisherId: string, kind: 'au' | 'course'): string {
  return `${publisherId.replace(/\/$/, '')}/lms-${kind}`;
}

/** What {@link launchCmi5} produced. */
export interface LaunchCmi5Result {
  /** The URL to open: the AU URL plus endpoint, fetch, actor, registration and activityId. */
  url: string;
  /** The registration (reuse it for a second launch of the same enrolment). */
  registration: string;
  /** The new session id. */
  sessionId: string;
  /** The activity id the AU must use. */
  activityId: string;
  /** The one-time fetch URL. */
  fetchUrl: string;
  /** The session the LRS checks statements against. */
  session: Cmi5Session;
  /** The LMS.LaunchData document written. */
  launchData: Record<string, unknown>;
}

const LAUNCH_PARAMS = ['endpoint', 'fetch', 'actor', 'registration', 'activityId'];

/**
 * Launches an AU against the loopback LRS as a cmi5 LMS would (cmi5 sections 8 and 10):
 * abandons a previous session of the registration that never terminated, writes
 * LMS.LaunchData, records `launched`, and builds the launch URL.
 */
export function launchCmi5(lrs: LoopbackLrs, options: LaunchCmi5Options): LaunchCmi5Result {
  const actor = options.actor ?? DEFAULT_LEARNER;
  const registration = options.registration ?? randomUUID();
  const sessionId = randomUUID();
  const activityId = options.activityId ?? lmsActivityId(options.publisherId, 'au');
  const launchMode = options.launchMode ?? 'Normal';
  const moveOn = options.moveOn ?? 'NotApplicable';
  const auUrl = new URL(options.auUrl);
  for (const p of LAUNCH_PARAMS) {
    if (auUrl.searchParams.has(p)) throw new Error(`The AU URL ${options.auUrl} already has a "${p}" query parameter, which collides with the cmi5 launch parameters.`);
  }
  abandonOpenSessions(lrs, registration, activityId);

  const contextTemplate = {
    contextActivities: { grouping: [{ objectType: 'Activity', id: options.publisherId }] },
    extensions: { [CMI5.extSessionId]: sessionId },
  };
  const launchData: Record<string, unknown> = {
    contextTemplate,
    launchMode,
    moveOn,
    ...(options.masteryScore !== undefined ? { masteryScore: options.masteryScore } : {}),
    ...(options.launchParameters !== undefined ? { launchParameters: options.launchParameters } : {}),
    ...(options.returnURL !== undefined ? { returnURL: options.returnURL } : {}),
    ...(options.entitlementKey !== undefined ? { entitlementKey: { courseStructure: options.entitlementKey } } : {}),
  };
  lrs.setState(activityId, actor, 'LMS.LaunchData', launchData, registration);

  const session: Cmi5Session = {
    sessionId,
    registration,
    activityId,
    publisherId: options.publisherId,
    actor,
    launchMode,
    moveOn,
    ...(options.masteryScore !== undefined ? { masteryScore: options.masteryScore } : {}),
    verbs: [],
    initialized: false,
    terminated: false,
    launchedAt: new Date().toISOString(),
    ...(options.course
      ? {
          course: {
            publisherId: options.course.publisherId,
            activityId: lmsActivityId(options.course.publisherId, 'course'),
            aus: options.course.aus.map((au) => ({ activityId: au.publisherId === options.publisherId ? activityId : lmsActivityId(au.publisherId, 'au'), moveOn: au.moveOn })),
          },
        }
      : {}),
  };
  lrs.registerCmi5Session(session);
  const fetchUrl = lrs.createFetchUrl(session);

  const launchUrlBare = auUrl.toString();
  lrs.storeAsLms({
    id: randomUUID(),
    actor,
    verb: { id: CMI5.verbs.launched, display: { 'en-US': 'launched' } },
    object: { objectType: 'Activity', id: activityId },
    context: {
      registration,
      contextActivities: { grouping: [{ objectType: 'Activity', id: options.publisherId }], category: [{ objectType: 'Activity', id: CMI5.categoryCmi5 }] },
      extensions: {
        [CMI5.extSessionId]: sessionId,
        [CMI5.extLaunchMode]: launchMode,
        [CMI5.extLaunchUrl]: launchUrlBare,
        [CMI5.extMoveOn]: moveOn,
        ...(options.masteryScore !== undefined ? { [CMI5.extMasteryScore]: options.masteryScore } : {}),
        ...(options.launchParameters !== undefined ? { [CMI5.extLaunchParameters]: options.launchParameters } : {}),
      },
    },
    timestamp: new Date().toISOString(),
  });

  auUrl.searchParams.set('endpoint', lrs.endpoint);
  auUrl.searchParams.set('fetch', fetchUrl);
  auUrl.searchParams.set('actor', JSON.stringify(actor));
  auUrl.searchParams.set('registration', registration);
  auUrl.searchParams.set('activityId', activityId);
  return { url: auUrl.toString(), registration, sessionId, activityId, fetchUrl, session, launchData };
}

/** cmi5 9.3.6: a session that never terminated is abandoned when the learner launches again. */
function abandonOpenSessions(lrs: LoopbackLrs, registration: string, activityId: string): void {
  for (const s of lrs.sessions.values()) {
    if (s.registration !== registration || s.activityId !== activityId || s.terminated) continue;
    s.terminated = true;
    const seconds = Math.max(0, (Date.now() - Date.parse(s.launchedAt)) / 1000);
    lrs.storeAsLms({
      id: randomUUID(),
      actor: s.actor,
      verb: { id: CMI5.verbs.abandoned, display: { 'en-US': 'abandoned' } },
      object: { objectType: 'Activity', id: s.activityId },
      result: { duration: `PT${seconds.toFixed(2)}S` },
      context: {
        registration,
        contextActivities: { grouping: [{ objectType: 'Activity', id: s.publisherId }], category: [{ objectType: 'Activity', id: CMI5.categoryCmi5 }] },
        extensions: { [CMI5.extSessionId]: s.sessionId },
      },
      timestamp: new Date().toISOString(),
    });
  }
}

/** Options for {@link launchXapi}. */
export interface LaunchXapiOptions {
  /** Absolute URL of the launch file (tincan.xml `launch`, resolved). */
  launchUrl: string;
  /** The course activity id (tincan.xml activity id). */
  activityId: string;
  /** The learner; default {@link DEFAULT_LEARNER}. */
  actor?: XapiAgent;
  /** Registration; default a new one. */
  registration?: string;
}

/** What {@link launchXapi} produced. */
export interface LaunchXapiResult {
  /** The URL to open. */
  url: string;
  /** The registration passed. */
  registration: string;
}

/**
 * Builds an xAPI launch URL in Rustici's "launch" convention (endpoint, auth, actor,
 * registration, activity_id). The `auth` value is a fresh credential of the loopback LRS.
 */
export function launchXapi(lrs: LoopbackLrs, options: LaunchXapiOptions): LaunchXapiResult {
  const registration = options.registration ?? randomUUID();
  const cred = lrs.issueCredential();
  const url = new URL(options.launchUrl);
  url.searchParams.set('endpoint', lrs.endpoint);
  url.searchParams.set('auth', basic(cred.username, cred.password));
  url.searchParams.set('actor', JSON.stringify(options.actor ?? DEFAULT_LEARNER));
  url.searchParams.set('registration', registration);
  url.searchParams.set('activity_id', options.activityId);
  return { url: url.toString(), registration };
}
