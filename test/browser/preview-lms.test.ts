/**
 * `lessonkit preview --lms NAME` runs the preview LMS with that LMS's quirks switched on (the
 * shipped emulator, templates/preview/lms-quirks.js): with `--lms cornerstone` the panel says which
 * LMS it emulates, the content's Commit and Finish during unload are refused and the log says why;
 * without `--lms` the same package finishes normally. One small build (SCORM 1.2), opened twice.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../src/core/context.js';
import { buildCourse } from '../../src/core/package/build.js';
import { startPreview, type PreviewServer } from '../../src/core/preview/preview.js';
import { contentFrame } from '../../src/core/preview/play.js';
import { launchTestBrowser } from '../helpers/browser.js';
import { makeTempDir } from '../helpers/cli.js';
import { makeMediaCourse } from '../helpers/media-course.js';

let browser: Browser;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let zip: string;

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-preview-lms-');
  const course = path.join(tmp.dir, 'course');
  await makeMediaCourse(course);
  const [built, b] = await Promise.all([
    buildCourse({ cwd: tmp.dir, dir: course, targets: ['scorm12'], out: path.join(tmp.dir, 'zips'), cacheDir: path.join(tmp.dir, 'cache'), env: process.env }, createSilentContext()),
    launchTestBrowser(),
  ]);
  browser = b;
  zip = built.bundles[0]!.path;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await tmp?.cleanup();
});

/** Opens the preview of the package, lets the player start, then relaunches it (the LMS unloads the content). */
async function relaunchOnce(preview: PreviewServer): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(preview.url);
  const frame = await contentFrame(page);
  await frame.waitForFunction(() => Boolean((globalThis as unknown as { lessonkit?: { player?: unknown } }).lessonkit?.player), undefined, { timeout: 20_000 });
  await frame.evaluate(() => {
    (globalThis as unknown as { lkOld: boolean }).lkOld = true;
  });
  await page.click('#lk-relaunch');
  await page.waitForFunction(() => ((globalThis as unknown as { lkPreview: { record(): { sessions: number } | null } }).lkPreview.record()?.sessions ?? 0) >= 2);
  const next = await contentFrame(page);
  await next.waitForFunction(() => !(globalThis as unknown as { lkOld?: boolean }).lkOld && Boolean((globalThis as unknown as { lessonkit?: { player?: unknown } }).lessonkit?.player), undefined, { timeout: 20_000 });
  await page.evaluate(() => (globalThis as unknown as { lkPreview: { idle(): Promise<unknown> } }).lkPreview.idle());
  return page;
}

describe('preview --lms', () => {
  it('cornerstone: the preview LMS refuses Commit and Finish during unload and says so; without --lms it does not', { timeout: 90_000 }, async () => {
    const quirky = await startPreview({ cwd: tmp.dir, input: zip, lms: 'cornerstone', env: process.env }, createSilentContext());
    try {
      const page = await relaunchOnce(quirky);
      await expect(page.locator('#lk-lms').innerText()).resolves.toMatch(/^Emulating Cornerstone OnDemand: its known quirks are switched on/);
      await page.locator('#lk-log li', { hasText: 'Commit refused during unload (Cornerstone OnDemand)' }).waitFor();
      // The server's log is fed by the pages' posts, and the unloading page's last ones can
      // arrive after the panel shows its line: polled, not read once.
      const log = () => quirky.log.map((e) => `${e.kind} ${e.text} ${e.error ?? ''}`);
      await expect.poll(log, { timeout: 10_000 }).toContainEqual(expect.stringMatching(/^quirk Commit refused during unload \(Cornerstone OnDemand\)/));
      await expect.poll(log, { timeout: 10_000 }).toContainEqual(expect.stringMatching(/^call LMSFinish\(""\) \u2192 "false" 101/));
      // The first session never finished as far as the LMS knows.
      expect(quirky.log.some((e) => e.kind === 'call' && /^LMSFinish/.test(e.text) && !e.error)).toBe(false);
      await page.close();
    } finally {
      await quirky.close();
    }

    const plain = await startPreview({ cwd: tmp.dir, input: zip, env: process.env }, createSilentContext());
    try {
      const page = await relaunchOnce(plain);
      expect(await page.locator('#lk-lms').isHidden()).toBe(true);
      expect(plain.log.filter((e) => e.kind === 'quirk')).toEqual([]);
      await expect.poll(() => plain.log.some((e) => e.kind === 'call' && e.text === 'LMSFinish("") \u2192 "true"'), { timeout: 10_000 }).toBe(true);
      await page.close();
    } finally {
      await plain.close();
    }
  });
});
