/**
 * Knowledge-check scoring, DOM-free: grading one question, scoring an attempt, combining the
 * quizzes of a launch page into the one score an LMS records, and the standard-neutral
 * interaction records the adapters write in each standard's format.
 */
import type { Quiz, QuizQuestion } from '../../core/workbook/quiz-types.js';
import type { InteractionReport } from './interaction-types.js';

/** The page's score (the shape of the adapters' ScoreReport). */
export interface CombinedScore {
  scaled: number;
  raw: number;
  min: number;
  max: number;
  passed?: boolean;
}

/** What the learner answered to one question: choice ids, `true`/`false`, or the typed text. */
export type QuizResponse = string[];

/** The saved outcome of a lesson's quiz (part of the resume state). */
export interface QuizOutcome {
  /** Attempts submitted so far. */
  attempts: number;
  /** Score of the last attempt, percent 0..100 (two decimals). */
  percent: number;
}

/** Trims, collapses spaces and folds case unless asked: how typed answers are compared. */
export function normalizeAnswer(value: string, caseSensitive: boolean): string {
  const v = value.trim().replace(/\s+/g, ' ');
  return caseSensitive ? v : v.toLowerCase();
}

/** True when `response` is right: single = the right choice, multiple = every right one and no wrong one. */
export function isCorrect(q: QuizQuestion, response: QuizResponse): boolean {
  switch (q.type) {
    case 'single':
    case 'multiple': {
      const right = (q.choices ?? []).filter((c) => c.correct).map((c) => c.id).sort();
      const given = [...new Set(response)].sort();
      return right.length === given.length && right.every((id, i) => id === given[i]);
    }
    case 'true-false':
      return response.length === 1 && response[0] === String(q.answer);
    case 'text': {
      const given = normalizeAnswer(response[0] ?? '', Boolean(q.caseSensitive));
      return given !== '' && (q.accept ?? []).some((a) => normalizeAnswer(a, Boolean(q.caseSensitive)) === given);
    }
    default:
      return false;
  }
}

/** Scores one attempt: points earned, points possible, percent (two decimals). */
export function scoreAttempt(quiz: Quiz, responses: ReadonlyMap<string, QuizResponse>): { earned: number; possible: number; percent: number; correct: Map<string, boolean> } {
  let earned = 0;
  let possible = 0;
  const correct = new Map<string, boolean>();
  for (const q of quiz.questions) {
    possible += q.points;
    const ok = isCorrect(q, responses.get(q.id) ?? []);
    correct.set(q.id, ok);
    if (ok) earned += q.points;
  }
  return { earned, possible, percent: possible ? Math.round((earned / possible) * 10000) / 100 : 0, correct };
}

/**
 * The page's score, as the LMS records it: the quizzes' percentages weighted by their points
 * (a quiz not taken yet counts 0). The verdict (passed) is given only once every quiz of the
 * page has been submitted; until then it is left open.
 */
export function combineScores(quizzes: readonly { quiz: Quiz; outcome?: QuizOutcome }[]): CombinedScore | undefined {
  const present = quizzes.filter((q) => q.quiz.questions.length > 0);
  if (present.length === 0 || !present.some((q) => q.outcome)) return undefined;
  let weighted = 0;
  let points = 0;
  for (const { quiz, outcome } of present) {
    const possible = quiz.questions.reduce((n, q) => n + q.points, 0);
    points += possible;
    weighted += ((outcome?.percent ?? 0) / 100) * possible;
  }
  const percent = points ? Math.round((weighted / points) * 10000) / 100 : 0;
  const passMark = present[0]?.quiz.passMark ?? 80;
  const allTaken = present.every((q) => q.outcome && q.outcome.attempts > 0);
  return {
    scaled: Math.round(percent * 100) / 10000,
    raw: percent,
    min: 0,
    max: 100,
    ...(allTaken ? { passed: percent >= passMark } : {}),
  };
}

/** The interaction record of one answered question. */
export function interactionFor(lessonId: string, q: QuizQuestion, response: QuizResponse, correct: boolean, latencyMs: number): InteractionReport {
  const base = { id: `${lessonId}-${q.id}`, lessonId, questionId: q.id, prompt: q.prompt, correct, weighting: q.points, latencyMs: Math.max(0, Math.round(latencyMs)) };
  switch (q.type) {
    case 'single':
    case 'multiple':
      return {
        ...base,
        type: 'choice',
        choices: (q.choices ?? []).map((c) => ({ id: c.id, text: c.text })),
        correctResponses: [(q.choices ?? []).filter((c) => c.correct).map((c) => c.id)],
        response: [...new Set(response)].sort(),
      };
    case 'true-false':
      return { ...base, type: 'true-false', correctResponses: [[String(q.answer)]], response: response.slice(0, 1) };
    default:
      return { ...base, type: 'fill-in', caseSensitive: Boolean(q.caseSensitive), correctResponses: (q.accept ?? []).map((a) => [a]), response: [response[0] ?? ''] };
  }
}

/** A copy of `items` in random order (Fisher-Yates); `random` is injectable for tests. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i] as T;
    out[i] = out[j] as T;
    out[j] = t;
  }
  return out;
}
