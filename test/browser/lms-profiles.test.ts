/**
 * Every LMS profile, in SCORM 1.2 and 2004 4th, in the emulated LMS with that LMS's own quirks
 * switched on (the ones `preview --lms` switches on): the course resumes after the learner closes
 * the tab mid-video, completes, and the LMS keeps the knowledge check's result; where the attempt
 * stays open (SCORM 1.2, or a profile that exits `suspend`), the next launch shows it too.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LMS_NAMES, LMS_PROFILES, lmsRuntime } from '../../src/core/package/lms/index.js';
import { launchChromium } from './xapi-harness.js';
import { answer, openSession, play, reach, resumedAt, startQuirksLms, stored } from './lms-session.js';
import { quirksOf, type Flavour, type TestLms } from './scorm-lms.js';

let browser: Browser;
let lms: TestLms;
beforeAll(async () => {
  [browser, lms] = await Promise.all([launchChromium(), startQuirksLms()]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await lms?.cleanup();
});

// Profiles that behave alike (same settings, same quirks: generic, workday, docebo and scorm-cloud
// today) share one run; the title names them all.
const groups = new Map<string, (typeof LMS_NAMES)[number][]>();
for (const name of LMS_NAMES) {
  const p = LMS_PROFILES[name];
  const key = JSON.stringify([p.runtime, p.quirks]);
  groups.set(key, [...(groups.get(key) ?? []), name]);
}

describe.each([...groups.values()].map((names) => ({ names: names.join(', '), name: names[0] as (typeof LMS_NAMES)[number] })))('$names', ({ name }) => {
  it('resumes, completes and keeps the knowledge check result under its own quirks, in SCORM 1.2 and 2004 4th', async () => {
    for (const flavour of ['scorm12', 'scorm2004'] as Flavour[]) await run(name, flavour);
  });
});

async function run(name: (typeof LMS_NAMES)[number], flavour: Flavour): Promise<void> {
  {
    const profile = LMS_PROFILES[name];
    const quirks = { ...quirksOf(profile.quirks), noUnloadEvents: profile.quirks.includes('no-unload-events') };
    const s = await openSession(browser, lms, flavour, lmsRuntime(profile), quirks);
    // Part one watched, part two begun, then the learner closes the tab.
    await play(s.frame, 4);
    await reach(s.frame, 0, 1, 0.5);
    await s.page.evaluate(() => (globalThis as unknown as { lms: { closeTab(): void } }).lms.closeTab());
    // Past the emulator's background save of the last commit.
    await s.page.waitForTimeout(500);

    let frame = await s.relaunch();
    const at = await resumedAt(frame);
    expect(at.segment).toBe(1);
    expect(at.position).toBeGreaterThanOrEqual(0.4);
    await answer(frame, true);
    await play(frame, 4);
    await s.page.waitForFunction(
      (el) => (globalThis as unknown as { lms: { api: { getCMIValue(e: string): string } } }).lms.api.getCMIValue(el) === (el === 'cmi.core.lesson_status' ? 'passed' : 'completed'),
      flavour === 'scorm12' ? 'cmi.core.lesson_status' : 'cmi.completion_status',
      { timeout: 20_000 },
    );
    await frame.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('.lk-overall-text')?.textContent.includes('completed'));
    // A learner reads the completion before pressing Exit (the emulated Cornerstone drops a
    // Terminate that arrives while a commit is still being saved).
    await s.page.waitForTimeout(400);
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
    await s.page.close();
  }
}
