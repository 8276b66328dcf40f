/**
 * The one interface between the player and whatever records the learner's progress (an LMS
 * through SCORM 1.2/2004, an LRS through xAPI/cmi5, or nothing at all for `web`).
 *
 * The player core never knows which standard it runs under: it asks the adapter for the
 * saved state once, reports progress as plain numbers, and leaves the mapping onto a data
 * model (cmi.core.lesson_status, cmi.completion_status, xAPI statements...) to the adapter.
 * Every method may be synchronous or return a promise; the player awaits each call.
 */
import type { LessonProgress } from '../progress.js';
import type { LmsRuntime } from '../../core/package/lms/types.js';
import type { InteractionReport } from '../quiz/interaction-types.js';

export type { LessonProgress } from '../progress.js';

/** How the LMS launched the content (cmi5/SCORM 2004 `mode`); `normal` unless the LMS says otherwise. */
export type LaunchMode = 'normal' | 'browse' | 'review';

/** What {@link LmsAdapter.initialize} returns. */
export interface InitializeResult {
  /** False when no LMS could be reached: the player shows `message` instead of a blank page. */
  ok: boolean;
  /**
   * The LMS's pass mark for knowledge checks, 0..1 (cmi5 `LMS.LaunchData` masteryScore, SCORM 2004
   * `cmi.scaled_passing_score`), when it gives one: it overrides course.yaml's, on screen too.
   */
  masteryScore?: number;
  /** A learner-facing explanation when `ok` is false (for example "No LMS API found"). */
  message?: string;
  /** The resume data the player stored last time (suspend_data / State API), if any. */
  resume?: string;
  /** The bookmark the player stored last time (lesson_location / cmi.location), if any. */
  location?: string;
  /** True when the LMS already records this attempt as completed (a revisit). */
  alreadyCompleted?: boolean;
  /** How the content was launched. */
  mode?: LaunchMode;
  /** The learner's name, when the LMS gives one (shown in the header). */
  learnerName?: string;
}

/** Why the player reports: adapters commit on milestones and exits, and may skip plain ticks. */
export type ProgressReason =
  /** Periodic report while playing. */
  | 'tick'
  /** A segment or lesson was completed, or the learner moved to another segment. */
  | 'milestone'
  /** The page is being hidden (pagehide / visibilitychange): commit now, it may be the last chance. */
  | 'hide'
  /** The session ends right after this report (terminate follows): the profile decides whether to commit first. */
  | 'final';

/** One progress report from the player. */
export interface ProgressReport {
  /** Overall share of the completion rule met, 0..1 (SCORM 2004 `cmi.progress_measure`). */
  overall: number;
  /** True when the course's completion rule holds. Never goes back to false within an attempt. */
  completed: boolean;
  /** Per-lesson progress, in course order. */
  lessons: LessonProgress[];
  /** The bookmark: `<lessonId>/<segmentId>` (fits SCORM 1.2's 255-character lesson_location). */
  location: string;
  /** The serialised resume data, at most {@link LmsAdapter.stateLimit} characters (the player guarantees it). */
  state: string;
  /** Why this report was sent. */
  reason: ProgressReason;
  /** Currently playing lesson and segment (for video-profile statements). */
  current?: { lessonId: string; segmentId: string; position: number };
}

/** A knowledge-check result (reported by the quiz, when a course has one). */
export interface ScoreReport {
  /** Score between -1 and 1 (SCORM 2004 / xAPI `scaled`); usually 0..1. */
  scaled: number;
  /** Raw points. */
  raw: number;
  /** Minimum possible points. */
  min: number;
  /** Maximum possible points. */
  max: number;
  /** Pass/fail against the course's masteryScore, when it has one. */
  passed?: boolean;
}

/**
 * A video event of one segment, for the xAPI/cmi5 adapters' ADL video profile statements
 * (played, paused, seeked, completed). Other adapters ignore it.
 */
export interface MediaEvent {
  /** `play`, `pause`, `seek` (from `from` to `time`), or `complete` (the segment met its watched share). */
  type: 'play' | 'pause' | 'seek' | 'complete';
  /** Lesson id from course.yaml. */
  lessonId: string;
  /** Segment id from course.yaml. */
  segmentId: string;
  /** Segment title (activity name in statements). */
  segmentTitle: string;
  /** Playback position in the segment, seconds. */
  time: number;
  /** For `seek`: the position before the seek, seconds. */
  from?: number;
  /** Length of the segment video, seconds. */
  length: number;
  /** The ranges of the segment actually played so far, seconds, sorted and disjoint. */
  played: [number, number][];
}

export type { InteractionReport } from '../quiz/interaction-types.js';

/** How the player ends the session. */
export type TerminateReason =
  /** The learner pressed the Exit / Close control. */
  | 'exit'
  /** The page is going away (pagehide) and the adapter must finish with what it has. */
  | 'unload';

/** The adapter a target builds into its launch page. */
export interface LmsAdapter {
  /** The adapter name (`web`, `scorm12`, `scorm2004`, `xapi`, `cmi5`), shown in diagnostics. */
  readonly name: string;
  /** The most characters the resume data may have (4096 for SCORM 1.2, 64000 for 2004). */
  readonly stateLimit: number;
  /** Opens the session and returns what was saved earlier. Called once, before anything else. */
  initialize(): InitializeResult | Promise<InitializeResult>;
  /** Records progress; commits to the LMS when `reason` is a milestone or `hide`. */
  reportProgress(report: ProgressReport): void | Promise<void>;
  /** Records a knowledge-check score. */
  reportScore(score: ScoreReport): void | Promise<void>;
  /** Optional: records one answered question (cmi.interactions.n, xAPI `answered`). Called before {@link reportScore}. */
  reportInteraction?(interaction: InteractionReport): void | Promise<void>;
  /** Optional: a video event (xAPI and cmi5 send ADL video profile statements). Never awaited for playback. */
  reportMedia?(event: MediaEvent): void | Promise<void>;
  /** Ends the session (LMSFinish / Terminate / terminated statement). Safe to call twice. */
  terminate(reason: TerminateReason): void | Promise<void>;
}

/** A factory the launch page names; it receives the page's configuration. */
export type AdapterFactory = (options: AdapterOptions) => LmsAdapter;

/** What every adapter factory receives. */
export interface AdapterOptions {
  /** The course id (web adapter storage key, xAPI activity ids). */
  courseId: string;
  /** The course version (resume data from another version is ignored by the player). */
  courseVersion: string;
  /** The course IRI (xAPI/cmi5), when course.yaml has one. */
  courseIri?: string;
  /** The course title. */
  courseTitle: string;
  /** The window to search for an LMS API from (tests pass a stub). */
  window: Window;
  /** Where diagnostics go (every failed API call is logged). */
  log: (message: string) => void;
  /** The LMS profile's settings (SCORM adapters); generic when absent. */
  lms?: LmsRuntime;
  /** Called when the LMS stops (false) or starts again (true) taking the learner's data. */
  onConnection?: (ok: boolean) => void;
}
