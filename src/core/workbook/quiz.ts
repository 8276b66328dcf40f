/**
 * The knowledge-check file format (`quiz:` in a lesson): a YAML file of questions, checked
 * with a zod schema plus the rules a schema cannot say, every problem reported with
 * file:line:column like course.yaml's. The loaded quiz is plain data the player runs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { describeValue, formatPath, formatYamlProblems, parseLocated, problemsFromZodIssues, valueAt, type IssueSubject, type Locate, type YamlProblem } from '../course/yaml-problems.js';
import type { Quiz, QuizQuestion } from './quiz-types.js';

export type { Quiz, QuizChoice, QuizQuestion } from './quiz-types.js';

/** The pass mark, in percent, when course.yaml has no `completion.masteryScore`. */
export const DEFAULT_PASS_MARK = 80;

/** Question and choice ids become SCORM interaction ids: letters, digits, dash, underscore. */
const QUESTION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const text = (what: string) => z.string().trim().min(1, { message: `${what} is empty` });

const feedbackSchema = z
  .strictObject({
    correct: z.string().optional().describe('Shown when the answer is right.'),
    incorrect: z.string().optional().describe('Shown when the answer is wrong.'),
  })
  .describe('Feedback for the whole question.');

const choiceSchema = z
  .strictObject({
    text: text('a choice text'),
    correct: z.boolean().default(false).describe('True for a right answer.'),
    feedback: z.string().optional().describe('Shown when the learner picks this choice.'),
  })
  .describe('One answer to pick.');

const base = {
  id: z.string().regex(QUESTION_ID, { message: 'a question id uses letters, digits, - and _ (at most 64)' }).optional().describe('Stable id; reported to the LMS. Default q1, q2...'),
  prompt: text('the question prompt'),
  points: z.number().int().min(1).max(100).default(1).describe('Weight of the question in the score.'),
  feedback: feedbackSchema.optional(),
};

const questionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('single'), ...base, choices: z.array(choiceSchema).min(2).max(26) }).describe('One right answer among the choices.'),
  z.strictObject({ type: z.literal('multiple'), ...base, choices: z.array(choiceSchema).min(2).max(26) }).describe('Every right answer must be picked, and no wrong one.'),
  z.strictObject({ type: z.literal('true-false'), ...base, answer: z.boolean().describe('The right answer.') }),
  z
    .strictObject({
      type: z.literal('text'),
      ...base,
      accept: z.array(text('an accepted answer')).min(1).max(10).describe('Answers counted as right.'),
      caseSensitive: z.boolean().default(false),
    })
    .describe('A short typed answer, compared after trimming and collapsing spaces.'),
]);

/** The schema of a quiz file. */
export const quizSchema = z
  .strictObject({
    title: z.string().trim().min(1).default('Check your understanding').describe('Heading shown above the questions.'),
    attempts: z.number().int().min(0).max(100).default(0).describe('How many times the learner may submit; 0 means no limit.'),
    shuffle: z.boolean().default(false).describe('Shuffle the order of questions and choices on each attempt.'),
    questions: z.array(questionSchema).min(1, { message: 'a quiz needs at least one question' }),
  })
  .describe('A lessonkit knowledge check.');

/** The JSON Schema of quiz files, for editors (`# yaml-language-server: $schema=...`). */
export function quizJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(quizSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return { $id: 'https://lessonkit.dev/schema/quiz.schema.json', title: 'lessonkit knowledge check (quiz file)', ...schema };
}

/** Options for {@link loadQuiz}. */
export interface LoadQuizOptions {
  /** Absolute path of the quiz file. */
  file: string;
  /** The course folder (errors show paths relative to it). */
  courseDir: string;
  /** `completion.masteryScore` from course.yaml, if set. */
  masteryScore?: number | undefined;
}

/** One problem in a quiz file. */
export type QuizProblem = YamlProblem;

/** Reads and checks a quiz file; throws one UserError listing every problem with file:line:column. */
export async function loadQuiz(options: LoadQuizOptions): Promise<Quiz> {
  const shown = path.relative(options.courseDir, options.file).split(path.sep).join('/') || options.file;
  let source: string;
  try {
    source = await readFile(options.file, 'utf8');
  } catch {
    throw new UserError(`Quiz file ${shown} does not exist or cannot be read.`, { code: 'E_QUIZ', hint: 'Check the quiz: path of the lesson in course.yaml (relative to the course folder).' });
  }
  const result = checkQuizText(source, shown, options.masteryScore);
  if (!result.quiz) {
    throw new UserError(`${shown} has ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}:`, {
      code: 'E_QUIZ',
      details: formatYamlProblems(shown, result.problems),
      hint: 'Fix each line above; the comments at the top of the scaffolded quiz file explain the format.',
    });
  }
  return result.quiz;
}

/** Checks quiz text: YAML syntax, the schema, then ids, right answers and duplicates. */
export function checkQuizText(source: string, shown: string, masteryScore?: number): { quiz?: Quiz; problems: QuizProblem[] } {
  const located = parseLocated(source);
  const { doc, syntaxProblems, locate } = located;
  const problems: QuizProblem[] = [...syntaxProblems];
  if (problems.length) return { problems };
  const raw: unknown = doc.toJS() ?? {};
  const parsed = quizSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(...problemsFromZodIssues(parsed.error.issues, { schema: quizSchema, raw, located }, QUIZ_WORDING));
    // Still check the questions that are well-formed, so one run reports everything.
    const rawQuestions = (raw as { questions?: unknown }).questions;
    if (Array.isArray(rawQuestions)) {
      const ok: [z.output<typeof questionSchema>, number][] = [];
      rawQuestions.forEach((q, qi) => {
        const r = questionSchema.safeParse(q);
        if (r.success) ok.push([r.data, qi]);
      });
      checkQuestions(ok, problems, locate);
    }
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { problems };
  }
  const questions = checkQuestions(parsed.data.questions.map((q, qi) => [q, qi]), problems, locate);
  if (problems.length) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return { problems };
  }
  return {
    quiz: {
      source: shown,
      title: parsed.data.title,
      attempts: parsed.data.attempts,
      shuffle: parsed.data.shuffle,
      passMark: masteryScore ?? DEFAULT_PASS_MARK,
      passMarkFromCourse: masteryScore !== undefined,
      questions,
    },
    problems: [],
  };
}

/** The rules a schema cannot say (unique ids, right answers, repeated choices); returns the loaded questions. */
function checkQuestions(list: [z.output<typeof questionSchema>, number][], problems: QuizProblem[], locate: Locate): QuizQuestion[] {
  const ids = new Map<string, number>();
  return list.map(([q, qi]) => {
    const id = q.id ?? `q${qi + 1}`;
    const first = ids.get(id);
    if (first !== undefined) problems.push({ path: `questions[${qi}].id`, message: `questions[${qi}].id ("${id}") is already used by questions[${first}]`, hint: 'give every question its own id', ...locate(['questions', qi, 'id']) });
    else ids.set(id, qi);
    const common: Omit<QuizQuestion, 'choices' | 'answer' | 'accept' | 'caseSensitive'> = { id, type: q.type, prompt: q.prompt, points: q.points, ...(q.feedback ? { feedback: stripUndefined(q.feedback) } : {}) };
    if (q.type === 'single' || q.type === 'multiple') {
      const right = q.choices.filter((c) => c.correct).length;
      if (q.type === 'single' && right !== 1) {
        problems.push({ path: `questions[${qi}].choices`, message: `questions[${qi}] is a single-choice question with ${right} right answers`, hint: right ? 'mark exactly one choice correct: true, or make it type: multiple' : 'mark the right choice with correct: true', ...locate(['questions', qi, 'choices']) });
      }
      if (q.type === 'multiple' && right === 0) {
        problems.push({ path: `questions[${qi}].choices`, message: `questions[${qi}] has no right answer`, hint: 'mark each right choice with correct: true', ...locate(['questions', qi, 'choices']) });
      }
      const texts = new Map<string, number>();
      q.choices.forEach((c, ci) => {
        const key = c.text.trim().toLowerCase();
        const dup = texts.get(key);
        if (dup !== undefined) problems.push({ path: `questions[${qi}].choices[${ci}]`, message: `questions[${qi}].choices[${ci}] repeats choices[${dup}] ("${c.text}")`, hint: 'make every choice different', ...locate(['questions', qi, 'choices', ci]) });
        else texts.set(key, ci);
      });
      return {
        ...common,
        choices: q.choices.map((c, ci) => ({ id: String.fromCharCode(97 + ci), text: c.text, correct: c.correct, ...(c.feedback !== undefined ? { feedback: c.feedback } : {}) })),
      };
    }
    if (q.type === 'true-false') return { ...common, answer: q.answer };
    return { ...common, accept: q.accept.map((a) => a.trim()), caseSensitive: q.caseSensitive };
  });
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Normalises a typed answer for comparison: trimmed, inner whitespace collapsed, case folded unless asked. */
export function normalizeTextAnswer(value: string, caseSensitive: boolean): string {
  const v = value.trim().replace(/\s+/g, ' ');
  return caseSensitive ? v : v.toLowerCase();
}

/** How the quiz schema's issues are worded (its only union is the question type). */
const QUIZ_WORDING = {
  reference: 'comments at the top of the scaffolded quiz file',
  field: ({ issue, where, value, locate }: IssueSubject): YamlProblem | undefined => {
    const p = issue.path;
    if (issue.code === 'too_small' && where === 'questions') {
      return { path: where, message: 'questions is an empty list; a quiz needs at least one question', hint: 'add a question (the comments at the top of a scaffolded quiz show each type), or remove quiz: from the lesson in course.yaml', ...locate(p) };
    }
    if (issue.code === 'invalid_format' && p[p.length - 1] === 'id' && typeof value === 'string') {
      const suggestion = value.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, '').slice(0, 64) || 'q1';
      return { path: where, message: `${where} (${JSON.stringify(value)}) is not a valid question id`, hint: `use letters, digits, - and _ (at most 64, starting with a letter or digit): id: ${suggestion}`, ...locate(p) };
    }
    return undefined;
  },
  union: ({ issue, value, locate }: IssueSubject): YamlProblem => {
    // zod puts the discriminator key in the path when it is present.
    const p = issue.path;
    const onType = p[p.length - 1] === 'type';
    const q = onType ? p.slice(0, -1) : p;
    const t = onType ? value : valueAt(value, ['type']);
    return {
      path: `${formatPath(q)}.type`,
      message: t === undefined ? `${formatPath(q)} has no type` : `${formatPath(q)}.type (${describeValue(t)}) is not a question type`,
      hint: 'use type: single, multiple, true-false or text',
      ...locate(t === undefined ? q : [...q, 'type']),
    };
  },
};
