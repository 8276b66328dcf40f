/**
 * The real bundles: the sample course built with `buildCourse` into the xapi and cmi5 targets,
 * unzipped, served from 127.0.0.1 and launched the way an LMS launches them (the loopback LRS
 * and cmi5 launcher). The real player plays every video (at 16x, so the suite stays quick);
 * the LRS gets what a learner's LMS would get, and every statement passes Learning Locker's
 * validator.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMI5 } from '../../src/core/preview/cmi5-rules.js';
import { DEFAULT_LEARNER, launchCmi5, launchXapi } from '../../src/core/preview/launch.js';
import { startLrs } from '../../src/core/preview/lrs.js';
import { serveStatic, type StaticServer } from '../../src/core/preview/static-server.js';
import { isInside } from '../../src/utils/fs.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { copyShortSampleCourse } from '../helpers/sample-course.js';
import { readZip } from '../helpers/media-course.js';
import { invalidStatements } from '../helpers/xapi-validator.js';
import { launchChromium, receivedStatements, verbOf, waitFor } from './xapi-harness.js';

const IRI = 'https://training.example.com/courses/mobile-client-access';
type S = Record<string, unknown>;
/** `globalThis` in the player page. */
interface PlayerGlobal {
  lessonkit?: { player?: { summary(): { completed: boolean; overall: number }; state(): { lesson: number; segment: number; position: number } }; error?: string };
  document: { querySelector(s: string): { playbackRate: number; defaultPlaybackRate: number; muted: boolean; play(): Promise<void> } | null };
}

/** Unzips our own bundle into `dir` (entries checked to stay inside it). */
async function unzip(zip: string, dir: string): Promise<void> {
  for (const [name, data] of await readZip(zip)) {
    const target = path.join(dir, name);
    if (!isInside(dir, target)) throw new Error(`zip entry ${name} leaves the folder`);
    if (name.endsWith('/')) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data);
  }
}

describe('built xapi and cmi5 bundles in Chromium', () => {
  let browser: Browser;
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  const sites: Record<string, StaticServer> = {};
  let cmi5Xml = '';

  beforeAll(async () => {
    tmp = await makeTempDir('lessonkit-xapi-bundles-');
    const course = path.join(tmp.dir, 'course');
    // These tests are about the videos: without its knowledge checks the course completes once
    // every video is watched (an untaken quiz keeps it incomplete; quiz-xapi-cmi5.test.ts covers those).
    // Shorter segments: the same course in a quarter of the playing time.
    await copyShortSampleCourse(course, { withoutQuizzes: true });
    const out = path.join(tmp.dir, 'out');
    // The real CLI, as the README's run command uses it.
    const run = await runCli(['build', course, '--target', 'xapi,cmi5', '--out', out, '--cache-dir', path.join(tmp.dir, 'cache'), '--json'], { cwd: tmp.dir });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { bundles: { target: string; path: string; validated: { path: string; schema: string }[] }[] };
    expect(result.bundles.map((b) => b.target).sort()).toEqual(['cmi5', 'xapi']);
    expect(result.bundles.find((b) => b.target === 'cmi5')?.validated).toEqual([{ path: 'cmi5.xml', schema: 'cmi5' }]);
    for (const b of result.bundles) {
      const dir = path.join(tmp.dir, 'site', b.target);
      await unzip(b.path, dir);
      sites[b.target] = await serveStatic(dir);
    }
    // The same course with one AU per lesson.
    const perLesson = await runCli(['build', course, '--target', 'cmi5', '--au-per-lesson', '--out', path.join(tmp.dir, 'out-per-lesson'), '--cache-dir', path.join(tmp.dir, 'cache'), '--json'], { cwd: tmp.dir });
    expect(perLesson.code).toBe(0);
    const perLessonZip = (JSON.parse(perLesson.stdout) as { bundles: { path: string }[] }).bundles[0]?.path ?? '';
    await unzip(perLessonZip, path.join(tmp.dir, 'site/cmi5-per-lesson'));
    sites['cmi5-per-lesson'] = await serveStatic(path.join(tmp.dir, 'site/cmi5-per-lesson'));
    cmi5Xml = await readFile(path.join(tmp.dir, 'site/cmi5/cmi5.xml'), 'utf8');
    await writeFile(path.join(tmp.dir, 'site/cmi5/returned.html'), '<!doctype html><html lang="en"><title>LMS</title><p>Back in the LMS</p></html>');
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    for (const s of Object.values(sites)) await s.close();
    await tmp?.cleanup();
  });

  /** Opens the launch URL and plays at 4x (auto-advance on, as shipped); to the end unless `untilCompleted` is false. */
  async function playAll(page: Page, url: string, untilCompleted = true): Promise<void> {
    await page.goto(url);
    await page.waitForFunction(() => Boolean((globalThis as unknown as PlayerGlobal).lessonkit?.player || (globalThis as unknown as PlayerGlobal).lessonkit?.error));
    expect(await page.evaluate(() => (globalThis as unknown as PlayerGlobal).lessonkit?.error)).toBeUndefined();
    await page.evaluate(async () => {
      const v = (globalThis as unknown as PlayerGlobal).document.querySelector('video.lk-video');
      if (!v) throw new Error('no video');
      v.muted = true;
      v.defaultPlaybackRate = 4;
      v.playbackRate = 4;
      await v.play();
    });
    if (untilCompleted) await page.waitForFunction(() => (globalThis as unknown as PlayerGlobal).lessonkit?.player?.summary().completed === true, undefined, { timeout: 90_000 });
    else await page.waitForFunction(() => ((globalThis as unknown as PlayerGlobal).lessonkit?.player?.summary().overall ?? 0) > 0.05, undefined, { timeout: 30_000 });
  }

  it('xapi: watching everything sends completed once, then terminated on Exit; a reload resumes from the State API', { timeout: 120_000 }, async () => {
    const lrs = await startLrs();
    const page = await browser.newPage();
    try {
      const tincan = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(await readFile(path.join(tmp.dir, 'site/xapi/tincan.xml'), 'utf8')) as {
        tincan: { activities: { activity: { '@id': string; launch?: { '#text': string } }[] } };
      };
      const course = tincan.tincan.activities.activity.find((a) => a.launch);
      expect(course?.['@id']).toBe(IRI);
      const { url } = launchXapi(lrs, { launchUrl: new URL(course?.launch?.['#text'] ?? '', sites.xapi?.url).toString(), activityId: IRI });
      await playAll(page, url);
      await page.click('.lk-exit');
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/terminated'), 'terminated');

      const sent = receivedStatements(lrs);
      expect(verbOf(sent[0] as S)).toBe('http://adlnet.gov/expapi/verbs/initialized');
      expect(verbOf(sent.at(-1) as S)).toBe('http://adlnet.gov/expapi/verbs/terminated');
      const about = (s: S) => (s.object as { id: string }).id;
      expect(sent.filter((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/completed' && about(s) === IRI)).toHaveLength(1);
      // Each of the three videos was played and completed, in the video profile.
      const videoCompleted = sent.filter((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/completed' && about(s) !== IRI).map(about);
      expect(videoCompleted).toEqual([
        `${IRI}/lessons/mobile-access/segments/portal-status`,
        `${IRI}/lessons/mobile-access/segments/enable-mobile`,
        `${IRI}/lessons/share-link/segments/share-link`,
      ]);
      expect(sent.filter((s) => verbOf(s) === 'https://w3id.org/xapi/video/verbs/played').length).toBeGreaterThanOrEqual(3);
      expect(new Set(sent.map((s) => s.id)).size).toBe(sent.length);
      expect(invalidStatements(sent)).toEqual([]);
      const stateBefore = lrs.stored.length;

      // Reload (a relaunch with the same registration): the player resumes, already complete.
      await page.goto(url);
      await page.waitForFunction(() => Boolean((globalThis as unknown as PlayerGlobal).lessonkit?.player));
      const resumed = await page.evaluate(() => ({ summary: (globalThis as unknown as PlayerGlobal).lessonkit!.player!.summary(), state: (globalThis as unknown as PlayerGlobal).lessonkit!.player!.state() }));
      expect(resumed.summary.completed).toBe(true);
      expect(resumed.state.lesson).toBe(1);
      await page.click('.lk-exit');
      await waitFor(() => receivedStatements(lrs).filter((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/terminated').length === 2, 'second terminated');
      const all = receivedStatements(lrs);
      expect(all.length).toBeGreaterThan(stateBefore);
      expect(all.filter((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/completed' && about(s) === IRI)).toHaveLength(1);
      expect(invalidStatements(all)).toEqual([]);
    } finally {
      await page.close();
      await lrs.stop();
    }
  });

  it('cmi5: a Normal launch obeys the cmi5 rules and exits to returnURL; Browse sends only initialized and terminated', { timeout: 120_000 }, async () => {
    const structure = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(cmi5Xml) as { courseStructure: { au: { '@id': string; '@moveOn': string; url: string } } };
    const au = structure.courseStructure.au;
    expect(au['@id']).toBe(`${IRI}/au`);
    const lrs = await startLrs();
    const page = await browser.newPage();
    try {
      const base = sites.cmi5?.url ?? '';
      const courseInfo = { publisherId: IRI, aus: [{ publisherId: au['@id'], moveOn: au['@moveOn'] }] };
      const l = launchCmi5(lrs, { auUrl: new URL(au.url, base).toString(), publisherId: au['@id'], moveOn: au['@moveOn'], returnURL: `${base}returned.html`, course: courseInfo });
      await playAll(page, l.url);
      await Promise.all([page.waitForURL(/returned\.html$/, { timeout: 20_000 }), page.click('.lk-exit')]);

      expect(lrs.cmi5Rejections).toEqual([]);
      expect(lrs.requests.filter((r) => r.url.startsWith('/fetch/')).map((r) => r.method)).toEqual(['POST']);
      // The LMS side: moveOn met, so the course is satisfied, once.
      expect(lrs.statements().filter((s) => verbOf(s) === CMI5.verbs.satisfied).map((s) => (s.object as { id: string }).id)).toEqual([`${IRI}/lms-course`]);
      const sent = receivedStatements(lrs).filter((s) => verbOf(s) !== CMI5.verbs.launched && verbOf(s) !== CMI5.verbs.satisfied);
      const ctx = (s: S) => s.context as { registration: string; extensions: Record<string, unknown>; contextActivities: { grouping: { id: string }[]; category?: { id: string }[] } };
      const defined = sent.filter((s) => (ctx(s).contextActivities.category ?? []).some((c) => c.id === CMI5.categoryCmi5));
      expect(defined.map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.completed, CMI5.verbs.terminated]);
      expect(verbOf(sent[0] as S)).toBe(CMI5.verbs.initialized);
      expect(verbOf(sent.at(-1) as S)).toBe(CMI5.verbs.terminated);
      for (const s of sent) {
        expect(ctx(s).registration).toBe(l.registration);
        expect(ctx(s).extensions[CMI5.extSessionId]).toBe(l.sessionId);
        expect(ctx(s).contextActivities.grouping.map((g) => g.id)).toContain(au['@id']);
      }
      expect(invalidStatements(receivedStatements(lrs))).toEqual([]);

      // Browse mode with the real player: watching does not report progress or video events.
      const browse = launchCmi5(lrs, { auUrl: new URL(au.url, base).toString(), publisherId: au['@id'], moveOn: au['@moveOn'], launchMode: 'Browse', actor: { ...DEFAULT_LEARNER, account: { homePage: 'https://lessonkit.invalid/learners', name: 'browser-2' } } });
      await playAll(page, browse.url, false);
      await page.click('.lk-exit');
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === CMI5.verbs.terminated && (s.context as { extensions: Record<string, unknown> }).extensions[CMI5.extSessionId] === browse.sessionId), 'browse terminated');
      const browseSent = receivedStatements(lrs).filter((s) => (s.context as { extensions?: Record<string, unknown> }).extensions?.[CMI5.extSessionId] === browse.sessionId && verbOf(s) !== CMI5.verbs.launched);
      expect(browseSent.map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.terminated]);
      expect(lrs.cmi5Rejections).toEqual([]);
      expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
    } finally {
      await page.close();
      await lrs.stop();
    }
  });
  it('cmi5: a learner who just leaves the page (pagehide, no Exit) still gets terminated recorded last', { timeout: 60_000 }, async () => {
    const structure = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(cmi5Xml) as { courseStructure: { au: { '@id': string; '@moveOn': string; url: string } } };
    const au = structure.courseStructure.au;
    const lrs = await startLrs();
    const page = await browser.newPage();
    try {
      const base = sites.cmi5?.url ?? '';
      const l = launchCmi5(lrs, { auUrl: new URL(au.url, base).toString(), publisherId: au['@id'], moveOn: au['@moveOn'] });
      await playAll(page, l.url, false);
      await page.goto(`${base}returned.html`);
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === CMI5.verbs.terminated), 'terminated sent from pagehide');
      const sent = receivedStatements(lrs).filter((s) => verbOf(s) !== CMI5.verbs.launched);
      expect(verbOf(sent[0] as S)).toBe(CMI5.verbs.initialized);
      expect(verbOf(sent.at(-1) as S)).toBe(CMI5.verbs.terminated);
      expect(sent.some((s) => verbOf(s) === 'https://w3id.org/xapi/video/verbs/played')).toBe(true);
      expect(lrs.cmi5Rejections).toEqual([]);
      expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
    } finally {
      await page.close();
      await lrs.stop();
    }
  });
  it('cmi5 with one AU per lesson: watching one lesson completes that AU only', { timeout: 90_000 }, async () => {
    const xml = await readFile(path.join(tmp.dir, 'site/cmi5-per-lesson/cmi5.xml'), 'utf8');
    const aus = (new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => n === 'au' }).parse(xml) as { courseStructure: { au: { '@id': string; '@moveOn': string; url: string }[] } }).courseStructure.au;
    const au = aus.find((a) => a['@id'].endsWith('/lessons/share-link/au'));
    expect(au?.url).toBe('lessons/share-link.html');
    const lrs = await startLrs();
    const page = await browser.newPage();
    try {
      const base = sites['cmi5-per-lesson']?.url ?? '';
      const l = launchCmi5(lrs, { auUrl: new URL(au?.url ?? '', base).toString(), publisherId: au?.['@id'] ?? '', moveOn: au?.['@moveOn'] ?? '' });
      await playAll(page, l.url);
      await page.click('.lk-exit');
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === CMI5.verbs.terminated), 'terminated');
      const defined = receivedStatements(lrs).filter((s) => verbOf(s) !== CMI5.verbs.launched && JSON.stringify(s.context).includes(CMI5.categoryCmi5));
      expect(defined.map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.completed, CMI5.verbs.terminated]);
      for (const s of defined) expect((s.object as { id: string }).id).toBe(l.activityId);
      // Only the lesson's own video was played.
      const videos = new Set(receivedStatements(lrs).map((s) => (s.object as { id: string }).id).filter((id) => id.includes('/segments/')));
      expect([...videos]).toEqual([`${IRI}/lessons/share-link/segments/share-link`]);
      expect(lrs.cmi5Rejections).toEqual([]);
      expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
    } finally {
      await page.close();
      await lrs.stop();
    }
  });
  it('xapi: the LRS goes down for 15 s while the real player keeps playing; nothing is lost or duplicated once it is back', { timeout: 180_000 }, async () => {
    const lrs = await startLrs();
    const page = await browser.newPage();
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    try {
      const { url } = launchXapi(lrs, { launchUrl: new URL('index.html', sites.xapi?.url).toString(), activityId: IRI });
      await page.goto(url);
      await page.waitForFunction(() => Boolean((globalThis as unknown as PlayerGlobal).lessonkit?.player));
        const setRate = (rate: number) =>
        page.evaluate(async (rate) => {
          const v = (globalThis as unknown as PlayerGlobal).document.querySelector('video.lk-video');
          if (!v) throw new Error('no video');
          v.muted = true;
          v.defaultPlaybackRate = rate;
          v.playbackRate = rate;
          await v.play();
        }, rate);
      await setRate(4);
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === 'https://w3id.org/xapi/video/verbs/played'), 'the first played statement');
      const port = lrs.port;
      const before = lrs.stored.length;

      await lrs.stop();
      const downAt = Date.now();
      // Long enough for every step of the retry backoff (1, 2, 4, then every 5 s) to fail at least once.
      await new Promise((r) => setTimeout(r, 15_000));
      // The lesson went on: the course's 26 s of video play out at 4x meanwhile, so segments were completed while the LRS was down.
      const overall = await page.evaluate(() => (globalThis as unknown as PlayerGlobal).lessonkit!.player!.summary().overall);
      expect(overall).toBeGreaterThan(0.3);
      expect(lrs.stored).toHaveLength(before);
      // What waits is kept in localStorage, not only in memory (a reload would resend it).
      const queued = await page.evaluate(() => {
        const ls = (globalThis as unknown as { localStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null } }).localStorage;
        let items = 0;
        for (let i = 0; i < ls.length; i++) if (ls.key(i)?.startsWith('lessonkit:xapi:')) items += (JSON.parse(ls.getItem(ls.key(i) ?? '') ?? '[]') as unknown[]).length;
        return items;
      });
      expect(queued).toBeGreaterThan(0);
      const upAt = Date.now();
      await lrs.start();
      expect(lrs.port).toBe(port);

      await setRate(4);
      await page.waitForFunction(() => (globalThis as unknown as PlayerGlobal).lessonkit?.player?.summary().completed === true, undefined, { timeout: 90_000 });
      await page.click('.lk-exit');
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/terminated'), 'terminated', 30_000);

      const sent = receivedStatements(lrs);
      const about = (s: S) => (s.object as { id: string }).id;
      const during = sent.filter((s) => Date.parse(String(s.timestamp)) >= downAt && Date.parse(String(s.timestamp)) < upAt);
      expect(during.length).toBeGreaterThan(0); // made while the LRS was down, delivered after
      expect(during.some((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/completed')).toBe(true);
      expect(new Set(sent.map((s) => s.id)).size).toBe(sent.length);
      const times = sent.map((s) => Date.parse(String(s.timestamp)));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(verbOf(sent[0] as S)).toBe('http://adlnet.gov/expapi/verbs/initialized');
      expect(verbOf(sent.at(-1) as S)).toBe('http://adlnet.gov/expapi/verbs/terminated');
      expect(sent.filter((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/completed' && about(s) === IRI)).toHaveLength(1);
      const videoCompleted = sent.filter((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/completed' && about(s) !== IRI).map(about);
      expect(videoCompleted).toEqual([
        `${IRI}/lessons/mobile-access/segments/portal-status`,
        `${IRI}/lessons/mobile-access/segments/enable-mobile`,
        `${IRI}/lessons/share-link/segments/share-link`,
      ]);
      expect(invalidStatements(sent)).toEqual([]);
      expect(consoleLines.filter((l) => /dropped/.test(l))).toEqual([]);
      expect(consoleLines.some((l) => /retrying in/.test(l))).toBe(true);
    } finally {
      await page.close();
      await lrs.stop();
    }
  });
});
