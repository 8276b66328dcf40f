/**
 * The knowledge check in the built xapi and cmi5 bundles of the sample course (two lessons,
 * a quiz each, masteryScore 80), in Chromium against the loopback LRS and cmi5 launcher:
 * every answer is an `answered` statement with a cmi.interaction definition, the page score
 * comes as passed/failed once both quizzes are taken, cmi5's LaunchData masteryScore takes
 * precedence over the course's pass mark, and every statement passes the validator and the
 * LMS-side cmi5 rules.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMI5 } from '../../src/core/preview/cmi5-rules.js';
import { launchCmi5, launchXapi, DEFAULT_LEARNER } from '../../src/core/preview/launch.js';
import { startLrs } from '../../src/core/preview/lrs.js';
import { serveStatic, type StaticServer } from '../../src/core/preview/static-server.js';
import { isInside } from '../../src/utils/fs.js';
import { makeTempDir, REPO, runCli } from '../helpers/cli.js';
import { readZip } from '../helpers/media-course.js';
import { invalidStatements } from '../helpers/xapi-validator.js';
import { launchChromium, receivedStatements, verbOf, waitFor } from './xapi-harness.js';

const IRI = 'https://training.example.com/courses/mobile-client-access';
const ANSWERED = 'http://adlnet.gov/expapi/verbs/answered';
const PASSED = 'http://adlnet.gov/expapi/verbs/passed';
const FAILED = 'http://adlnet.gov/expapi/verbs/failed';
type S = Record<string, unknown>;

async function unzip(zip: string, dir: string): Promise<void> {
  for (const [name, data] of await readZip(zip)) {
    const target = path.join(dir, name);
    if (!isInside(dir, target)) throw new Error(`zip entry ${name} leaves the folder`);
    if (name.endsWith('/')) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, data);
  }
}

/**
 * Answers both quizzes of the sample course. `wrong` lists question ids to answer wrongly.
 * Lesson 1: status-command (single), needs-sync (true/false), enable-what (text);
 * lesson 2: share-safety (multiple), share-expire (true/false). Five points in all.
 */
async function answerAll(page: Page, wrong: string[] = []): Promise<void> {
  await page.waitForSelector('section.lk-quiz');
  const ok = (id: string) => !wrong.includes(id);
  await page.check(ok('status-command') ? '#lk-quiz-mobile-access-status-command-a' : '#lk-quiz-mobile-access-status-command-b');
  await page.check(ok('needs-sync') ? '#lk-quiz-mobile-access-needs-sync-false' : '#lk-quiz-mobile-access-needs-sync-true');
  await page.fill('#lk-quiz-mobile-access-enable-what-in', ok('enable-what') ? './portal enable northwind-dental' : 'portal on');
  await page.click('#lk-quiz-mobile-access-h ~ form .lk-quiz-submit');
  await page.waitForSelector('#lk-quiz-mobile-access-result:not(:empty)');
  // The second lesson, from the lesson list.
  await page.click('[data-lesson="1"] button');
  await page.waitForSelector('#lk-quiz-share-link-h');
  await page.check('#lk-quiz-share-link-share-safety-a');
  await page.check(ok('share-safety') ? '#lk-quiz-share-link-share-safety-b' : '#lk-quiz-share-link-share-safety-c');
  await page.check(ok('share-expire') ? '#lk-quiz-share-link-share-expire-false' : '#lk-quiz-share-link-share-expire-true');
  await page.click('#lk-quiz-share-link-h ~ form .lk-quiz-submit');
  await page.waitForSelector('#lk-quiz-share-link-result:not(:empty)');
}

describe('knowledge check in the xapi and cmi5 bundles', () => {
  let browser: Browser;
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  const sites: Record<string, StaticServer> = {};
  let au: { '@id': string; '@moveOn': string; url: string };
  let launchUrl = '';

  beforeAll(async () => {
    tmp = await makeTempDir('lessonkit-quiz-xapi-');
    const course = path.join(tmp.dir, 'course');
    await cp(path.join(REPO, 'fixtures/sample-course'), course, { recursive: true });
    const run = await runCli(['build', course, '--target', 'xapi,cmi5', '--out', path.join(tmp.dir, 'out'), '--cache-dir', path.join(tmp.dir, 'cache'), '--json'], { cwd: tmp.dir });
    expect(run.code).toBe(0);
    for (const b of (JSON.parse(run.stdout) as { bundles: { target: string; path: string }[] }).bundles) {
      const dir = path.join(tmp.dir, 'site', b.target);
      await unzip(b.path, dir);
      sites[b.target] = await serveStatic(dir);
    }
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' });
    au = (parser.parse(await readFile(path.join(tmp.dir, 'site/cmi5/cmi5.xml'), 'utf8')) as { courseStructure: { au: typeof au } }).courseStructure.au;
    const tincan = parser.parse(await readFile(path.join(tmp.dir, 'site/xapi/tincan.xml'), 'utf8')) as { tincan: { activities: { activity: { launch?: { '#text': string } }[] } } };
    launchUrl = new URL(tincan.tincan.activities.activity.find((a) => a.launch)?.launch?.['#text'] ?? '', sites.xapi?.url).toString();
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    for (const s of Object.values(sites)) await s.close();
    await tmp?.cleanup();
  });

  it('xapi: each answer is an answered statement with a cmi.interaction definition; all right records passed with the score', { timeout: 60_000 }, async () => {
    const lrs = await startLrs();
    const page = await browser.newPage();
    try {
      const { url, registration } = launchXapi(lrs, { launchUrl, activityId: IRI });
      await page.goto(url);
      await answerAll(page);
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === PASSED), 'passed');
      const sent = receivedStatements(lrs);
      const answered = sent.filter((s) => verbOf(s) === ANSWERED);
      expect(answered.map((s) => (s.object as { id: string }).id)).toEqual([
        `${IRI}/lessons/mobile-access/questions/status-command`,
        `${IRI}/lessons/mobile-access/questions/needs-sync`,
        `${IRI}/lessons/mobile-access/questions/enable-what`,
        `${IRI}/lessons/share-link/questions/share-safety`,
        `${IRI}/lessons/share-link/questions/share-expire`,
      ]);
      const def = (s: S) => (s.object as { definition: { type: string; interactionType: string; correctResponsesPattern: string[]; choices?: { id: string }[] } }).definition;
      expect(answered.map((s) => [def(s).interactionType, def(s).correctResponsesPattern])).toEqual([
        ['choice', ['a']],
        ['true-false', ['false']],
        ['fill-in', ['./portal enable northwind-dental', 'portal enable northwind-dental']],
        ['choice', ['a[,]b']],
        ['true-false', ['false']],
      ]);
      expect(def(answered[0] as S).type).toBe('http://adlnet.gov/expapi/activities/cmi.interaction');
      expect(def(answered[0] as S).choices?.map((c) => c.id)).toEqual(['a', 'b', 'c']);
      expect(answered.map((s) => (s.result as { success: boolean; response: string }).response)).toEqual(['a', 'false', './portal enable northwind-dental', 'a[,]b', 'false']);
      expect(answered.every((s) => (s.result as { success: boolean }).success)).toBe(true);
      expect(answered.every((s) => (s.context as { registration: string }).registration === registration)).toBe(true);
      const passed = sent.filter((s) => verbOf(s) === PASSED);
      expect(passed).toHaveLength(1);
      expect(passed[0]?.result).toMatchObject({ success: true, score: { scaled: 1, raw: 100, min: 0, max: 100 } });
      // Answers come before the verdict.
      expect(sent.findIndex((s) => verbOf(s) === PASSED)).toBeGreaterThan(sent.map(verbOf).lastIndexOf(ANSWERED));
      expect(invalidStatements(sent)).toEqual([]);
    } finally {
      await page.close();
      await lrs.stop();
    }
  });

  it('cmi5: all right records passed and two wrong answers (3 of 5 points) record failed, per the cmi5 rules', { timeout: 60_000 }, async () => {
    const lrs = await startLrs();
    const page = await browser.newPage();
    try {
      const base = sites.cmi5?.url ?? '';
      const right = launchCmi5(lrs, { auUrl: new URL(au.url, base).toString(), publisherId: au['@id'], moveOn: au['@moveOn'], masteryScore: 0.8 });
      await page.goto(right.url);
      await answerAll(page);
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === CMI5.verbs.passed), 'passed');
      await page.click('.lk-exit');
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === CMI5.verbs.terminated), 'terminated');
      const passed = receivedStatements(lrs).filter((s) => verbOf(s) === CMI5.verbs.passed);
      expect(passed).toHaveLength(1);
      expect(passed[0]?.result).toMatchObject({ success: true, score: { scaled: 1 } });
      expect(((passed[0]?.context as { contextActivities: { category: { id: string }[] } }).contextActivities.category ?? []).map((c) => c.id)).toContain(CMI5.categoryCmi5);

      const learner2 = { ...DEFAULT_LEARNER, account: { homePage: 'https://lessonkit.invalid/learners', name: 'quiz-2' } };
      const wrong = launchCmi5(lrs, { auUrl: new URL(au.url, base).toString(), publisherId: au['@id'], moveOn: au['@moveOn'], masteryScore: 0.8, actor: learner2 });
      await page.goto(wrong.url);
      await answerAll(page, ['needs-sync', 'share-expire']);
      // cmi5 allows one verdict per session: a failing attempt is recorded when the session ends.
      await page.click('.lk-exit');
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === CMI5.verbs.failed), 'failed');
      const failed = receivedStatements(lrs).filter((s) => verbOf(s) === CMI5.verbs.failed);
      expect(failed[0]?.result).toMatchObject({ success: false, score: { scaled: 0.6, raw: 60 } });
      const answered = receivedStatements(lrs).filter((s) => verbOf(s) === ANSWERED && (s.context as { registration: string }).registration === wrong.registration);
      expect(answered.map((s) => (s.result as { success: boolean }).success)).toEqual([true, false, true, true, false]);
      expect(lrs.cmi5Rejections).toEqual([]);
      expect(invalidStatements(receivedStatements(lrs))).toEqual([]);
    } finally {
      await page.close();
      await lrs.stop();
    }
  });

  it("cmi5: LMS.LaunchData's masteryScore takes precedence over course.yaml's", { timeout: 60_000 }, async () => {
    const lrs = await startLrs();
    const page = await browser.newPage();
    try {
      const base = sites.cmi5?.url ?? '';
      // 4 of 5 points = 80%: a pass by course.yaml (80), a fail by the LMS's masteryScore of 0.9.
      const l = launchCmi5(lrs, { auUrl: new URL(au.url, base).toString(), publisherId: au['@id'], moveOn: au['@moveOn'], masteryScore: 0.9 });
      await page.goto(l.url);
      await answerAll(page, ['share-expire']);
      // The learner sees the LMS's pass mark, not course.yaml's.
      expect(await page.locator('#lk-quiz-share-link-result').textContent()).toBe('Your score: 50% (pass mark 90%). Not passed yet.');
      await page.click('.lk-exit');
      await waitFor(() => receivedStatements(lrs).some((s) => verbOf(s) === CMI5.verbs.terminated), 'terminated');
      const verdicts = receivedStatements(lrs).filter((s) => verbOf(s) === CMI5.verbs.failed || verbOf(s) === CMI5.verbs.passed);
      expect(verdicts.map(verbOf)).toEqual([FAILED]);
      expect(verdicts[0]?.result).toMatchObject({ success: false, score: { scaled: 0.8 } });
      expect(lrs.cmi5Rejections).toEqual([]);
    } finally {
      await page.close();
      await lrs.stop();
    }
  });
});
