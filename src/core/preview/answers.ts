/**
 * `--answers FILE` of `lessonkit preview --headless --play`: the answers the headless learner
 * gives to the knowledge checks. The file (YAML or JSON) maps a lesson id to that lesson's
 * quiz answers, question id to answer:
 *
 * ```yaml
 * mobile-access:
 *   status-command: a          # single: a choice id (a, b, c... in file order) or the choice's text
 *   needs-sync: false          # true-false: true or false
 *   enable-what: ./portal enable northwind-dental   # text: what the learner types
 * share-link:
 *   share-safety: [a, b]       # multiple: a list of choice ids or texts
 * ```
 *
 * It is read in two steps: its shape before anything is built (a bad file fails fast), then
 * its ids and values against the quizzes the built package actually carries.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import { UserError } from '../../errors.js';
import { closest, formatYamlProblems, parseLocated, type YamlProblem } from '../course/yaml-problems.js';
import type { Quiz, QuizQuestion } from '../workbook/quiz-types.js';

/** One answer as written, with where it is. */
interface WrittenAnswer {
  value: string | number | boolean | (string | number | boolean)[];
  line: number;
  column: number;
}

/** An answers file whose shape is right; its ids are checked by {@link resolveAnswers}. */
export interface AnswersFile {
  /** The path as shown to the user. */
  shown: string;
  /** Lesson id -> its place and its answers by question id, in file order. */
  lessons: Map<string, { line: number; column: number; answers: Map<string, WrittenAnswer> }>;
}

/** A lesson as the package's player sees it (from the launch page's configuration). */
export interface QuizLesson {
  id: string;
  title: string;
  quiz?: Quiz;
}

/** Lesson id -> question id -> the player's response (choice ids, `true`/`false`, or the typed text). */
export type ResolvedAnswers = Record<string, Record<string, string[]>>;

const FORMAT_HINT = 'write one mapping per lesson id, each mapping a question id to its answer (see "--answers" in docs/preview.md)';

function answersError(shown: string, problems: YamlProblem[]): UserError {
  return new UserError(`The answers file ${shown} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`, {
    code: 'E_INPUT',
    hint: 'Fix the answers file (the format is in docs/preview.md, "--answers"), then run the play again.',
    details: formatYamlProblems(shown, problems),
  });
}

/** Reads `file` (YAML or JSON) and checks its shape; throws a located UserError naming the file. */
export async function readAnswersFile(file: string, cwd: string): Promise<AnswersFile> {
  const abs = path.resolve(cwd, file);
  const shown = path.relative(cwd, abs).startsWith('..') ? abs : path.relative(cwd, abs) || file;
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`The answers file ${shown} ${code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? String(err)})`}.`, {
      code: 'E_NOT_FOUND',
      hint: 'Pass --answers the path of a YAML or JSON file of answers (the format is in docs/preview.md, "--answers").',
      cause: err,
    });
  }
  return parseAnswers(text, shown);
}

/** Checks the shape of an answers file's text (exported for unit tests). */
export function parseAnswers(text: string, shown: string): AnswersFile {
  const { doc, syntaxProblems, locate } = parseLocated(text);
  if (syntaxProblems.length) throw answersError(shown, syntaxProblems);
  const problems: YamlProblem[] = [];
  const lessons: AnswersFile['lessons'] = new Map();
  const root = doc.contents;
  if (!isMap(root)) {
    throw answersError(shown, [{ path: '(root)', message: root ? 'the file is not a mapping of lesson ids' : 'the file is empty', hint: FORMAT_HINT, ...locate([]) }]);
  }
  for (const pair of root.items) {
    const lessonId = isScalar(pair.key) ? String(pair.key.value) : '';
    const at = lessonId ? locate([], lessonId) : locate([]);
    if (!lessonId) {
      problems.push({ path: '(root)', message: 'a key is not a lesson id', hint: FORMAT_HINT, ...at });
      continue;
    }
    if (!isMap(pair.value)) {
      problems.push({ path: lessonId, message: `${lessonId} must be a mapping of question ids to answers, not ${kind(pair.value)}`, hint: `write the answers under it, one "question-id: answer" a line`, ...at });
      continue;
    }
    const answers = new Map<string, WrittenAnswer>();
    for (const q of pair.value.items) {
      const qid = isScalar(q.key) ? String(q.key.value) : '';
      const qAt = qid ? locate([lessonId, qid]) : locate([lessonId]);
      const where = `${lessonId}.${qid}`;
      if (!qid) {
        problems.push({ path: lessonId, message: `a key under ${lessonId} is not a question id`, hint: FORMAT_HINT, ...qAt });
        continue;
      }
      if (isScalar(q.value) && q.value.value !== null && ['string', 'number', 'boolean'].includes(typeof q.value.value)) {
        answers.set(qid, { value: q.value.value as string | number | boolean, ...qAt });
      } else if (isSeq(q.value) && q.value.items.length > 0 && q.value.items.every((i) => isScalar(i) && ['string', 'number', 'boolean'].includes(typeof i.value))) {
        answers.set(qid, { value: q.value.items.map((i) => (i as { value: string | number | boolean }).value), ...qAt });
      } else {
        problems.push({ path: where, message: `${where} has ${kind(q.value)} as its answer`, hint: 'write a choice id (a), a list of choice ids ([a, c]), true or false, or the text to type', ...qAt });
      }
    }
    lessons.set(lessonId, { ...at, answers });
  }
  if (problems.length) throw answersError(shown, problems);
  return { shown, lessons };
}

function kind(node: unknown): string {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return node.items.length ? 'a list with a mapping or list in it' : 'an empty list';
  return isScalar(node) ? JSON.stringify(node.value) : 'something that is not an answer';
}

const listChoices = (q: QuizQuestion) => (q.choices ?? []).map((c) => `${c.id} (${c.text})`).join(', ');

function choiceId(q: QuizQuestion, value: string | number | boolean): string | undefined {
  const v = String(value).trim();
  const byId = (q.choices ?? []).find((c) => c.id === v);
  if (byId) return byId.id;
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return (q.choices ?? []).find((c) => norm(c.text) === norm(v))?.id;
}

/**
 * Checks the answers against the package's quizzes and turns them into the player's responses.
 * Every problem is reported at once, each with its line, the value and the fix.
 */
export function resolveAnswers(answers: AnswersFile, lessons: readonly QuizLesson[]): ResolvedAnswers {
  const problems: YamlProblem[] = [];
  const out: ResolvedAnswers = {};
  const withQuiz = lessons.filter((l) => l.quiz && l.quiz.questions.length > 0);
  const quizIds = withQuiz.map((l) => l.id);
  for (const [lessonId, lesson] of answers.lessons) {
    const target = lessons.find((l) => l.id === lessonId);
    const at = { line: lesson.line, column: lesson.column };
    if (!target) {
      const near = closest(lessonId, lessons.map((l) => l.id));
      problems.push({ path: lessonId, message: `there is no lesson "${lessonId}" in the course`, hint: `${near ? `did you mean ${near}? ` : ''}use the id of a lesson with a knowledge check: ${quizIds.join(', ') || '(none has one)'}`, ...at });
      continue;
    }
    const quiz = target.quiz;
    if (!quiz || quiz.questions.length === 0) {
      problems.push({ path: lessonId, message: `lesson "${lessonId}" has no knowledge check to answer`, hint: `remove it, or use a lesson with one: ${quizIds.join(', ') || '(none has one)'}`, ...at });
      continue;
    }
    const responses: Record<string, string[]> = {};
    for (const [qid, written] of lesson.answers) {
      const q = quiz.questions.find((x) => x.id === qid);
      const where = `${lessonId}.${qid}`;
      const wAt = { line: written.line, column: written.column };
      if (!q) {
        const near = closest(qid, quiz.questions.map((x) => x.id));
        problems.push({ path: where, message: `the knowledge check of ${lessonId} (${quiz.source}) has no question "${qid}"`, hint: `${near ? `did you mean ${near}? ` : ''}its questions are ${quiz.questions.map((x) => x.id).join(', ')}`, ...wAt });
        continue;
      }
      const values = Array.isArray(written.value) ? written.value : [written.value];
      const shownValue = Array.isArray(written.value) ? `[${written.value.join(', ')}]` : JSON.stringify(written.value);
      if (q.type === 'true-false') {
        const v = values.length === 1 ? String(values[0]).trim().toLowerCase() : '';
        if (v !== 'true' && v !== 'false') {
          problems.push({ path: where, message: `${where} is a true-false question, so its answer is true or false, not ${shownValue}`, hint: `write ${qid}: true or ${qid}: false`, ...wAt });
          continue;
        }
        responses[qid] = [v];
      } else if (q.type === 'text') {
        if (Array.isArray(written.value) || typeof written.value === 'boolean') {
          problems.push({ path: where, message: `${where} asks the learner to type an answer, so its answer is one text, not ${shownValue}`, hint: `write the text to type, such as ${qid}: ${JSON.stringify(q.accept?.[0] ?? 'your answer')}`, ...wAt });
          continue;
        }
        responses[qid] = [String(written.value)];
      } else {
        if (q.type === 'single' && values.length !== 1) {
          problems.push({ path: where, message: `${where} takes one choice, but the answer lists ${values.length}`, hint: `write one of ${listChoices(q)}`, ...wAt });
          continue;
        }
        const ids: string[] = [];
        for (const v of values) {
          const id = choiceId(q, v);
          if (id === undefined) problems.push({ path: where, message: `${where} has no choice ${JSON.stringify(String(v))}`, hint: `use a choice id or its text: ${listChoices(q)}`, ...wAt });
          else ids.push(id);
        }
        if (ids.length !== values.length) continue;
        responses[qid] = [...new Set(ids)];
      }
    }
    const missing = quiz.questions.filter((q) => !lesson.answers.has(q.id)).map((q) => q.id);
    if (missing.length) {
      problems.push({ path: lessonId, message: `the answers for ${lessonId} leave out ${missing.join(', ')}; the knowledge check is scored only when every question is answered`, hint: `add ${missing.map((m) => `${m}: ...`).join(', ')} under ${lessonId}`, ...at });
    }
    out[lessonId] = responses;
  }
  if (problems.length) throw answersError(answers.shown, problems);
  return out;
}

/**
 * The lessons of every lessonkit launch page in the packages (each page carries its player
 * configuration), merged by lesson id. Pages that are not lessonkit players add nothing.
 */
export async function readPlayerLessons(packages: readonly { root: string; description: { launchables: readonly { href: string; scormType?: string }[] } }[]): Promise<QuizLesson[]> {
  const byId = new Map<string, QuizLesson>();
  const seen = new Set<string>();
  for (const pkg of packages) {
    for (const l of pkg.description.launchables) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(l.href)) continue;
      const file = path.join(pkg.root, decodeURIComponent(l.href.replace(/[?#].*$/, '')));
      if (seen.has(file) || !file.startsWith(pkg.root + path.sep)) continue;
      seen.add(file);
      const html = await readFile(file, 'utf8').catch(() => '');
      const m = /<script[^>]*\bid="lessonkit-config"[^>]*>([\s\S]*?)<\/script>/.exec(html);
      if (!m) continue;
      let cfg: { lessons?: { id?: unknown; title?: unknown; quiz?: Quiz }[] };
      try {
        cfg = JSON.parse(m[1] ?? '') as typeof cfg;
      } catch {
        continue;
      }
      for (const lesson of cfg.lessons ?? []) {
        if (typeof lesson.id !== 'string' || byId.has(lesson.id)) continue;
        byId.set(lesson.id, { id: lesson.id, title: String(lesson.title ?? lesson.id), ...(lesson.quiz ? { quiz: lesson.quiz } : {}) });
      }
    }
  }
  return [...byId.values()];
}
