/**
 * SCORM 1.2's 4096-character suspend_data with a course of 30 lessons x 10 segments of 15
 * minutes, every segment watched in 40 scattered stretches: the real player, through the
 * SCORM 1.2 adapter, writes resume data scorm-again accepts, never over the limit, and reads
 * it back on the next launch.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Course } from '../../src/core/course/load.js';
import type { PlayerLesson } from '../../src/core/player-build/config.js';
import { renderLaunchPage } from '../../src/core/player-build/launch-page.js';
import { launchChromium } from './xapi-harness.js';
import { lmsLog, lmsValue, startTestLms, type TestLms } from './scorm-lms.js';

let browser: Browser;
let lms: TestLms;

interface BigState {
  lesson: number;
  segment: number;
  segments: ([number, number][] | true)[];
}
interface BigGlobals {
  lessonkit: { player: { state(): BigState } };
  console: { warn(...a: unknown[]): void };
}

beforeAll(async () => {
  [browser, lms] = await Promise.all([launchChromium(), startTestLms(['scorm12'])]);
  const lessons: PlayerLesson[] = Array.from({ length: 30 }, (_, l) => ({
    id: `lesson-${l + 1}`,
    title: `Lesson ${l + 1}`,
    objectives: [],
    materials: [],
    // Every segment reuses one small rendered video; the player only needs a playable file.
    segments: Array.from({ length: 10 }, (_, s) => ({ id: `segment-${s + 1}`, title: `Segment ${s + 1}`, video: 'media/intro/one.mp4', duration: 900 })),
  }));
  const course = { id: 'big-course', version: '1.0.0', title: 'Big course', language: 'en-US', completion: { watchedPercent: 90, requireWorkbook: false } } as unknown as Course;
  const page = await renderLaunchPage(course, lessons, { path: 'big.html', adapter: 'scorm12' });
  await writeFile(path.join(lms.siteDir, 'pkg/scorm12/big.html'), page.content ?? '');
});
afterAll(async () => {
  await browser?.close();
  await lms?.cleanup();
});

it('keeps suspend_data within 4096 characters for 30 lessons x 10 segments watched in fragments, and resumes from it', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 950 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('failed')) errors.push(m.text());
  });
  let frame = await lms.launch(page, 'scorm12', 'scorm12', undefined, undefined, 'big.html');
  await expect(frame.locator('.lk-lesson-button').count()).resolves.toBe(30);
  // Fragmented viewing everywhere: 40 stretches of 10 s in every 15-minute segment.
  await frame.evaluate(() => {
    const s = (globalThis as unknown as BigGlobals).lessonkit.player.state();
    s.segments = s.segments.map((_, i) => Array.from({ length: 40 }, (_, k) => [k * 22 + (i % 7), k * 22 + 10 + (i % 7)] as [number, number]));
  });
  // Moving to the last lesson sends a milestone report with that state.
  await frame.getByRole('button', { name: /Lesson 30/ }).click();
  await page.waitForFunction(() => (globalThis as unknown as { lms: { commits: unknown[] } }).lms.commits.length >= 2);
  const log = await lmsLog(page);
  expect(log.suspendLengths.length).toBeGreaterThan(0);
  expect(Math.max(...log.suspendLengths)).toBeLessThanOrEqual(4096);
  const stored = await lmsValue(page, 'cmi.suspend_data');
  // scorm-again accepted it (it refuses more than 4096), and it is near the limit: the ranges were kept, trimmed to fit.
  expect(stored.length).toBeLessThanOrEqual(4096);
  expect(stored.length).toBeGreaterThan(3500);
  expect(stored.startsWith('2~')).toBe(true);
  expect(errors).toEqual([]);
  expect(await lmsValue(page, 'cmi.core.lesson_location')).toBe('lesson-30/segment-1');

  await page.evaluate(() => (globalThis as unknown as { lms: { close(): void } }).lms.close());
  await page.waitForFunction(() => (globalThis as unknown as { lms: { finished: number } }).lms.finished === 1);
  const saved = { core: { lesson_status: 'incomplete', lesson_location: 'lesson-30/segment-1', entry: 'resume' }, suspend_data: await lmsValue(page, 'cmi.suspend_data') };
  frame = await lms.launch(page, 'scorm12', 'scorm12', saved, undefined, 'big.html');
  const resumed = await frame.evaluate(() => {
    const s = (globalThis as unknown as BigGlobals).lessonkit.player.state();
    return { lesson: s.lesson, segment: s.segment, ranges: s.segments.reduce((n, x) => n + (x === true ? 0 : x.length), 0) };
  });
  expect(resumed.lesson).toBe(29);
  expect(resumed.segment).toBe(0);
  // Compressed before anything was dropped: thousands of the 12,000 stretches are still counted after the reload.
  expect(resumed.ranges).toBeGreaterThan(3000);
  await page.close();
});
