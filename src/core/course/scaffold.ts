import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { pathExists, toWriteError, writeFileAtomic } from '../../utils/fs.js';
import type { RunContext } from '../context.js';
import { renderTemplate } from '../templates.js';
import { appendLesson, editCourseFile } from './edit.js';
import { COURSE_FILE, loadCourse } from './load.js';
import { courseJsonSchema, TARGETS, type TargetName } from './schema.js';
import { slugify } from './slug.js';
import { quizJsonSchema } from '../workbook/quiz.js';

/** Where scaffolded courses keep the JSON Schema their course.yaml points editors at. */
export const SCHEMA_FILE = '.lessonkit/course.schema.json';
/** The JSON Schema the scaffolded quiz files point editors at. */
export const QUIZ_SCHEMA_FILE = '.lessonkit/quiz.schema.json';

/** Options for {@link initCourse}. All answers are already collected (flags or wizard). */
export interface InitCourseOptions {
  /** Base folder for a relative `dir`. */
  cwd: string;
  /** The course folder to create or fill. */
  dir: string;
  /** Course title (required). */
  title: string;
  /** Course id; derived from the title when absent. */
  id?: string;
  /** Author's name. */
  author?: string;
  /** Author's organization. */
  org?: string;
  /** BCP 47 language tag, default en-US. */
  language?: string;
  /** First lesson's title, default "Introduction". */
  lessonTitle?: string;
  /** First lesson's id; derived from its title when absent. */
  lessonId?: string;
  /** Packaging targets, default scorm12 and scorm2004-4th. */
  targets?: TargetName[];
  /** Base IRI for xAPI/cmi5 ids. */
  iri?: string;
  /** Course description. */
  description?: string;
  /** Overwrite an existing course.yaml (other existing files are kept). */
  force?: boolean;
}

/** What {@link initCourse} did. */
export interface InitCourseResult {
  /** Absolute course folder. */
  dir: string;
  /** Course id written. */
  id: string;
  /** Files created, relative to `dir`. */
  created: string[];
  /** Files that existed and were left as they were. */
  kept: string[];
}

/** Checks a course id or lesson id and throws a usage error naming the flag. */
export function assertId(value: string, flag: string): void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(value) || value.length > 64) {
    throw new UserError(`${flag} "${value}" is not a valid id.`, { code: 'E_USAGE', hint: `Use lowercase letters, digits and dashes, e.g. ${flag} ${slugify(value)}.` });
  }
}

/** Checks a list of target names; throws a usage error naming the bad one. */
export function parseTargets(list: string, flag = '--targets'): TargetName[] {
  const out: TargetName[] = [];
  for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(TARGETS as readonly string[]).includes(raw)) {
      throw new UserError(`${flag}: unknown target "${raw}".`, { code: 'E_USAGE', hint: `Use a comma-separated list of ${TARGETS.join(', ')}.` });
    }
    out.push(raw as TargetName);
  }
  if (!out.length) throw new UserError(`${flag} is empty.`, { code: 'E_USAGE', hint: `Give at least one of ${TARGETS.join(', ')}.` });
  return out;
}

/** Creates a course folder: course.yaml, recordings/, a workbook, cheat-sheet and example quiz for the first lesson, .gitignore. */
export async function initCourse(options: InitCourseOptions, ctx: RunContext): Promise<InitCourseResult> {
  const dir = path.resolve(options.cwd, options.dir);
  const title = options.title.trim();
  if (!title) throw new UserError('The course title is empty.', { code: 'E_USAGE', hint: 'Pass --title "Your course title".' });
  const id = options.id ?? slugify(title);
  assertId(id, '--id');
  const lessonTitle = options.lessonTitle?.trim() || 'Introduction';
  const lessonId = options.lessonId ?? slugify(lessonTitle);
  assertId(lessonId, '--lesson-id');
  const targets = options.targets ?? ['scorm12', 'scorm2004-4th'];
  if (options.iri !== undefined && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(options.iri)) {
    throw new UserError(`--iri "${options.iri}" is not an absolute IRI.`, { code: 'E_USAGE', hint: `Use something like https://training.example.com/courses/${id}.` });
  }
  if (targets.some((t) => t === 'xapi' || t === 'cmi5') && !options.iri) {
    throw new UserError('The xapi and cmi5 targets need an IRI for the course.', { code: 'E_USAGE', hint: `Pass --iri https://your-domain/courses/${id}.` });
  }

  const courseFile = path.join(dir, COURSE_FILE);
  if ((await pathExists(courseFile)) && !options.force) {
    throw new UserError(`${courseFile} already exists.`, { code: 'E_COURSE_EXISTS', hint: 'Pick another folder, add lessons with `lessonkit lesson add`, or pass --force to replace course.yaml (your other files are kept).' });
  }

  const data = {
    id,
    title,
    language: options.language ?? 'en-US',
    description: options.description ?? `${title}: short video lessons with a workbook and cheat-sheet.`,
    authorName: options.author?.trim() || null,
    org: options.org?.trim() || null,
    iri: options.iri ?? null,
    lessonId,
    lessonTitle,
    targetList: targets.join(', '),
  };
  // Render everything before writing anything, so a template error leaves no partial course.
  const files: [string, string][] = [
    [COURSE_FILE, await renderTemplate('scaffold/course.yaml.hbs', data)],
    [`workbooks/${lessonId}.md`, await renderTemplate('scaffold/workbook.md.hbs', data)],
    [`workbooks/${lessonId}-cheatsheet.md`, await renderTemplate('scaffold/cheatsheet.md.hbs', data)],
    [`quizzes/${lessonId}.yaml`, await renderTemplate('scaffold/quiz.yaml.hbs', data)],
    ['.gitignore', await renderTemplate('scaffold/gitignore.hbs', data)],
    [SCHEMA_FILE, JSON.stringify(courseJsonSchema(), null, 2) + '\n'],
    [QUIZ_SCHEMA_FILE, JSON.stringify(quizJsonSchema(), null, 2) + '\n'],
  ];
  const created: string[] = [];
  const kept: string[] = [];
  await mkdir(path.join(dir, 'recordings'), { recursive: true }).catch((err: unknown) => {
    throw toWriteError(err, dir);
  });
  for (const [rel, content] of files) {
    const abs = path.join(dir, rel);
    const overwrite = rel === COURSE_FILE || rel === SCHEMA_FILE || rel === QUIZ_SCHEMA_FILE;
    if (!overwrite && (await pathExists(abs))) {
      kept.push(rel);
      continue;
    }
    await writeFileAtomic(abs, content);
    created.push(rel);
  }
  ctx.logger.verbose(`Created ${created.join(', ')} in ${dir}`);
  return { dir, id, created, kept };
}

/** Options for {@link addLesson}. */
export interface AddLessonOptions {
  /** The course folder. */
  dir: string;
  /** Base for a relative `dir`. */
  cwd: string;
  /** Lesson title. */
  title: string;
  /** Lesson id; derived from the title when absent. */
  id?: string;
}

/** What {@link addLesson} did. */
export interface AddLessonResult {
  /** The new lesson's id. */
  id: string;
  /** Files created, relative to the course folder. */
  created: string[];
}

/** Adds a lesson to course.yaml (comments kept) with its workbook, cheat-sheet and example quiz files. */
export async function addLesson(options: AddLessonOptions, ctx: RunContext): Promise<AddLessonResult> {
  // Loading first means a broken course.yaml is reported in full before anything changes.
  const { course } = await loadCourse({ dir: options.dir, cwd: options.cwd });
  const title = options.title.trim();
  if (!title) throw new UserError('The lesson title is empty.', { code: 'E_USAGE', hint: 'Pass --title "Lesson title".' });
  const id = options.id ?? uniqueId(slugify(title), course.lessons.map((l) => l.id));
  assertId(id, '--id');
  if (course.lessons.some((l) => l.id === id)) {
    throw new UserError(`The course already has a lesson "${id}".`, { code: 'E_USAGE', hint: 'Pick another --id.' });
  }
  const data = { lessonId: id, lessonTitle: title };
  const files: [string, string][] = [
    [`workbooks/${id}.md`, await renderTemplate('scaffold/workbook.md.hbs', data)],
    [`workbooks/${id}-cheatsheet.md`, await renderTemplate('scaffold/cheatsheet.md.hbs', data)],
    [`quizzes/${id}.yaml`, await renderTemplate('scaffold/quiz.yaml.hbs', data)],
  ];
  const created: string[] = [];
  for (const [rel, content] of files) {
    const abs = path.join(course.dir, rel);
    if (await pathExists(abs)) continue;
    await writeFileAtomic(abs, content);
    created.push(rel);
  }
  await editCourseFile(course.dir, (doc) =>
    appendLesson(doc, { id, title, objectives: [], segments: [], workbook: `workbooks/${id}.md`, cheatsheet: `workbooks/${id}-cheatsheet.md`, quiz: `quizzes/${id}.yaml` }),
  );
  const schema = path.join(course.dir, SCHEMA_FILE);
  if (!(await pathExists(schema))) await writeFileAtomic(schema, JSON.stringify(courseJsonSchema(), null, 2) + '\n');
  const quizSchemaFile = path.join(course.dir, QUIZ_SCHEMA_FILE);
  if (!(await pathExists(quizSchemaFile))) await writeFileAtomic(quizSchemaFile, JSON.stringify(quizJsonSchema(), null, 2) + '\n');
  ctx.logger.verbose(`Added lesson ${id} to ${course.file}`);
  return { id, created };
}

function uniqueId(base: string, taken: string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}
