import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, type Document } from 'yaml';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../../utils/fs.js';
import { COURSE_FILE, parseCourseDocument } from './load.js';

/**
 * Edits course.yaml through the yaml Document API, so the author's comments, key order and
 * formatting survive; then writes it atomically. `mutate` changes the document in place.
 */
export async function editCourseFile(dir: string, mutate: (doc: Document) => void): Promise<void> {
  const file = path.join(dir, COURSE_FILE);
  const text = await readFile(file, 'utf8');
  const { doc } = parseCourseDocument(text);
  if (doc.errors.length) {
    throw new UserError(`${file} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`, { code: 'E_COURSE_YAML' });
  }
  mutate(doc);
  await writeFileAtomic(file, doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
}

/** Appends a lesson (plain data) to `lessons`, keeping a blank line before it like hand-written files. */
export function appendLesson(doc: Document, lesson: Record<string, unknown>): void {
  const lessons = doc.get('lessons', true);
  const node = doc.createNode(lesson);
  if (isSeq(lessons)) {
    (node as { spaceBefore?: boolean }).spaceBefore = lessons.items.length > 0;
    lessons.items.push(node);
  } else {
    doc.set('lessons', doc.createNode([lesson]));
  }
}

/** Appends a segment to the lesson with `lessonId`; throws a UserError when there is no such lesson. */
export function appendSegment(doc: Document, lessonId: string, segment: Record<string, unknown>): void {
  const lessons = doc.get('lessons', true);
  if (isSeq(lessons)) {
    for (const item of lessons.items) {
      if (isMap(item) && item.get('id') === lessonId) {
        const segs = item.get('segments', true);
        if (isSeq(segs)) segs.items.push(doc.createNode(segment));
        else item.set('segments', doc.createNode([segment]));
        return;
      }
    }
  }
  throw new UserError(`There is no lesson "${lessonId}" in course.yaml.`, { code: 'E_INPUT', hint: 'Use an existing lesson id (see course.yaml) or add one with `lessonkit lesson add`.' });
}

/** Sets a key of the lesson with `lessonId` (e.g. workbook). */
export function setLessonField(doc: Document, lessonId: string, key: string, value: unknown): void {
  const lessons = doc.get('lessons', true);
  if (isSeq(lessons)) {
    for (const item of lessons.items) {
      if (isMap(item) && item.get('id') === lessonId) {
        item.set(key, doc.createNode(value));
        return;
      }
    }
  }
  throw new UserError(`There is no lesson "${lessonId}" in course.yaml.`, { code: 'E_INPUT', hint: 'Use an existing lesson id (see course.yaml) or add one with `lessonkit lesson add`.' });
}
