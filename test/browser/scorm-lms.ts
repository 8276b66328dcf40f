/**
 * A minimal LMS for the SCORM browser tests: a page on 127.0.0.1 that provides the run-time
 * API from scorm-again (`window.API` for SCORM 1.2, `window.API_1484_11` for 2004) and loads the
 * built SCO in an iframe, as an LMS does. It records every commit, every suspend_data write and
 * every LMSFinish/Terminate, and can relaunch the SCO with the data it stored (a new session).
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { buildCourse } from '../../src/core/package/build.js';
import { createSilentContext } from '../../src/core/context.js';
import type { LmsRuntime } from '../../src/core/package/lms/types.js';
import { jsonForScript } from '../../src/core/templates.js';
import { serveStatic, type StaticServer } from '../../src/core/preview/static-server.js';
import { emulationOf, LMS_QUIRKS_SCRIPT, packageSetsCompletion, type LmsEmulation } from '../../src/core/preview/lms-quirks.js';
import type { LmsQuirk } from '../../src/core/package/lms/types.js';
import { REPO } from '../helpers/cli.js';
import { makeMediaCourse, readZip } from '../helpers/media-course.js';

/** SCORM flavour under test. */
export type Flavour = 'scorm12' | 'scorm2004';

const LMS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test LMS</title>
<script src="/lms/scorm12.js"></script>
<script src="/lms/scorm2004.js"></script>
<script src="/lms/lms-quirks.js"></script>
<script>
window.lms = {
  api: null, flavour: null, commits: [], suspendLengths: [], sets: [], finished: 0, initialized: 0,
  stored: null, unloading: false, handle: null, events: [],
  get expired() { return Boolean(window.lms.handle && window.lms.handle.expired); },
  launch(flavour, saved, src, failSet, quirks) {
    const settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5 };
    const api = flavour === 'scorm12' ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    if (saved) api.loadFromJSON(saved, '');
    const names = flavour === 'scorm12'
      ? { init: 'LMSInitialize', set: 'LMSSetValue', commit: 'LMSCommit', finish: 'LMSFinish' }
      : { init: 'Initialize', set: 'SetValue', commit: 'Commit', finish: 'Terminate' };
    api.on(names.init, () => { window.lms.initialized++; });
    api.on(names.set, (el, value) => {
      window.lms.sets.push([el, String(value)]);
      if (el === 'cmi.suspend_data') window.lms.suspendLengths.push(String(value).length);
    });
    api.on(names.commit, () => { window.lms.commits.push(window.lms.snapshot()); });
    api.on(names.finish, () => { window.lms.finished++; });
    if (failSet) {
      // The LMS refuses one element, as real LMSs do for data they do not support.
      const gle = flavour === 'scorm12' ? 'LMSGetLastError' : 'GetLastError';
      const realSet = api[names.set].bind(api);
      const realGle = api[gle].bind(api);
      let forced = null;
      api[names.set] = (el, value) => {
        if (el === failSet) { forced = '351'; return 'false'; }
        return realSet(el, value);
      };
      api[gle] = () => {
        const code = forced ?? realGle();
        forced = null;
        return code;
      };
    }
    window.lms.stored = saved ? JSON.parse(JSON.stringify(saved)) : null;
    window.lms.unloading = false;
    window.lms.handle = null;
    // The shipped emulator (templates/preview/lms-quirks.js), as \`preview --lms\` runs it.
    if (quirks) {
      window.lms.handle = window.lkLmsQuirks.wrap(api, flavour, quirks, {
        snapshot: () => window.lms.snapshot(),
        store: (cmi) => { window.lms.stored = JSON.parse(JSON.stringify(cmi)); },
        event: (text) => { window.lms.events.push(text); },
        unloading: () => window.lms.unloading,
        finished: () => { window.lms.finished++; },
        setsCompletion: quirks.setsCompletion !== false,
      });
    }
    window.lms.api = api;
    window.lms.flavour = flavour;
    delete window.API; delete window.API_1484_11;
    if (flavour === 'scorm12') window.API = api; else window.API_1484_11 = api;
    document.getElementById('sco').src = src;
  },
  snapshot() { return JSON.parse(JSON.stringify(window.lms.api.cmi)); },
  /**
   * A launch where the API is not in the content's parent frames: the LMS opens the course in a
   * new window from one of its frames, so only the opener's parents have it (\`noopener\` cuts that).
   */
  launchWindow(flavour, src, quirks, noopener) {
    window.lms.launch(flavour, null, 'about:blank', null, quirks);
    const launcher = document.getElementById('sco').contentWindow;
    launcher.open(src, 'lk-course', noopener ? 'noopener' : '');
  },
  /** A SCORM-to-LTI bridge removes the content frame (no navigation of it) and puts a fresh one in its place. */
  removeFrame() {
    window.lms.unloading = true;
    const old = document.getElementById('sco');
    const fresh = old.cloneNode(false);
    fresh.removeAttribute('src');
    old.replaceWith(fresh);
  },
  /** The LMS replaces the content frame (its own navigation: the page stays visible). */
  close() { window.lms.unloading = true; document.getElementById('sco').src = 'about:blank'; },
  /** The learner closes the browser tab: every frame goes hidden, then the pages unload. */
  closeTab() {
    const doc = document.getElementById('sco').contentDocument;
    if (doc) {
      Object.defineProperty(doc, 'visibilityState', { value: 'hidden', configurable: true });
      doc.dispatchEvent(new Event('visibilitychange'));
    }
    window.lms.unloading = true;
    document.getElementById('sco').src = 'about:blank';
  },
};
</script></head>
<body><iframe id="sco" title="Course" style="width:1024px;height:900px;border:0"></iframe></body></html>`;

/** The test LMS, the served packages and helpers. */
export interface TestLms {
  server: StaticServer;
  /** The served folder: `pkg/<target>/` holds each extracted package, `lms/` the LMS page. */
  siteDir: string;
  /** Root URL of each extracted package, by target (`scorm12`, `scorm2004-4th`, `web`...). */
  packageUrl(target: string, page?: string): string;
  /** Opens the LMS page and launches the SCO (a fresh attempt unless `saved` is given). */
  launch(page: Page, flavour: Flavour, target: string, saved?: unknown, failSet?: string, launchPage?: string, quirks?: Quirks): Promise<Frame>;
  cleanup(): Promise<void>;
}

/** Builds a small course (3 segments of 2 s in 2 lessons) for `targets`, extracts the zips and serves them with the LMS page. */
export async function startTestLms(targets: string[], options: { scoPerLesson?: boolean; yaml?: string; seconds?: number; prepare?: (courseDir: string) => Promise<void> } = {}): Promise<TestLms> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lessonkit-lms-'));
  const course = path.join(dir, 'course');
  await makeMediaCourse(course, { ...(options.yaml ? { yaml: options.yaml } : {}), ...(options.seconds ? { seconds: options.seconds } : {}) });
  await options.prepare?.(course);
  const result = await buildCourse(
    { cwd: dir, dir: course, targets, out: path.join(dir, 'zips'), cacheDir: path.join(dir, 'cache'), env: process.env, scoPerLesson: Boolean(options.scoPerLesson) },
    createSilentContext(),
  );
  const site = path.join(dir, 'site');
  for (const b of result.bundles) {
    const entries = await readZip(b.path);
    for (const [name, data] of entries) {
      const file = path.join(site, 'pkg', b.target, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, data);
    }
  }
  await mkdir(path.join(site, 'lms'), { recursive: true });
  for (const f of ['scorm12.js', 'scorm2004.js']) await copyFile(path.join(REPO, 'node_modules/scorm-again/dist', f), path.join(site, 'lms', f));
  await copyFile(LMS_QUIRKS_SCRIPT, path.join(site, 'lms', 'lms-quirks.js'));
  await writeFile(path.join(site, 'lms/index.html'), LMS_PAGE);
  // What each package's manifest says about completion (the emulated SuccessFactors reads it).
  const setsCompletion = new Map<string, boolean>();
  for (const b of result.bundles) setsCompletion.set(b.target, await packageSetsCompletion(path.join(site, 'pkg', b.target)));
  const server = await serveStatic(site);
  const packageUrl = (target: string, page = 'index.html') => `${server.url}pkg/${target}/${page}`;
  return {
    server,
    siteDir: site,
    packageUrl,
    async launch(page, flavour, target, saved, failSet, launchPage, quirks) {
      if (!page.url().endsWith('/lms/index.html')) await page.goto(`${server.url}lms/index.html`);
      // A relaunch in the same page reuses the SCO frame, at the same URL: mark the document
      // running there, so that the wait below sees the new player and not the old one, still
      // in the frame while the new page loads (a loaded machine made the old state read back).
      const running = await (await page.$('#sco'))?.contentFrame();
      await running?.evaluate(() => ((globalThis as unknown as { lkReplaced?: boolean }).lkReplaced = true)).catch(() => undefined);
      await page.evaluate(
        ([f, s, src, fail, q]) => (globalThis as unknown as { lms: { launch(a: unknown, b: unknown, c: unknown, d: unknown, e: unknown): void } }).lms.launch(f, s, src, fail, q),
        [flavour, saved ?? null, packageUrl(target, launchPage), failSet ?? null, quirks ? { setsCompletion: setsCompletion.get(target) ?? true, ...quirks } : null] as const,
      );
      const frame = await waitForFrame(page);
      await frame.waitForFunction(
        () => {
          const g = globalThis as unknown as { lessonkit?: { player?: unknown }; lkReplaced?: boolean };
          return Boolean(g.lessonkit?.player) && !g.lkReplaced;
        },
        undefined,
        { timeout: 20000 },
      );
      return frame;
    },
    async cleanup() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('#sco');
  for (let i = 0; i < 100; i += 1) {
    const frame = await handle.contentFrame();
    if (frame && frame.url().includes('/pkg/')) return frame;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the SCO frame did not load');
}

/**
 * The quirks the emulator reproduces: the shipped layer's settings (src/core/preview/lms-quirks.ts),
 * any subset; `setsCompletion` overrides what the package's manifest says (completionSetByContent).
 */
export type Quirks = Partial<LmsEmulation> & { setsCompletion?: boolean };

/** The emulator's quirks for an LMS profile's quirk names (what `preview --lms` switches on too). */
export function quirksOf(names: readonly LmsQuirk[]): Quirks {
  return emulationOf(names);
}

/**
 * What the LMS hands the next launch, from what it stored: resume data when the last exit was
 * `suspend`; with `failedIsFinal`, a SCORM 1.2 record stored as failed reopens in review mode;
 * with `newAttemptUnlessSuspended`, a SCORM 2004 attempt ended without `suspend` is replaced by a
 * fresh one (nothing carried over).
 */
export async function relaunchRecord(page: Page, flavour: Flavour, quirks: Quirks = {}): Promise<Record<string, unknown>> {
  // The shipped emulator decides what a relaunch gets (review mode, a fresh attempt).
  const stored = await page.evaluate(
    ([f, q]) => {
      const w = globalThis as unknown as { lms: { stored: unknown; events: string[] }; lkLmsQuirks: { relaunch(f: string, s: unknown, q: unknown, say: (t: string) => void): Record<string, unknown> | null } };
      return w.lkLmsQuirks.relaunch(f, w.lms.stored, q, (t) => w.lms.events.push(t));
    },
    [flavour, quirks] as const,
  );
  if (!stored) return {};
  if (flavour === 'scorm12') {
    const core = (stored.core ?? {}) as Record<string, unknown>;
    return {
      core: { lesson_status: String(core.lesson_status ?? ''), lesson_location: core.lesson_location ?? '', entry: core.exit === 'suspend' ? 'resume' : '', lesson_mode: core.lesson_mode === 'review' ? 'review' : 'normal', score: core.score },
      suspend_data: stored.suspend_data ?? '',
    };
  }
  return {
    completion_status: stored.completion_status,
    success_status: stored.success_status,
    location: stored.location ?? '',
    entry: stored.exit === 'suspend' ? 'resume' : '',
    suspend_data: stored.suspend_data ?? '',
    score: stored.score,
  };
}

/**
 * Writes `pkg/<target>/<page>`: the package's index.html with its LMS settings replaced by
 * `runtime` (a profile, or a profile with one handling switched off), so one build serves every case.
 */
export async function writeVariant(lms: TestLms, target: string, page: string, runtime: LmsRuntime): Promise<string> {
  const dir = path.join(lms.siteDir, 'pkg', target);
  const html = await readFile(path.join(dir, 'index.html'), 'utf8');
  let found = false;
  const out = html.replace(/(<script type="application\/json" id="lessonkit-config">)(.*?)(<\/script>)/s, (_m, a: string, json: string, b: string) => {
    found = true;
    const config = JSON.parse(json) as { lms?: LmsRuntime };
    config.lms = runtime;
    return a + jsonForScript(config) + b;
  });
  if (!found) throw new Error('no player configuration in index.html');
  await writeFile(path.join(dir, page), out);
  return page;
}

/** Reads a value straight from scorm-again's data model (what the LMS stored). */
export function lmsValue(page: Page, element: string): Promise<string> {
  return page.evaluate((el) => {
    const lms = (globalThis as unknown as { lms: { api: { getCMIValue(e: string): unknown } } }).lms;
    return String(lms.api.getCMIValue(el) ?? '');
  }, element);
}

/** The LMS's counters. */
export function lmsLog(page: Page): Promise<{ commits: number; suspendLengths: number[]; sets: [string, string][]; finished: number; initialized: number }> {
  return page.evaluate(() => {
    const lms = (globalThis as unknown as { lms: { commits: unknown[]; suspendLengths: number[]; sets: [string, string][]; finished: number; initialized: number } }).lms;
    return { commits: lms.commits.length, suspendLengths: lms.suspendLengths, sets: lms.sets, finished: lms.finished, initialized: lms.initialized };
  });
}

/** The last value the SCO set for `element` through the API, if any. */
export function lastSet(log: { sets: [string, string][] }, element: string): string | undefined {
  return log.sets.filter(([el]) => el === element).pop()?.[1];
}

/** Makes the SCO's videos quick and silent: muted, 4x (the tracker scales its plausibility check by the rate). */
export async function speedUp(frame: Frame, rate = 4): Promise<void> {
  await frame.evaluate((r) => {
    const v = (globalThis as unknown as PageGlobals).document.querySelector('video');
    if (!v) throw new Error('no video');
    v.muted = true;
    v.defaultPlaybackRate = r;
    v.playbackRate = r;
  }, rate);
}

/** Re-export for the tests. */
export type { Browser };

/** The part of an HTMLVideoElement the tests touch (the Node test build has no DOM types). */
export interface VideoLike {
  currentTime: number;
  duration: number;
  readyState: number;
  muted: boolean;
  defaultPlaybackRate: number;
  playbackRate: number;
  pause(): void;
  play(): Promise<void>;
  getAttribute(name: string): string | null;
  addEventListener(type: string, listener: (value?: unknown) => void, options?: { once?: boolean }): void;
}

/** `globalThis` inside the SCO frame, as the tests see it. */
export interface PageGlobals {
  document: { querySelector(selector: 'video'): VideoLike | null };
  lessonkit: { player: { state(): { lesson: number; segment: number; position: number; segments: unknown[] } } };
  lms: { finished: number; close(): void; api: { getCMIValue(element: string): string } };
}
