/**
 * The built SCORM 1.2 and SCORM 2004 4th Edition packages in real Chromium, inside an LMS page
 * whose run-time API is scorm-again: what the LMS records after watching, after seeking
 * without watching, across a reload, and when the learner closes the course.
 */
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './xapi-harness.js';
import { lastSet, lmsLog, lmsValue, speedUp, startTestLms, type Flavour, type PageGlobals, type TestLms, type VideoLike } from './scorm-lms.js';

interface Case {
  flavour: Flavour;
  target: string;
  limit: number;
  status: string;
  location: string;
  exit: string;
  sessionTime: RegExp;
}

const CASES: Case[] = [
  { flavour: 'scorm12', target: 'scorm12', limit: 4096, status: 'cmi.core.lesson_status', location: 'cmi.core.lesson_location', exit: 'cmi.core.exit', sessionTime: /^\d{4}:\d{2}:\d{2}\.\d{2}$/ },
  { flavour: 'scorm2004', target: 'scorm2004-4th', limit: 64000, status: 'cmi.completion_status', location: 'cmi.location', exit: 'cmi.exit', sessionTime: /^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$/ },
];

let browser: Browser;
let lms: TestLms;

beforeAll(async () => {
  [browser, lms] = await Promise.all([launchChromium(), startTestLms(['scorm12', 'scorm2004-4th'])]);
});
afterAll(async () => {
  await browser?.close();
  await lms?.cleanup();
});


async function play(frame: Frame): Promise<void> {
  await speedUp(frame);
  await frame.evaluate(() => (globalThis as unknown as PageGlobals).document.querySelector('video')?.play());
}

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 950 } });
  page.on('pageerror', (err) => {
    throw err;
  });
  return page;
}

describe.each(CASES)('$target in an LMS backed by scorm-again', (c) => {
  it('records completed (and progress_measure 1) after every segment is played to the end, and Finish on Exit', async () => {
    const page = await newPage();
    const frame = await lms.launch(page, c.flavour, c.target);
    expect(await lmsValue(page, c.status)).toBe('incomplete');
    await play(frame);
    // Auto-advance plays the three segments of both lessons in turn.
    await page.waitForFunction((el) => (globalThis as unknown as PageGlobals).lms.api.getCMIValue(el) === 'completed', c.status, { timeout: 30000 });
    if (c.flavour === 'scorm2004') {
      expect(await lmsValue(page, 'cmi.progress_measure')).toBe('1');
      expect(await lmsValue(page, 'cmi.objectives._count')).toBe('2');
      for (const n of [0, 1]) expect(await lmsValue(page, `cmi.objectives.${n}.completion_status`)).toBe('completed');
      expect([await lmsValue(page, 'cmi.objectives.0.id'), await lmsValue(page, 'cmi.objectives.1.id')]).toEqual(['intro', 'second']);
    }
    await frame.getByRole('button', { name: 'Exit course' }).click();
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).lms.finished === 1);
    const log = await lmsLog(page);
    expect(log.initialized).toBe(1);
    expect(lastSet(log, c.exit)).toBe(c.flavour === 'scorm12' ? '' : 'normal');
    expect(lastSet(log, 'cmi.core.session_time') ?? lastSet(log, 'cmi.session_time')).toMatch(c.sessionTime);
    expect(Math.max(...log.suspendLengths)).toBeLessThanOrEqual(c.limit);
    await expect(frame.getByText('Your progress is saved. You can close this window now.').isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('records incomplete when every video is only sought to its end', async () => {
    const page = await newPage();
    const frame = await lms.launch(page, c.flavour, c.target);
    await frame.getByLabel('Play the next video automatically').uncheck();
    for (let i = 0; i < 3; i += 1) {
      await frame.evaluate(async () => {
        const v = (globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike;
        if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
        v.muted = true;
        const seeked = new Promise((r) => v.addEventListener('seeked', r, { once: true }));
        v.currentTime = v.duration;
        await seeked;
        await new Promise((r) => setTimeout(r, 300));
      });
      if (i < 2) await frame.getByRole('button', { name: /^Next video:/ }).click();
    }
    await frame.getByRole('button', { name: 'Exit course' }).click();
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).lms.finished === 1);
    expect(await lmsValue(page, c.status)).toBe('incomplete');
    const log = await lmsLog(page);
    expect(lastSet(log, c.exit)).toBe('suspend');
    if (c.flavour === 'scorm2004') {
      // Under load a few frames may play before the seek lands; what matters is that nothing near the whole counts.
      expect(Number(await lmsValue(page, 'cmi.progress_measure'))).toBeLessThan(0.05);
      expect(await lmsValue(page, 'cmi.objectives.0.completion_status')).not.toBe('completed');
    }
    // The bookmark is the last segment visited.
    expect(await lmsValue(page, c.location)).toBe('second/three');
    await page.close();
  });

  it('resumes at the same segment and position after a reload, with earlier segments still counted; closing calls Finish/Terminate', async () => {
    const page = await newPage();
    let frame = await lms.launch(page, c.flavour, c.target);
    await play(frame);
    // Segment 1 played through; segment 2 played for a while, then paused.
    await frame.waitForFunction(() => {
      const w = globalThis as unknown as PageGlobals;
      const v = (globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike;
      return w.lessonkit.player.state().segment === 1 && v.currentTime > 0.8;
    }, undefined, { timeout: 20000 });
    const position = await frame.evaluate(() => {
      const v = (globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike;
      v.pause();
      return v.currentTime;
    });
    expect(position).toBeLessThan(1.9);
    // The learner closes the course: the page goes away, and the SCO must finish the session itself.
    await page.evaluate(() => (globalThis as unknown as PageGlobals).lms.close());
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).lms.finished === 1, undefined, { timeout: 10000 });
    const log = await lmsLog(page);
    expect(lastSet(log, c.exit)).toBe('suspend');
    expect(lastSet(log, 'cmi.core.session_time') ?? lastSet(log, 'cmi.session_time')).toMatch(c.sessionTime);
    const suspend = await lmsValue(page, 'cmi.suspend_data');
    expect(suspend.length).toBeGreaterThan(0);
    expect(suspend.length).toBeLessThanOrEqual(c.limit);
    expect(Math.max(...log.suspendLengths)).toBeLessThanOrEqual(c.limit);
    const location = await lmsValue(page, c.location);
    expect(location).toBe('intro/two');

    // The LMS starts a new session with what it stored.
    const saved =
      c.flavour === 'scorm12'
        ? { core: { lesson_status: 'incomplete', lesson_location: location, entry: 'resume' }, suspend_data: suspend }
        : { completion_status: 'incomplete', location, entry: 'resume', suspend_data: suspend };
    frame = await lms.launch(page, c.flavour, c.target, saved);
    const resumed = await frame.evaluate(async () => {
      const v = (globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike;
      if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
      await new Promise((r) => setTimeout(r, 200));
      const s = (globalThis as unknown as PageGlobals).lessonkit.player.state();
      return { lesson: s.lesson, segment: s.segment, first: s.segments[0], time: v.currentTime, src: v.getAttribute('src') };
    });
    expect(resumed.lesson).toBe(0);
    expect(resumed.segment).toBe(1);
    expect(resumed.src).toContain('media/intro/two.mp4');
    expect(Math.abs(resumed.time - position)).toBeLessThan(0.3);
    expect(resumed.first).toBe(true);
    await expect(frame.locator('[data-segment="0"] .lk-seg-status').textContent()).resolves.toBe('Watched');
    await expect(frame.locator('[data-segment="1"] button').getAttribute('aria-current')).resolves.toBe('true');
    // Playing only what is left completes the course: the first segment and the first part of the second still count.
    await play(frame);
    await page.waitForFunction((el) => (globalThis as unknown as PageGlobals).lms.api.getCMIValue(el) === 'completed', c.status, { timeout: 30000 });
    await page.close();
  });
});

describe.each(CASES)('$target when the LMS refuses a call', (c) => {
  it('logs the failed call with the LMS error code to the console and carries on', async () => {
    const page = await newPage();
    const logs: string[] = [];
    page.on('console', (m) => logs.push(m.text()));
    const frame = await lms.launch(page, c.flavour, c.target, undefined, c.location);
    await frame.getByRole('button', { name: /^Next video:/ }).click();
    await expect.poll(() => logs.find((l) => l.includes(`SetValue("${c.location}")`)), { timeout: 5000 }).toMatch(new RegExp(`${c.flavour === 'scorm12' ? 'LMSSetValue' : 'SetValue'}\\("${c.location.replace(/\./g, '\\.')}"\\) failed: error 351`));
    // Reading elements the LMS has not set yet (SCORM 2004 answers 403) is not logged as a failure.
    expect(logs.filter((l) => l.includes('GetValue'))).toEqual([]);
    // Everything else is still recorded.
    expect(await lmsValue(page, c.status)).toBe('incomplete');
    expect((await lmsValue(page, 'cmi.suspend_data')).length).toBeGreaterThan(0);
    await page.close();
  });
});

describe.each(CASES)('$target when the page is hidden', (c) => {
  it('commits at once (a hidden LMS tab may never come back), without finishing the session', async () => {
    const page = await newPage();
    const frame = await lms.launch(page, c.flavour, c.target);
    const before = (await lmsLog(page)).commits;
    await frame.evaluate(() => {
      const d = (globalThis as unknown as { document: { dispatchEvent(e: unknown): void } }).document;
      Object.defineProperty(d, 'visibilityState', { value: 'hidden', configurable: true });
      d.dispatchEvent(new (globalThis as unknown as { Event: new (t: string) => unknown }).Event('visibilitychange'));
    });
    const after = await lmsLog(page);
    expect(after.commits).toBe(before + 1);
    expect(after.finished).toBe(0);
    await page.close();
  });
});

describe('a SCORM package opened without an LMS', () => {
  it('says on the page that no LMS was found instead of showing a blank page', async () => {
    const page = await newPage();
    await page.goto(lms.packageUrl('scorm12'));
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toContain('no LMS was found');
    await page.close();
  });
});
