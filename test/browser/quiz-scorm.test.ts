/**
 * The knowledge check in the built SCORM 1.2 and SCORM 2004 4th Edition packages, in real
 * Chromium inside an LMS page backed by scorm-again: answering right records passed with the
 * score, answering wrong records failed, and every answer is stored as an interaction in the
 * standard's own format. The quiz is worked with the keyboard and axe-core finds nothing in it.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';
import { DEFAULT_COURSE_YAML } from '../helpers/media-course.js';
import { launchChromium } from './xapi-harness.js';
import { lmsValue, startTestLms, type Flavour, type TestLms } from './scorm-lms.js';

const require = createRequire(import.meta.url);

const QUIZ = `title: Check <b>yourself</b>
attempts: 2
questions:
  - id: menu
    type: single
    prompt: Where do you open a client file?
    choices:
      - { text: Files > Open, correct: true, feedback: Right. }
      - { text: Settings, feedback: Settings only changes preferences. }
  - id: needs
    type: multiple
    prompt: What do you need?
    points: 2
    choices:
      - { text: The app, correct: true }
      - { text: A fax }
      - { text: Access rights, correct: true }
  - id: sync
    type: true-false
    prompt: Files sync at once.
    answer: false
  - id: key
    type: text
    prompt: Which shortcut opens a file?
    accept: [Ctrl+O, Control+O]
`;

const YAML = DEFAULT_COURSE_YAML.replace('  watchedPercent: 90\n', '  watchedPercent: 90\n  masteryScore: 75\n').replace(
  '    workbook: workbooks/intro.md\n',
  '    workbook: workbooks/intro.md\n    attachments: [files/checklist.pdf]\n    quiz: quizzes/intro.yaml\n',
);

interface Case {
  flavour: Flavour;
  target: string;
  status: string;
  raw: string;
  min: string;
  max: string;
}
const CASES: Case[] = [
  { flavour: 'scorm12', target: 'scorm12', status: 'cmi.core.lesson_status', raw: 'cmi.core.score.raw', min: 'cmi.core.score.min', max: 'cmi.core.score.max' },
  { flavour: 'scorm2004', target: 'scorm2004-4th', status: 'cmi.success_status', raw: 'cmi.score.raw', min: 'cmi.score.min', max: 'cmi.score.max' },
];

let browser: Browser;
let lms: TestLms;
beforeAll(async () => {
  [browser, lms] = await Promise.all([
    launchChromium(),
    startTestLms(['scorm12', 'scorm2004-4th'], {
      yaml: YAML,
      prepare: async (dir) => {
        await mkdir(path.join(dir, 'quizzes'), { recursive: true });
        await writeFile(path.join(dir, 'quizzes/intro.yaml'), QUIZ);
        await mkdir(path.join(dir, 'files'), { recursive: true });
        await copyFile(path.join(REPO, 'fixtures/sample-course/files/mobile-access-checklist.pdf'), path.join(dir, 'files/checklist.pdf'));
      },
    }),
  ]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await lms?.cleanup();
});

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 950 } });
  const errors: string[] = [];
  // The course and lesson titles carry XSS probes (<script>alert(...)): no dialog may ever open.
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  // Failed writes and failed reporting; reads of elements a fresh attempt has not set yet are not errors here.
  page.on('console', (m) => {
    if (/SetValue|knowledge check|Commit/.test(m.text())) errors.push(m.text());
  });
  return { page, errors };
}

/** Answers with the keyboard only: Space on radio buttons and checkboxes, typing, Enter to submit. */
async function answer(frame: Frame, page: Page, right: boolean): Promise<void> {
  const quiz = frame.locator('section.lk-quiz');
  await quiz.scrollIntoViewIfNeeded();
  const press = async (id: string) => {
    await frame.locator(`#${id}`).focus();
    await page.keyboard.press('Space');
  };
  await press(right ? 'lk-quiz-intro-menu-a' : 'lk-quiz-intro-menu-b');
  if (right) {
    await press('lk-quiz-intro-needs-a');
    await press('lk-quiz-intro-needs-c');
  } else await press('lk-quiz-intro-needs-b');
  await press(right ? 'lk-quiz-intro-sync-false' : 'lk-quiz-intro-sync-true');
  await frame.locator('#lk-quiz-intro-key-in').focus();
  await page.keyboard.type(right ? '  control+o ' : 'Ctrl+P');
  await page.keyboard.press('Enter');
}

interface StoredInteraction {
  id: string;
  type: string;
  result: string;
  response: string;
  patterns: string[];
  weighting: string;
  latency: string;
}

/** The interactions scorm-again stored, from its data model as the LMS serialises it (SCORM 1.2 interactions are write-only to the SCO). */
function interactions(page: Page, flavour: Flavour): Promise<StoredInteraction[]> {
  return page.evaluate((f) => {
    const snap = (globalThis as unknown as { lms: { snapshot(): { interactions: Record<string, unknown> } } }).lms.snapshot();
    const list = Object.keys(snap.interactions).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b)).map((k) => snap.interactions[k] as Record<string, unknown>);
    return list.map((it) => {
      const x = it as Record<string, unknown> & { correct_responses: Record<string, { pattern: string }> };
      return {
        id: String(x.id),
        type: String(x.type),
        result: String(x.result),
        response: String(f === 'scorm12' ? x.student_response : x.learner_response),
        patterns: Object.keys(x.correct_responses).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b)).map((k) => String(x.correct_responses[k]?.pattern)),
        weighting: String(x.weighting),
        latency: String(x.latency),
      };
    });
  }, flavour);
}

describe.each(CASES)('knowledge check in $target (scorm-again)', (c) => {
  it('answering right records passed and the score; every answer is an interaction in the standard format', async () => {
    const { page, errors } = await newPage();
    const frame = await lms.launch(page, c.flavour, c.target);
    await answer(frame, page, true);
    await page.waitForFunction((el) => (globalThis as unknown as { lms: { api: { getCMIValue(e: string): string } } }).lms.api.getCMIValue(el) === 'passed', c.status, { timeout: 10000 });
    expect(await lmsValue(page, c.raw)).toBe('100');
    expect(await lmsValue(page, c.min)).toBe('0');
    expect(await lmsValue(page, c.max)).toBe('100');
    if (c.flavour === 'scorm2004') expect(await lmsValue(page, 'cmi.score.scaled')).toBe('1');
    const stored = await interactions(page, c.flavour);
    if (c.flavour === 'scorm12') {
      expect(stored.map(({ latency: _l, ...rest }) => rest)).toEqual([
        { id: 'intro-menu', type: 'choice', result: 'correct', response: 'a', patterns: ['a'], weighting: '1' },
        { id: 'intro-needs', type: 'choice', result: 'correct', response: 'a,c', patterns: ['a,c'], weighting: '2' },
        { id: 'intro-sync', type: 'true-false', result: 'correct', response: 'f', patterns: ['f'], weighting: '1' },
        { id: 'intro-key', type: 'fill-in', result: 'correct', response: '  control+o ', patterns: ['Ctrl+O', 'Control+O'], weighting: '1' },
      ]);
      for (const s of stored) expect(s.latency).toMatch(/^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/);
    } else {
      expect(stored.map(({ latency: _l, ...rest }) => rest)).toEqual([
        { id: 'intro-menu', type: 'choice', result: 'correct', response: 'a', patterns: ['a'], weighting: '1' },
        { id: 'intro-needs', type: 'choice', result: 'correct', response: 'a[,]c', patterns: ['a[,]c'], weighting: '2' },
        { id: 'intro-sync', type: 'true-false', result: 'correct', response: 'false', patterns: ['false'], weighting: '1' },
        { id: 'intro-key', type: 'fill-in', result: 'correct', response: '  control+o ', patterns: ['{case_matters=false}Ctrl+O', '{case_matters=false}Control+O'], weighting: '1' },
      ]);
      for (const s of stored) expect(s.latency).toMatch(/^PT(\d+M)?\d+(\.\d{1,2})?S$/);
      expect(await lmsValue(page, 'cmi.interactions.0.description')).toBe('Where do you open a client file?');
    }
    // The learner sees the verdict and the feedback, and no retry once passed.
    expect(await frame.locator('.lk-quiz-result').textContent()).toBe('Your score: 100% (pass mark 75%). Passed.');
    expect(await frame.locator('.lk-q-right').count()).toBe(4);
    expect(await frame.locator('.lk-quiz-retry').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('answering wrong records failed with the score, offers the second attempt, and the resume data keeps the attempts', async () => {
    const { page, errors } = await newPage();
    const frame = await lms.launch(page, c.flavour, c.target);
    await answer(frame, page, false);
    await page.waitForFunction((el) => (globalThis as unknown as { lms: { api: { getCMIValue(e: string): string } } }).lms.api.getCMIValue(el) === 'failed', c.status, { timeout: 10000 });
    expect(await lmsValue(page, c.raw)).toBe('0');
    const stored = await interactions(page, c.flavour);
    expect(stored.map((s) => s.result)).toEqual(c.flavour === 'scorm12' ? ['wrong', 'wrong', 'wrong', 'wrong'] : ['incorrect', 'incorrect', 'incorrect', 'incorrect']);
    expect(stored.map((s) => s.response)).toEqual(c.flavour === 'scorm12' ? ['b', 'b', 't', 'Ctrl+P'] : ['b', 'b', 'true', 'Ctrl+P']);
    expect(await frame.locator('.lk-quiz-result').textContent()).toBe('Your score: 0% (pass mark 75%). Not passed yet.');
    const feedback = await frame.locator('[data-question="menu"] .lk-q-feedback').textContent();
    expect(feedback).toBe('Not quite. Settings only changes preferences.');

    // Second (last) attempt, right this time: passed replaces failed.
    await frame.locator('.lk-quiz-retry').click();
    await answer(frame, page, true);
    await page.waitForFunction((el) => (globalThis as unknown as { lms: { api: { getCMIValue(e: string): string } } }).lms.api.getCMIValue(el) === 'passed', c.status, { timeout: 10000 });
    expect(await interactions(page, c.flavour)).toHaveLength(8);
    const suspend = await lmsValue(page, 'cmi.suspend_data');
    // Resume data: lesson 1's quiz taken twice, last score 100% (x100, base 36); lesson 2 has none.
    expect(suspend.split('~')[5]).toBe(`2-${(10000).toString(36)},`);

    // A new session resumes with the result: no fresh form, no attempt left to use.
    const saved =
      c.flavour === 'scorm12'
        ? { core: { lesson_status: 'passed', entry: 'resume' }, suspend_data: suspend }
        : { completion_status: 'incomplete', success_status: 'passed', entry: 'resume', suspend_data: suspend };
    await page.close();
    const second = await newPage();
    const again = await lms.launch(second.page, c.flavour, c.target, saved);
    expect(await again.locator('section.lk-quiz form').textContent()).toBe('You have passed this knowledge check.');
    expect(await again.locator('.lk-quiz-result').textContent()).toBe('Your score: 100% (pass mark 75%). Passed.');
    expect(await again.locator('.lk-quiz-intro').textContent()).toBe('4 questions. Pass mark: 75%. Attempts: 2 (0 left).');
    expect(await again.locator('.lk-quiz-retry').isHidden()).toBe(true);
    expect([...errors, ...second.errors]).toEqual([]);
    await second.page.close();
  });
});

describe('SCORM 2004 scaled_passing_score', () => {
  it("the LMS's cmi.scaled_passing_score decides over the course's pass mark", async () => {
    const { page, errors } = await newPage();
    // 4 of 5 points (80%) passes the course's 75%, but not an LMS that asks for 0.9.
    const frame = await lms.launch(page, 'scorm2004', 'scorm2004-4th', { scaled_passing_score: '0.9' });
    expect(await lmsValue(page, 'cmi.scaled_passing_score')).toBe('0.9');
    const press = async (id: string) => {
      await frame.locator(`#${id}`).focus();
      await page.keyboard.press('Space');
    };
    await press('lk-quiz-intro-menu-a');
    await press('lk-quiz-intro-needs-a');
    await press('lk-quiz-intro-needs-c');
    await press('lk-quiz-intro-sync-true');
    await frame.locator('#lk-quiz-intro-key-in').fill('Ctrl+O');
    await frame.locator('.lk-quiz-submit').click();
    await page.waitForFunction(() => (globalThis as unknown as { lms: { api: { getCMIValue(e: string): string } } }).lms.api.getCMIValue('cmi.success_status') !== 'unknown', undefined, { timeout: 10000 });
    expect(await lmsValue(page, 'cmi.score.scaled')).toBe('0.8');
    expect(await lmsValue(page, 'cmi.success_status')).toBe('failed');
    // The learner sees the LMS's pass mark, not course.yaml's.
    expect(await frame.locator('.lk-quiz-result').textContent()).toBe('Your score: 80% (pass mark 90%). Not passed yet.');
    expect(await frame.locator('.lk-quiz-intro').textContent()).toMatch(/^4 questions\. Pass mark: 90%\./);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('knowledge check accessibility', () => {
  it('axe-core finds nothing in the quiz before and after submitting, and an unanswered question is announced', async () => {
    const { page } = await newPage();
    const frame = await lms.launch(page, 'scorm12', 'scorm12');
    await frame.locator('.lk-quiz-submit').click();
    expect(await frame.locator('.lk-quiz-missing').textContent()).toBe('Answer every question first: question 1 has no answer yet.');
    expect(await frame.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe('lk-quiz-intro-menu-a');
    await frame.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const run = () =>
      frame.evaluate(async () => {
        const g = globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> }; document: { querySelector(s: string): unknown } };
        const r = await g.axe.run(g.document.querySelector('section.lk-quiz'), { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
        return r.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      });
    expect(await run()).toEqual([]);
    await answer(frame, page, false);
    await frame.locator('.lk-quiz-retry').waitFor();
    expect(await run()).toEqual([]);
    // The quiz title is the author's text: shown literally.
    expect(await frame.locator('section.lk-quiz h3').textContent()).toBe('Check <b>yourself</b>');
    await page.close();
  });

  it('lists the lesson materials with type and size, and the XSS probes in the titles show as text', async () => {
    const { page, errors } = await newPage();
    const frame = await lms.launch(page, 'scorm2004', 'scorm2004-4th');
    const links = await frame.locator('.lk-materials a').evaluateAll((as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(links).toEqual([
      ['Workbook: Workbook', 'materials/workbooks/intro.html'],
      ['Download: checklist.pdf (PDF, 1.4 kB)', 'materials/files/checklist.pdf'],
    ]);
    expect(await frame.locator('h1.lk-course-title').textContent()).toBe('Demo <script>alert(1)</script> & more');
    expect(await frame.locator('.lk-lesson-name').first().textContent()).toBe('Intro </script><script>alert(2)</script>');
    // The workbook page the link opens renders with the same titles as text, and no script at all.
    const wb = await browser.newPage();
    wb.on('dialog', (d) => {
      errors.push(`workbook dialog: ${d.message()}`);
      void d.dismiss();
    });
    await wb.goto(new URL('materials/workbooks/intro.html', frame.url()).toString());
    expect(await wb.locator('.lk-context').textContent()).toBe('WorkbookDemo <script>alert(1)</script> & more · Intro </script><script>alert(2)</script>');
    expect(await wb.evaluate(() => (globalThis as unknown as { document: { scripts: unknown[] } }).document.scripts.length)).toBe(0);
    await wb.close();
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('auto-advance and the knowledge check', () => {
  /** Plays the lesson's last segment to its end (muted, fast) from the playlist. */
  async function playLastSegment(frame: Frame): Promise<void> {
    await frame.locator('.lk-seg-button').nth(1).click();
    await frame.evaluate(async () => {
      const v = (globalThis as unknown as { document: { querySelector(s: string): { muted: boolean; playbackRate: number; play(): Promise<void> } | null } }).document.querySelector('video.lk-video');
      if (!v) throw new Error('no video');
      v.muted = true;
      v.playbackRate = 4;
      await v.play();
    });
    await frame.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { ended: boolean } | null } }).document.querySelector('video.lk-video')?.ended === true, undefined, { timeout: 20_000 });
  }
  const lessonShown = (frame: Frame) => frame.evaluate(() => (globalThis as unknown as { lessonkit: { player: { state(): { lesson: number } } } }).lessonkit.player.state().lesson);

  it('stops at an untaken quiz with focus on it instead of carrying the learner into the next lesson; once taken, it moves on', async () => {
    const { page, errors } = await newPage();
    const frame = await lms.launch(page, 'scorm12', 'scorm12');
    await playLastSegment(frame);
    await new Promise((r) => setTimeout(r, 500));
    expect(await lessonShown(frame)).toBe(0);
    expect(await frame.evaluate(() => (globalThis as unknown as { document: { activeElement: { closest(s: string): unknown } | null } }).document.activeElement?.closest('section.lk-quiz') !== null)).toBe(true);

    await answer(frame, page, true);
    await frame.locator('.lk-quiz-result').filter({ hasText: 'Passed.' }).waitFor();
    await playLastSegment(frame);
    await frame.waitForFunction(() => (globalThis as unknown as { lessonkit: { player: { state(): { lesson: number } } } }).lessonkit.player.state().lesson === 1, undefined, { timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  });
});
