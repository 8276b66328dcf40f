/** How the player turns its state into completion: never completed with an empty lesson or an untaken quiz. */
import { describe, expect, it } from 'vitest';
import type { PlayerLesson } from '../../../src/core/player-build/config.js';
import type { Quiz } from '../../../src/core/workbook/quiz-types.js';
import { summarize } from '../../../src/player/progress.js';
import type { PlayerState } from '../../../src/player/state.js';

const RULE = { watchedPercent: 90, requireWorkbook: false };
const QUIZ: Quiz = { source: 'q.yaml', title: 'Q', attempts: 0, shuffle: false, passMark: 80, passMarkFromCourse: true, questions: [{ id: 'q1', type: 'true-false', prompt: 'P', points: 1, answer: true }] };
const seg = (id: string) => ({ id, title: id, video: `media/${id}.mp4`, duration: 10 });
const lesson = (id: string, segments: string[], quiz?: Quiz): PlayerLesson => ({ id, title: id, objectives: [], segments: segments.map(seg), materials: [], ...(quiz ? { quiz } : {}) });
const state = (segments: PlayerState['segments'], quizzes?: PlayerState['quizzes']): PlayerState => ({ lesson: 0, segment: 0, position: 0, segments, workbooks: [false, false], ...(quizzes ? { quizzes } : {}) });

describe('summarize', () => {
  it('every video watched and no quiz: completed, 100%', () => {
    const s = summarize([lesson('a', ['one', 'two'])], state([true, true]), RULE);
    expect(s).toMatchObject({ completed: true, overall: 1 });
  });

  it('a lesson without videos is never completed, and the course stays below 100%', () => {
    const s = summarize([lesson('a', ['one']), lesson('empty', [])], state([true]), RULE);
    expect(s.completed).toBe(false);
    expect(s.lessons.map((l) => l.completed)).toEqual([true, false]);
    expect(s.lessons[1]?.progress).toBe(0);
    expect(s.overall).toBeLessThan(1);
    expect(Math.round(s.overall * 100)).toBeLessThan(100);
  });

  it('a course of empty lessons is not completed and shows 0%', () => {
    const s = summarize([lesson('empty', [])], state([]), RULE);
    expect(s).toMatchObject({ completed: false, overall: 0 });
  });

  it('an untaken quiz keeps its lesson and the course incomplete; taking it (pass or fail) completes them', () => {
    const lessons = [lesson('a', ['one'], QUIZ)];
    const before = summarize(lessons, state([true], [undefined]), RULE);
    expect(before.completed).toBe(false);
    expect(before.lessons[0]).toMatchObject({ completed: false, progress: 0.5 });
    expect(before.overall).toBe(0.5);
    expect(summarize(lessons, state([true], [{ attempts: 1, percent: 20 }]), RULE)).toMatchObject({ completed: true, overall: 1 });
  });

  it('never rounds to 100% before completion: 199 of 200 items done shows 99%', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `s${i}`);
    const s = summarize([lesson('a', ids)], state(ids.map((_, i) => (i === 0 ? [] : true))), RULE);
    expect(s.completed).toBe(false);
    expect(Math.round(s.overall * 100)).toBe(99);
    expect(Math.round((s.lessons[0]?.progress ?? 0) * 100)).toBe(99);
  });
});
