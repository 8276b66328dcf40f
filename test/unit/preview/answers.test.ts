/** The --answers file: its shape, and its ids and values against the package's quizzes. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UserError } from '../../../src/errors.js';
import { parseAnswers, readAnswersFile, resolveAnswers, type QuizLesson } from '../../../src/core/preview/answers.js';
import type { Quiz } from '../../../src/core/workbook/quiz-types.js';

const quiz: Quiz = {
  source: 'quizzes/a.yaml',
  title: 'Check',
  attempts: 0,
  shuffle: false,
  passMark: 80,
  passMarkFromCourse: false,
  questions: [
    { id: 'one', type: 'single', prompt: 'One?', points: 1, choices: [{ id: 'a', text: 'Yes', correct: true }, { id: 'b', text: 'No', correct: false }] },
    { id: 'many', type: 'multiple', prompt: 'Many?', points: 1, choices: [{ id: 'a', text: 'Red', correct: true }, { id: 'b', text: 'Blue', correct: true }, { id: 'c', text: 'Green', correct: false }] },
    { id: 'tf', type: 'true-false', prompt: 'True?', points: 1, answer: false },
    { id: 'typed', type: 'text', prompt: 'Type', points: 1, accept: ['ls -l'] },
  ],
};
const lessons: QuizLesson[] = [{ id: 'intro', title: 'Intro', quiz }, { id: 'outro', title: 'Outro' }];

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    return [(err as Error).message, ...(err as UserError).details];
  }
  throw new Error('no error');
}

describe('--answers', () => {
  it('turns ids, choice texts, booleans and text into the player responses (YAML and JSON)', () => {
    const yaml = parseAnswers('intro:\n  one: yes\n  many: [a, " blue "]\n  tf: false\n  typed: ls -l\n', 'a.yaml');
    expect(resolveAnswers(yaml, lessons)).toEqual({ intro: { one: ['a'], many: ['a', 'b'], tf: ['false'], typed: ['ls -l'] } });
    const json = parseAnswers(JSON.stringify({ intro: { one: 'b', many: 'c', tf: 'TRUE', typed: 42 } }), 'a.json');
    expect(resolveAnswers(json, lessons)).toEqual({ intro: { one: ['b'], many: ['c'], tf: ['true'], typed: ['42'] } });
  });

  it('reports every wrong id and value at its line, with the fix', () => {
    const file = parseAnswers('intro:\n  one: [a, b]\n  many: [a, purple]\n  tf: maybe\n  typed: [x]\n  extra: a\nouto:\n  x: 1\noutro:\n  x: 1\n', 'ans.yaml');
    const lines = problemsOf(() => resolveAnswers(file, lessons));
    expect(lines[0]).toBe('The answers file ans.yaml has 7 problems:');
    expect(lines).toContain('ans.yaml:2:8  intro.one takes one choice, but the answer lists 2 (fix: write one of a (Yes), b (No))');
    expect(lines).toContain('ans.yaml:3:9  intro.many has no choice "purple" (fix: use a choice id or its text: a (Red), b (Blue), c (Green))');
    expect(lines).toContain('ans.yaml:4:7  intro.tf is a true-false question, so its answer is true or false, not "maybe" (fix: write tf: true or tf: false)');
    expect(lines).toContain('ans.yaml:5:10  intro.typed asks the learner to type an answer, so its answer is one text, not [x] (fix: write the text to type, such as typed: "ls -l")');
    expect(lines).toContain('ans.yaml:6:10  the knowledge check of intro (quizzes/a.yaml) has no question "extra" (fix: its questions are one, many, tf, typed)');
    expect(lines).toContain('ans.yaml:7:1  there is no lesson "outo" in the course (fix: did you mean outro? use the id of a lesson with a knowledge check: intro)');
    expect(lines).toContain('ans.yaml:9:1  lesson "outro" has no knowledge check to answer (fix: remove it, or use a lesson with one: intro)');
  });

  it('a lesson whose answers leave out a question is refused: the player scores only complete attempts', () => {
    const lines = problemsOf(() => resolveAnswers(parseAnswers('intro:\n  one: a\n  tf: true\n', 'a.yaml'), lessons));
    expect(lines).toContain('a.yaml:1:1  the answers for intro leave out many, typed; the knowledge check is scored only when every question is answered (fix: add many: ..., typed: ... under intro)');
  });

  it('refuses a file of the wrong shape before anything is built', async () => {
    expect(problemsOf(() => parseAnswers('- a\n- b\n', 'l.yaml'))).toContain('l.yaml:1:1  the file is not a mapping of lesson ids (fix: write one mapping per lesson id, each mapping a question id to its answer (see "--answers" in docs/preview.md))');
    expect(problemsOf(() => parseAnswers('', 'e.yaml'))[1]).toMatch(/^e\.yaml:1:1 {2}the file is empty/);
    expect(problemsOf(() => parseAnswers('intro: a\n', 's.yaml'))[1]).toBe('s.yaml:1:1  intro must be a mapping of question ids to answers, not "a" (fix: write the answers under it, one "question-id: answer" a line)');
    expect(problemsOf(() => parseAnswers('intro:\n  one:\n  two: {a: 1}\n', 'n.yaml')).slice(1)).toEqual([
      'n.yaml:2:7  intro.one has nothing as its answer (fix: write a choice id (a), a list of choice ids ([a, c]), true or false, or the text to type)',
      'n.yaml:3:8  intro.two has a mapping as its answer (fix: write a choice id (a), a list of choice ids ([a, c]), true or false, or the text to type)',
    ]);
    expect(problemsOf(() => parseAnswers('intro: {one: [a\n', 'y.yaml'))[1]).toMatch(/^y\.yaml:\d+:\d+ {2}YAML syntax/);
  });

  it('names a missing file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lessonkit-answers-'));
    try {
      await expect(readAnswersFile('nowhere.yaml', dir)).rejects.toThrow('The answers file nowhere.yaml does not exist.');
      await writeFile(path.join(dir, 'ok.yaml'), 'intro:\n  one: a\n');
      expect((await readAnswersFile('ok.yaml', dir)).lessons.get('intro')?.answers.size).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
