/**
 * Rendered workbook pages in real Chromium, served over HTTP like a bundle: no script errors or
 * CSP violations, bundled images load, axe-core finds nothing, no horizontal scroll at 320 px,
 * keyboard reachable, and the print stylesheet lays the page out for A4 and Letter.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../src/core/context.js';
import { loadCourse } from '../../src/core/course/load.js';
import { serveStatic, type StaticServer } from '../../src/core/preview/static-server.js';
import { renderMaterials } from '../../src/core/workbook/render.js';
import { makeTempDir, REPO } from '../helpers/cli.js';
import { launchChromium } from './xapi-harness.js';

const require = createRequire(import.meta.url);

/** A real greyscale PNG. */
function png(width: number, height: number): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (table[(c ^ x) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  const raw = Buffer.alloc((width + 1) * height, 0x60);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A workbook that stresses the layout: a wide table, a long code line, a big image, long words. */
const STRESS = `# Layout stress test

## A wide table

| Step | Menu path | Shortcut | What you should see | Why it matters | Notes |
| --- | --- | --- | --- | --- | --- |
| 1 | File > Preferences > Advanced > Synchronisation > Mobile | <kbd>Ctrl</kbd>+<kbd>Shift</kbd>+<kbd>M</kbd> | The mobile column shows yes | Phones only see synced folders | Supercalifragilisticexpialidocious-client-folder-name |

## Long code

\`\`\`sh
./portal share clients/northwind-dental/2025/trial-balance-final-reviewed-approved.xlsx --days 7 --read-only --notify accounts@northwind-dental.example.com
\`\`\`

## A big screenshot

![A wide screenshot of the portal](img/wide.png)

## Check yourself

- [ ] I can do it without the video.
- [x] I read the [cheat-sheet](mobile-access-cheatsheet.md).

Visit https://training.example.com/help for more.
`;

let browser: Browser;
let server: StaticServer;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-wb-browser-');
  const course = path.join(tmp.dir, 'course');
  await cp(path.join(REPO, 'fixtures/sample-course'), course, { recursive: true, filter: (src) => !src.includes(`${path.sep}recordings${path.sep}`) || src.endsWith('.srt') });
  await mkdir(path.join(course, 'workbooks/img'), { recursive: true });
  await writeFile(path.join(course, 'workbooks/img/wide.png'), png(1600, 500));
  await writeFile(path.join(course, 'workbooks/stress.md'), STRESS);
  // The stress page is rendered because a workbook links to it (pages linked from pages are bundled).
  await writeFile(path.join(course, 'workbooks/mobile-access.md'), (await readFile(path.join(course, 'workbooks/mobile-access.md'), 'utf8')) + '\nSee the [layout page](stress.md).\n');
  const { course: loaded } = await loadCourse({ dir: course, cwd: course, checkFiles: false });
  const result = await renderMaterials({ course: loaded }, createSilentContext());
  const site = path.join(tmp.dir, 'site');
  for (const f of result.files) {
    const dest = path.join(site, f.pathInBundle);
    await mkdir(path.dirname(dest), { recursive: true });
    if (f.content !== undefined) await writeFile(dest, f.content);
    else if (f.absPath) await cp(f.absPath, dest);
  }
  [browser, server] = await Promise.all([launchChromium(), serveStatic(site)]);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await tmp?.cleanup();
});

const PAGES = ['materials/workbooks/mobile-access.html', 'materials/workbooks/mobile-access-cheatsheet.html', 'materials/workbooks/share-link.html', 'materials/workbooks/stress.html'];

/** Opens a page and collects every console error, page error and CSP violation. */
async function open(p: string, options: { width?: number; bypassCSP?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1024, height: 800 }, bypassCSP: Boolean(options.bypassCSP) });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Some Chromium builds ask the test server for /favicon.ico on their own; that 404 is not the page's.
    if (m.text().startsWith('Failed to load resource') && new URL(m.location().url || 'about:blank').pathname === '/favicon.ico') return;
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()} (${m.location().url})`);
  });
  const response = await page.goto(`${server.url}${p}`);
  expect(response?.status()).toBe(200);
  await page.waitForLoadState('load');
  return { page, errors };
}

describe('workbook pages in Chromium', () => {
  it.each(PAGES)('%s renders with no script errors or CSP violations, its images load, and axe finds nothing', async (p) => {
    const { page, errors } = await open(p);
    // Images are lazy: scroll through so each one loads, then check it decoded.
    await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { querySelectorAll(s: string): { scrollIntoView(): void; loading: string }[] } }).document;
      for (const img of d.querySelectorAll('img')) {
        img.loading = 'eager';
        img.scrollIntoView();
      }
    });
    await page.waitForFunction(() => [...(globalThis as unknown as { document: { images: { complete: boolean }[] } }).document.images].every((i) => i.complete));
    const broken = await page.evaluate(() => [...(globalThis as unknown as { document: { images: { naturalWidth: number; src: string }[] } }).document.images].filter((i) => i.naturalWidth === 0).map((i) => i.src));
    expect(broken).toEqual([]);
    expect(await page.evaluate(() => (globalThis as unknown as { document: { scripts: unknown[] } }).document.scripts.length)).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();

    // axe-core needs its script in the page: only this context bypasses the page's CSP.
    const axeRun = await open(p, { bypassCSP: true });
    await axeRun.page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const violations = await axeRun.page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
      const r = await axe.run((globalThis as unknown as { document: unknown }).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
      return r.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
    });
    expect(violations).toEqual([]);
    await axeRun.page.context().close();
  });

  it.each(PAGES)('%s has no horizontal scroll at 320 px and keeps zoom enabled', async (p) => {
    const { page } = await open(p, { width: 320 });
    const sizes = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelector(s: string): { getAttribute(a: string): string | null } | null } }).document;
      return { scroll: d.documentElement.scrollWidth, client: d.documentElement.clientWidth, viewport: d.querySelector('meta[name="viewport"]')?.getAttribute('content') };
    });
    expect(sizes.scroll).toBeLessThanOrEqual(sizes.client);
    expect(sizes.viewport).toBe('width=device-width, initial-scale=1');
    await page.context().close();
  });

  it('can be worked through with the keyboard: skip link first, then the contents, checkboxes toggle with Space', async () => {
    const { page } = await open('materials/workbooks/stress.html');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(a: string): string } } }).document.activeElement.getAttribute('href'))).toBe('#a-wide-table');
    const box = page.locator('input.task-box').first();
    await box.focus();
    await page.keyboard.press('Space');
    expect(await box.isChecked()).toBe(true);
    expect(await page.getByLabel('I can do it without the video.').isChecked()).toBe(true);
    await page.context().close();
  });

  it('prints: the print stylesheet applies, nothing overflows A4 or Letter, and both paper sizes produce a PDF', async () => {
    const { page, errors } = await open('materials/workbooks/stress.html');
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => {
      const w = globalThis as unknown as { matchMedia(q: string): { matches: boolean }; getComputedStyle(e: unknown): { display: string }; document: { querySelector(s: string): unknown } };
      return { print: w.matchMedia('print').matches, toc: w.getComputedStyle(w.document.querySelector('.lk-toc')).display };
    });
    expect(printed).toEqual({ print: true, toc: 'none' });
    // The printable width of A4 (210 mm) and Letter (8.5 in) less the 15 mm side margins, in CSS px.
    for (const [paper, mm] of [['A4', 210], ['Letter', 215.9]] as const) {
      const width = Math.floor(((mm - 30) * 96) / 25.4);
      await page.setViewportSize({ width, height: 1000 });
      const overflow = await page.evaluate(() => {
        const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
        return d.documentElement.scrollWidth - d.documentElement.clientWidth;
      });
      expect(overflow, paper).toBeLessThanOrEqual(0);
      const pdf = await page.pdf({ format: paper, printBackground: false });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0).toBeGreaterThanOrEqual(1);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
