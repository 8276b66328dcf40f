/**
 * `lessonkit preview` in Chromium: the panel page (the LMS) runs the built course for every
 * LMS target, shows the runtime calls or statements and the final completed status, resumes
 * on Relaunch and starts over on Reset; it is axe-clean, fits 320 px and works from the
 * keyboard. Vendor SCORM 1.2 and 2004 packages open from their zip without writing into the
 * working folder. The course is built once for the whole file (3 segments of 2 s, played at 4x).
 */
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../src/core/context.js';
import { startPreview, type PreviewServer } from '../../src/core/preview/preview.js';
import { contentFrame } from '../../src/core/preview/play.js';
import { launchTestBrowser } from '../helpers/browser.js';
import { makeTempDir, REPO } from '../helpers/cli.js';
import { DEFAULT_COURSE_YAML, makeMediaCourse } from '../helpers/media-course.js';
import { zipFiles, type Files } from '../unit/validate/helpers/packages.js';


interface PlayerGlobal {
  lessonkit?: { player?: { summary(): { completed: boolean; overall: number }; state(): { lesson: number; segment: number; position: number } }; error?: string };
  document: { querySelector(s: string): { currentTime: number; paused: boolean; playbackRate: number; defaultPlaybackRate: number; muted: boolean; pause(): void; play(): Promise<void> } | null };
}
interface AxeResult {
  violations: { id: string; help: string; nodes: { target: string[] }[] }[];
}

let browser: Browser;
let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let preview: PreviewServer;

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-preview-browser-');
  const course = path.join(tmp.dir, 'course');
  await makeMediaCourse(course, { yaml: DEFAULT_COURSE_YAML.replace('version: 1.0.0\n', 'version: 1.0.0\niri: https://training.example.com/courses/demo\n') });
  preview = await startPreview({ cwd: tmp.dir, input: course, targets: ['scorm12', 'scorm2004-4th', 'xapi', 'cmi5'], cacheDir: path.join(tmp.dir, 'cache'), env: process.env }, createSilentContext());
  browser = await launchTestBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await preview?.close();
  await tmp?.cleanup();
});

/** Waits for the player in the content frame; with `previous`, for a new page (the old one was marked by {@link markOld}). */
async function startPlayer(page: Page, previous?: Frame): Promise<Frame> {
  const frame = await contentFrame(page);
  if (previous) await frame.waitForFunction(() => !(globalThis as unknown as { lkOld?: boolean }).lkOld && (globalThis as unknown as { location: { href: string } }).location.href.includes('/pkg/'), undefined, { timeout: 20_000 });
  await frame.waitForFunction(() => Boolean((globalThis as unknown as PlayerGlobal).lessonkit?.player || (globalThis as unknown as PlayerGlobal).lessonkit?.error), undefined, { timeout: 20_000 });
  expect(await frame.evaluate(() => (globalThis as unknown as PlayerGlobal).lessonkit?.error)).toBeUndefined();
  return frame;
}

/** Marks the page in the content frame, so {@link startPlayer} can tell the relaunched one apart (the Frame object stays the same). */
async function markOld(frame: Frame): Promise<void> {
  await frame.evaluate(() => {
    (globalThis as unknown as { lkOld?: boolean }).lkOld = true;
  });
}

async function play(frame: Frame): Promise<void> {
  await frame.evaluate(async () => {
    const v = (globalThis as unknown as PlayerGlobal).document.querySelector('video');
    if (!v) throw new Error('no video');
    v.muted = true;
    v.defaultPlaybackRate = 4;
    v.playbackRate = 4;
    await v.play();
  });
}

async function open(target: string, width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const id = preview.packages.find((p) => p.target === target)?.description.launchables[0]?.id ?? '';
  await page.goto(`${preview.url}#target=${encodeURIComponent(target)}&id=${encodeURIComponent(id)}`);
  return page;
}

const logText = (page: Page) => page.locator('#lk-log').innerText();
const recordValue = (page: Page, label: string) => page.locator(`#lk-record dt:text-is("${label}") + dd`).innerText();

describe('preview panel', () => {
  it.each([
    ['scorm12', 'LMSSetValue("cmi.core.lesson_status", "completed") \u2192 "true"', 'LMSInitialize("") \u2192 "true"'],
    ['scorm2004-4th', 'SetValue("cmi.completion_status", "completed") \u2192 "true"', 'Initialize("") \u2192 "true"'],
    ['xapi', '[statement] completed https://', '[statement] initialized'],
    ['cmi5', '[statement] completed https://', '[statement] LMS: launched'],
  ])('%s: shows the calls or statements and the final completed status', { timeout: 90_000 }, async (target, finalCall, firstCall) => {
    const page = await open(target);
    try {
      const frame = await startPlayer(page);
      await play(frame);
      await frame.waitForFunction(() => (globalThis as unknown as PlayerGlobal).lessonkit?.player?.summary().completed === true, undefined, { timeout: 60_000 });
      await page.locator('#lk-status.done').waitFor({ timeout: 15_000 });
      expect(await page.locator('#lk-status').innerText()).toMatch(/^Completed/);
      expect(await recordValue(page, 'Completion')).toBe('completed');
      const log = await logText(page);
      // Nothing the LMS refused: no failed write or commit, no statement rejected.
      expect(preview.log.filter((e) => e.launch === preview.records().find((r) => r.target === target)?.key && e.level === 'error').map((e) => `${e.text} ${e.error}`)).toEqual([]);
      expect(preview.log.filter((e) => e.kind === 'request' && e.level === 'error').map((e) => `${e.text} ${e.error}`)).toEqual([]);
      expect(log).toContain(firstCall);
      expect(log).toContain(finalCall);
      const state = preview.records().find((r) => r.target === target);
      expect(state?.record.completed).toBe(true);
      if (target === 'scorm12') expect(await recordValue(page, 'suspend_data')).toMatch(/^\d+ of 4096 characters/);
    } finally {
      await page.close();
    }
  });

  it.each([['scorm2004-4th'], ['cmi5']])('%s: Relaunch resumes at the saved position; Reset clears the record', { timeout: 90_000 }, async (target) => {
    const page = await open(target);
    try {
      const key = preview.records().find((r) => r.target === target)?.key ?? '';
      // Start over whatever an earlier test left.
      let frame = await startPlayer(page);
      await markOld(frame);
      await page.click('#lk-reset');
      frame = await startPlayer(page, frame);
      await play(frame);
      await frame.waitForFunction(() => {
        const p = (globalThis as unknown as PlayerGlobal).lessonkit?.player;
        const v = (globalThis as unknown as PlayerGlobal).document.querySelector('video');
        return p !== undefined && p.state().segment === 1 && (v?.currentTime ?? 0) > 0.6;
      }, undefined, { timeout: 30_000 });
      const saved = await frame.evaluate(() => {
        const v = (globalThis as unknown as PlayerGlobal).document.querySelector('video');
        v?.pause();
        return { ...(globalThis as unknown as PlayerGlobal).lessonkit!.player!.state(), time: v?.currentTime ?? 0 };
      });
      await markOld(frame);
      await page.click('#lk-relaunch');
      frame = await startPlayer(page, frame);
      const resumed = await frame.evaluate(() => (globalThis as unknown as PlayerGlobal).lessonkit!.player!.state());
      expect([resumed.lesson, resumed.segment]).toEqual([saved.lesson, saved.segment]);
      expect(resumed.position).toBeGreaterThan(0.4);
      expect(Math.abs(resumed.position - saved.time)).toBeLessThan(0.6);
      expect(preview.records().find((r) => r.key === key)?.record.sessions).toBe(2);
      expect(await recordValue(page, 'Sessions')).toBe('2');

      await markOld(frame);
      await page.click('#lk-reset');
      frame = await startPlayer(page, frame);
      const fresh = await frame.evaluate(() => ({ state: (globalThis as unknown as PlayerGlobal).lessonkit!.player!.state(), overall: (globalThis as unknown as PlayerGlobal).lessonkit!.player!.summary().overall }));
      expect([fresh.state.lesson, fresh.state.segment, fresh.state.position]).toEqual([0, 0, 0]);
      expect(fresh.overall).toBe(0);
      const record = preview.records().find((r) => r.key === key)?.record;
      expect(record?.sessions).toBe(1);
      expect(record?.completed).toBe(false);
      expect(await page.locator('#lk-log').innerText()).toContain("Reset the learner's record");
    } finally {
      await page.close();
    }
  });

  it('seeking in a video works (range requests)', { timeout: 60_000 }, async () => {
    const page = await open('scorm12');
    try {
      const frame = await startPlayer(page);
      const seeked = await frame.evaluate(
        () =>
          new Promise<{ time: number; readyState: number }>((resolve, reject) => {
            const v = (globalThis as unknown as { document: { querySelector(s: string): { duration: number; currentTime: number; readyState: number; addEventListener(t: string, f: () => void, o?: unknown): void } | null } }).document.querySelector('video');
            if (!v) return reject(new Error('no video'));
            const go = () => {
              v.addEventListener('seeked', () => resolve({ time: v.currentTime, readyState: v.readyState }), { once: true });
              v.currentTime = v.duration * 0.75;
            };
            if (v.readyState >= 1) go();
            else v.addEventListener('loadedmetadata', go, { once: true });
            setTimeout(() => reject(new Error('no seeked event')), 15000);
          }),
      );
      expect(seeked.time).toBeGreaterThan(1);
      expect(seeked.readyState).toBeGreaterThanOrEqual(1);
    } finally {
      await page.close();
    }
  });

  it('escapes author text, is axe-clean, fits 320 px and works from the keyboard', { timeout: 60_000 }, async () => {
    const page = await open('scorm12', 320);
    try {
      let dialogs = 0;
      page.on('dialog', (d) => {
        dialogs += 1;
        void d.dismiss();
      });
      await startPlayer(page);
      expect(await page.locator('h1 .course').innerText()).toContain('<script>alert(1)</script>');
      const widths = await page.evaluate(() => {
        const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
        return { scroll: d.documentElement.scrollWidth, client: d.documentElement.clientWidth };
      });
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      await page.addScriptTag({ content: await readFile(path.join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8') });
      for (const width of [320, 1280]) {
        await page.setViewportSize({ width, height: 900 });
        const result = (await page.evaluate(() =>
          (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<unknown> } }).axe.run((globalThis as unknown as { document: unknown }).document, {
            iframes: false,
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
          }),
        )) as AxeResult;
        expect(result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
      }
      expect(await page.getAttribute('meta[name="viewport"]', 'content')).not.toMatch(/user-scalable\s*=\s*no|maximum-scale/);
      // Every control is reached with Tab, and Relaunch works from the keyboard.
      const reached = new Set<string>();
      await page.focus('body');
      for (let i = 0; i < 12; i += 1) {
        await page.keyboard.press('Tab');
        reached.add(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id ?? ''));
        if (reached.has('lk-relaunch')) break;
      }
      expect([...reached]).toEqual(expect.arrayContaining(['lk-target', 'lk-item', 'lk-launch', 'lk-relaunch']));
      const before = preview.records().find((r) => r.target === 'scorm12')?.record.sessions ?? 0;
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => true);
      await expect.poll(() => preview.records().find((r) => r.target === 'scorm12')?.record.sessions, { timeout: 10_000 }).toBe(before + 1);
      expect(dialogs).toBe(0);
    } finally {
      await page.close();
    }
  });
});

/** A SCORM zip around a sample manifest: every SCO's launch file is a stub that completes through the API. */
async function sampleZip(dir: string, manifest: string, version: '1.2' | '2004'): Promise<string> {
  const pkg = path.join(dir, `pkg-${version}`);
  await mkdir(pkg, { recursive: true });
  const xml = await readFile(path.join(REPO, 'fixtures/samples', manifest), 'utf8');
  await writeFile(path.join(pkg, 'imsmanifest.xml'), xml);
  const stub =
    version === '1.2'
      ? `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SCO</title></head><body><p>Stub SCO</p><script>
var api = null; for (var w = window; w && !api; w = w.parent === w ? null : w.parent) api = w.API || null;
api.LMSInitialize(''); api.LMSSetValue('cmi.core.lesson_status', 'completed'); api.LMSSetValue('cmi.core.session_time', '0000:00:05.00'); api.LMSCommit(''); api.LMSFinish('');
</script></body></html>`
      : `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SCO</title></head><body><p>Stub SCO</p><script>
var api = null; for (var w = window; w && !api; w = w.parent === w ? null : w.parent) api = w.API_1484_11 || null;
api.Initialize(''); api.SetValue('cmi.completion_status', 'completed'); api.SetValue('cmi.success_status', 'passed'); api.SetValue('cmi.session_time', 'PT5S'); api.Commit(''); api.Terminate('');
</script></body></html>`;
  for (const m of xml.matchAll(/href="([^"?#]+\.html?)"/g)) {
    const base = /xml:base="([^"]*)"/.exec(xml.slice(0, m.index).split('<resource ').pop() ?? '')?.[1] ?? '';
    const file = path.join(pkg, base, m[1] ?? '');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, stub);
  }
  const zip = path.join(dir, 'work', `vendor-${version}.zip`);
  await mkdir(path.dirname(zip), { recursive: true });
  // Zipped with the test zip writer (a fresh machine may have no zip tool).
  const files: Files = {};
  for (const entry of await readdir(pkg, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(pkg, full).split(path.sep).join('/')] = await readFile(full);
  }
  await writeFile(zip, zipFiles(files));
  return zip;
}

describe('vendor packages from fixtures/samples', () => {
  it.each([
    ['1.2', 'scorm12/golf_singlesco_imsmanifest.xml', 'LMSSetValue("cmi.core.lesson_status", "completed") \u2192 "true"'],
    ['2004', 'scorm2004-3rd/golf_runtimebasiccalls_imsmanifest.xml', 'SetValue("cmi.success_status", "passed") \u2192 "true"'],
  ] as const)('SCORM %s opens from its zip and launches; nothing is written into the working folder', { timeout: 60_000 }, async (version, manifest, call) => {
    const zip = await sampleZip(tmp.dir, manifest, version);
    const cwd = path.dirname(zip);
    const before = (await readdir(cwd, { recursive: true })).sort();
    const vendor = await startPreview({ cwd, input: path.basename(zip), env: {} }, createSilentContext());
    const page = await browser.newPage();
    try {
      await page.goto(vendor.url);
      await page.locator('#lk-status.done').waitFor({ timeout: 20_000 });
      expect(await logText(page)).toContain(call);
      expect(vendor.records()[0]?.record).toMatchObject({ completed: true, finished: true });
      expect(await page.locator('#lk-target').inputValue()).toBe(version === '1.2' ? 'scorm12' : 'scorm2004');
    } finally {
      await page.close();
      await vendor.close();
    }
    expect((await readdir(cwd, { recursive: true })).sort()).toEqual(before);
  });
});

describe('preview --watch panel', () => {
  it('reloads the package after a good rebuild and shows a failed one in its live region (axe-clean)', { timeout: 90_000 }, async () => {
    const course = path.join(tmp.dir, 'course');
    const yamlFile = path.join(course, 'course.yaml');
    const good = await readFile(yamlFile, 'utf8');
    const watched = await startPreview({ cwd: tmp.dir, input: course, targets: ['web'], cacheDir: path.join(tmp.dir, 'cache'), env: process.env, watch: true }, createSilentContext());
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const status = page.locator('#lk-build[role="status"]');
    try {
      await page.goto(watched.url);
      let frame = await startPlayer(page);
      await status.filter({ hasText: 'Build 1 is served' }).waitFor({ timeout: 10_000 });
      // A saved workbook: rebuilt, and the package frame loads the new build by itself.
      await markOld(frame);
      await appendFile(path.join(course, 'workbooks/intro.md'), '\nA line saved while watching.\n');
      frame = await startPlayer(page, frame);
      await status.filter({ hasText: 'Build 2 is served, rebuilt (changed: workbooks/intro.md)' }).waitFor({ timeout: 30_000 });
      expect(await (await page.request.get(`${watched.url}pkg/web/materials/workbooks/intro.html`)).text()).toContain('A line saved while watching.');
      // A broken course.yaml: the panel names the problem; the package stays loaded.
      await writeFile(yamlFile, good.replace('to: 2\n', 'to: soon\n'));
      await page.locator('#lk-build .build-error').waitFor({ timeout: 30_000 });
      const text = await status.innerText();
      expect(text).toContain('The rebuild failed; build 2 is still served.');
      expect(text).toMatch(/course\.yaml:\d+:13 +lessons\[0\]\.segments\[0\]\.to \("soon"\) is not a time/);
      expect(frame.url()).toContain('/pkg/web/');
      await page.addScriptTag({ content: await readFile(path.join(REPO, 'node_modules/axe-core/axe.min.js'), 'utf8') });
      const result = (await page.evaluate(() =>
        (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<unknown> } }).axe.run((globalThis as unknown as { document: unknown }).document, {
          iframes: false,
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
        }),
      )) as AxeResult;
      expect(result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
      // Fixed: build 3 is served and loaded.
      await markOld(frame);
      await writeFile(yamlFile, good);
      frame = await startPlayer(page, frame);
      await status.filter({ hasText: 'Build 3 is served' }).waitFor({ timeout: 30_000 });
    } finally {
      await page.close();
      await watched.close();
      await writeFile(yamlFile, good);
    }
  });
});
