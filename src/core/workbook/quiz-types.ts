/**
 * The loaded knowledge check as plain data: what the quiz loader produces and what the player
 * runs (it travels in the launch page's configuration). Types only, no imports, so the browser
 * bundle can share them.
 */

/** A choice after loading: ids are single letters (`a`, `b`...), in file order. */
export interface QuizChoice {
  /** `a`..`z`, by position in the file (stable under shuffle; SCORM 1.2 choice responses are single characters). */
  id: string;
  text: string;
  correct: boolean;
  feedback?: string;
}

/** A question after loading. */
export interface QuizQuestion {
  /** Unique within the quiz. */
  id: string;
  type: 'single' | 'multiple' | 'true-false' | 'text';
  prompt: string;
  points: number;
  /** single / multiple. */
  choices?: QuizChoice[];
  /** true-false. */
  answer?: boolean;
  /** text: accepted answers. */
  accept?: string[];
  /** text: compare with case. */
  caseSensitive?: boolean;
  feedback?: { correct?: string; incorrect?: string };
}

/** A loaded knowledge check. Serialisable; it is what the player's configuration carries. */
export interface Quiz {
  /** The quiz file, relative to the course folder. */
  source: string;
  title: string;
  /** Submissions allowed; 0 = no limit. */
  attempts: number;
  shuffle: boolean;
  /** Percent of the points needed to pass (course.yaml `completion.masteryScore`, else {@link DEFAULT_PASS_MARK}). */
  passMark: number;
  /** True when the pass mark came from course.yaml. */
  passMarkFromCourse: boolean;
  questions: QuizQuestion[];
}
