/**
 * An LMS profile: what lessonkit knows about one learning management system, as data. The
 * player reads {@link LmsRuntime} from its configuration (so no LMS name is ever tested in the
 * player's code), the SCORM manifest writer reads {@link LmsManifest}, and `preview --lms`
 * switches on the emulated {@link LmsQuirk}s. Each quirk is explained with its source in
 * docs/lms.md. DOM-free and Node-free: the player bundle imports the generic profile.
 */
import type { LmsName } from './names.js';

/** How the player talks to the LMS's run-time API. Embedded in every launch page's configuration. */
export interface LmsRuntime {
  /** The profile's name (diagnostics). */
  profile: LmsName;
  /**
   * `cmi.exit` once the course is complete (SCORM 2004; SCORM 1.2 writes `''` for `normal`).
   * `suspend` keeps the attempt open, so an LMS that starts a fresh attempt after a normal exit
   * still shows the learner's progress and quiz result on the next launch.
   */
  exitWhenComplete: 'normal' | 'suspend';
  /** While playing, commit at most this often (seconds); 0 commits on milestones only. */
  commitEverySeconds: number;
  /** Commit when the page is hidden (`visibilitychange`) or goes away (`pagehide`). */
  commitOnHide: boolean;
  /** SCORM 2004: an explicit Commit right before Terminate (Terminate persists everything by itself). */
  commitBeforeTerminate: boolean;
  /** SCORM 1.2 `lesson_status` of a failed knowledge check: `incomplete` where a failed course cannot be retaken. */
  failedStatus: 'failed' | 'incomplete';
  /** After this many seconds without a commit, commit anyway so the LMS session does not expire (0 = never). */
  keepAliveSeconds: number;
  /** Longest free-text value written (SCORM 1.2 responses, 2004 descriptions); 0 = the standard's own limit only. */
  valueLimit: number;
  /** Most characters of resume data, per standard (the player compresses, then trims, to fit). */
  stateBudget: { scorm12: number; scorm2004: number };
  /** After the first commit, read back what was written; on a mismatch tell the learner and keep a local copy. */
  connectionCheck: boolean;
  /**
   * Write `incomplete` on the first launch, so an LMS that fills in a status of its own (completed
   * at launch, or on exit) never finds it empty. True in every profile; false only to show what it avoids.
   */
  statusOnLaunch: boolean;
}

/** What the profile changes in a SCORM manifest. */
export interface LmsManifest {
  /**
   * Write SCORM 1.2's `adlcp:masteryscore`. An LMS that applies it sets `failed` by itself, which
   * defeats {@link LmsRuntime.failedStatus} `incomplete`. (SCORM 2004's pass mark is unaffected.)
   */
  masteryScore: boolean;
}

/** A quirk the preview LMS and the browser tests' LMS emulator can reproduce. */
export type LmsQuirk =
  /** Commit (and Finish) fail while the LMS page is unloading. */
  | 'commit-fails-on-unload'
  /** A SCORM 2004 Commit right before Terminate makes the LMS drop the data of both. */
  | 'commit-before-terminate-loses'
  /** A SCORM 1.2 attempt stored as `failed` reopens in review mode: it cannot be retaken. */
  | 'failed-is-final'
  /** The session expires after a stretch without traffic; every later call fails. */
  | 'session-expires'
  /** `cmi.core.lesson_mode` / `cmi.mode` are never set (empty, error 401). */
  | 'no-lesson-mode'
  /** Any value over 255 characters (other than suspend_data) is refused with error 406. */
  | 'strict-255'
  /** The content frame's `pagehide`/`unload` handlers never run. */
  | 'no-unload-events'
  /** SCORM 2004: unless the last exit was `suspend`, the next launch is a fresh attempt. */
  | 'new-attempt-unless-suspended'
  /** suspend_data over 4096 characters is cut silently (SCORM 2004 too). */
  | 'truncate-suspend-data'
  /** The LMS records completion at launch (enrollment not required) unless the content reports a status. */
  | 'completed-on-launch'
  /** SCORM 2004: the LMS marks the SCO completed on exit unless the manifest says the content sets completion. */
  | 'complete-on-exit-unless-set-by-content'
  /** A key-value store in place of a data model: entry, mode, credit and `_count` stay empty; no call reports an error. */
  | 'partial-data-model';

/** One LMS profile. */
export interface LmsProfile {
  /** The name in course.yaml and `--lms`. */
  name: LmsName;
  /** The product's name for people. */
  title: string;
  /** One line: what the profile does differently from `generic`. */
  summary: string;
  /** How the LMS should launch the content (what to set in its course settings). */
  launch: 'frame' | 'window';
  /** The player's behaviour. */
  runtime: Omit<LmsRuntime, 'profile'>;
  /** The manifest's. */
  manifest: LmsManifest;
  /** The quirks `preview --lms` switches on (and the browser tests reproduce). */
  quirks: LmsQuirk[];
}
