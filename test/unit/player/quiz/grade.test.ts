import { describe, expect, it } from 'vitest';
import type { Quiz } from '../../../../src/core/workbook/quiz-types.js';
import { combineScores, interactionFor, isCorrect, scoreAttempt, shuffled } from '../../../../src/player/quiz/grade.js';
import { scorm12InteractionValues, scorm2004InteractionValues } from '../../../../src/player/quiz/interactions.js';

const quiz = (points: number[], passMark = 80): Quiz => ({
  source: 'q.yaml',
  title: 'Q',
  attempts: 0,
  shuffle: false,
  passMark,
  passMarkFromCourse: true,
  questions: points.map((p, i) => ({ id: `q${i + 1}`, type: 'true-false' as const, prompt: `P${i}`, points: p, answer: true })),
});

describe('quiz grading', () => {
  it('grades each question type', () => {
    const multi = { id: 'm', type: 'multiple' as const, prompt: 'p', points: 1, choices: [{ id: 'a', text: 'A', correct: true }, { id: 'b', text: 'B', correct: false }, { id: 'c', text: 'C', correct: true }] };
    expect(isCorrect(multi, ['c', 'a'])).toBe(true);
    expect(isCorrect(multi, ['a'])).toBe(false);
    expect(isCorrect(multi, ['a', 'b', 'c'])).toBe(false);
    const text = { id: 't', type: 'text' as const, prompt: 'p', points: 1, accept: ['Ctrl+O'], caseSensitive: false };
    expect(isCorrect(text, [' ctrl+o '])).toBe(true);
    expect(isCorrect({ ...text, caseSensitive: true }, ['ctrl+o'])).toBe(false);
    expect(isCorrect(text, [''])).toBe(false);
    expect(isCorrect({ id: 'b', type: 'true-false', prompt: 'p', points: 1, answer: false }, ['false'])).toBe(true);
  });

  it('weights by points and rounds the percent to two decimals', () => {
    const q = quiz([1, 2]);
    const r = scoreAttempt(q, new Map([['q1', ['true']], ['q2', ['false']]]));
    expect([r.earned, r.possible, r.percent]).toEqual([1, 3, 33.33]);
  });

  it('combines the quizzes of a page, giving a verdict only once every quiz is taken', () => {
    const a = quiz([1]);
    const b = quiz([3]);
    expect(combineScores([{ quiz: a }, { quiz: b }])).toBeUndefined();
    expect(combineScores([{ quiz: a, outcome: { attempts: 1, percent: 100 } }, { quiz: b }])).toEqual({ scaled: 0.25, raw: 25, min: 0, max: 100 });
    expect(combineScores([{ quiz: a, outcome: { attempts: 1, percent: 100 } }, { quiz: b, outcome: { attempts: 2, percent: 100 * (2 / 3) } }])).toEqual({ scaled: 0.75, raw: 75, min: 0, max: 100, passed: false });
    expect(combineScores([{ quiz: quiz([1], 75), outcome: { attempts: 1, percent: 75 } }])?.passed).toBe(true);
  });

  it('shuffles without losing or duplicating items', () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const out = shuffled([1, 2, 3, 4, 5], random);
    expect([...out].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(out).not.toEqual([1, 2, 3, 4, 5]);
  });
});

describe('interaction formats', () => {
  const now = new Date(2026, 10, 22, 9, 5, 7);
  const fill = interactionFor('l1', { id: 'k', type: 'text', prompt: 'Which key?', points: 2, accept: ['Ctrl+O', '{odd}'], caseSensitive: true }, ['{x}[,]y'], false, 1234.4);

  it('SCORM 1.2: t/f, comma-separated choice ids, CMITimespan latency, wrong', () => {
    const tf = interactionFor('l1', { id: 's', type: 'true-false', prompt: 'p', points: 1, answer: false }, ['true'], false, 500);
    expect(scorm12InteractionValues(tf, 3, now)).toEqual([
      ['cmi.interactions.3.id', 'l1-s'],
      ['cmi.interactions.3.type', 'true-false'],
      ['cmi.interactions.3.time', '09:05:07'],
      ['cmi.interactions.3.weighting', '1'],
      ['cmi.interactions.3.correct_responses.0.pattern', 'f'],
      ['cmi.interactions.3.student_response', 't'],
      ['cmi.interactions.3.result', 'wrong'],
      ['cmi.interactions.3.latency', '0000:00:00.50'],
    ]);
  });

  it('SCORM 2004: fill-in patterns carry case_matters and learner text cannot forge delimiters', () => {
    const values = Object.fromEntries(scorm2004InteractionValues(fill, 0, now));
    expect(values['cmi.interactions.0.correct_responses.0.pattern']).toBe('{case_matters=true}Ctrl+O');
    expect(values['cmi.interactions.0.correct_responses.1.pattern']).toBe('{case_matters=true}(odd}');
    expect(values['cmi.interactions.0.learner_response']).toBe('(x},y');
    expect(values['cmi.interactions.0.result']).toBe('incorrect');
    expect(values['cmi.interactions.0.latency']).toBe('PT1.23S');
    expect(values['cmi.interactions.0.description']).toBe('Which key?');
  });
});
