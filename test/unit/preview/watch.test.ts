/** The --watch file watcher: one debounced batch per save, outputs and scratch files ignored, new folders followed. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isScratchName, watchCourseFiles, type CourseFilesWatcher } from '../../../src/core/preview/watch.js';

let dir = '';
let watcher: CourseFilesWatcher | undefined;
afterEach(async () => {
  watcher?.close();
  await rm(dir, { recursive: true, force: true });
});

function nextBatch(batches: string[][], count: number): Promise<void> {
  return expect.poll(() => batches.length, { timeout: 10_000, interval: 20 }).toBe(count) as unknown as Promise<void>;
}

describe('watchCourseFiles', () => {
  it('reports the author\'s changes once per batch, never the output, cache or scratch files', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lessonkit-watch-'));
    for (const d of ['workbooks', 'dist', '.lessonkit/cache', 'cache']) await mkdir(path.join(dir, d), { recursive: true });
    await writeFile(path.join(dir, 'course.yaml'), 'id: a\n');
    const batches: string[][] = [];
    watcher = await watchCourseFiles({ root: dir, ignore: [path.join(dir, 'cache')], debounceMs: 300, onChange: (c) => batches.push(c) });
    expect(watcher.folders()).toBe(2); // the course folder and workbooks/
    await writeFile(path.join(dir, 'course.yaml'), 'id: b\n');
    await writeFile(path.join(dir, 'workbooks/a.md'), '# A\n');
    await writeFile(path.join(dir, 'workbooks/.a.md.swp'), 'x');
    await writeFile(path.join(dir, 'workbooks/a.md~'), 'x');
    await nextBatch(batches, 1);
    expect(batches[0]).toEqual(['course.yaml', 'workbooks/a.md']);
    // Builds write here: nothing is reported.
    await writeFile(path.join(dir, 'dist/x.zip'), 'x');
    await writeFile(path.join(dir, '.lessonkit/cache/r.mp4'), 'x');
    await writeFile(path.join(dir, 'cache/r.mp4'), 'x');
    // A new folder is followed.
    await mkdir(path.join(dir, 'workbooks/img'));
    await expect.poll(() => watcher?.folders(), { timeout: 5000, interval: 20 }).toBe(3);
    await nextBatch(batches, 2);
    expect(batches[1]).toEqual(['workbooks/img']);
    await writeFile(path.join(dir, 'workbooks/img/shot.png'), 'x');
    await nextBatch(batches, 3);
    expect(batches[2]).toEqual(['workbooks/img/shot.png']);
  });

  it('knows editors\' scratch names', () => {
    expect(['.a.md.swp', 'a.md~', '4913', '#a.md#', 'x.tmp', '.hidden'].every(isScratchName)).toBe(true);
    expect(['a.md', 'course.yaml', 'rec.srt'].some(isScratchName)).toBe(false);
  });
});
