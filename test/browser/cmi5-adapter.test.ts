/**
 * The cmi5 AU adapter in real Chromium, launched by the loopback LMS exactly as a cmi5 LMS
 * launches an AU (registration, LMS.LaunchData, launched statement, one-time fetch URL). The
 * LRS enforces the cmi5 statement rules (any breach would be a 403 and a recorded rejection),
 * and the tests check the sequence themselves too; every statement passes Learning Locker's
 * validator.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CMI5 } from '../../src/core/preview/cmi5-rules.js';
import { DEFAULT_LEARNER, launchCmi5, type LaunchCmi5Options } from '../../src/core/preview/launch.js';
import { startLrs, type LoopbackLrs } from '../../src/core/preview/lrs.js';
import { invalidStatements } from '../helpers/xapi-validator.js';
import { launchChromium, receivedStatements, serveHarness, verbOf, waitFor, type H } from './xapi-harness.js';

const IRI = 'https://training.example.com/courses/mobile-access';
const PUBLISHER_ID = `${IRI}/au`;

type S = Record<string, unknown>;
const ctx = (s: S) => (s.context ?? {}) as { registration?: string; extensions?: Record<string, unknown>; contextActivities?: { grouping?: { id: string }[]; category?: { id: string }[] } };
const categories = (s: S) => (ctx(s).contextActivities?.category ?? []).map((a) => a.id);
const isCmi5Defined = (s: S) => categories(s).includes(CMI5.categoryCmi5);

describe('cmi5 AU in Chromium', () => {
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

  const launch = (options: Partial<LaunchCmi5Options> = {}) =>
    launchCmi5(lrs, { auUrl: `${harness.server.url}index.html`, publisherId: PUBLISHER_ID, moveOn: 'Completed', returnURL: `${harness.server.url}returned.html`, ...options });
  const open = async (url: string) => {
    await page.goto(url);
    await page.evaluate((iri) => (globalThis as unknown as H).harness.create('cmi5', iri), IRI);
    return page.evaluate(() => (globalThis as unknown as H).harness.adapter!.initialize());
  };
  /** Plays the whole course as the player reports it: video events, progress, completion. */
  const watchEverything = async () => {
    await page.evaluate(async () => {
      const a = (globalThis as unknown as H).harness.adapter!;
      const ev = { lessonId: 'intro', segmentId: 'why', segmentTitle: 'Why mobile', length: 10 };
      await a.reportMedia?.({ ...ev, type: 'play', time: 0, played: [] });
      await a.reportProgress({ overall: 0.5, completed: false, lessons: [], location: 'intro/why', state: 'half', reason: 'milestone' });
      await a.reportMedia?.({ ...ev, type: 'pause', time: 5, played: [[0, 5]] });
      await a.reportMedia?.({ ...ev, type: 'seek', time: 2, from: 5, played: [[0, 5]] });
      await a.reportMedia?.({ ...ev, type: 'complete', time: 10, played: [[0, 10]] });
      await a.reportProgress({ overall: 1, completed: true, lessons: [], location: 'intro/why', state: 'done', reason: 'milestone' });
      await a.reportProgress({ overall: 1, completed: true, lessons: [], location: 'intro/why', state: 'done', reason: 'hide' });
    });
  };
  const exit = async () => {
    await Promise.all([page.waitForURL(/returned\.html$/), page.evaluate(() => (globalThis as unknown as H).harness.adapter!.terminate('exit'))]);
  };
  /** Statements the AU sent in `sessionId` (not the LMS's launched/abandoned). */
  const auStatements = (sessionId: string) =>
    receivedStatements(lrs).filter((s) => ctx(s).extensions?.[CMI5.extSessionId] === sessionId && verbOf(s) !== CMI5.verbs.launched && verbOf(s) !== CMI5.verbs.abandoned);

  it('Normal launch: fetch once before any statement; initialized first, completed once, terminated last; template, category, registration and session id on each; exit returns to returnURL', async () => {
    const l = launch({ masteryScore: 0.8 });
    const launchDataBefore = JSON.stringify(lrs.getState(l.activityId, DEFAULT_LEARNER, 'LMS.LaunchData', l.registration));
    const init = await open(l.url);
    expect(init).toMatchObject({ ok: true, mode: 'normal', alreadyCompleted: false });
    await watchEverything();
    await exit();
    expect(page.url()).toBe(`${harness.server.url}returned.html`);

    expect(lrs.cmi5Rejections).toEqual([]);
    // The fetch URL was POSTed exactly once, before any other request of the AU.
    const fetches = lrs.requests.filter((r) => r.url.startsWith('/fetch/'));
    expect(fetches.map((r) => [r.method, r.status])).toEqual([['POST', 200]]);
    const firstXapi = lrs.requests.find((r) => r.url.startsWith('/xapi/'));
    expect(firstXapi && firstXapi.seq).toBeGreaterThan(fetches[0]?.seq ?? Infinity);
    const firstStatement = lrs.requests.find((r) => r.url.startsWith('/xapi/statements') && r.method === 'PUT');
    expect(firstStatement?.seq).toBeGreaterThan(fetches[0]?.seq ?? Infinity);

    const sent = auStatements(l.sessionId);
    expect(sent.length).toBeGreaterThanOrEqual(7);
    // Every statement the AU sent belongs to this session (none without the session id).
    expect(receivedStatements(lrs).filter((s) => verbOf(s) !== CMI5.verbs.launched)).toHaveLength(sent.length);
    expect(verbOf(sent[0] as S)).toBe(CMI5.verbs.initialized);
    expect(verbOf(sent.at(-1) as S)).toBe(CMI5.verbs.terminated);
    expect((sent.at(-1) as { result?: { duration?: string } }).result?.duration).toMatch(/^PT[\d.]+S$/);
    const defined = sent.filter(isCmi5Defined);
    expect(defined.map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.completed, CMI5.verbs.terminated]);
    const completed = defined[1] as S;
    expect(completed).toMatchObject({ result: { completion: true } });
    expect(categories(completed)).toContain(CMI5.categoryMoveOn);
    for (const s of sent) {
      expect(ctx(s).registration).toBe(l.registration);
      expect(ctx(s).extensions?.[CMI5.extSessionId]).toBe(l.sessionId);
      expect((ctx(s).contextActivities?.grouping ?? []).map((a) => a.id)).toContain(PUBLISHER_ID);
      expect(s.actor).toEqual(DEFAULT_LEARNER);
    }
    for (const s of defined) expect((s.object as { id: string }).id).toBe(l.activityId);
    // Video statements are cmi5 allowed: the template, no cmi5 category.
    const video = sent.filter((s) => String((s.object as { id: string }).id).includes('/segments/'));
    expect(video.map(verbOf)).toEqual(['https://w3id.org/xapi/video/verbs/played', 'https://w3id.org/xapi/video/verbs/paused', 'https://w3id.org/xapi/video/verbs/seeked', CMI5.verbs.completed]);
    for (const s of video) expect(isCmi5Defined(s)).toBe(false);
    // The AU never wrote LMS.LaunchData.
    expect(JSON.stringify(lrs.getState(l.activityId, DEFAULT_LEARNER, 'LMS.LaunchData', l.registration))).toBe(launchDataBefore);
    expect(lrs.requests.filter((r) => r.url.includes('LMS.LaunchData') && r.method !== 'GET' && r.method !== 'OPTIONS')).toEqual([]);
    expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
  });

  it('Browse mode sends only initialized and terminated', async () => {
    const l = launch({ launchMode: 'Browse' });
    const init = await open(l.url);
    expect(init.mode).toBe('browse');
    await watchEverything();
    await page.evaluate(() => (globalThis as unknown as H).harness.adapter!.reportScore({ scaled: 1, raw: 1, min: 0, max: 1, passed: true }));
    await exit();
    expect(auStatements(l.sessionId).map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.terminated]);
    expect(lrs.cmi5Rejections).toEqual([]);
    expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
  });

  it('Review mode sends only initialized and terminated too', async () => {
    const l = launch({ launchMode: 'Review' });
    expect((await open(l.url)).mode).toBe('review');
    await watchEverything();
    await exit();
    expect(auStatements(l.sessionId).map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.terminated]);
  });

  it('a second launch with a new session does not send completed again, and resumes', async () => {
    const first = launch();
    await open(first.url);
    await watchEverything();
    await exit();
    expect(auStatements(first.sessionId).filter((s) => isCmi5Defined(s) && verbOf(s) === CMI5.verbs.completed)).toHaveLength(1);

    const second = launch({ registration: first.registration });
    expect(second.sessionId).not.toBe(first.sessionId);
    const init = await open(second.url);
    expect(init).toMatchObject({ ok: true, alreadyCompleted: true, resume: 'done', location: 'intro/why' });
    await watchEverything();
    await exit();
    const secondSent = auStatements(second.sessionId);
    expect(secondSent.filter(isCmi5Defined).map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.terminated]);
    const allCompleted = receivedStatements(lrs).filter((s) => isCmi5Defined(s) && verbOf(s) === CMI5.verbs.completed);
    expect(allCompleted).toHaveLength(1);
    expect(lrs.cmi5Rejections).toEqual([]);
    expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
  });

  it('a reload of the same launch does not POST to the fetch URL again nor repeat initialized; after terminated it says the session ended', async () => {
    const l = launch();
    await open(l.url);
    await waitFor(() => auStatements(l.sessionId).length === 1, 'initialized');
    await page.reload();
    await page.evaluate((iri) => (globalThis as unknown as H).harness.create('cmi5', iri), IRI);
    const again = await page.evaluate(() => (globalThis as unknown as H).harness.adapter!.initialize());
    expect(again.ok).toBe(true);
    expect(lrs.requests.filter((r) => r.url.startsWith('/fetch/') && r.method === 'POST')).toHaveLength(1);
    // The session goes on: no second initialized, and the rest is accepted.
    await exit();
    expect(auStatements(l.sessionId).map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.terminated]);
    expect(lrs.cmi5Rejections).toEqual([]);
    // A reload after terminated says the session is over instead of sending what the LMS must refuse.
    await page.goto(l.url);
    await page.evaluate((iri) => (globalThis as unknown as H).harness.create('cmi5', iri), IRI);
    const ended = await page.evaluate(() => (globalThis as unknown as H).harness.adapter!.initialize());
    expect(ended).toMatchObject({ ok: false });
    expect(ended.message).toMatch(/session has ended/);
    expect(lrs.cmi5Rejections).toEqual([]);
    expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
  });

  it('a spent fetch URL (a second window of the same launch) is reported, not ignored', async () => {
    const l = launch();
    await fetch(l.fetchUrl, { method: 'POST' });
    const init = await open(l.url);
    expect(init.ok).toBe(false);
    expect(init.message).toMatch(/launch it again/);
    const logs = await page.evaluate(() => (globalThis as unknown as H).harness.logs);
    expect(logs.join('\n')).toMatch(/error 1/);
    expect(lrs.statements().map((s) => (s.verb as { id: string }).id)).toEqual([CMI5.verbs.launched]);
    expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
  });
  it('knowledge check: answered statements are cmi5 allowed; passed once per registration; a failed attempt is recorded only when no pass follows', async () => {
    const quiz = async (attempts: { correct: boolean; scaled: number }[]) =>
      page.evaluate(async (attempts) => {
        const a = (globalThis as unknown as H).harness.adapter!;
        for (const at of attempts) {
          await a.reportInteraction?.({
            id: 'intro-q1', lessonId: 'intro', questionId: 'q1', type: 'choice', prompt: 'Which folder syncs?',
            choices: [{ id: 'a', text: 'Clients' }, { id: 'b', text: 'Archive' }], correctResponses: [['a']],
            response: [at.correct ? 'a' : 'b'], correct: at.correct, weighting: 1, latencyMs: 4200,
          });
          await a.reportInteraction?.({ id: 'intro-q2', lessonId: 'intro', questionId: 'q2', type: 'fill-in', prompt: 'Portal name?', correctResponses: [['Portal']], response: ['portal'], correct: at.correct, caseSensitive: true, weighting: 1, latencyMs: 1500 });
          await a.reportScore({ scaled: at.scaled, raw: at.scaled * 2, min: 0, max: 2, passed: at.scaled >= 0.8 });
        }
      }, attempts);
    const defined = (sessionId: string) => auStatements(sessionId).filter(isCmi5Defined);

    // Fail, then pass in the same session: only passed is recorded, with the masteryScore.
    const first = launch({ masteryScore: 0.8 });
    await open(first.url);
    await quiz([{ correct: false, scaled: 0.5 }, { correct: true, scaled: 1 }]);
    await exit();
    expect(defined(first.sessionId).map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.passed, CMI5.verbs.terminated]);
    expect(defined(first.sessionId)[1]).toMatchObject({ result: { success: true, score: { scaled: 1 } }, context: { extensions: { [CMI5.extMasteryScore]: 0.8 } } });
    const answered = auStatements(first.sessionId).filter((s) => verbOf(s) === 'http://adlnet.gov/expapi/verbs/answered');
    expect(answered).toHaveLength(4);
    expect(answered[0]).toMatchObject({ object: { id: `${IRI}/lessons/intro/questions/q1`, definition: { interactionType: 'choice', correctResponsesPattern: ['a'] } }, result: { response: 'b', success: false } });
    expect(answered[1]).toMatchObject({ object: { definition: { interactionType: 'fill-in', correctResponsesPattern: ['{case_matters=true}Portal'] } } });

    // The same registration again: a passing attempt is not recorded twice.
    const again = launch({ masteryScore: 0.8, registration: first.registration });
    await open(again.url);
    await quiz([{ correct: true, scaled: 1 }]);
    await exit();
    expect(defined(again.sessionId).map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.terminated]);

    // Another learner who never passes: one failed, just before terminated.
    const other = launch({ masteryScore: 0.8, actor: { objectType: 'Agent', account: { homePage: 'https://lms.example.com', name: 'learner-2' } } });
    await open(other.url);
    await quiz([{ correct: false, scaled: 0.5 }, { correct: false, scaled: 0 }]);
    await exit();
    expect(defined(other.sessionId).map(verbOf)).toEqual([CMI5.verbs.initialized, CMI5.verbs.failed, CMI5.verbs.terminated]);
    expect(defined(other.sessionId)[1]).toMatchObject({ result: { success: false, score: { scaled: 0 } } });

    expect(lrs.cmi5Rejections).toEqual([]);
    expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
  });
});
