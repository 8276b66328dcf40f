/**
 * `lessonkit preview --headless --play`: runs every launchable of every package in headless
 * Chromium as a learner in a hurry would (every video played through at high speed, auto-advance
 * pressing Next), answers each knowledge check it meets with the `--answers` file (none without
 * it), ends the session, and reports what the LMS recorded, with the reason when the course
 * does not end completed (or passed, when a knowledge check was failed).
 */
import type { Frame, Page } from 'playwright-core';
import type { RunContext } from '../context.js';
import { findBrowser } from '../doctor/browser.js';
import { throwIfCancelled, UserError } from '../../errors.js';
import { readAnswersFile, readPlayerLessons, resolveAnswers, type ResolvedAnswers } from './answers.js';
import type { LearnerRecord } from './record.js';
import { startPreview, type PreviewServer, type StartPreviewOptions } from './preview.js';

/** Options for {@link playPreview}. */
export interface PlayPreviewOptions extends StartPreviewOptions {
  /** Chromium to run (default: findBrowser: CHROME_PATH, PATH, then @sparticuz/chromium). */
  browserPath?: string;
  /** Extra Chromium arguments (with `browserPath`). */
  browserArgs?: string[];
  /** Playback rate (default 16). */
  rate?: number;
  /** `--answers`: a YAML or JSON file of knowledge-check answers (relative to `cwd`); see answers.ts. */
  answers?: string;
}

/** The outcome of one launchable. */
export interface PlayedItem {
  /** Launchable id. */
  id: string;
  /** Its title. */
  title: string;
  /** What the LMS recorded after the session ended. */
  record: LearnerRecord;
  /** True when the LMS records it completed. */
  completed: boolean;
  /** True when it is completed and the LMS did not record it failed (a knowledge check below the pass mark). */
  ok: boolean;
  /** Why it is not completed or not passed (each unmet requirement), when it is not ok. */
  reasons: string[];
}

/** The outcome of one package (target). */
export interface PlayedPackage {
  /** Target. */
  target: string;
  /** Runtime. */
  standard: string;
  /** Every SCO/AU/activity played. */
  items: PlayedItem[];
  /** True when every item is completed. */
  completed: boolean;
  /** True when every item is ok (completed and not failed). */
  ok: boolean;
}

/** What {@link playPreview} returns (what `--json` prints). */
export interface PlayPreviewResult {
  /** True when every package ended completed and none failed. */
  ok: boolean;
  /** Per package. */
  packages: PlayedPackage[];
}

/** What the frame reports while playing. */
interface FrameProgress {
  player: boolean;
  error?: string;
  completed: boolean;
  atEnd: boolean;
  reasons: string[];
  /** Knowledge checks taken but scored below their pass mark. */
  quizReasons: string[];
  /** The lesson whose knowledge check this poll answered. */
  answered?: string;
}

/** How many items play at once: each is one page of one browser, mostly waiting on its video. */
const PLAY_CONCURRENCY = 3;

/** Plays the preview's packages headless; see the module comment. */
export async function playPreview(options: PlayPreviewOptions, ctx: RunContext): Promise<PlayPreviewResult> {
  const browser = options.browserPath ? { path: options.browserPath, args: options.browserArgs ?? [] } : await findBrowser(options.env);
  if (!browser) {
    throw new UserError('No Chrome or Chromium found for --headless --play.', {
      code: 'E_NOT_FOUND',
      hint: 'Install Chrome or Chromium, or set CHROME_PATH to its executable (`lessonkit doctor` shows what it finds).',
    });
  }
  let playwright: Awaited<ReturnType<typeof loadPlaywright>>;
  try {
    playwright = await loadPlaywright();
  } catch (err) {
    throw new UserError('The playwright-core package is missing, so --headless --play cannot drive the browser.', { code: 'E_NOT_FOUND', hint: 'Reinstall lessonkit (npm ci).', cause: err });
  }
  // The answers file's shape is checked before the build, its ids against what was built.
  const written = options.answers !== undefined ? await readAnswersFile(options.answers, options.cwd) : undefined;
  const preview = await startPreview(options, ctx);
  let answers: ResolvedAnswers | undefined;
  if (written) {
    try {
      const lessons = await readPlayerLessons(preview.packages);
      if (lessons.length === 0) {
        throw new UserError(`--answers ${written.shown}: ${preview.source.path} is not a lessonkit package, so the play has no knowledge checks it can take.`, { code: 'E_USAGE', hint: 'Leave out --answers for packages made by other tools.' });
      }
      answers = resolveAnswers(written, lessons);
    } catch (err) {
      await preview.close();
      throw err;
    }
  }
  const chromium = await playwright.chromium
    .launch({ executablePath: browser.path, args: [...browser.args, '--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio'], headless: true })
    .catch(async (err: unknown) => {
      await preview.close();
      throw new UserError(`Chromium at ${browser.path} does not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}.`, { code: 'E_NOT_FOUND', hint: 'Point CHROME_PATH at a working Chrome or Chromium.', cause: err });
    });
  try {
    // Every item (a package's SCO or AU) is played in its own page, a few at once: each runs in
    // real time at `rate`, mostly waiting on the video, so side by side a six-target play takes
    // about the time of its longest items instead of the sum. Records are keyed per item.
    const jobs = preview.packages.flatMap((pkg) =>
      pkg.description.launchables.filter((l) => l.scormType !== 'asset').map((l) => ({ pkg, item: { target: pkg.target, noLms: pkg.description.standard === 'web', id: l.id, title: l.title, rate: options.rate ?? 16, answers: answers ?? null } })),
    );
    const played: PlayedItem[] = new Array(jobs.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const i = next++;
        const job = jobs[i]!;
        throwIfCancelled(ctx.signal);
        ctx.logger.info(`Playing ${job.item.target}: ${job.item.title}`);
        const page = await chromium.newPage();
        try {
          played[i] = await playOne(page, preview, job.item, ctx);
        } finally {
          await page.close();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PLAY_CONCURRENCY, jobs.length) }, worker));
    const packages: PlayedPackage[] = preview.packages.map((pkg) => {
      const items = played.filter((_, i) => jobs[i]!.pkg === pkg);
      return { target: pkg.target, standard: pkg.description.standard, items, completed: items.length > 0 && items.every((i) => i.completed), ok: items.length > 0 && items.every((i) => i.ok) };
    });
    return { ok: packages.every((p) => p.ok), packages };
  } finally {
    await chromium.close();
    await preview.close();
  }
}

/** Loaded on use, so the other commands never pay for it. */
const loadPlaywright = () => import('playwright-core');

/** The package's frame inside the preview page, once it has loaded the package. */
export async function contentFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('#lk-content');
  for (let i = 0; i < 200; i += 1) {
    const frame = await handle.contentFrame();
    if (frame && frame.url().includes('/pkg/')) return frame;
    await page.waitForTimeout(50);
  }
  throw new Error('the content frame did not load');
}

/** What {@link playOne} plays. */
interface PlayItem {
  target: string;
  /** The web target: no LMS, the player's own summary is the record. */
  noLms: boolean;
  id: string;
  title: string;
  rate: number;
  /** The knowledge-check answers, or null (none given). */
  answers: ResolvedAnswers | null;
}

async function playOne(page: Page, preview: PreviewServer, item: PlayItem, ctx: RunContext): Promise<PlayedItem> {
  const { target, noLms, id, title, rate } = item;
  const key = `${target}/${id}`;
  const t0 = Date.now();
  const phase = (what: string) => ctx.logger.debug(`play ${key}: ${what} after ${((Date.now() - t0) / 1000).toFixed(2)} s`);
  await page.goto(`${preview.url}#target=${encodeURIComponent(target)}&id=${encodeURIComponent(id)}`);
  const frame = await contentFrame(page);
  await frame.waitForLoadState('load');
  const hasPlayer = await frame
    .waitForFunction(() => {
      const g = globalThis as unknown as { lessonkit?: { player?: unknown; error?: string } };
      return Boolean(g.lessonkit?.player || g.lessonkit?.error);
    }, undefined, { timeout: 20_000 })
    .then(
      () => true,
      () => false,
    );
  const reasons: string[] = [];
  let quizReasons: string[] = [];
  let playerCompleted = false;
  if (!hasPlayer) {
    // Not a lessonkit player: let the content run a moment and report what it recorded.
    await page.waitForTimeout(3000);
    reasons.push('not a lessonkit player, so nothing was played; the record shows what the content reported on its own');
  } else {
    const startError = await frame.evaluate(() => (globalThis as unknown as { lessonkit?: { error?: string } }).lessonkit?.error);
    if (startError) {
      reasons.push(`the player did not start: ${startError}`);
    } else {
      const total = await frame.evaluate(() => {
        const el = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document.getElementById('lessonkit-config');
        const cfg = JSON.parse(el?.textContent ?? '{}') as { lessons?: { segments: { duration: number }[] }[] };
        return (cfg.lessons ?? []).reduce((t, l) => t + l.segments.reduce((s, x) => s + x.duration, 0), 0);
      });
      const deadline = Date.now() + ((total / rate) * 3 + 30) * 1000;
      let last: FrameProgress | undefined;
      phase('the player started');
      await frame.evaluate(startPlaying, rate);
      const args = { rate, answers: item.answers };
      while (Date.now() < deadline) {
        throwIfCancelled(ctx.signal);
        last = await frame.evaluate(progressInFrame, args);
        if (last.answered) phase(`answered the knowledge check of ${last.answered}`);
        if (last.completed || last.atEnd || last.error) break;
        await page.waitForTimeout(250);
      }
      phase(`playing ended (${last?.completed ? 'completed' : last?.atEnd ? 'at the end' : 'stopped'})`);
      last ??= await frame.evaluate(progressInFrame, args);
      playerCompleted = last.completed;
      quizReasons = last.quizReasons;
      if (!last.completed) reasons.push(...(last.reasons.length ? last.reasons : [`playing stopped before the course was completed${Date.now() >= deadline ? ' (timed out)' : ''}`]));
      await frame.evaluate(async () => {
        await (globalThis as unknown as { lessonkit: { player: { exit(): Promise<void> } } }).lessonkit.player.exit();
      });
    }
  }
  if (noLms) {
    // The web target runs without an LMS: the player's own summary is all there is to report.
    const base = preview.records().find((r) => r.key === key)?.record;
    const record: LearnerRecord = {
      ...(base as LearnerRecord),
      completion: playerCompleted ? 'completed' : 'incomplete',
      ...(quizReasons.length ? { success: 'failed' } : {}),
      completed: playerCompleted,
      finished: true,
    };
    const ok = playerCompleted && quizReasons.length === 0;
    return { id, title, record, completed: playerCompleted, ok, reasons: ok ? [] : [...reasons, ...quizReasons] };
  }
  // Wait for the LMS side to see the session end (the last commit, the terminated statement).
  phase('the session ended');
  const end = Date.now() + 5000;
  while (Date.now() < end && !preview.records().find((r) => r.key === key)?.record.finished) await page.waitForTimeout(100);
  await page.evaluate(() => (globalThis as unknown as { lkPreview: { idle(): Promise<unknown> } }).lkPreview.idle());
  phase('the LMS has the record');
  const state = preview.records().find((r) => r.key === key);
  if (!state) throw new Error(`no record for ${key}`);
  const record = state.record;
  const failed = record.success === 'failed';
  if (failed) {
    const score = record.score?.scaled !== undefined ? `${Math.round(record.score.scaled * 10000) / 100} %` : record.score?.raw !== undefined ? String(record.score.raw) : 'no score';
    reasons.push(`the LMS recorded "failed" with score ${score}`, ...quizReasons);
  }
  if (!record.completed && hasPlayer && reasons.length === 0) reasons.push(`the player finished, but the LMS recorded completion "${record.completion}"`);
  if (!record.finished) reasons.push('the session was not ended (no LMSFinish/Terminate or terminated statement reached the LMS)');
  const ok = record.completed && !failed;
  return { id, title, record, completed: record.completed, ok, reasons: ok ? [] : reasons };
}

/** Runs in the content frame: mutes the video and plays it at `rate`; auto-advance does the rest. */
function startPlaying(rate: number): Promise<void> {
  const v = (globalThis as unknown as { document: { querySelector(s: string): { muted: boolean; defaultPlaybackRate: number; playbackRate: number; play(): Promise<void> } | null } }).document.querySelector('video');
  if (!v) return Promise.resolve();
  v.muted = true;
  v.defaultPlaybackRate = rate;
  v.playbackRate = rate;
  return v.play().catch(() => undefined);
}

/**
 * Runs in the content frame: whether the course is completed, whether playing has reached the
 * end of the last video, and, segment by segment, what is still missing. Keeps the rate up
 * (a new video starts at its default rate) and restarts a video auto-advance left paused.
 */
function progressInFrame({ rate, answers }: { rate: number; answers: Record<string, Record<string, string[]>> | null }): FrameProgress {
  type Ranges = true | [number, number][];
  const g = globalThis as unknown as {
    document: { getElementById(id: string): { textContent: string | null } | null; querySelector(s: string): { ended: boolean; paused: boolean; muted: boolean; playbackRate: number; defaultPlaybackRate: number; play(): Promise<void> } | null };
    lessonkit?: { error?: string; player?: { state(): { lesson: number; segment: number; segments: Ranges[]; workbooks: boolean[]; quizzes?: ({ attempts: number; percent: number } | undefined | null)[] }; summary(): { completed: boolean } } };
  };
  if (g.lessonkit?.error) return { player: false, error: g.lessonkit.error, completed: false, atEnd: true, reasons: [`the player stopped: ${g.lessonkit.error}`], quizReasons: [] };
  const player = g.lessonkit?.player;
  if (!player) return { player: false, completed: false, atEnd: false, reasons: [], quizReasons: [] };
  const cfg = JSON.parse(g.document.getElementById('lessonkit-config')?.textContent ?? '{}') as {
    completion: { watchedPercent: number; requireWorkbook: boolean };
    lessons: { id: string; title: string; segments: { id: string; title: string; duration: number }[]; materials: { kind: string }[]; quiz?: { passMark: number } }[];
  };
  const video = g.document.querySelector('video');
  const before = player.state();
  const lessonNow = cfg.lessons[before.lesson];
  // At the end of a lesson's last video, its knowledge check waits: answer it as a learner
  // would (tick the choices, type the text, press the submit button), once.
  const given = lessonNow && answers ? answers[lessonNow.id] : undefined;
  let answered: string | undefined;
  const marks0 = g as unknown as { lkAnswered?: Record<string, boolean>; lkSettle?: number };
  marks0.lkAnswered ??= {};
  if (lessonNow?.quiz && given && video?.ended && before.segment === lessonNow.segments.length - 1 && !before.quizzes?.[before.lesson] && !marks0.lkAnswered[lessonNow.id]) {
    marks0.lkAnswered[lessonNow.id] = true;
    answered = lessonNow.id;
    type El = { checked: boolean; value: string; type: string; dispatchEvent(e: unknown): boolean; click(): void; querySelectorAll(s: string): ArrayLike<El> };
    const doc = g.document as unknown as { querySelector(s: string): (El & { requestSubmit?(): void }) | null; querySelectorAll(s: string): ArrayLike<El> };
    const form = doc.querySelector('.lk-quiz-form');
    const blocks = form ? Array.from(form.querySelectorAll('[data-question]')) : [];
    for (const block of blocks) {
      const qid = (block as unknown as { getAttribute(n: string): string | null }).getAttribute('data-question') ?? '';
      const response = given[qid] ?? [];
      for (const input of Array.from(block.querySelectorAll('input'))) {
        if (input.type === 'text') input.value = response[0] ?? '';
        else input.checked = response.includes(input.value);
        const Ev = (globalThis as unknown as { Event: new (t: string, o: { bubbles: boolean }) => unknown }).Event;
        input.dispatchEvent(new Ev(input.type === 'text' ? 'input' : 'change', { bubbles: true }));
      }
    }
    doc.querySelector('.lk-quiz-submit')?.click();
    // The player reports the result (and refreshes its summary) once the LMS took it: give it up to 5 s of polls.
    marks0.lkSettle = 20;
  }
  const state = player.state();
  const summary = player.summary();
  if (video) {
    video.muted = true;
    if (video.playbackRate !== rate) {
      video.defaultPlaybackRate = rate;
      video.playbackRate = rate;
    }
    if (video.paused && !video.ended) void video.play().catch(() => undefined);
  }
  const lastLesson = cfg.lessons.length - 1;
  const lastSegment = (cfg.lessons[lastLesson]?.segments.length ?? 1) - 1;
  const settling = (marks0.lkSettle ?? 0) > 0 && !summary.completed;
  marks0.lkSettle = settling ? (marks0.lkSettle ?? 0) - 1 : 0;
  const atEnd = !settling && Boolean(video?.ended) && state.lesson === lastLesson && state.segment === lastSegment;
  // Auto-advance normally moves on; where it does not (the end of a lesson), press Next as a learner would.
  const marks = g as unknown as { lkEndedPolls?: number };
  // Just answered a knowledge check: the learner moves on at once.
  marks.lkEndedPolls = video?.ended && !atEnd ? (answered ? 3 : (marks.lkEndedPolls ?? 0) + 1) : 0;
  if (marks.lkEndedPolls >= 4) {
    marks.lkEndedPolls = 0;
    const next = (g.document as unknown as { querySelector(s: string): { disabled: boolean; click(): void } | null }).querySelector('.lk-next');
    if (next && !next.disabled) next.click();
  }
  const reasons: string[] = [];
  const quizReasons: string[] = [];
  const need = cfg.completion.watchedPercent;
  let flat = 0;
  cfg.lessons.forEach((lesson, li) => {
    lesson.segments.forEach((seg, si) => {
      const entry = state.segments[flat] ?? [];
      flat += 1;
      const seconds = entry === true ? seg.duration : entry.reduce((t, r) => t + Math.max(0, r[1] - r[0]), 0);
      const pct = entry === true ? 100 : seg.duration > 0 ? Math.min(100, (seconds / seg.duration) * 100) : 0;
      if (pct < need) reasons.push(`lesson ${li + 1} (${lesson.id}) segment ${si + 1} (${seg.id}) watched ${Math.floor(pct)} % of ${need} % required`);
    });
    if (lesson.segments.length === 0) reasons.push(`lesson ${li + 1} (${lesson.id}) has no video, so it can never be completed`);
    if (cfg.completion.requireWorkbook && lesson.materials.some((m) => m.kind === 'workbook') && state.workbooks[li] !== true) reasons.push(`lesson ${li + 1} (${lesson.id}) workbook not opened (completion.requireWorkbook)`);
    const outcome = state.quizzes?.[li];
    if (lesson.quiz && !outcome) {
      const why = !answers ? ' (pass --answers FILE to take it)' : !answers[lesson.id] ? ' (the answers file has none for it)' : '';
      reasons.push(`lesson ${li + 1} (${lesson.id}) knowledge check not taken${why}`);
    }
    if (lesson.quiz && outcome && outcome.percent < lesson.quiz.passMark) quizReasons.push(`lesson ${li + 1} (${lesson.id}) knowledge check scored ${outcome.percent} % of the ${lesson.quiz.passMark} % pass mark`);
  });
  return { player: true, completed: summary.completed, atEnd, reasons, quizReasons, ...(answered ? { answered } : {}) };
}
