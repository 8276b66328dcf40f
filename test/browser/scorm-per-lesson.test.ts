/**
 * `--sco-per-lesson` in SCORM 2004 4th Edition: each lesson is its own SCO with its own
 * launch page; watching one lesson completes that SCO only, and it reports only its lesson.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from './xapi-harness.js';
import { lmsValue, speedUp, startTestLms, type PageGlobals, type TestLms } from './scorm-lms.js';

let browser: Browser;
let lms: TestLms;

beforeAll(async () => {
  [browser, lms] = await Promise.all([launchChromium(), startTestLms(['scorm2004-4th'], { scoPerLesson: true })]);
});
afterAll(async () => {
  await browser?.close();
  await lms?.cleanup();
});

it('a lesson SCO plays only its lesson and completes when that lesson is watched', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 950 } });
  const frame = await lms.launch(page, 'scorm2004', 'scorm2004-4th', undefined, undefined, 'lessons/second.html');
  await expect(frame.locator('.lk-lesson-button').count()).resolves.toBe(1);
  await expect(frame.locator('.lk-lesson-title').textContent()).resolves.toBe('Second lesson');
  await speedUp(frame);
  await frame.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('video')?.play());
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).lms.api.getCMIValue('cmi.completion_status') === 'completed', undefined, { timeout: 20000 });
  expect(await lmsValue(page, 'cmi.progress_measure')).toBe('1');
  expect(await lmsValue(page, 'cmi.objectives._count')).toBe('1');
  expect(await lmsValue(page, 'cmi.objectives.0.id')).toBe('second');
  expect(await lmsValue(page, 'cmi.location')).toBe('second/three');
  await page.close();
});
