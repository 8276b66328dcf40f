/**
 * The contract between the build and the player: the JSON a launch page embeds in
 * `<script type="application/json" id="lessonkit-config">`. Pure types, shared by the Node
 * build and the browser bundle. Every path is relative to the bundle root.
 */
import type { LmsRuntime } from '../package/lms/types.js';
import type { Quiz } from '../workbook/quiz-types.js';

/** A file offered beside a lesson (workbook, cheat-sheet, attachment). */
export interface PlayerMaterial {
  /** What it is; the player labels and orders them by kind. */
  kind: 'workbook' | 'cheatsheet' | 'attachment';
  /** Link text (the file name for attachments). */
  label: string;
  /** Path inside the bundle. */
  href: string;
  /** For documents shipped as-is: what they are ("PDF", "Excel workbook"). Absent for rendered pages. */
  typeLabel?: string;
  /** For documents shipped as-is: their size for people ("1.2 MB"). */
  sizeLabel?: string;
}

/** One segment as the player sees it. */
export interface PlayerSegment {
  /** Segment id from course.yaml. */
  id: string;
  /** Segment title (plain text; the player sets it with textContent). */
  title: string;
  /** The rendered MP4. */
  video: string;
  /** Poster image, if rendered. */
  poster?: string;
  /** WebVTT captions, if any. */
  captions?: string;
  /** Duration in seconds. */
  duration: number;
  /** Chapters (start in seconds within the segment, title), in order. */
  chapters?: { time: number; title: string }[];
  /** The same chapters as a WebVTT chapters track. */
  chaptersTrack?: string;
}

/** The player's look from course.yaml's `theme:` (absent: the default look). */
export interface PlayerTheme {
  /** Accent colour `#rrggbb` (checked for 4.5:1 contrast at build). */
  accent?: string;
  /** The logo: path inside the bundle, its text alternative and pixel size. */
  logo?: { src: string; alt: string; width: number; height: number };
  /** `system`, `serif`, or a font file's path inside the bundle. */
  font: string;
}

/** One lesson as the player sees it. */
export interface PlayerLesson {
  /** Lesson id from course.yaml. */
  id: string;
  /** Lesson title. */
  title: string;
  /** Learning objectives. */
  objectives: string[];
  /** Segments in order. */
  segments: PlayerSegment[];
  /** Workbook, cheat-sheet and attachments. */
  materials: PlayerMaterial[];
  /** The knowledge check run after the lesson's videos, when the lesson has `quiz:`. */
  quiz?: Quiz;
}

/** Everything a launch page tells the player. */
export interface PlayerConfig {
  /** The adapter to start (`web`, `scorm12`, `scorm2004`, ...). */
  adapter: string;
  /** Prefix from the page to the bundle root (`''` or `'../'`). */
  base: string;
  /** Course id, version, title, language and IRI from course.yaml. */
  course: { id: string; version: string; title: string; language: string; description: string; iri?: string };
  /** The completion rule. */
  completion: { watchedPercent: number; requireWorkbook: boolean };
  /** The lessons this page plays (all of them, or one per SCO with --sco-per-lesson). */
  lessons: PlayerLesson[];
  /** The brand theme, when course.yaml has one. */
  theme?: PlayerTheme;
  /** How to talk to the LMS (the course's LMS profile; see docs/lms.md). Absent in pages from older builds: generic. */
  lms?: LmsRuntime;
}
