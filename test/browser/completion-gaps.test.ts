/**
 * The player never tells the learner, or the LMS, that a course is completed while a lesson has
 * no videos or a knowledge check is untaken: built SCORM 2004 4th packages in Chromium against
 * scorm-again, watched to the end.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './xapi-harness.js';
import { lmsValue, speedUp, startTestLms, type PageGlobals, type TestLms } from './scorm-lms.js';

const QUIZ = 'questions:\n  - id: sync\n    type: true-false\n    prompt: Files sync at once.\n    answer: false\n';

/** One lesson with one 2 s video and a knowledge check; optionally a second lesson with no videos. */
const yaml = (emptyLesson: boolean) => `id: gaps
title: Gaps
version: 1.0.0
language: en
completion:
  watchedPercent: 90
lessons:
  - id: intro
    title: Intro
    segments:
      - id: one
        title: Part one
        source: recordings/rec.mp4
        from: 0
        to: 2
        captions: recordings/rec.srt
    quiz: quizzes/intro.yaml
${emptyLesson ? '  - id: later\n    title: Later\n    segments: []\n' : ''}targets: [scorm2004-4th]
`;

const prepare = async (dir: string) => {
  await mkdir(path.join(dir, 'quizzes'), { recursive: true });
  await writeFile(path.join(dir, 'quizzes/intro.yaml'), QUIZ);
};

let browser: Browser;
let withEmpty: TestLms;
let quizOnly: TestLms;
beforeAll(async () => {
  [browser, withEmpty, quizOnly] = await Promise.all([
    launchChromium(),
    startTestLms(['scorm2004-4th'], { yaml: yaml(true), prepare }),
    startTestLms(['scorm2004-4th'], { yaml: yaml(false), prepare }),
  ]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await withEmpty?.cleanup();
  await quizOnly?.cleanup();
});

interface Summary {
  completed: boolean;
  overall: number;
}
const summary = (frame: Frame) => frame.evaluate(() => (globalThis as unknown as { lessonkit: { player: { summary(): Summary } } }).lessonkit.player.summary());
const overallText = (frame: Frame) => frame.locator('.lk-overall-text').textContent();

/** Plays the only video to its end (muted, 4x) and waits until the player counts it as watched. */
async function watchTheVideo(frame: Frame): Promise<void> {
  await speedUp(frame);
  await frame.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('video')?.play());
  await frame.waitForFunction(() => (globalThis as unknown as PageGlobals).lessonkit.player.state().segments[0] === true, undefined, { timeout: 20_000 });
}

async function takeTheQuiz(frame: Frame): Promise<void> {
  await frame.locator('#lk-quiz-intro-sync-false').check();
  await frame.locator('.lk-quiz-submit').click();
  await frame.locator('.lk-quiz-result').filter({ hasText: 'Passed.' }).waitFor();
}

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 950 } });
  page.on('pageerror', (err) => {
    throw err;
  });
  return page;
}

describe('completion with gaps in the course', () => {
  it('a lesson without videos: every video watched and the quiz passed, still not completed, on screen or in the LMS', async () => {
    const page = await newPage();
    const frame = await withEmpty.launch(page, 'scorm2004', 'scorm2004-4th');
    await watchTheVideo(frame);
    await takeTheQuiz(frame);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).lms.api.getCMIValue('cmi.success_status') === 'passed', undefined, { timeout: 10_000 });
    const s = await summary(frame);
    expect(s.completed).toBe(false);
    expect(await overallText(frame)).not.toMatch(/completed|100%/);
    expect(await frame.locator('[data-lesson="1"] .lk-lesson-status').textContent()).toBe('No videos yet');
    expect(await lmsValue(page, 'cmi.completion_status')).toBe('incomplete');
    expect(Number(await lmsValue(page, 'cmi.progress_measure'))).toBeLessThan(1);
    await page.close();
  });

  it('an untaken quiz: every video watched is not completed; taking the quiz completes the course', async () => {
    const page = await newPage();
    const frame = await quizOnly.launch(page, 'scorm2004', 'scorm2004-4th');
    await watchTheVideo(frame);
    // Give the player time to report what it would (it commits on every milestone).
    await frame.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('video')?.getAttribute('src') !== null);
    await page.waitForTimeout(300);
    expect((await summary(frame)).completed).toBe(false);
    expect(await overallText(frame)).toBe('50%');
    expect(await frame.locator('[data-lesson="0"] .lk-lesson-status').textContent()).toBe('50% done');
    expect(await lmsValue(page, 'cmi.completion_status')).toBe('incomplete');

    await takeTheQuiz(frame);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).lms.api.getCMIValue('cmi.completion_status') === 'completed', undefined, { timeout: 10_000 });
    expect(await overallText(frame)).toBe('100% \u2013 completed');
    await page.close();
  });
});
