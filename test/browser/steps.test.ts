/**
 * A `lessonkit steps` draft on the (short) sample course: it builds into every target with no
 * validation finding, its workbook page is axe-clean in Chromium, and following a step's time
 * link in the page opens that segment in the player at that time.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticServer } from '../../src/core/preview/static-server.js';
import { unzipInto } from '../../src/core/preview/unzip.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { copyShortSampleCourse } from '../helpers/sample-course.js';
import { launchChromium } from './xapi-harness.js';

const require = createRequire(import.meta.url);

interface Built {
  bundles: { target: string; path: string; findings: unknown[] }[];
  warnings: string[];
}
interface Drafted {
  steps: { segment: string; time: number }[];
}

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let browser: Browser;
let server: StaticServer;
let built: Built;
let drafted: Drafted;

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-steps-browser-');
  const course = path.join(tmp.dir, 'course');
  await copyShortSampleCourse(course, { withoutQuizzes: true });
  // The lesson gets its cheat-sheet from the draft (--write sets it only when none is set).
  const yaml = await readFile(path.join(course, 'course.yaml'), 'utf8');
  await writeFile(path.join(course, 'course.yaml'), yaml.replace('    cheatsheet: workbooks/mobile-access-cheatsheet.md\n', ''));
  const [steps] = await Promise.all([runCli(['steps', 'mobile-access', '--write', '--json'], { cwd: course }), (async () => (browser = await launchChromium()))()]);
  if (steps.code !== 0) throw new Error(`steps failed: ${steps.stderr}`);
  drafted = JSON.parse(steps.stdout) as Drafted;
  const build = await runCli(['build', '--json', '--out', path.join(tmp.dir, 'zips')], { cwd: course });
  if (build.code !== 0) throw new Error(`build failed: ${build.stderr}`);
  built = JSON.parse(build.stdout) as Built;
  const web = built.bundles.find((b) => b.target === 'web');
  await unzipInto(web?.path as string, path.join(tmp.dir, 'site'));
  server = await serveStatic(path.join(tmp.dir, 'site'));
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await tmp?.cleanup();
});

describe('a steps draft in the bundle', () => {
  it('builds into every target with zero validation findings and no warning about the draft', () => {
    expect(built.bundles.map((b) => b.target).sort()).toEqual(['cmi5', 'scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'web', 'xapi']);
    for (const b of built.bundles) expect(b.findings, b.target).toEqual([]);
    expect(built.warnings.filter((w) => w.includes('steps'))).toEqual([]);
  });

  it('renders a workbook page that axe-core finds nothing wrong with, its stills loaded', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}materials/workbooks/mobile-access-steps.html`);
    interface Img {
      complete: boolean;
      naturalWidth: number;
      getAttribute(name: string): string | null;
      addEventListener(type: string, cb: () => void): void;
    }
    const images = await page.$$eval('img', (els) => els.map((e) => (e as unknown as Img).getAttribute('alt')));
    expect(images.length).toBe(drafted.steps.length);
    for (const alt of images) expect(alt).toMatch(/^Step \d+: /);
    const widths = await page.$$eval('img', (els) =>
      Promise.all(els.map((e) => e as unknown as Img).map((i) => (i.complete ? i.naturalWidth : new Promise<number>((r) => i.addEventListener('load', () => r(i.naturalWidth)))))),
    );
    for (const w of widths) expect(w).toBeGreaterThan(0);
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const result = (await page.evaluate(() =>
      (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<unknown> } }).axe.run((globalThis as unknown as { document: unknown }).document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      }),
    )) as { violations: { id: string; nodes: { target: string[] }[] }[] };
    expect(result.violations.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
    await context.close();
  });

  it("a step's link, followed in the cheat-sheet the player opened, opens that segment at that time", async () => {
    const page: Page = await browser.newPage();
    await page.goto(`${server.url}index.html`);
    await page.waitForFunction(() => Boolean((globalThis as unknown as { lessonkit?: { player?: unknown } }).lessonkit?.player));
    // The last step is in the second video, past its start: following it changes segment and time.
    const target = drafted.steps.filter((s) => s.segment === 'enable-mobile' && s.time > 1).pop() ?? drafted.steps[drafted.steps.length - 1];
    expect(target?.segment).toBe('enable-mobile');
    const [sheet] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('link', { name: /^Cheat-sheet:/ }).click()]);
    await sheet.waitForLoadState('load');
    const index = drafted.steps.indexOf(target as Drafted['steps'][number]);
    // The player looks at the page it opened a few times a second and marks it when it listens.
    await sheet.waitForSelector('html[data-lk-time-links]', { state: 'attached' });
    await sheet.getByRole('link', { name: new RegExp(`^Watch step ${index + 1} in the video`) }).click();
    await page.waitForFunction(
      (t) => {
        const v = (globalThis as unknown as { document: { querySelector(s: string): { readyState: number; seeking: boolean; currentTime: number } | null } }).document.querySelector('video');
        return Boolean(v && v.readyState >= 1 && !v.seeking && Math.abs(v.currentTime - t) < 0.3);
      },
      Math.round((target?.time ?? 0) * 10) / 10,
      { timeout: 15_000 },
    );
    expect(await page.evaluate(() => (globalThis as unknown as { lessonkit: { player: { state(): { lesson: number; segment: number } } } }).lessonkit.player.state())).toMatchObject({ lesson: 0, segment: 1 });
    await expect(page.getByText('Video 2 of 2: Turn on mobile access').count()).resolves.toBe(1);
    expect(sheet.url()).not.toContain('#video=');
    await page.close();
  });
});
