import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { appendLesson, appendSegment, editCourseFile } from '../../../src/core/course/edit.js';
import { makeTempDir } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
afterEach(() => cleanup());

it('keeps comments, key order and quoting when lessons and segments are added', async () => {
  const original = `# Course for the Q3 rollout -- ask Jane before changing ids
id: c   # stable id
title: "Course"
lessons:
  # first lesson, recorded on 1 Oct
  - id: a
    title: A
    segments: []
targets: [scorm12]
`;
  await writeFile(path.join(dir, 'course.yaml'), original);
  await editCourseFile(dir, (doc) => {
    appendSegment(doc, 'a', { id: 's1', title: 'Intro', source: 'recordings/r.mp4', from: '00:00:01', to: '00:00:05' });
    appendLesson(doc, { id: 'b', title: 'B', segments: [] });
  });
  const text = await readFile(path.join(dir, 'course.yaml'), 'utf8');
  expect(text).toContain('# Course for the Q3 rollout -- ask Jane before changing ids\n');
  expect(text).toMatch(/^id: c +# stable id$/m);
  expect(text).toContain('  # first lesson, recorded on 1 Oct\n  - id: a');
  expect(text).toContain('title: "Course"');
  expect(text).toContain('targets: [scorm12]');
  expect(text.indexOf('id: s1')).toBeGreaterThan(text.indexOf('id: a'));
  expect(text.indexOf('id: b')).toBeGreaterThan(text.indexOf('id: s1'));
});

it('rejects a segment for a lesson that does not exist, leaving the file untouched', async () => {
  await writeFile(path.join(dir, 'course.yaml'), 'id: c\nlessons: []\n');
  await expect(editCourseFile(dir, (doc) => appendSegment(doc, 'zz', {}))).rejects.toThrow(/no lesson "zz"/);
  expect(await readFile(path.join(dir, 'course.yaml'), 'utf8')).toBe('id: c\nlessons: []\n');
});

it('two edits at the same time both land (course.yaml is locked while it is rewritten)', async () => {
  await writeFile(path.join(dir, 'course.yaml'), 'id: c\nlessons:\n  - id: a\n    title: A\n    segments: []\n');
  await Promise.all(
    Array.from({ length: 8 }, (_, i) => editCourseFile(dir, (doc) => appendSegment(doc, 'a', { id: `s${i}`, title: `S${i}`, source: 'r.mp4', from: i, to: i + 1 }))),
  );
  const text = await readFile(path.join(dir, 'course.yaml'), 'utf8');
  for (let i = 0; i < 8; i++) expect(text).toContain(`id: s${i}`);
  await expect(readFile(path.join(dir, 'course.yaml.lock'))).rejects.toThrow();
});
