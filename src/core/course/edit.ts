import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, type Document } from 'yaml';
import { UserError } from '../../errors.js';
import { toWriteError, writeFileAtomic } from '../../utils/fs.js';
import { COURSE_FILE, parseCourseDocument } from './load.js';

/**
 * Edits course.yaml through the yaml Document API, so the author's comments, key order and
 * formatting survive; then writes it atomically. `mutate` changes the document in place.
 * The read-change-write runs under a lock file beside course.yaml, so two commands editing
 * the course at once (two `trim --lesson` in parallel terminals) both land.
 */
export async function editCourseFile(dir: string, mutate: (doc: Document) => void): Promise<void> {
  const file = path.join(dir, COURSE_FILE);
  await withFileLock(`${file}.lock`, async () => {
    const text = await readFile(file, 'utf8');
    const { doc } = parseCourseDocument(text);
    if (doc.errors.length) {
      throw new UserError(`${file} is not valid YAML: ${doc.errors[0]?.message.split('\n')[0]}`, { code: 'E_COURSE_YAML' });
    }
    mutate(doc);
    await writeFileAtomic(file, doc.toString({ lineWidth: 0, flowCollectionPadding: false }));
  });
}

/** A lock older than this is from a process that died mid-edit; edits take milliseconds. */
const STALE_LOCK_MS = 30_000;

async function withFileLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        // Not another editor's lock: ours may have been created empty (a full disk), and an
        // empty lock left behind would block every later edit for half a minute.
        if ((err as NodeJS.ErrnoException).code !== 'EACCES' && (err as NodeJS.ErrnoException).code !== 'EROFS') await rm(lock, { force: true });
        throw toWriteError(err, path.join(path.dirname(lock), COURSE_FILE));
      }
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new UserError(`Another lessonkit command is editing ${path.dirname(lock)}/course.yaml (lock ${lock}).`, {
          code: 'E_INPUT',
          hint: `Wait for it to finish; if none is running, delete ${lock}.`,
        });
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
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

/**
 * Appends segments to a lesson in block style: a scaffolded `segments: []` is a flow sequence,
 * and segments written into it would end up on one unreadable line.
 */
export function addSegments(doc: Document, lessonId: string, segments: readonly Record<string, unknown>[]): void {
  const lessons = doc.get('lessons', true);
  if (isSeq(lessons)) {
    for (const l of lessons.items) {
      if (!isMap(l) || l.get('id') !== lessonId) continue;
      const segs = l.get('segments', true);
      if (isSeq(segs)) segs.flow = false;
    }
  }
  for (const s of segments) appendSegment(doc, lessonId, s);
}
