/**
 * `lessonkit preview --headless --play`: runs every launchable of every package in headless
 * Chromium as a learner in a hurry would (every video played through at high speed, auto-advance
 * pressing Next, no knowledge check answered), ends the session, and reports what the LMS
 * recorded, with the reason when the course does not end completed.
 */
import type { Frame, Page } from 'playwright-core';
import type { RunContext } from '../context.js';
import { findBrowser } from '../doctor/browser.js';
import { throwIfCancelled, UserError } from '../../errors.js';
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
  /** Why it is not completed (each unmet requirement), when it is not. */
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
}

/** What {@link playPreview} returns (what `--json` prints). */
export interface PlayPreviewResult {
  /** True when every package ended completed. */
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
}

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
  const preview = await startPreview(options, ctx);
  const chromium = await playwright.chromium
    .launch({ executablePath: browser.path, args: [...browser.args, '--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio'], headless: true })
    .catch(async (err: unknown) => {
      await preview.close();
      throw new UserError(`Chromium at ${browser.path} does not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}.`, { code: 'E_NOT_FOUND', hint: 'Point CHROME_PATH at a working Chrome or Chromium.', cause: err });
    });
  try {
    const packages: PlayedPackage[] = [];
    for (const pkg of preview.packages) {
      const items: PlayedItem[] = [];
      for (const l of pkg.description.launchables) {
        if (l.scormType === 'asset') continue;
        throwIfCancelled(ctx.signal);
        ctx.logger.info(`Playing ${pkg.target}: ${l.title}`);
        const page = await chromium.newPage();
        try {
          items.push(await playOne(page, preview, pkg.target, pkg.description.standard === 'web', l.id, l.title, options.rate ?? 16, ctx));
        } finally {
          await page.close();
        }
      }
      packages.push({ target: pkg.target, standard: pkg.description.standard, items, completed: items.length > 0 && items.every((i) => i.completed) });
    }
    return { ok: packages.every((p) => p.completed), packages };
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

async function playOne(page: Page, preview: PreviewServer, target: string, noLms: boolean, id: string, title: string, rate: number, ctx: RunContext): Promise<PlayedItem> {
  const key = `${target}/${id}`;
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
      await frame.evaluate(startPlaying, rate);
      while (Date.now() < deadline) {
        throwIfCancelled(ctx.signal);
        last = await frame.evaluate(progressInFrame, rate);
        if (last.completed || last.atEnd || last.error) break;
        await page.waitForTimeout(250);
      }
      last ??= await frame.evaluate(progressInFrame, rate);
      playerCompleted = last.completed;
      if (!last.completed) reasons.push(...(last.reasons.length ? last.reasons : [`playing stopped before the course was completed${Date.now() >= deadline ? ' (timed out)' : ''}`]));
      await frame.evaluate(async () => {
        await (globalThis as unknown as { lessonkit: { player: { exit(): Promise<void> } } }).lessonkit.player.exit();
      });
    }
  }
  if (noLms) {
    // The web target runs without an LMS: the player's own summary is all there is to report.
    const base = preview.records().find((r) => r.key === key)?.record;
    const record: LearnerRecord = { ...(base as LearnerRecord), completion: playerCompleted ? 'completed' : 'incomplete', completed: playerCompleted, finished: true };
    return { id, title, record, completed: playerCompleted, reasons: playerCompleted ? [] : reasons };
  }
  // Wait for the LMS side to see the session end (the last commit, the terminated statement).
  const end = Date.now() + 5000;
  while (Date.now() < end && !preview.records().find((r) => r.key === key)?.record.finished) await page.waitForTimeout(100);
  await page.evaluate(() => (globalThis as unknown as { lkPreview: { idle(): Promise<unknown> } }).lkPreview.idle());
  const state = preview.records().find((r) => r.key === key);
  if (!state) throw new Error(`no record for ${key}`);
  const record = state.record;
  if (!record.completed && hasPlayer && reasons.length === 0) reasons.push(`the player finished, but the LMS recorded completion "${record.completion}"`);
  if (!record.finished) reasons.push('the session was not ended (no LMSFinish/Terminate or terminated statement reached the LMS)');
  return { id, title, record, completed: record.completed, reasons: record.completed ? [] : reasons };
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
function progressInFrame(rate: number): FrameProgress {
  type Ranges = true | [number, number][];
  const g = globalThis as unknown as {
    document: { getElementById(id: string): { textContent: string | null } | null; querySelector(s: string): { ended: boolean; paused: boolean; muted: boolean; playbackRate: number; defaultPlaybackRate: number; play(): Promise<void> } | null };
    lessonkit?: { error?: string; player?: { state(): { lesson: number; segment: number; segments: Ranges[]; workbooks: boolean[]; quizzes?: unknown[] }; summary(): { completed: boolean } } };
  };
  if (g.lessonkit?.error) return { player: false, error: g.lessonkit.error, completed: false, atEnd: true, reasons: [`the player stopped: ${g.lessonkit.error}`] };
  const player = g.lessonkit?.player;
  if (!player) return { player: false, completed: false, atEnd: false, reasons: [] };
  const cfg = JSON.parse(g.document.getElementById('lessonkit-config')?.textContent ?? '{}') as {
    completion: { watchedPercent: number; requireWorkbook: boolean };
    lessons: { id: string; title: string; segments: { id: string; title: string; duration: number }[]; materials: { kind: string }[]; quiz?: unknown }[];
  };
  const state = player.state();
  const summary = player.summary();
  const video = g.document.querySelector('video');
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
  const atEnd = Boolean(video?.ended) && state.lesson === lastLesson && state.segment === lastSegment;
  // Auto-advance normally moves on; where it does not (the end of a lesson), press Next as a learner would.
  const marks = g as unknown as { lkEndedPolls?: number };
  marks.lkEndedPolls = video?.ended && !atEnd ? (marks.lkEndedPolls ?? 0) + 1 : 0;
  if (marks.lkEndedPolls >= 4) {
    marks.lkEndedPolls = 0;
    const next = (g.document as unknown as { querySelector(s: string): { disabled: boolean; click(): void } | null }).querySelector('.lk-next');
    if (next && !next.disabled) next.click();
  }
  const reasons: string[] = [];
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
    if (lesson.quiz && !state.quizzes?.[li]) reasons.push(`lesson ${li + 1} (${lesson.id}) knowledge check not taken`);
  });
  return { player: true, completed: summary.completed, atEnd, reasons };
}
