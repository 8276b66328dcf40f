/**
 * Every LMS profile, in SCORM 1.2 and 2004 4th, in the emulated LMS with that LMS's own quirks
 * switched on (the shipped emulator, as `preview --lms` runs it): the course resumes after the
 * learner closes the tab mid-video, completes, and the LMS keeps the knowledge check's result;
 * where the attempt stays open (SCORM 1.2, or a profile that exits `suspend`), the next launch
 * shows it too. One build and one browser for the file; the cases run side by side in pages of
 * that browser, and wait on the LMS's state rather than on the clock.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { LMS_NAMES, LMS_PROFILES, lmsRuntime } from '../../src/core/package/lms/index.js';
import { profileEmulation } from '../../src/core/preview/lms-quirks.js';
import { launchChromium } from './xapi-harness.js';
import { answer, closeTabAt, openSession, play, resumedAt, startQuirksLms, stored } from './lms-session.js';
import type { Flavour, TestLms } from './scorm-lms.js';

let browser: Browser;
let lms: TestLms;
beforeAll(async () => {
  [browser, lms] = await Promise.all([launchChromium(), startQuirksLms()]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await lms?.cleanup();
});

// Profiles that behave alike (same settings, same quirks: generic, docebo and scorm-cloud today)
// share one run; the title names them all.
const groups = new Map<string, (typeof LMS_NAMES)[number][]>();
for (const name of LMS_NAMES) {
  const p = LMS_PROFILES[name];
  const key = JSON.stringify([p.runtime, p.quirks]);
  groups.set(key, [...(groups.get(key) ?? []), name]);
}
const cases = [...groups.values()].flatMap((names) =>
  (['scorm12', 'scorm2004'] as Flavour[]).map((flavour) => ({ names: names.join(', '), name: names[0] as (typeof LMS_NAMES)[number], flavour })),
);

/** Waits until the emulated LMS has no commit still being saved in the background. */
const settled = (page: Page) =>
  page.waitForFunction(() => !(globalThis as unknown as { lms: { handle: { saving: boolean } | null } }).lms.handle?.saving);

describe.concurrent('every profile under its own quirks', () => {
  it.for(cases)('$names, $flavour: resumes, completes and keeps the knowledge check result', { timeout: 90_000 }, async ({ name, flavour }, { expect }) => {
    await run(name, flavour, expect);
  });
});

async function run(name: (typeof LMS_NAMES)[number], flavour: Flavour, expect: ExpectStatic): Promise<void> {
  const profile = LMS_PROFILES[name];
  const quirks = profileEmulation(name);
  const s = await openSession(browser, lms, flavour, lmsRuntime(profile), quirks);
  try {
    // Part one watched, part two begun, then the learner closes the tab.
    await play(s.frame, 4);
    await closeTabAt(s.frame, 0, 1, 0.5);
    // Past the emulator's background save of the last commit.
    await settled(s.page);

    let frame = await s.relaunch();
    const at = await resumedAt(frame);
    expect(at.segment).toBe(1);
    expect(at.position).toBeGreaterThanOrEqual(0.4);
    await answer(frame, true);
    await play(frame, 4);
    await s.page.waitForFunction(
      (el) => (globalThis as unknown as { lms: { api: { getCMIValue(e: string): string } } }).lms.api.getCMIValue(el) === (el === 'cmi.core.lesson_status' ? 'passed' : 'completed'),
      flavour === 'scorm12' ? 'cmi.core.lesson_status' : 'cmi.completion_status',
      { timeout: 30_000 },
    );
    await frame.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('.lk-overall-text')?.textContent.includes('completed'));
    // A learner reads the completion before pressing Exit (the emulated Cornerstone drops a
    // Terminate that arrives while a commit is still being saved).
    await settled(s.page);
    await frame.getByRole('button', { name: 'Exit course' }).click();
    await s.page.waitForFunction(() => (globalThis as unknown as { lms: { finished: number } }).lms.finished >= 1);
    const record = await stored(s.page);
    if (flavour === 'scorm12') {
      expect(record.core?.lesson_status).toBe('passed');
      expect((record.core?.score as { raw?: string } | undefined)?.raw).toBe('100');
    } else {
      expect(record.completion_status).toBe('completed');
      expect(record.success_status).toBe('passed');
      expect((record.score as { scaled?: string } | undefined)?.scaled).toBe('1');
    }

    if (flavour === 'scorm12' || profile.runtime.exitWhenComplete === 'suspend') {
      frame = await s.relaunch();
      // The bookmark is in the second lesson; the knowledge check is the first lesson's.
      await frame.getByRole('button', { name: /^Intro/ }).click();
      await expect(frame.locator('.lk-quiz-result').textContent()).resolves.toMatch(/Passed\./);
    }
  } finally {
    await s.page.close();
  }
}
