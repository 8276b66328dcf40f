/**
 * `lessonkit workbook`: attaches a workbook, cheat-sheet or download to a lesson by editing
 * course.yaml (comments and order kept). It copies nothing: the file must already be in the
 * course folder, so the course stays a self-contained folder the author controls.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, type Document } from 'yaml';
import { UserError } from '../../errors.js';
import { isInside } from '../../utils/fs.js';
import type { RunContext } from '../context.js';
import { editCourseFile, setLessonField } from '../course/edit.js';
import { loadCourse, type Course } from '../course/load.js';
import { fileTypeOf, isActiveContent, isMarkdown } from './media-types.js';
import { formatBytes } from '../../utils/format.js';
import { renderMaterials, type MaterialKind } from './render.js';

/** Options for {@link attachMaterial}. */
export interface AttachMaterialOptions {
  /** Base for relative paths (the command's working folder). */
  cwd: string;
  /** The course folder, absolute or relative to `cwd`. */
  dir: string;
  /** The lesson id. */
  lesson: string;
  /** The file to attach, absolute or relative to `cwd`; must be inside the course folder. */
  file: string;
  /** What the file is to the lesson. */
  kind: MaterialKind;
}

/** What {@link attachMaterial} did. */
export interface AttachMaterialResult {
  /** The lesson id. */
  lesson: string;
  /** What the file became. */
  kind: MaterialKind;
  /** The path written to course.yaml (relative to the course folder, forward slashes). */
  file: string;
  /** The workbook/cheat-sheet it replaced, if any. */
  replaced?: string;
  /** False when course.yaml already said exactly this. */
  changed: boolean;
  /** Media type of the file ("text/markdown" is rendered to HTML at build time). */
  mediaType: string;
  /** Size in bytes. */
  size: number;
  /** Size for people. */
  sizeLabel: string;
  /** Problems the build will report for this lesson's materials (missing images...), `file:line  message`. */
  problems: string[];
}

/** Attaches a file to a lesson in course.yaml. Throws a UserError for a missing lesson, a file outside the course, or active content. */
export async function attachMaterial(options: AttachMaterialOptions, ctx: RunContext): Promise<AttachMaterialResult> {
  // checkFiles: false, so a course whose current workbook is missing can be repaired with this command.
  const { course } = await loadCourse({ dir: options.dir, cwd: options.cwd, checkFiles: false });
  const lesson = course.lessons.find((l) => l.id === options.lesson);
  if (!lesson) {
    throw new UserError(`There is no lesson "${options.lesson}" in ${path.join(course.dir, 'course.yaml')}.`, {
      code: 'E_USAGE',
      hint: `Use one of: ${course.lessons.map((l) => l.id).join(', ')} (or add one with \`lessonkit lesson add\`).`,
    });
  }
  const abs = path.resolve(options.cwd, options.file);
  if (!isInside(course.dir, abs)) {
    throw new UserError(`${abs} is outside the course folder ${course.dir}.`, {
      code: 'E_INPUT',
      hint: `Copy it into the course folder (for example ${path.join(course.dir, options.kind === 'attachment' ? 'files' : 'workbooks', path.basename(abs))}) and run the command with that path.`,
    });
  }
  let size: number;
  try {
    const s = await stat(abs);
    if (!s.isFile()) throw new UserError(`${abs} is a folder, not a file.`, { code: 'E_INPUT', hint: 'Give the path of one file.' });
    size = s.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`File ${options.file} does not exist (looked for ${abs}).`, { code: 'E_INPUT', hint: 'Check the path; it is relative to the folder you run the command in.' });
  }
  const isPage = options.kind !== 'attachment' && isMarkdown(abs);
  if (!isPage && isActiveContent(abs)) {
    throw new UserError(`${options.file} is a ${fileTypeOf(abs).label.toLowerCase()}, which would run as a page inside the learner's LMS session.`, {
      code: 'E_INPUT',
      hint: 'Write it in Markdown (rendered safely) or export it as PDF, then attach that.',
    });
  }
  const rel = path.relative(course.dir, abs).split(path.sep).join('/');

  let replaced: string | undefined;
  let changed = true;
  if (options.kind === 'attachment') {
    if (lesson.attachments.includes(rel)) changed = false;
    else await editCourseFile(course.dir, (doc) => appendAttachment(doc, lesson.id, rel));
  } else {
    const previous = options.kind === 'workbook' ? lesson.workbook : lesson.cheatsheet;
    if (previous === rel) changed = false;
    else {
      if (previous !== undefined) replaced = previous;
      await editCourseFile(course.dir, (doc) => setLessonField(doc, lesson.id, options.kind, rel));
    }
  }
  if (changed) ctx.logger.verbose(`Updated ${path.join(course.dir, 'course.yaml')}`);

  // Render the lesson's materials now, so a missing image is reported while the author is here.
  const problems = await checkLessonMaterials(course, lesson.id, options.kind, rel, ctx);
  const type = isPage ? { mediaType: 'text/markdown' } : fileTypeOf(abs);
  return { lesson: lesson.id, kind: options.kind, file: rel, ...(replaced !== undefined ? { replaced } : {}), changed, mediaType: type.mediaType, size, sizeLabel: formatBytes(size), problems };
}

async function checkLessonMaterials(course: Course, lessonId: string, kind: MaterialKind, rel: string, ctx: RunContext): Promise<string[]> {
  const lesson = course.lessons.find((l) => l.id === lessonId);
  if (!lesson) return [];
  // Only the file just attached: the lesson's other materials are not this command's business.
  const only = {
    ...lesson,
    attachments: kind === 'attachment' ? [rel] : [],
    ...(kind === 'workbook' ? { workbook: rel } : { workbook: undefined }),
    ...(kind === 'cheatsheet' ? { cheatsheet: rel } : { cheatsheet: undefined }),
    quiz: undefined,
  };
  const result = await renderMaterials({ course: { ...course, lessons: [only] }, failOnError: false }, ctx);
  return [...(result.errors ?? []), ...result.warnings];
}

/** Appends a path to a lesson's `attachments` list (created when absent), keeping the rest of the file. */
function appendAttachment(doc: Document, lessonId: string, rel: string): void {
  const lessons = doc.get('lessons', true);
  if (isSeq(lessons)) {
    for (const item of lessons.items) {
      if (isMap(item) && item.get('id') === lessonId) {
        const list = item.get('attachments', true);
        if (isSeq(list)) list.items.push(doc.createNode(rel));
        else item.set('attachments', doc.createNode([rel]));
        return;
      }
    }
  }
  throw new UserError(`There is no lesson "${lessonId}" in course.yaml.`, { code: 'E_INPUT' });
}
