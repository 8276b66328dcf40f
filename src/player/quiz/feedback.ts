/** The words of the feedback on one quiz answer (DOM-free, unit-tested). */
/** Words that already say whether an answer was right, at the start of an author's feedback. */
const VERDICT = /^\s*(?:yes|no|right|wrong|correct|incorrect|exactly|not quite|not really|close|almost|that's right|well done|indeed)\b/i;

/**
 * The feedback on one answer, saying each thing once: our "Correct." / "Not quite." only when
 * the author's own words do not already start with a verdict ("No. enable turns ..."), and an
 * author text given twice (a choice's feedback equal to the question's) only once.
 */
export function feedbackText(correct: boolean, authored: readonly string[]): string {
  const texts = [...new Set(authored.map((t) => t.trim()).filter(Boolean))];
  const verdict = texts[0] !== undefined && VERDICT.test(texts[0]) ? [] : [correct ? 'Correct.' : 'Not quite.'];
  return [...verdict, ...texts].join(' ');
}
