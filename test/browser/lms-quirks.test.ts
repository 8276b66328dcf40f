/**
 * LMS quirks (docs/lms.md), reproduced by the emulator layer over scorm-again: for each, the
 * packages fail with the handling switched off (or the wrong profile) and succeed with the
 * profile that handles it. One build serves every case: each case is the same package with the
 * launch page's LMS settings replaced (writeVariant).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LMS_PROFILES, lmsRuntime, type LmsRuntime } from '../../src/core/package/lms/index.js';
import { launchChromium } from './xapi-harness.js';
import { answer, openSession, play, reach, resumedAt, startQuirksLms, stored, type Session } from './lms-session.js';
import type { PageGlobals, TestLms } from './scorm-lms.js';

const generic = lmsRuntime(LMS_PROFILES.generic);
const off = (runtime: LmsRuntime, change: Partial<LmsRuntime>): LmsRuntime => ({ ...runtime, ...change });

let browser: Browser;
let lms: TestLms;
beforeAll(async () => {
  [browser, lms] = await Promise.all([launchChromium(), startQuirksLms()]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await lms?.cleanup();
});

/**
 * Watches part one, then 0.5 s of part two at normal speed, ends the session with `end`, and
 * returns where the relaunched player resumes.
 */
async function watchPartlyThen(s: Session, end: (s: Session) => Promise<void>, finishes = true): Promise<{ lesson: number; segment: number; position: number }> {
  await s.frame.locator('.lk-seg-button').nth(1).click();
  await play(s.frame, 1);
  await reach(s.frame, 0, 1, 0.5);
  await end(s);
  if (finishes) await s.page.waitForFunction(() => (globalThis as unknown as { lms: { finished: number } }).lms.finished >= 1, undefined, { timeout: 10_000 });
  const frame = await s.relaunch();
  return resumedAt(frame);
}

const closeTab = (s: Session) => s.page.evaluate(() => (globalThis as unknown as { lms: { closeTab(): void } }).lms.closeTab());
const exitButton = (s: Session) => s.frame.getByRole('button', { name: 'Exit course' }).click();

describe('the last minutes of a session survive the way the session ends', () => {
  it.each([
    {
      quirk: 'Cornerstone: Commit and Finish fail while the page unloads (SCORM 1.2, the learner closes the tab)',
      flavour: 'scorm12' as const,
      quirks: { commitFailsOnUnload: true },
      right: lmsRuntime(LMS_PROFILES.cornerstone),
      wrong: off(lmsRuntime(LMS_PROFILES.cornerstone), { commitOnHide: false }),
      end: closeTab,
    },
    {
      quirk: 'Cornerstone: a Commit right before Terminate loses the data (SCORM 2004, Exit)',
      flavour: 'scorm2004' as const,
      quirks: { commitBeforeTerminateLoses: true },
      right: lmsRuntime(LMS_PROFILES.cornerstone),
      wrong: off(lmsRuntime(LMS_PROFILES.cornerstone), { commitBeforeTerminate: true }),
      end: exitButton,
    },
  ])('$quirk', async ({ flavour, quirks, right, wrong, end }) => {
    const bad = await openSession(browser, lms, flavour, wrong, quirks);
    const lost = await watchPartlyThen(bad, end);
    // The wrong behaviour: the LMS kept only the start of part two (the last milestone).
    expect(lost.segment).toBe(1);
    expect(lost.position).toBeLessThan(0.2);
    await bad.page.close();

    const good = await openSession(browser, lms, flavour, right, quirks);
    const kept = await watchPartlyThen(good, end);
    expect(kept.segment).toBe(1);
    expect(kept.position).toBeGreaterThanOrEqual(0.4);
    await good.page.close();
  });

  it('Moodle: unload handlers never run in the content frame; the LMS replaces the frame (SCORM 2004)', async () => {
    // Unload handlers do not run, and what a dismissed page still sends (a paused video's commit) does not arrive.
    const quirks = { noUnloadEvents: true, commitFailsOnUnload: true };
    const replaceFrame = async (s: Session) => {
      // Half a minute of playing, in the page's clock (the video keeps its own pace).
      await s.page.clock.fastForward(31_000);
      await s.frame.waitForTimeout(400);
      await s.page.evaluate(() => (globalThis as unknown as { lms: { close(): void } }).lms.close());
      await s.page.waitForTimeout(300);
    };
    const bad = await openSession(browser, lms, 'scorm2004', off(lmsRuntime(LMS_PROFILES.moodle), { commitEverySeconds: 0 }), quirks, { clock: true });
    const lost = await watchPartlyThen(bad, replaceFrame, false);
    expect(lost.position).toBeLessThan(0.2);
    await bad.page.close();

    const good = await openSession(browser, lms, 'scorm2004', lmsRuntime(LMS_PROFILES.moodle), quirks, { clock: true });
    const kept = await watchPartlyThen(good, replaceFrame, false);
    expect(kept.segment).toBe(1);
    expect(kept.position).toBeGreaterThanOrEqual(0.4);
    await good.page.close();
  });

  it('SuccessFactors: the session expires after 30 minutes without traffic (SCORM 1.2, a long pause then Exit)', async () => {
    const quirks = { sessionExpiresAfterMs: 30 * 60_000 };
    const pauseThenExit = async (s: Session) => {
      // Minute by minute: the LMS page and the content frame each keep a clock of their own.
      for (let m = 0; m < 40; m += 1) await s.page.clock.runFor(60_000);
      await exitButton(s);
      await s.page.waitForFunction(() => (globalThis as unknown as { lms: { finished: number } }).lms.finished >= 1);
    };
    const bad = await openSession(browser, lms, 'scorm12', off(lmsRuntime(LMS_PROFILES.successfactors), { keepAliveSeconds: 0 }), quirks, { clock: true });
    await pauseThenExit(bad);
    expect(await bad.page.evaluate(() => (globalThis as unknown as { lms: { expired: boolean } }).lms.expired)).toBe(true);
    expect(String((await stored(bad.page)).core?.session_time ?? '')).not.toMatch(/^(00)?00:4\d:/);
    // The learner is told, in plain words, instead of losing the session silently.
    await expect(bad.frame.locator('.lk-notice').textContent()).resolves.toMatch(/could not be saved in your learning system/);
    await bad.page.close();

    const good = await openSession(browser, lms, 'scorm12', lmsRuntime(LMS_PROFILES.successfactors), quirks, { clock: true });
    await pauseThenExit(good);
    expect(await good.page.evaluate(() => (globalThis as unknown as { lms: { expired: boolean } }).lms.expired)).toBe(false);
    // The session time covers the 40 minutes: the Finish reached the LMS.
    expect(String((await stored(good.page)).core?.session_time ?? '')).toMatch(/^(00)?00:4\d:/);
    await good.page.close();
  });
});

describe('knowledge checks', () => {
  it('Cornerstone: a SCORM 1.2 course stored as failed cannot be retaken; the profile reports incomplete until passed', async () => {
    const quirks = { failedIsFinal: true };
    const run = async (runtime: LmsRuntime) => {
      const s = await openSession(browser, lms, 'scorm12', runtime, quirks);
      await answer(s.frame, false);
      await exitButton(s);
      await s.page.waitForFunction(() => (globalThis as unknown as { lms: { finished: number } }).lms.finished >= 1);
      const first = String((await stored(s.page)).core?.lesson_status);
      const frame = await s.relaunch();
      await frame.locator('.lk-quiz-retry').click().catch(() => undefined);
      await answer(frame, true);
      await frame.getByRole('button', { name: 'Exit course' }).click();
      await s.page.waitForFunction(() => (globalThis as unknown as { lms: { finished: number } }).lms.finished >= 1);
      const last = String((await stored(s.page)).core?.lesson_status);
      await s.page.close();
      return { first, last };
    };
    // The generic profile reports failed: the LMS locks the course and the retake is not recorded.
    expect(await run(generic)).toEqual({ first: 'failed', last: 'failed' });
    expect(await run(lmsRuntime(LMS_PROFILES.cornerstone))).toEqual({ first: 'incomplete', last: 'passed' });
  });

  it('an LMS that refuses values over 255 characters (error 405/406) and never sets lesson_mode still records the answers', async () => {
    const quirks = { strict255: true, noLessonMode: true };
    const long = 'I would open the file from the Files menu and then '.repeat(7);
    const run = async (runtime: LmsRuntime) => {
      const s = await openSession(browser, lms, 'scorm12', runtime, quirks);
      const errors: string[] = [];
      s.page.on('console', (m) => errors.push(m.text()));
      await answer(s.frame, false, long);
      await s.frame.locator('#lk-quiz-intro-menu-a').waitFor();
      const interactions = (await s.page.evaluate(() => (globalThis as unknown as { lms: { snapshot(): { interactions: Record<string, { student_response?: string }> } } }).lms.snapshot().interactions)) ?? {};
      const status = await s.page.evaluate(() => (globalThis as unknown as { lms: { api: { getCMIValue(e: string): string } } }).lms.api.getCMIValue('cmi.core.lesson_status'));
      await s.page.close();
      return { typed: String(interactions['1']?.student_response ?? ''), status, refused: errors.some((e) => /error 405/.test(e)) };
    };
    const bad = await run(off(generic, { valueLimit: 0 }));
    expect(bad.refused).toBe(true);
    expect(bad.typed).toBe('');
    const good = await run(generic);
    expect(good.refused).toBe(false);
    expect(good.typed).toBe(long.slice(0, 255));
    // lesson_mode empty (error 401) reads as a normal launch: the attempt is recorded.
    expect(good.status).toBe('failed');
  });
});

describe('resume and records', () => {
  it('Moodle: in SCORM 2004 an exit other than suspend starts a fresh attempt; the profile keeps the completed attempt open', async () => {
    const quirks = { newAttemptUnlessSuspended: true };
    const run = async (runtime: LmsRuntime) => {
      const s = await openSession(browser, lms, 'scorm2004', runtime, quirks);
      await answer(s.frame, true);
      // Everything watched, as far as the player knows; moving on reports it.
      await s.frame.evaluate(() => {
        const st = (globalThis as unknown as PageGlobals).lessonkit.player.state();
        st.segments = st.segments.map(() => true);
      });
      await s.frame.locator('.lk-seg-button').nth(1).click();
      await s.page.waitForFunction(() => (globalThis as unknown as { lms: { api: { getCMIValue(e: string): string } } }).lms.api.getCMIValue('cmi.completion_status') === 'completed');
      await exitButton(s);
      await s.page.waitForFunction(() => (globalThis as unknown as { lms: { finished: number } }).lms.finished >= 1);
      const frame = await s.relaunch();
      const shown = { progress: await frame.locator('.lk-overall-text').textContent(), quiz: await frame.locator('.lk-quiz-result').textContent() };
      await s.page.close();
      return shown;
    };
    const bad = await run(off(lmsRuntime(LMS_PROFILES.moodle), { exitWhenComplete: 'normal' }));
    expect(bad.progress).toBe('0%');
    expect(bad.quiz).toBe('');
    const good = await run(lmsRuntime(LMS_PROFILES.moodle));
    expect(good.progress).toBe('100% \u2013 completed');
    expect(good.quiz).toMatch(/Passed\./);
  });

  it('an LMS that answers true but keeps nothing: the connection check tells the learner', async () => {
    const quirks = { ignoresSetValue: true };
    const notice = async (runtime: LmsRuntime) => {
      const s = await openSession(browser, lms, 'scorm2004', runtime, quirks);
      await s.frame.locator('.lk-seg-button').nth(1).click();
      await s.frame.waitForTimeout(300);
      const text = (await s.frame.locator('.lk-notice').isVisible()) ? await s.frame.locator('.lk-notice').textContent() : '';
      const local = await s.frame.evaluate(() => Object.keys((globalThis as unknown as { localStorage: Record<string, string> }).localStorage).filter((k) => k.startsWith('lessonkit:pending:')).length);
      await s.page.close();
      return { text, local };
    };
    expect(await notice(off(generic, { connectionCheck: false }))).toEqual({ text: '', local: 0 });
    const shown = await notice(generic);
    expect(shown.text).toMatch(/not reaching your learning system/);
    // A local copy is kept to retry from.
    expect(shown.local).toBe(1);
  });
});
