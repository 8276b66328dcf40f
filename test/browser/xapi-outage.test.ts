/**
 * The LRS goes down for 30 seconds in the middle of a lesson (the test stops it and starts it
 * again on the same port). The lesson keeps running; nothing is lost, nothing is duplicated,
 * and the statements arrive in order once the LRS is back.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchXapi } from '../../src/core/preview/launch.js';
import { startLrs, type LoopbackLrs } from '../../src/core/preview/lrs.js';
import { invalidStatements } from '../helpers/xapi-validator.js';
import { launchChromium, receivedStatements, serveHarness, verbOf, waitFor, type H } from './xapi-harness.js';

const IRI = 'https://training.example.com/courses/outage';

describe('xAPI delivery through an LRS outage', () => {
  let browser: Browser;
  let harness: Awaited<ReturnType<typeof serveHarness>>;
  let lrs: LoopbackLrs;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    harness = await serveHarness();
    lrs = await startLrs();
  });
  afterAll(async () => {
    await browser?.close();
    await harness?.cleanup();
    await lrs?.stop();
  });

  it('LRS down for 30 s mid-lesson: every statement arrives once it is back, none duplicated, in order', { timeout: 90_000 }, async () => {
    const { url } = launchXapi(lrs, { launchUrl: `${harness.server.url}index.html`, activityId: IRI });
    page = await browser.newPage();
    await page.goto(url);
    await page.evaluate((iri) => (globalThis as unknown as H).harness.create('xapi', iri), IRI);
    await page.evaluate(() => (globalThis as unknown as H).harness.adapter!.initialize());
    const media = (type: 'play' | 'pause', time: number) =>
      page.evaluate(
        ([type, time]) =>
          (globalThis as unknown as H).harness.adapter!.reportMedia?.({ type: type as 'play', lessonId: 'l1', segmentId: 's1', segmentTitle: 'S1', time: time as number, length: 60, played: [[0, time as number]] }),
        [type, time] as const,
      );
    await media('play', 0);
    await waitFor(() => lrs.stored.length === 2, 'the first statements');
    const port = lrs.port;

    await lrs.stop();
    // The lesson goes on while the LRS is away: 6 more video events and a progress report.
    const during = Date.now();
    for (let i = 1; i <= 3; i++) {
      await media('pause', i * 5);
      await media('play', i * 5);
    }
    await page.evaluate(() =>
      (globalThis as unknown as H).harness.adapter!.reportProgress({ overall: 0.4, completed: false, lessons: [], location: 'l1/s1', state: 'mid', reason: 'milestone' }),
    );
    // Stay down for 30 s of real time; the player keeps retrying meanwhile.
    await new Promise((r) => setTimeout(r, Math.max(0, 30_000 - (Date.now() - during))));
    expect(lrs.stored).toHaveLength(2);
    const waiting = await page.evaluate(() => (globalThis as unknown as H).localStorage.length);
    expect(waiting).toBeGreaterThan(0); // the queue is persisted, not only in memory

    await lrs.start();
    expect(lrs.port).toBe(port);
    await page.evaluate(() => (globalThis as unknown as H).harness.adapter!.terminate('exit'));

    await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/terminated'), 'terminated after the outage', 30_000);
    const sent = receivedStatements(lrs);
    const verbs = sent.map(verbOf).map((v) => v.replace(/.*\//, ''));
    expect(verbs).toEqual(['initialized', 'played', 'paused', 'played', 'paused', 'played', 'paused', 'played', 'progressed', 'terminated']);
    expect(new Set(sent.map((s) => s.id)).size).toBe(sent.length);
    const times = sent.map((s) => Date.parse(String(s.timestamp)));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // Timestamps say when things happened, not when they were delivered.
    expect(times[2]).toBeLessThan(during + 5_000);
    expect(invalidStatements(sent)).toEqual([]);
    // The resume document written during the outage arrived too.
    expect(lrs.getState(IRI, { objectType: 'Agent', name: 'Preview Learner', account: { homePage: 'https://lessonkit.invalid/learners', name: 'preview-learner' } }, 'https://lessonkit.dev/xapi/state/resume', new URL(url).searchParams.get('registration') ?? undefined)).toMatchObject({ state: 'mid' });
    expect(await page.evaluate(() => (globalThis as unknown as H).localStorage.length)).toBe(0);
    await page.close();
  });
});
