/** The render cache under concurrency: two renders of the same course at once leave one whole entry and no temp files. */
import { cp, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../src/core/context.js';
import { loadCourse } from '../../src/core/course/load.js';
import { renderCourseMedia } from '../../src/core/media/render.js';
import { REPO, makeTempDir } from '../helpers/cli.js';
import { sha256, webProfileProblems } from './media-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('lessonkit-media-cache-'));
  await cp(path.join(REPO, 'fixtures', 'sample-course'), path.join(dir, 'course'), { recursive: true });
});

afterAll(async () => cleanup());

describe('renderCourseMedia', () => {
  it('two concurrent renders publish each segment once, whole, with no temp files left', async () => {
    const course = path.join(dir, 'course');
    const recording = path.join(course, 'recordings', '2026-10-01-session.mp4');
    const hash = await sha256(recording);
    const { course: c } = await loadCourse({ dir: course, cwd: dir });
    const [a, b] = await Promise.all([
      renderCourseMedia({ course: c, env: process.env }, createSilentContext()),
      renderCourseMedia({ course: c, env: process.env }, createSilentContext()),
    ]);
    expect(a.segments.map((s) => s.video)).toEqual(b.segments.map((s) => s.video));
    expect(a.segments).toHaveLength(3);
    const entries = await readdir(path.join(course, '.lessonkit', 'cache', 'media'));
    expect(entries.filter((e) => e.startsWith('.'))).toEqual([]);
    expect(entries).toHaveLength(3);
    for (const s of a.segments) {
      expect(await webProfileProblems(s.video, true)).toEqual([]);
      expect(s.captions).toMatch(/\.vtt$/);
    }
    expect(a.segments.map((s) => [s.lessonId, s.segmentId, s.width, s.height, s.duration])).toEqual([
      ['mobile-access', 'portal-status', 1280, 720, 24],
      ['mobile-access', 'enable-mobile', 1280, 720, 24],
      ['share-link', 'share-link', 1280, 720, 52],
    ]);
    // A third render is all cache hits.
    const again = await renderCourseMedia({ course: c, env: process.env }, createSilentContext());
    expect(again).toMatchObject({ rendered: 0, cacheHits: 3 });
    expect(await sha256(recording)).toBe(hash);
  });

  it('cancelling leaves no partial cache entry', async () => {
    const course = path.join(dir, 'course');
    const cache = path.join(dir, 'cancel-cache');
    const { course: c } = await loadCourse({ dir: course, cwd: dir });
    const controller = new AbortController();
    const ctx = { ...createSilentContext(controller.signal), onProgress: () => controller.abort() };
    await expect(renderCourseMedia({ course: c, env: process.env, cacheDir: cache }, ctx)).rejects.toMatchObject({ name: 'CancelledError' });
    const left = await readdir(path.join(cache, 'media')).catch(() => []);
    expect(left).toEqual([]);
  });
});
