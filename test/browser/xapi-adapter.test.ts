/**
 * The xAPI adapter in real Chromium against the loopback LRS (another origin, so CORS and the
 * version/auth headers are exercised as in an LMS). The harness drives the adapter the way the
 * player does; every statement received is checked by Learning Locker's validator.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchXapi } from '../../src/core/preview/launch.js';
import { startLrs, type LoopbackLrs } from '../../src/core/preview/lrs.js';
import { invalidStatements } from '../helpers/xapi-validator.js';
import { launchChromium, receivedStatements, serveHarness, verbOf, waitFor, type H } from './xapi-harness.js';

const IRI = 'https://training.example.com/courses/mobile-access';
const V = {
  initialized: 'http://adlnet.gov/expapi/verbs/initialized',
  progressed: 'http://adlnet.gov/expapi/verbs/progressed',
  completed: 'http://adlnet.gov/expapi/verbs/completed',
  terminated: 'http://adlnet.gov/expapi/verbs/terminated',
  played: 'https://w3id.org/xapi/video/verbs/played',
  paused: 'https://w3id.org/xapi/video/verbs/paused',
  seeked: 'https://w3id.org/xapi/video/verbs/seeked',
};

describe('xAPI adapter in Chromium', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof serveHarness>>;
  let lrs: LoopbackLrs;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    harness = await serveHarness();
  });
  afterAll(async () => {
    await browser?.close();
    await harness?.cleanup();
  });
  beforeEach(async () => {
    lrs = await startLrs();
    page = await browser.newPage();
  });
  afterEach(async () => {
    await page.close();
    await lrs.stop();
  });

  const open = async (url: string) => {
    await page.goto(url);
    await page.evaluate((iri) => (globalThis as unknown as H).harness.create('xapi', iri), IRI);
    return page.evaluate(() => (globalThis as unknown as H).harness.adapter!.initialize());
  };
  const report = (overall: number, completed: boolean, state: string, reason: 'tick' | 'milestone' | 'hide' = 'milestone') =>
    page.evaluate(
      ([overall, completed, state, reason]) =>
        (globalThis as unknown as H).harness.adapter!.reportProgress({
          overall: overall as number,
          completed: completed as boolean,
          lessons: [{ id: 'intro', title: 'Intro', progress: overall as number, completed: completed as boolean }],
          location: 'intro/why',
          state: state as string,
          reason: reason as 'tick',
          current: { lessonId: 'intro', segmentId: 'why', position: 3 },
        }),
      [overall, completed, state, reason] as const,
    );
  const media = (type: 'play' | 'pause' | 'seek' | 'complete', time: number, played: [number, number][], from?: number) =>
    page.evaluate(
      ([type, time, played, from]) =>
        (globalThis as unknown as H).harness.adapter!.reportMedia?.({ type: type as 'play', lessonId: 'intro', segmentId: 'why', segmentTitle: 'Why mobile', time: time as number, from: from as number | undefined, length: 10, played: played as [number, number][] }),
      [type, time, played, from] as const,
    );

  it('watching everything sends completed once, then terminated, all valid; a reload resumes from the State API', async () => {
    const { url, registration } = launchXapi(lrs, { launchUrl: `${harness.server.url}index.html`, activityId: IRI });
    const init = await open(url);
    expect(init).toMatchObject({ ok: true, alreadyCompleted: false });
    expect(init.resume).toBeUndefined();

    await media('play', 0, []);
    await report(0.5, false, 'S1');
    await media('seek', 8, [[0, 5]], 5);
    await media('seek', 5, [[0, 5]], 8);
    await media('pause', 7, [[0, 7]]);
    await media('play', 7, [[0, 7]]);
    await media('complete', 10, [[0, 10]]);
    await report(1, true, 'S2');
    await report(1, true, 'S3'); // still complete: no second completed
    await page.evaluate(() => (globalThis as unknown as H).harness.adapter!.terminate('exit'));

    const sent = receivedStatements(lrs);
    const verbs = sent.map(verbOf);
    expect(verbs[0]).toBe(V.initialized);
    expect(verbs.at(-1)).toBe(V.terminated);
    const courseCompleted = sent.filter((s) => verbOf(s) === V.completed && (s.object as { id: string }).id === IRI);
    expect(courseCompleted).toHaveLength(1);
    expect(verbs.indexOf(V.completed)).toBeLessThan(verbs.indexOf(V.terminated));
    expect(verbs.filter((v) => v === V.played)).toHaveLength(2);
    expect(verbs.filter((v) => v === V.seeked)).toHaveLength(2);
    expect(verbs.filter((v) => v === V.paused)).toHaveLength(1);
    expect(verbs.filter((v) => v === V.progressed)).toHaveLength(1);
    // Registration in context everywhere; video statements about the segment, in the video profile.
    for (const s of sent) expect((s.context as { registration?: string }).registration).toBe(registration);
    const seeked = sent.find((s) => verbOf(s) === V.seeked);
    expect(seeked).toMatchObject({
      object: { id: `${IRI}/lessons/intro/segments/why`, definition: { type: 'https://w3id.org/xapi/video/activity-type/video' } },
      result: { extensions: { 'https://w3id.org/xapi/video/extensions/time-from': 5, 'https://w3id.org/xapi/video/extensions/time-to': 8 } },
    });
    expect(sent.find((s) => verbOf(s) === V.completed && (s.object as { id: string }).id !== IRI)).toMatchObject({
      result: { completion: true, extensions: { 'https://w3id.org/xapi/video/extensions/played-segments': '0[.]10', 'https://w3id.org/xapi/video/extensions/progress': 1 } },
    });
    expect(new Set(sent.map((s) => s.id)).size).toBe(sent.length);
    expect(invalidStatements(sent)).toEqual([]);

    // Reload: a new page with the same launch resumes from the State API and does not complete again.
    await page.close();
    page = await browser.newPage();
    const again = await open(url);
    expect(again).toMatchObject({ ok: true, resume: 'S3', location: 'intro/why', alreadyCompleted: true });
    await report(1, true, 'S4');
    await page.evaluate(() => (globalThis as unknown as H).harness.adapter!.terminate('exit'));
    const all = receivedStatements(lrs);
    expect(all.filter((s) => verbOf(s) === V.completed && (s.object as { id: string }).id === IRI)).toHaveLength(1);
    expect(invalidStatements(all)).toEqual([]);
  });

  it('without launch parameters it says so instead of pretending to track', async () => {
    const init = await open(`${harness.server.url}index.html`);
    expect(init.ok).toBe(false);
    expect(init.message).toMatch(/launch is missing: endpoint, auth, actor/);
    expect(lrs.stored).toHaveLength(0);
  });

  it('a statement the LRS refuses (400) is logged and does not block the ones after it', async () => {
    const { url } = launchXapi(lrs, { launchUrl: `${harness.server.url}index.html`, activityId: IRI });
    await open(url);
    await waitFor(() => lrs.stored.length === 1, 'initialized');
    lrs.injectFault({ method: 'PUT', url: /statements/, status: 400, times: 1 });
    await media('play', 0, []);
    await page.evaluate(() => (globalThis as unknown as H).harness.adapter!.terminate('exit'));
    const verbs = receivedStatements(lrs).map(verbOf);
    expect(verbs).toEqual([V.initialized, V.terminated]);
    const logs = await page.evaluate(() => (globalThis as unknown as H).harness.logs);
    expect(logs.some((l) => /refused a request and it was dropped: HTTP 400/.test(l))).toBe(true);
    expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
  });
  it('an LRS that is down at launch: the lesson starts anyway and everything arrives once it is up', async () => {
    const { url } = launchXapi(lrs, { launchUrl: `${harness.server.url}index.html`, activityId: IRI });
    await lrs.stop();
    const init = await open(url);
    expect(init).toMatchObject({ ok: true, alreadyCompleted: false });
    await media('play', 0, []);
    await report(0.3, false, 'early');
    await lrs.start();
    await page.evaluate(() => (globalThis as unknown as H).harness.adapter!.terminate('exit'));
    await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === V.terminated), 'terminated');
    const sent = receivedStatements(lrs);
    expect(sent.map(verbOf)).toEqual([V.initialized, V.played, V.progressed, V.terminated]);
    expect(invalidStatements(sent)).toEqual([]);
    const logs = await page.evaluate(() => (globalThis as unknown as H).harness.logs);
    expect(logs.some((l) => /could not read the saved progress/.test(l))).toBe(true);
  });
});
