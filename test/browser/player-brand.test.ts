/**
 * The player's second edition in real Chromium: a brand theme (accent, logo) and the default
 * look both pass axe-core at 1280 and 320 px with the shortcuts dialog, the chapter list and a
 * transcript search on screen; the accent reaches the rendered pixels; every keyboard shortcut
 * works in the player and none fires while typing a quiz answer; chapters and transcript search
 * seek; speed is remembered; and against scorm-again, a segment watched at 2x counts while one
 * sought to its end does not.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateMediaTools } from '../../src/core/media/locate.js';
import { REPO } from '../helpers/cli.js';
import { launchChromium } from './xapi-harness.js';
import { lmsLog, lastSet, startTestLms, type PageGlobals, type TestLms, type VideoLike } from './scorm-lms.js';

const run = promisify(execFile);

const yaml = (theme: string) => `id: brand-course
title: Brand course
language: en-US
${theme}lessons:
  - id: intro
    title: Getting started
    segments:
      - id: long
        title: The long one
        source: recordings/rec.mp4
        from: 0
        to: 24
        captions: recordings/rec.srt
        chapters:
          - { time: 0, title: Opening }
          - { time: "00:08", title: Settings }
          - { time: 16, title: Wrap-up }
      - id: short
        title: The short one
        source: recordings/rec.mp4
        from: 24
        to: 26
    quiz: quizzes/check.yaml
  - id: second
    title: Second lesson
    segments:
      - id: last
        title: The last one
        source: recordings/rec.mp4
        from: 26
        to: 28
targets: [scorm12]
`;

const ACCENT = '#8a1c7c';
const BRAND = `theme:\n  accent: "${ACCENT}"\n  logo: brand/logo.png\n  logoAlt: Acme Software\n  font: serif\n`;

async function prepare(dir: string): Promise<void> {
  const { ffmpeg } = await locateMediaTools({ env: process.env });
  await mkdir(path.join(dir, 'brand'), { recursive: true });
  await mkdir(path.join(dir, 'quizzes'), { recursive: true });
  await run(ffmpeg.path, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x8a1c7c:s=120x40', '-frames:v', '1', path.join(dir, 'brand/logo.png')]);
  await writeFile(path.join(dir, 'recordings/rec.srt'), '1\n00:00:00,200 --> 00:00:01,000\nHello there\n\n2\n00:00:09,000 --> 00:00:10,500\nOpen the settings page\n\n3\n00:00:12,000 --> 00:00:13,500\nSearch finds this line\n');
  await writeFile(path.join(dir, 'quizzes/check.yaml'), 'questions:\n  - id: name\n    type: text\n    prompt: Type the command name\n    accept: [status]\n');
}

let browser: Browser;
let plain: TestLms;
let brand: TestLms;

beforeAll(async () => {
  [browser, plain, brand] = await Promise.all([
    launchChromium(),
    startTestLms(['web', 'scorm12'], { yaml: yaml(''), seconds: 28, prepare }),
    startTestLms(['web'], { yaml: yaml(BRAND), seconds: 28, prepare }),
  ]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await plain?.cleanup();
  await brand?.cleanup();
});

async function open(site: TestLms, width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(site.packageUrl('web'));
  await page.waitForFunction(() => Boolean((globalThis as unknown as { lessonkit?: { player?: unknown } }).lessonkit?.player));
  await page.getByRole('button', { name: /Search finds this line/ }).waitFor();
  return page;
}

type Axe = { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } };
async function axe(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: await readFile(path.join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8') });
  const result = await page.evaluate(() =>
    (globalThis as unknown as Axe).axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
  );
  return result.violations.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

const video = (page: Page | Frame) => page.evaluate(() => {
  const v = (globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike & { paused: boolean; textTracks: { kind: string; mode: string }[] };
  return { time: v.currentTime, paused: v.paused, muted: v.muted, rate: v.playbackRate, captions: Array.from(v.textTracks).find((t) => t.kind === 'captions')?.mode };
});

/** Seeks the video once its metadata is there, and waits until the seek is done. */
const seekTo = (page: Page | Frame, time: number) => page.evaluate(async (t) => {
  const v = (globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike;
  if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
  const done = new Promise((r) => v.addEventListener('seeked', r, { once: true }));
  v.currentTime = t;
  await done;
}, time);

describe('the player, second edition', () => {
  for (const [name, site] of [['default', () => plain], ['brand', () => brand]] as const) {
    for (const width of [1280, 320]) {
      it(`${name} theme at ${width} px: axe finds nothing with the chapters, a transcript search and the shortcuts dialog open`, async () => {
        const page = await open(site(), width);
        if (width === 320) {
          const w = await page.evaluate(() => {
            const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
            return { scroll: d.scrollWidth, client: d.clientWidth };
          });
          expect(w.scroll).toBeLessThanOrEqual(w.client);
          // The lesson list is folded into a menu: the video comes before it on screen.
          await expect(page.locator('.lk-lesson-list').isVisible()).resolves.toBe(false);
          const top = await page.locator('video').boundingBox();
          expect(top?.y ?? 9999).toBeLessThan(400);
          await page.getByRole('button', { name: 'Lessons' }).click();
          await expect(page.locator('.lk-lesson-list').isVisible()).resolves.toBe(true);
        }
        await expect(page.getByRole('list').filter({ hasText: 'Settings' }).getByRole('button').count()).resolves.toBe(3);
        await page.getByLabel('Search the transcript').fill('settings');
        await expect(page.locator('.lk-transcript mark').count()).resolves.toBe(1);
        expect(await axe(page)).toEqual([]);
        await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
        await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible()).resolves.toBe(true);
        expect(await axe(page)).toEqual([]);
        await page.keyboard.press('Escape');
        await expect(page.getByRole('dialog').count()).resolves.toBe(0);
        await page.close();
      });
    }
  }

  it('paints buttons in the brand accent, uses the theme font and shows the logo; the default look keeps its blue', async () => {
    const { ffmpeg } = await locateMediaTools({ env: process.env });
    const colourOf = async (page: Page) => {
      const shot = await page.getByRole('button', { name: 'Keyboard shortcuts' }).screenshot();
      // ffmpeg decodes the screenshot (PNG) to raw RGB: no image library needed.
      const stdout = execFileSync(ffmpeg.path, ['-v', 'error', '-f', 'png_pipe', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { input: shot, maxBuffer: 1 << 24 });
      // The most common pixel of the button is its background.
      const counts = new Map<string, number>();
      for (let i = 0; i + 2 < stdout.length; i += 3) {
        const hex = `#${[stdout[i], stdout[i + 1], stdout[i + 2]].map((c) => (c ?? 0).toString(16).padStart(2, '0')).join('')}`;
        counts.set(hex, (counts.get(hex) ?? 0) + 1);
      }
      return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
    };
    const branded = await open(brand);
    expect(await colourOf(branded)).toBe(ACCENT);
    const logo = branded.getByRole('img', { name: 'Acme Software' });
    await expect(logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).resolves.toBe(120);
    await expect(branded.locator('body').evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontFamily: string } }).getComputedStyle(b).fontFamily)).resolves.toMatch(/^Georgia/);
    await branded.close();
    const plainPage = await open(plain);
    expect(await colourOf(plainPage)).toBe('#0b5cad');
    await expect(plainPage.locator('.lk-logo').count()).resolves.toBe(0);
    await plainPage.close();
  });

  it('runs each shortcut while focus is in the player, and none while typing the quiz answer', async () => {
    const page = await open(plain);
    await page.evaluate(() => {
      const v = (globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike & { focus(): void };
      v.muted = true;
      v.focus();
    });
    await page.keyboard.press('k');
    await page.waitForFunction(() => !((globalThis as unknown as PageGlobals).document.querySelector('video') as unknown as { paused: boolean }).paused);
    await page.keyboard.press('k');
    expect((await video(page)).paused).toBe(true);
    await page.keyboard.press(' ');
    expect((await video(page)).paused).toBe(false);
    await page.keyboard.press(' ');
    expect((await video(page)).paused).toBe(true);
    const at = async () => Math.round((await video(page)).time);
    await seekTo(page, 12);
    await page.keyboard.press('l');
    expect(await at()).toBe(22);
    await page.keyboard.press('j');
    expect(await at()).toBe(12);
    await page.keyboard.press('ArrowRight');
    expect(await at()).toBe(17);
    await page.keyboard.press('ArrowLeft');
    expect(await at()).toBe(12);
    expect((await video(page)).captions).toBe('showing');
    await page.keyboard.press('c');
    expect((await video(page)).captions).toBe('hidden');
    await page.keyboard.press('c');
    expect((await video(page)).captions).toBe('showing');
    await page.keyboard.press('m');
    expect((await video(page)).muted).toBe(false);
    await page.keyboard.press('m');
    expect((await video(page)).muted).toBe(true);
    await page.keyboard.press('f');
    await page.waitForFunction(() => Boolean((globalThis as unknown as { document: { fullscreenElement: unknown } }).document.fullscreenElement));
    await page.keyboard.press('f');
    await page.waitForFunction(() => !(globalThis as unknown as { document: { fullscreenElement: unknown } }).document.fullscreenElement);
    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible()).resolves.toBe(true);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('dialog').count()).resolves.toBe(0);
    // Typing the quiz's text answer: every key goes into the field, none into the player.
    const before = await video(page);
    const answer = page.getByLabel('1. Type the command name');
    await answer.click();
    await page.keyboard.type('k jl?cmf');
    await page.keyboard.press('ArrowLeft');
    await expect(answer.inputValue()).resolves.toBe('k jl?cmf');
    expect(await video(page)).toEqual(before);
    await expect(page.getByRole('dialog').count()).resolves.toBe(0);
    await page.close();
  });

  it('shows chapters from course.yaml on the timeline and as a list that seeks, with a WebVTT chapters track', async () => {
    const page = await open(plain);
    await expect(page.locator('.lk-timeline .lk-mark').count()).resolves.toBe(3);
    const lefts = await page.locator('.lk-timeline .lk-mark').evaluateAll((els) => els.map((e) => (e as unknown as { style: { left: string } }).style.left));
    expect(lefts.map((l) => Math.round(parseFloat(l)))).toEqual([0, 33, 67]);
    await page.getByRole('button', { name: '0:08 Settings' }).click();
    expect(Math.round((await video(page)).time)).toBe(8);
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('.lk-chapter[aria-current="true"]')?.textContent === '0:08 Settings');
    await page.locator('.lk-timeline .lk-mark').nth(2).click();
    expect(Math.round((await video(page)).time)).toBe(16);
    const track = await page.locator('video track[kind="chapters"]').getAttribute('src');
    const vtt = await (await page.request.get(new URL(track ?? '', page.url()).href)).text();
    expect(vtt).toMatch(/^WEBVTT\n\n1\n00:00:00\.000 --> 00:00:08\.000\nOpening\n/);
    expect(vtt).toContain('00:00:16.000 --> 00:00:24.000\nWrap-up');
    await page.close();
  });

  it('finds words in the transcript, marks them, and Enter seeks to each match in turn', async () => {
    const page = await open(plain);
    const search = page.getByLabel('Search the transcript');
    await search.fill('th');
    await expect(page.locator('.lk-transcript mark').count()).resolves.toBe(3);
    await expect(page.locator('.lk-tr-status').textContent()).resolves.toBe('3 lines found. Press Enter to go to the next.');
    await search.press('Enter');
    expect((await video(page)).time).toBeCloseTo(0.2, 1);
    await search.press('Enter');
    expect((await video(page)).time).toBeCloseTo(9, 1);
    await expect(page.locator('.lk-tr-status').textContent()).resolves.toBe('Line 2 of 3, at 0:09.');
    // Focus stays in the search box, so Enter keeps going.
    await expect(search.evaluate((e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).resolves.toBe(true);
    await search.fill('nowhere');
    await expect(page.locator('.lk-tr-status').textContent()).resolves.toBe('Not found in this video.');
    await expect(page.getByRole('link', { name: 'Download the transcript (text)' }).getAttribute('download')).resolves.toBe('long-transcript.txt');
    // The transcript follows the video: the line being spoken is marked, focus stays in the search box.
    await seekTo(page, 12.5);
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string } | null } }).document.querySelector('.lk-cue[aria-current="true"]')?.textContent === '0:12 Search finds this line');
    await expect(search.evaluate((e) => e === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).resolves.toBe(true);
    await page.close();
  });

  it('remembers the speed across sessions and offers to continue where the learner left off', async () => {
    const page = await open(plain);
    await page.getByLabel('Speed').selectOption('1.5');
    await page.getByLabel('Caption size').selectOption('2');
    await seekTo(page, 12);
    await page.getByRole('button', { name: /^The short one/ }).click();
    await page.getByRole('button', { name: /^The long one/ }).click();
    await seekTo(page, 12);
    await page.evaluate(() => (globalThis as unknown as { lessonkit: { player: { exit(): Promise<void> } } }).lessonkit.player.exit());
    await page.reload();
    await page.waitForFunction(() => Boolean((globalThis as unknown as { lessonkit?: { player?: unknown } }).lessonkit?.player));
    await expect(page.getByLabel('Speed').inputValue()).resolves.toBe('1.5');
    await expect(page.getByLabel('Caption size').inputValue()).resolves.toBe('2');
    expect((await video(page)).rate).toBe(1.5);
    await page.getByRole('button', { name: 'Continue where you left off (lesson 1, 0:12)' }).click();
    await page.waitForFunction(() => !((globalThis as unknown as PageGlobals).document.querySelector('video') as unknown as { paused: boolean }).paused);
    expect((await video(page)).time).toBeGreaterThanOrEqual(12);
    await page.close();
  });

  it('in scorm-again: a segment watched to its end at 2x counts as watched; one sought to its end does not', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 950 } });
    page.on('pageerror', (err) => {
      throw err;
    });
    const frame = await plain.launch(page, 'scorm12', 'scorm12');
    await frame.getByLabel('Play the next video automatically').uncheck();
    await frame.getByLabel('Speed').selectOption('2');
    await frame.getByRole('button', { name: /^The short one/ }).click();
    await frame.evaluate(() => {
      ((globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike).muted = true;
    });
    await frame.waitForFunction(() => (globalThis as unknown as PageGlobals).lessonkit.player.state().segments[1] === true, undefined, { timeout: 20000 });
    expect((await video(frame)).rate).toBe(2);
    // The last segment: sought to its end, never played.
    await frame.getByRole('button', { name: /^Next video/ }).click();
    await frame.evaluate(async () => {
      const v = (globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike;
      v.pause();
      if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }));
      v.currentTime = v.duration;
    });
    await frame.getByRole('button', { name: 'Exit course' }).click();
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).lms.finished === 1);
    const log = await lmsLog(page);
    const suspend = lastSet(log, 'cmi.suspend_data') ?? '';
    const parts = suspend.split('~');
    // Segments in course order: long (not watched), short (watched at 2x: '*'), last (sought only: nothing).
    expect(parts[3]?.split(',')).toEqual(['', '*', '']);
    // The speed is in the resume data, inside SCORM 1.2's 4096 characters.
    expect(parts.at(-1)).toBe(`${(200).toString(36)}.0.0`);
    expect(suspend.length).toBeLessThanOrEqual(4096);
    expect(lastSet(log, 'cmi.core.lesson_status')).toBe('incomplete');
    await page.close();
  });
});

