import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../../src/core/templates.js';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { checkQuizText, DEFAULT_PASS_MARK, loadQuiz, normalizeTextAnswer, quizJsonSchema } from '../../../src/core/workbook/quiz.js';
import { UserError } from '../../../src/errors.js';

const GOOD = `title: Mobile access
attempts: 2
shuffle: true
questions:
  - id: open-file
    type: single
    prompt: Where do you open a client file?
    points: 2
    choices:
      - text: Files > Open
        correct: true
        feedback: Right.
      - text: Settings
        feedback: No, Settings only changes preferences.
  - type: multiple
    prompt: Which are needed?
    choices:
      - { text: A VPN, correct: true }
      - { text: The app, correct: true }
      - { text: A fax }
  - type: true-false
    prompt: Files sync at once.
    answer: false
    feedback: { correct: Yes., incorrect: They sync every 5 minutes. }
  - type: text
    prompt: Shortcut?
    accept: ["  Ctrl+O ", Control+O]
`;

describe('quiz files', () => {
  it('loads every question type with defaults, choice ids a, b, c and the pass mark from course.yaml', () => {
    const { quiz, problems } = checkQuizText(GOOD, 'quizzes/q.yaml', 70);
    expect(problems).toEqual([]);
    expect(quiz).toMatchObject({ source: 'quizzes/q.yaml', title: 'Mobile access', attempts: 2, shuffle: true, passMark: 70, passMarkFromCourse: true });
    expect(quiz?.questions.map((q) => [q.id, q.type, q.points])).toEqual([
      ['open-file', 'single', 2],
      ['q2', 'multiple', 1],
      ['q3', 'true-false', 1],
      ['q4', 'text', 1],
    ]);
    expect(quiz?.questions[0]?.choices).toEqual([
      { id: 'a', text: 'Files > Open', correct: true, feedback: 'Right.' },
      { id: 'b', text: 'Settings', correct: false, feedback: 'No, Settings only changes preferences.' },
    ]);
    expect(quiz?.questions[1]?.choices?.map((c) => [c.id, c.correct])).toEqual([['a', true], ['b', true], ['c', false]]);
    expect(quiz?.questions[2]).toMatchObject({ answer: false, feedback: { correct: 'Yes.', incorrect: 'They sync every 5 minutes.' } });
    expect(quiz?.questions[3]).toMatchObject({ accept: ['Ctrl+O', 'Control+O'], caseSensitive: false });
  });

  it('uses the default pass mark when course.yaml has none', () => {
    const { quiz } = checkQuizText('questions:\n  - type: true-false\n    prompt: x\n    answer: true\n', 'q.yaml');
    expect(quiz).toMatchObject({ passMark: DEFAULT_PASS_MARK, passMarkFromCourse: false, attempts: 0, shuffle: false, title: 'Check your understanding' });
  });

  it('reports every problem at once with line and column', () => {
    const src = [
      'attempts: many', // 1
      'questions:', // 2
      '  - type: single', // 3
      '    prompt: Pick one', // 4
      '    choices:', // 5
      '      - text: A', // 6
      '        correct: true', // 7
      '      - text: B', // 8
      '        correct: true', // 9
      '  - type: essay', // 10
      '    prompt: Write', // 11
      '  - type: text', // 12
      '    prompt: Type', // 13
      '    accepted: [x]', // 14
      '  - id: dup', // 15
      '    type: true-false', // 16
      '    prompt: a', // 17
      '    answer: true', // 18
      '  - id: dup', // 19
      '    type: multiple', // 20
      '    prompt: b', // 21
      '    choices: [{ text: X }, { text: x }]', // 22
    ].join('\n');
    const { quiz, problems } = checkQuizText(src, 'q.yaml');
    expect(quiz).toBeUndefined();
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message}`)).toEqual([
      '1:11 attempts must be a number, not the text "many"',
      '6:7 questions[0] is a single-choice question with 2 right answers',
      '10:11 questions[1].type ("essay") is not a question type',
      '12:5 questions[2].accept is missing',
      '14:5 questions[2]: unknown key \'accepted\'',
      '19:9 questions[4].id ("dup") is already used by questions[3]',
      '22:14 questions[4] has no right answer',
      '22:28 questions[4].choices[1] repeats choices[0] ("x")',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const { problems } = checkQuizText('questions:\n  - type: single\n   prompt: bad indent\n', 'q.yaml');
    expect(problems[0]?.message).toMatch(/^YAML syntax/);
    expect(problems[0]?.line).toBe(3);
  });

  it('throws a UserError naming the file for a missing file and for problems', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lessonkit-quiz-'));
    try {
      await expect(loadQuiz({ file: path.join(dir, 'quizzes/none.yaml'), courseDir: dir })).rejects.toThrow(/Quiz file quizzes\/none\.yaml does not exist/);
      await writeFile(path.join(dir, 'q.yaml'), 'questions: []\n');
      const err = (await loadQuiz({ file: path.join(dir, 'q.yaml'), courseDir: dir }).catch((e: unknown) => e)) as UserError;
      expect(err).toBeInstanceOf(UserError);
      expect(err.code).toBe('E_QUIZ');
      expect(err.details).toEqual([
        'q.yaml:1:12  questions is an empty list; a quiz needs at least one question (fix: add a question (the comments at the top of a scaffolded quiz show each type), or remove quiz: from the lesson in course.yaml)',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('compares typed answers trimmed, with spaces collapsed and case folded unless asked', () => {
    expect(normalizeTextAnswer('  Ctrl   +O ', false)).toBe('ctrl +o');
    expect(normalizeTextAnswer('Ctrl+O', true)).toBe('Ctrl+O');
  });

  it('the scaffolded example quiz is valid and explains the format', async () => {
    const text = await renderTemplate('scaffold/quiz.yaml.hbs', { lessonTitle: 'Sharing "files"\nsafely' });
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../.lessonkit/quiz.schema.json');
    expect(text.split('\n')[1]).toBe('# Knowledge check for the lesson "Sharing \\"files\\"\\nsafely".');
    for (const word of ['single', 'multiple', 'true-false', 'text', 'attempts', 'shuffle', 'masteryScore', 'feedback', 'accept']) expect(text).toContain(word);
    const { quiz, problems } = checkQuizText(text, 'q.yaml', 80);
    expect(problems).toEqual([]);
    expect(quiz?.questions.map((q) => q.type)).toEqual(['single', 'true-false', 'text']);
    // The JSON Schema editors get accepts the example and rejects what the loader rejects.
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(quizJsonSchema());
    expect(validate(parse(text))).toBe(true);
    expect(validate(parse(GOOD))).toBe(true);
    expect(validate({ questions: [{ type: 'essay', prompt: 'x' }] })).toBe(false);
    expect(validate({ questions: [{ type: 'text', prompt: 'x', accept: ['a'], extra: 1 }] })).toBe(false);
  });
});
