/**
 * Sessions in the emulated LMS for the LMS-profile browser tests: the quirks course (three
 * one-second segments and a knowledge check), one build for every profile (each case is the same
 * package with the launch page's LMS settings replaced), and the learner's moves.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import type { LmsRuntime } from '../../src/core/package/lms/index.js';
import { relaunchRecord, startTestLms, writeVariant, type Flavour, type PageGlobals, type Quirks, type TestLms, type VideoLike } from './scorm-lms.js';

/** Three two-second segments; the first lesson ends with a knowledge check (a choice and a typed answer). */
export const QUIRKS_COURSE_YAML = `id: quirks-course
title: Quirks
version: 1.0.0
language: en-GB
completion:
  watchedPercent: 90
  masteryScore: 75
lessons:
  - id: intro
    title: Intro
    segments:
      - { id: one, title: Part one, source: recordings/rec.mp4, from: 0, to: 2 }
      - { id: two, title: Part two, source: recordings/rec.mp4, from: 2, to: 4 }
    quiz: quizzes/intro.yaml
  - id: second
    title: Second lesson
    segments:
      - { id: three, title: Part three, source: recordings/rec.mp4, from: 4, to: 6 }
targets: [scorm12, scorm2004-4th]
`;

export const QUIRKS_QUIZ = `title: Check
attempts: 3
questions:
  - id: menu
    type: single
    prompt: Where do you open a client file?
    choices:
      - { text: Files > Open, correct: true }
      - { text: Settings }
  - id: key
    type: text
    prompt: Which shortcut opens a file?
    accept: [Ctrl+O]
`;

/** Builds the quirks course for SCORM 1.2 and 2004 4th and serves it in the test LMS. */
export function startQuirksLms(): Promise<TestLms> {
  return startTestLms(['scorm12', 'scorm2004-4th'], {
    yaml: QUIRKS_COURSE_YAML,
    seconds: 6,
    prepare: async (dir) => {
      await mkdir(path.join(dir, 'quizzes'), { recursive: true });
      await writeFile(path.join(dir, 'quizzes/intro.yaml'), QUIRKS_QUIZ);
    },
  });
}

const TARGET: Record<Flavour, string> = { scorm12: 'scorm12', scorm2004: 'scorm2004-4th' };

/** A session in the emulated LMS: one page, one profile variant, the LMS's quirks. */
export interface Session {
  page: Page;
  frame: Frame;
  /** Relaunches the course from what the LMS stored (a new session). */
  relaunch(): Promise<Frame>;
}

let variantCount = 0;

/** Opens a new page and launches the course with `runtime` under `quirks`. */
export async function openSession(browser: Browser, lms: TestLms, flavour: Flavour, runtime: LmsRuntime, quirks: Quirks, options: { clock?: boolean } = {}): Promise<Session> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 950 } });
  if (options.clock) await page.clock.install();
  variantCount += 1;
  const launchPage = await writeVariant(lms, TARGET[flavour], `variant-${variantCount}.html`, runtime);
  const layer = quirks;
  const frame = await lms.launch(page, flavour, TARGET[flavour], undefined, undefined, launchPage, layer);
  return {
    page,
    frame,
    async relaunch() {
      const saved = await relaunchRecord(page, flavour, layer);
      return lms.launch(page, flavour, TARGET[flavour], saved, undefined, launchPage, layer);
    },
  };
}

/** Plays from the current segment at `rate`, muted. */
export async function play(frame: Frame, rate: number): Promise<void> {
  await frame.evaluate(async (r) => {
    const v = (globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike;
    if (v.readyState < 1) await new Promise((ok) => v.addEventListener('loadedmetadata', ok, { once: true }));
    v.muted = true;
    v.defaultPlaybackRate = r;
    v.playbackRate = r;
    await v.play();
  }, rate);
}

/** Waits until the player is in segment `segment` (flattened index within its lesson) past `time` seconds. */
export async function reach(frame: Frame, lesson: number, segment: number, time: number): Promise<void> {
  await frame.waitForFunction(
    ([l, s, t]) => {
      const g = globalThis as unknown as PageGlobals;
      const st = g.lessonkit.player.state();
      const v = g.document.querySelector('video') as VideoLike;
      return st.lesson === l && st.segment === s && v.currentTime >= (t ?? 0);
    },
    [lesson, segment, time] as const,
    { timeout: 20_000 },
  );
}

/**
 * Closes the tab (the LMS page's closeTab) the moment the player is in `segment` past `time`
 * seconds: decided inside the content frame, so a busy machine cannot let the video run on first.
 */
export async function closeTabAt(frame: Frame, lesson: number, segment: number, time: number): Promise<void> {
  await frame.waitForFunction(
    ([l, s, t]) => {
      const g = globalThis as unknown as PageGlobals & { parent: { lms: { closeTab(): void } } };
      const st = g.lessonkit.player.state();
      const v = g.document.querySelector('video') as VideoLike;
      if (st.lesson !== l || st.segment !== s || v.currentTime < (t ?? 0)) return false;
      g.parent.lms.closeTab();
      return true;
    },
    [lesson, segment, time] as const,
    { timeout: 20_000, polling: 20 },
  ).catch((err: unknown) => {
    // The frame may already be navigating away, which is what closing the tab does.
    if (!/context was destroyed|frame was detached|navigat/i.test(String(err))) throw err;
  });
}

/** Answers the knowledge check: right, or wrong with `typed` as the typed answer. */
export async function answer(frame: Frame, right: boolean, typed = 'Ctrl+P'): Promise<void> {
  await frame.locator(right ? '#lk-quiz-intro-menu-a' : '#lk-quiz-intro-menu-b').check();
  await frame.locator('#lk-quiz-intro-key-in').fill(right ? 'Ctrl+O' : typed);
  await frame.locator('.lk-quiz-submit').click();
  await frame.locator('.lk-quiz-result').filter({ hasText: /Passed|Not passed|Not recorded/ }).waitFor();
}

/** What the LMS stored (persisted by Commit/Finish), not what is in the run-time's memory. */
export function stored(page: Page): Promise<Record<string, unknown> & { core?: Record<string, unknown>; interactions?: Record<string, Record<string, unknown>> }> {
  return page.evaluate(() => (globalThis as unknown as { lms: { stored: Record<string, unknown> } }).lms.stored ?? {});
}

/** The resumed player's position and segment right after a relaunch. */
export function resumedAt(frame: Frame): Promise<{ lesson: number; segment: number; position: number }> {
  return frame.evaluate(() => {
    const s = (globalThis as unknown as PageGlobals).lessonkit.player.state() as { lesson: number; segment: number; position: number };
    return { lesson: s.lesson, segment: s.segment, position: s.position };
  });
}

