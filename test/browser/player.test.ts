/**
 * The player itself, from a real `web` bundle in Chromium: accessibility (axe-core, WCAG 2.2
 * AA), 320 px without horizontal scroll, keyboard operation, escaping of author text, captions
 * and transcript, materials, no requests outside the bundle, and resume from localStorage.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { launchChromium } from './xapi-harness.js';
import { speedUp, startTestLms, type PageGlobals, type TestLms, type VideoLike } from './scorm-lms.js';

let browser: Browser;
let site: TestLms;
const requests: string[] = [];
const dialogs: string[] = [];

beforeAll(async () => {
  [browser, site] = await Promise.all([launchChromium(), startTestLms(['web'])]);
});
afterAll(async () => {
  await browser?.close();
  await site?.cleanup();
});

async function open(width = 1100): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(site.packageUrl('web'));
  await page.waitForFunction(() => Boolean((globalThis as unknown as { lessonkit?: { player?: unknown } }).lessonkit?.player));
  return page;
}

interface AxeResult {
  violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
}

describe('the player (web bundle)', () => {
  it('has no axe-core violations (WCAG 2.0-2.2 A and AA), takes lang from course.yaml and keeps zoom enabled', async () => {
    const page = await open();
    // The transcript is filled once the captions track has loaded.
    await page.getByRole('button', { name: /Second cue/ }).waitFor();
    await page.addScriptTag({ content: await readFile(path.join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8') });
    const result = await page.evaluate(() =>
      (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<unknown> } }).axe.run(
        (globalThis as unknown as { document: unknown }).document,
        { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } },
      ),
    ) as AxeResult;
    expect(result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    expect(await page.getAttribute('html', 'lang')).toBe('en-GB');
    const viewport = await page.getAttribute('meta[name="viewport"]', 'content');
    expect(viewport).not.toMatch(/user-scalable\s*=\s*no|maximum-scale/);
    await page.close();
  });

  it('fits 320 px without horizontal scrolling, and axe still finds nothing there', async () => {
    const page = await open(320);
    const widths = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
      return { scroll: d.documentElement.scrollWidth, client: d.documentElement.clientWidth };
    });
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    expect(widths.client).toBeLessThanOrEqual(320);
    await page.addScriptTag({ content: await readFile(path.join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8') });
    const result = await page.evaluate(() =>
      (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<unknown> } }).axe.run((globalThis as unknown as { document: unknown }).document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'] },
      }),
    ) as AxeResult;
    expect(result.violations.map((v) => v.id)).toEqual([]);
    await page.close();
  });

  it('is operable with the keyboard alone, with a visible focus indicator', async () => {
    const page = await open();
    // Tab until the Next control has focus.
    let label = '';
    for (let i = 0; i < 40 && !label.startsWith('Next video:'); i += 1) {
      await page.keyboard.press('Tab');
      label = await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('aria-label') ?? '');
    }
    expect(label).toBe('Next video: Part two');
    const outline = await page.evaluate(() => {
      const g = globalThis as unknown as { document: { activeElement: unknown }; getComputedStyle(e: unknown): { outlineStyle: string; outlineWidth: string } };
      const s = g.getComputedStyle(g.document.activeElement);
      return `${s.outlineStyle} ${s.outlineWidth}`;
    });
    expect(outline).toBe('solid 3px');
    await page.keyboard.press('Enter');
    await expect(page.locator('.lk-segment-title').textContent()).resolves.toBe('Video 2 of 2: Part two');
    // Next again crosses into the second lesson.
    await page.keyboard.press('Enter');
    await expect(page.locator('.lk-lesson-title').textContent()).resolves.toBe('Second lesson');
    await expect(page.locator('[data-lesson="1"] button').getAttribute('aria-current')).resolves.toBe('true');
    await page.close();
  });

  it('shows author text as text (a <script> title never runs) and makes no request outside the bundle', async () => {
    requests.length = 0;
    dialogs.length = 0;
    const page = await open();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Demo <script>alert(1)</script> & more');
    await expect(page.locator('.lk-lesson-title').textContent()).resolves.toBe('Intro </script><script>alert(2)</script>');
    await expect(page.title()).resolves.toBe('Demo <script>alert(1)</script> & more');
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(requests.length).toBeGreaterThan(2);
    for (const url of requests) expect(url.startsWith(site.server.url)).toBe(true);
    await page.close();
  });

  it('offers captions, a transcript that seeks, posters, durations and the workbook', async () => {
    const page = await open();
    const cue = page.getByRole('button', { name: /Second cue/ });
    await cue.waitFor();
    // Cue text is shown as a viewer reads it: character references decoded, never as markup.
    await expect(page.locator('.lk-cue').first().textContent()).resolves.toBe('0:00 Hello <b>there</b>');
    await cue.click();
    const t = await page.evaluate(() => ((globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike).currentTime);
    expect(t).toBeCloseTo(1.0, 1);
    await expect(page.locator('video track[kind="captions"]').getAttribute('srclang')).resolves.toBe('en-GB');
    await expect(page.locator('.lk-playlist img.lk-poster').count()).resolves.toBe(2);
    await expect(page.locator('[data-segment="0"] .lk-sr').textContent()).resolves.toMatch(/^2 seconds$/);
    const workbook = page.getByRole('link', { name: /^Workbook: / });
    await expect(workbook.count()).resolves.toBe(1);
    await expect(workbook.getAttribute('href')).resolves.toMatch(/^materials\/.+\.html$/);
    // The workbook link leads to a file inside the bundle.
    const res = await page.request.get(new URL((await workbook.getAttribute('href')) ?? '', page.url()).href);
    expect(res.status()).toBe(200);
    await expect(page.getByText('Open a client file from a phone').isVisible()).resolves.toBe(true);
    await page.close();
  });

  it('counts only played time, and resumes from localStorage in the web target', async () => {
    const page = await open();
    await page.getByLabel('Play the next video automatically').uncheck();
    await speedUp(page.mainFrame());
    await page.evaluate(() => ((globalThis as unknown as PageGlobals).document.querySelector('video') as VideoLike).play());
    await page.locator('[data-segment="0"] .lk-seg-status').filter({ hasText: /^Watched$/ }).waitFor({ timeout: 15000 });
    await expect(page.locator('.lk-overall-text').textContent()).resolves.toBe('33%');
    await page.reload();
    await page.waitForFunction(() => Boolean((globalThis as unknown as { lessonkit?: { player?: unknown } }).lessonkit?.player));
    await expect(page.locator('[data-segment="0"] .lk-seg-status').textContent()).resolves.toBe('Watched');
    await expect(page.locator('.lk-overall-text').textContent()).resolves.toBe('33%');
    await page.close();
  });
});
