/** The standard-neutral record of one answered question (DOM-free, shared by the adapters and the unit tests). */

/** One answered knowledge-check question, standard-neutral; each adapter writes it in its standard's format. */
export interface InteractionReport {
  /** Unique in the page: `<lessonId>-<questionId>` (letters, digits, `-`, `_`). */
  id: string;
  /** The lesson the quiz belongs to. */
  lessonId: string;
  /** The question id from the quiz file. */
  questionId: string;
  /** `choice` (single and multiple choice), `true-false`, or `fill-in` (a typed answer). */
  type: 'choice' | 'true-false' | 'fill-in';
  /** The question text. */
  prompt: string;
  /** For `choice`: every choice, ids `a`, `b`... in file order. */
  choices?: { id: string; text: string }[];
  /** Right answers: one pattern per accepted answer, each a list (choice ids, `true`/`false`, or one text). */
  correctResponses: string[][];
  /** What the learner answered: choice ids (sorted), `true`/`false`, or the typed text. */
  response: string[];
  /** Whether the answer was right. */
  correct: boolean;
  /** For `fill-in`: the comparison is case-sensitive. */
  caseSensitive?: boolean;
  /** The question's points. */
  weighting: number;
  /** Time from the start of the attempt to the learner's last change to this answer, ms. */
  latencyMs: number;
}
