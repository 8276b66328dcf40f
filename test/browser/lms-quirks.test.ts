/**
 * LMS quirks (docs/lms.md), reproduced by the emulator layer over scorm-again: for each, the
 * packages fail with the handling switched off (or the wrong profile) and succeed with the
 * profile that handles it. One build serves every case: each case is the same package with the
 * launch page's LMS settings replaced (writeVariant).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Course } from '../../src/core/course/load.js';
import { LMS_PROFILES, lmsRuntime, type LmsRuntime } from '../../src/core/package/lms/index.js';
import type { PlayerLesson } from '../../src/core/player-build/config.js';
import { renderLaunchPage } from '../../src/core/player-build/launch-page.js';
import { emulationOf, manifestSetsCompletion } from '../../src/core/preview/lms-quirks.js';
import { launchChromium } from './xapi-harness.js';
import { answer, closeTabAt, openSession, play, reach, resumedAt, startQuirksLms, stored, type Session } from './lms-session.js';
import { lmsLog, lmsValue, relaunchRecord, type PageGlobals, type TestLms } from './scorm-lms.js';

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

/**
 * Ends a session the way an LMS that runs no unload handlers does: half a minute of playing in
 * the page's clock (the video keeps its own pace), then the LMS closes or removes the SCO frame.
 */
const afterHalfAMinute = (how: 'close' | 'removeFrame') => async (s: Session) => {
  await s.page.clock.fastForward(31_000);
  await s.frame.waitForTimeout(400);
  await s.page.evaluate((h) => (globalThis as unknown as { lms: Record<'close' | 'removeFrame', () => void> }).lms[h](), how);
  await s.page.waitForTimeout(300);
};
const closeTab = (s: Session) => s.page.evaluate(() => (globalThis as unknown as { lms: { closeTab(): void } }).lms.closeTab());
const exitButton = (s: Session) => s.frame.getByRole('button', { name: 'Exit course' }).click();

/**
 * Passes the knowledge check, marks everything watched (as far as the player knows), moves on so
 * the player reports completion to the LMS, then exits and waits for the LMS to see the Finish.
 */
async function completeAndExit(s: Session): Promise<void> {
  await answer(s.frame, true);
  await s.frame.evaluate(() => {
    const st = (globalThis as unknown as PageGlobals).lessonkit.player.state();
    st.segments = st.segments.map(() => true);
  });
  await s.frame.locator('.lk-seg-button').nth(1).click();
  await s.page.waitForFunction(() => (globalThis as unknown as { lms: { api: { getCMIValue(e: string): string } } }).lms.api.getCMIValue('cmi.completion_status') === 'completed');
  await exitButton(s);
  await s.page.waitForFunction(() => (globalThis as unknown as { lms: { finished: number } }).lms.finished >= 1);
}

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
    const replaceFrame = afterHalfAMinute('close');
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

describe.concurrent('knowledge checks', () => {
  it('Cornerstone: a SCORM 1.2 course stored as failed cannot be retaken; the profile reports incomplete until passed', async ({ expect }) => {
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

  it('an LMS that refuses values over 255 characters (error 405/406) and never sets lesson_mode still records the answers', async ({ expect }) => {
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

describe.concurrent('resume and records', () => {
  it('Moodle: in SCORM 2004 an exit other than suspend starts a fresh attempt; the profile keeps the completed attempt open', async ({ expect }) => {
    const quirks = { newAttemptUnlessSuspended: true };
    const run = async (runtime: LmsRuntime) => {
      const s = await openSession(browser, lms, 'scorm2004', runtime, quirks);
      await completeAndExit(s);
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

  it('an LMS that answers true but keeps nothing: the connection check tells the learner', async ({ expect }) => {
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

describe.concurrent('launch, completion and the data model', () => {
  it('Workday: the API is not in the content\u2019s parent frames (a new window opened from an LMS frame); the player finds it through the opener', async ({ expect }) => {
    const quirks = emulationOf(LMS_PROFILES.workday.quirks, 'workday', LMS_PROFILES.workday.title);
    const launch = async (noopener: boolean) => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 950 } });
      await page.goto(`${lms.server.url}lms/index.html`);
      const [popup] = await Promise.all([
        page.context().waitForEvent('page'),
        page.evaluate(([src, q, cut]) => (globalThis as unknown as { lms: { launchWindow(f: string, s: unknown, q: unknown, c: boolean): void } }).lms.launchWindow('scorm12', src, q, cut), [lms.packageUrl('scorm12'), quirks, noopener] as const),
      ]);
      await popup.mainFrame().waitForFunction(() => {
        const g = globalThis as unknown as { lessonkit?: { player?: unknown; error?: string }; document: { querySelector(s: string): unknown } };
        return Boolean(g.lessonkit?.player || g.lessonkit?.error || g.document.querySelector('.lk-notice'));
      }, undefined, { timeout: 20_000 });
      const seen = { initialized: (await lmsLog(page)).initialized, status: await lmsValue(page, 'cmi.core.lesson_status'), text: await popup.locator('body').innerText() };
      await page.close();
      return seen;
    };
    // The emulation bites: with the opener cut, nothing in reach has the API and the learner is told so.
    const cut = await launch(true);
    expect(cut.initialized).toBe(0);
    expect(cut.text).toMatch(/no LMS was found/);
    const found = await launch(false);
    expect(found.initialized).toBe(1);
    expect(found.status).toBe('incomplete');
  });

  it('Workday: a launch records completion when enrollment is not required, unless the content reports its own status', async ({ expect }) => {
    const quirks = emulationOf(LMS_PROFILES.workday.quirks, 'workday', LMS_PROFILES.workday.title);
    const run = async (runtime: LmsRuntime) => {
      const s = await openSession(browser, lms, 'scorm12', runtime, quirks);
      await play(s.frame, 4);
      await closeTabAt(s.frame, 0, 1, 0.5);
      await s.page.waitForFunction(() => (globalThis as unknown as { lms: { commits: unknown[] } }).lms.commits.length >= 2);
      const out = { status: String((await stored(s.page)).core?.lesson_status), events: await s.page.evaluate(() => (globalThis as unknown as { lms: { events: string[] } }).lms.events) };
      await s.page.close();
      return out;
    };
    // Without the status written at launch, a learner who watched a minute is recorded as done.
    const bad = await run(off(lmsRuntime(LMS_PROFILES.workday), { statusOnLaunch: false }));
    expect(bad.status).toBe('completed');
    expect(bad.events).toContain('Recorded completed at launch (enrollment not required); a status from the content replaces it (Workday Learning)');
    expect((await run(lmsRuntime(LMS_PROFILES.workday))).status).toBe('incomplete');
  });

  it('SuccessFactors: its wrapper marks SCORM 2004 content completed on exit unless the manifest says the content sets completion', async ({ expect }) => {
    const quirks = emulationOf(LMS_PROFILES.successfactors.quirks, 'successfactors', LMS_PROFILES.successfactors.title);
    const manifest = await readFile(path.join(lms.siteDir, 'pkg/scorm2004-4th/imsmanifest.xml'), 'utf8');
    expect(manifestSetsCompletion(manifest)).toBe(true);
    // The same manifest without lessonkit's deliveryControls (what many tools write).
    const plain = manifest.replace(/<imsss:deliveryControls\b[^>]*\/>/g, '');
    expect(manifestSetsCompletion(plain)).toBe(false);
    const run = async (setsCompletion: boolean) => {
      const s = await openSession(browser, lms, 'scorm2004', lmsRuntime(LMS_PROFILES.successfactors), { ...quirks, setsCompletion });
      await s.frame.locator('.lk-seg-button').nth(1).click();
      await exitButton(s);
      await s.page.waitForFunction(() => (globalThis as unknown as { lms: { finished: number } }).lms.finished >= 1);
      const status = String((await stored(s.page)).completion_status);
      await s.page.close();
      return status;
    };
    expect(await run(manifestSetsCompletion(plain))).toBe('completed');
    expect(await run(manifestSetsCompletion(manifest))).toBe('incomplete');
  });

  it('Canvas: the SCORM-to-LTI bridge removes the content frame without unload events (SCORM 1.2)', async ({ expect }) => {
    const quirks = emulationOf(LMS_PROFILES.canvas.quirks, 'canvas', LMS_PROFILES.canvas.title);
    const removeFrame = afterHalfAMinute('removeFrame');
    const bad = await openSession(browser, lms, 'scorm12', off(lmsRuntime(LMS_PROFILES.canvas), { commitEverySeconds: 0 }), quirks, { clock: true });
    const lost = await watchPartlyThen(bad, removeFrame, false);
    expect(lost.position).toBeLessThan(0.2);
    expect(await bad.page.evaluate(() => (globalThis as unknown as { lms: { events: string[] } }).lms.events)).toContainEqual(expect.stringMatching(/during unload never arrived: this LMS\u2019s frame runs no unload handlers \(Canvas/));
    await bad.page.close();

    const good = await openSession(browser, lms, 'scorm12', lmsRuntime(LMS_PROFILES.canvas), quirks, { clock: true });
    const kept = await watchPartlyThen(good, removeFrame, false);
    expect(kept.segment).toBe(1);
    expect(kept.position).toBeGreaterThanOrEqual(0.4);
    await good.page.close();
  });

  it('Open edX: a key-value store in place of a data model (no _count, no entry or mode, never an error) still completes, resumes and keeps the score (SCORM 2004)', async ({ expect }) => {
    const quirks = { title: 'Open edX SCORM XBlock', partialDataModel: true };
    const s = await openSession(browser, lms, 'scorm2004', lmsRuntime(LMS_PROFILES.moodle), quirks);
    await completeAndExit(s);
    const record = await stored(s.page);
    // The emulation bites (_count answers ''), and the adapter's own count keeps each answer in a
    // place of its own: trusting _count put the second answer on the first one's place (['0']).
    const events = await s.page.evaluate(() => (globalThis as unknown as { lms: { events: string[] } }).lms.events);
    expect(events).toContain('cmi.interactions._count is not kept by this LMS: it answers an empty string, never an error (Open edX SCORM XBlock)');
    expect(Object.keys((record.interactions as Record<string, unknown> | undefined) ?? {}).filter((k) => /^\d+$/.test(k))).toEqual(['0', '1']);
    expect(record.completion_status).toBe('completed');
    expect((record.score as { scaled?: string } | undefined)?.scaled).toBe('1');
    const frame = await s.relaunch();
    await expect(frame.locator('.lk-overall-text').textContent()).resolves.toBe('100% \u2013 completed');
    await expect(frame.locator('.lk-quiz-result').textContent()).resolves.toMatch(/Passed\./);
    await s.page.close();
  });

  it('an LMS that cuts suspend_data at 4096 characters without an error (SCORM 2004 too), against one that refuses it: a 4096 budget keeps resume working', async ({ expect }) => {
    // 30 lessons x 10 segments of 15 minutes, each watched in 40 scattered stretches: far over 4096 characters uncompressed.
    const lessons: PlayerLesson[] = Array.from({ length: 30 }, (_, l) => ({
      id: `lesson-${l + 1}`,
      title: `Lesson ${l + 1}`,
      objectives: [],
      materials: [],
      segments: Array.from({ length: 10 }, (_, k) => ({ id: `segment-${k + 1}`, title: `Segment ${k + 1}`, video: 'media/intro/one.mp4', duration: 900 })),
    }));
    const course = { id: 'big-course', version: '1.0.0', title: 'Big course', language: 'en-US', completion: { watchedPercent: 90, requireWorkbook: false } } as unknown as Course;
    const quirks = { title: 'an LMS that truncates', truncateSuspendData: 4096 };
    const run = async (budget: number, name: string) => {
      const runtime = { ...generic, stateBudget: { scorm12: 4096, scorm2004: budget } };
      const html = await renderLaunchPage(course, lessons, { path: name, adapter: 'scorm2004' }, undefined, runtime);
      await writeFile(path.join(lms.siteDir, 'pkg/scorm2004-4th', name), html.content ?? '');
      const page = await browser.newPage({ viewport: { width: 1100, height: 950 } });
      let frame = await lms.launch(page, 'scorm2004', 'scorm2004-4th', undefined, undefined, name, quirks);
      await frame.evaluate(() => {
        const st = (globalThis as unknown as { lessonkit: { player: { state(): { segments: unknown[] } } } }).lessonkit.player.state();
        st.segments = st.segments.map((_, i) => Array.from({ length: 40 }, (_, k) => [k * 22 + (i % 7), k * 22 + 10 + (i % 7)]));
      });
      await frame.getByRole('button', { name: /Lesson 30/ }).click();
      await page.waitForFunction(() => (globalThis as unknown as { lms: { commits: unknown[] } }).lms.commits.length >= 2);
      const events = await page.evaluate(() => (globalThis as unknown as { lms: { events: string[] } }).lms.events);
      frame = await lms.launch(page, 'scorm2004', 'scorm2004-4th', await relaunchRecord(page, 'scorm2004', quirks), undefined, name, quirks);
      const ranges = await frame.evaluate(() => (globalThis as unknown as { lessonkit: { player: { state(): { segments: ([number, number][] | true)[] } } } }).lessonkit.player.state().segments.reduce((n, x) => n + (x === true ? 0 : x.length), 0));
      await page.close();
      return { ranges, cut: events.some((e) => /^suspend_data cut from \d+ to 4096 characters/.test(e)) };
    };
    // SCORM 2004's own 64000: the LMS cuts the resume data and the next launch has lost it.
    const bad = await run(64000, 'big-64000.html');
    expect(bad.cut).toBe(true);
    expect(bad.ranges).toBe(0);
    // A 4096 budget (what a profile for such an LMS sets): compressed to fit, nothing cut, thousands of stretches kept.
    const good = await run(4096, 'big-4096.html');
    expect(good.cut).toBe(false);
    expect(good.ranges).toBeGreaterThan(3000);
  });
});
