/**
 * `lessonkit steps`: drafts a lesson's task-oriented cheat-sheet from its recording. For each
 * segment: small grey frames from one ffmpeg pipe find the settled screen changes; one ffmpeg run
 * per batch takes the stills (redaction regions hidden, the changed region outlined); offline OCR
 * reads the screen's title and the changed region; the caption cues give each step the
 * narrator's words. The draft is Markdown in the workbook format, next to its pictures.
 */
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { throwIfCancelled, UserError } from '../../errors.js';
import { isInside, pathExists, toWriteError, writeFileAtomic } from '../../utils/fs.js';
import type { RunContext } from '../context.js';
import { editCourseFile, setLessonField } from '../course/edit.js';
import { loadCourse, type Course, type Lesson, type Segment } from '../course/load.js';
import { cutCues, readCaptions, type Cue } from '../media/captions.js';
import { ffTime, runFfmpeg, streamFfmpeg } from '../media/ffmpeg.js';
import { locateMediaTools } from '../media/locate.js';
import { probeWithTimeline } from '../media/probe.js';
import { withOcr, type GrayImage, type OcrEngine, type OcrLine } from '../ocr/ocr.js';
import { regionsInRange, resolveRegion } from '../redact/regions.js';
import { ChangeDetector, keepLargest, thinChanges, type DetectedChange } from './detect.js';
import { instruction, pairCues, renderDraft, tidyOcr, type DraftStep } from './draft.js';
import { takeStills, type PixelBox, type StillRequest } from './stills.js';

/** Options for {@link draftSteps}. */
export interface DraftStepsOptions {
  /** A lesson id, a segment id, or `lesson/segment`. */
  target: string;
  /** The course folder. */
  cwd: string;
  /** The draft's path, relative to the course folder (default `workbooks/<lesson>-steps.md`). */
  out?: string;
  /** Keep at most this many steps (the largest changes; the starting screen always stays). */
  max?: number;
  /** Changes closer than this many seconds become one step (default 3). */
  minGap?: number;
  /** Point the lesson's `cheatsheet:` at the draft when it has none. */
  write?: boolean;
  /** Replace an existing draft (it may hold the author's edits, so never by default). */
  force?: boolean;
  /** Analysis frames a second (default 8). */
  fps?: number;
  /** OCR language (default eng). */
  lang?: string;
  ffmpeg?: string;
  ffprobe?: string;
  env: Record<string, string | undefined>;
}

/** One step of the result (what `--json` prints). */
export interface StepResult {
  segment: string;
  /** Seconds from the segment's start: where the change began (the time link). */
  time: number;
  /** Seconds from the segment's start: the settled screen the still shows. */
  stillAt: number;
  /** The screen's title as read. */
  title: string;
  /** The changed region's text as read. */
  text: string;
  /** The caption cues spoken then. */
  spoken: string[];
  /** The step's sentence in the draft. */
  sentence: string;
  /** The still (absolute path). */
  image: string;
  /** The changed region in source pixels (absent: the whole screen). */
  region?: PixelBox;
}

/** What {@link draftSteps} returns. */
export interface DraftStepsResult {
  lesson: string;
  /** The Markdown draft (absolute path). */
  draft: string;
  /** Relative to the course folder, as course.yaml would name it. */
  draftPath: string;
  steps: StepResult[];
  /** Seconds of video scanned. */
  scanned: number;
  /** With `write`: `set` (cheatsheet now points at the draft), `kept` (the lesson has one; the draft is beside it) or `already` (it points at the draft). */
  cheatsheet?: 'set' | 'kept' | 'already';
  /** The lesson's cheat-sheet before the run, when it had one. */
  existingCheatsheet?: string;
}

/** Analysis frame width: enough to see a dialog or a menu, small enough to cost nothing. */
const ANALYSIS_WIDTH = 160;
const even = (v: number) => Math.max(2, 2 * Math.round(v / 2));

/** ffmpeg arguments: the segment's frames, `fps` a second, scaled to `width`x`height` grey, on stdout. Pure. */
export function scanFramesArgs(input: string, from: number, length: number, fps: number, width: number, height: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-ss', ffTime(from), '-t', ffTime(length), '-i', input,
    '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vf', `fps=${fps},scale=${width}:${height}:flags=area,format=gray`,
    '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1',
  ];
}

/** Which lesson and segments a target names. */
function resolveTarget(course: Course, target: string): { lesson: Lesson; segments: Segment[]; single: boolean } {
  const [a, b] = target.split('/');
  if (b !== undefined) {
    const lesson = course.lessons.find((l) => l.id === a);
    const seg = lesson?.segments.find((s) => s.id === b);
    if (lesson && seg) return { lesson, segments: [seg], single: true };
  } else {
    const lesson = course.lessons.find((l) => l.id === target);
    if (lesson) {
      if (!lesson.segments.length) throw new UserError(`Lesson "${target}" has no videos yet, so there is nothing to draft steps from.`, { code: 'E_INPUT', hint: `Add a segment first: lessonkit trim <recording> --from ... --to ... --lesson ${target}` });
      return { lesson, segments: lesson.segments, single: false };
    }
    const owners = course.lessons.filter((l) => l.segments.some((s) => s.id === target));
    const owner = owners[0];
    if (owners.length === 1 && owner) return { lesson: owner, segments: owner.segments.filter((s) => s.id === target), single: true };
    if (owners.length > 1) throw new UserError(`Segment "${target}" is in several lessons (${owners.map((l) => l.id).join(', ')}).`, { code: 'E_USAGE', hint: `Name it with its lesson: lessonkit steps ${owners[0]?.id}/${target}` });
  }
  throw new UserError(`There is no lesson or segment "${target}" in ${course.file}.`, {
    code: 'E_INPUT',
    hint: `Use a lesson id (${course.lessons.map((l) => l.id).join(', ')}), a segment id, or lesson/segment.`,
  });
}

/** The tallest legible line: a screen's title is its largest text. */
export function pickTitle(lines: readonly OcrLine[]): string {
  let best = '';
  let bestHeight = 0;
  for (const l of lines) {
    const words = l.words.filter((w) => w.confidence >= 50);
    if (!words.length || words.length < l.words.length / 2) continue;
    const text = tidyOcr(words.map((w) => w.text).join(' '));
    if ((text.match(/\p{L}/gu) ?? []).length < 2) continue;
    const heights = words.map((w) => w.y1 - w.y0).sort((x, y) => x - y);
    const h = heights[Math.floor(heights.length / 2)] ?? 0;
    if (h > bestHeight) {
      bestHeight = h;
      best = text;
    }
  }
  return best.slice(0, 80);
}

/** The first legible line of the changed region. */
export function pickRegionText(lines: readonly OcrLine[]): string {
  for (const l of lines) {
    const words = l.words.filter((w) => w.confidence >= 55);
    const text = tidyOcr(words.map((w) => w.text).join(' '));
    if ((text.match(/\p{L}/gu) ?? []).length >= 2) return text.slice(0, 60);
  }
  return '';
}

/** Two grey images alike (a moving pointer aside): sampled mean difference under 1 level. Pure. */
export function sameImage(a: GrayImage, b: GrayImage): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.data.length; i += 7, n++) sum += Math.abs((a.data[i] ?? 0) - (b.data[i] ?? 0));
  return n > 0 && sum / n < 1;
}

/**
 * A keyframe inside the settled screen's time [from, to), when there is one: a still taken there
 * decodes one frame instead of a whole group of pictures. Pure.
 */
export function onKeyframe(keyframes: readonly number[], from: number, to: number): number | undefined {
  return keyframes.find((k) => k >= from && k < to);
}

interface Planned {
  seg: Segment;
  change: DetectedChange;
  /** Frame size of the recording and the analysis scale. */
  frame: { width: number; height: number };
  scale: { x: number; y: number };
  duration: number;
  frameDuration: number;
}

/** Drafts the steps of a lesson (or one segment) and writes the Markdown and its stills. */
export async function draftSteps(o: DraftStepsOptions, ctx: RunContext): Promise<DraftStepsResult> {
  const { course } = await loadCourse({ dir: o.cwd, cwd: o.cwd });
  const { lesson, segments, single } = resolveTarget(course, o.target);
  const rel = (o.out ?? `workbooks/${lesson.id}${single ? `-${segments[0]?.id}` : ''}-steps.md`).split(path.sep).join('/');
  const draft = path.resolve(course.dir, rel);
  const draftPath = path.relative(course.dir, draft).split(path.sep).join('/');
  if (!isInside(course.dir, draft)) throw new UserError(`--out ${rel} is outside the course folder ${course.dir}.`, { code: 'E_USAGE', hint: 'The draft ships with the course: give a path inside it, such as workbooks/my-lesson-steps.md.' });
  if (!/\.(md|markdown)$/i.test(draft)) throw new UserError(`--out ${rel} is not a Markdown file.`, { code: 'E_USAGE', hint: 'Give a .md path, such as workbooks/my-lesson-steps.md.' });
  if (!o.force && (await pathExists(draft))) {
    throw new UserError(`${draftPath} already exists; it may hold your edits, so it was left as it is.`, { code: 'E_INPUT', hint: 'Pass --force to draft it again (its pictures are replaced too), or --out to write a new file.' });
  }
  const minGap = o.minGap ?? 3;
  const fps = o.fps ?? 8;
  const tools = await locateMediaTools({ ffmpeg: o.ffmpeg, ffprobe: o.ffprobe, env: o.env });

  // 1. Settled changes of every segment.
  const planned: Planned[] = [];
  let scanned = 0;
  for (const seg of segments) {
    throwIfCancelled(ctx.signal);
    const { info, timeline } = await probeWithTimeline({ file: seg.sourcePath, cwd: course.dir, shown: seg.source, ffmpeg: tools.ffmpeg.path, ffprobe: tools.ffprobe.path, env: o.env }, ctx);
    const width = info.video.displayWidth;
    const height = info.video.displayHeight;
    const aw = ANALYSIS_WIDTH;
    const ah = even((ANALYSIS_WIDTH * height) / width);
    const length = Math.max(0, Math.min(seg.to, info.duration) - seg.from);
    const detector = new ChangeDetector({ width: aw, height: ah, fps });
    const started = Date.now();
    await streamFfmpeg(tools.ffmpeg.path, scanFramesArgs(seg.sourcePath, seg.from, length, fps, aw, ah), {
      recordSize: aw * ah,
      signal: ctx.signal,
      debug: (m) => ctx.logger.debug(m),
      what: `scanning ${seg.source}`,
      onRecord: async (frame, index) => {
        detector.push(frame, index);
        if (index % fps === 0) {
          const done = index / fps;
          const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
          ctx.onProgress?.({ phase: 'scan', current: Math.round(done), total: Math.round(length), item: seg.id, ...(done > 0 ? { speed: rate, eta: Math.max(0, length - done) / rate } : {}) });
        }
      },
    });
    scanned += length;
    const changes = thinChanges(detector.finish(), minGap);
    ctx.onProgress?.({ phase: 'scan', current: Math.round(length), total: Math.round(length), item: seg.id, done: true, detail: `${changes.length} step${changes.length === 1 ? '' : 's'}` });
    const frameDuration = info.video.fps > 0 ? 1 / info.video.fps : 1 / 30;
    for (const [i, change] of changes.entries()) {
      const next = changes[i + 1]?.time ?? length;
      const at = onKeyframe(timeline.keyframeTimes, seg.from + change.stillAt - 0.4, seg.from + next - 0.2);
      const settled = at === undefined ? change : { ...change, stillAt: Math.round((at - seg.from) * 1e6) / 1e6 };
      planned.push({ seg, change: settled, frame: { width, height }, scale: { x: width / aw, y: height / ah }, duration: info.duration, frameDuration });
    }
  }
  // Only the first segment's starting screen is pinned: later ones compete like any change.
  const chosen = o.max === undefined ? planned : keepLargest(planned, o.max, (p) => (p.change.initial && p.seg !== segments[0] ? { ...p.change, initial: false } : p.change));

  // 2. Stills and OCR, staged beside the draft and moved in place at the end.
  const imagesDir = draft.replace(/\.(md|markdown)$/i, '');
  const staging = `${imagesDir}.${process.pid}.tmp`;
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'lessonkit-steps-'));
  const ext = (await runFfmpeg(tools.ffmpeg.path, ['-hide_banner', '-encoders'], { signal: ctx.signal }).then((r) => r.stdout, () => '')).includes('libwebp') ? 'webp' : 'png';
  try {
    await mkdir(staging, { recursive: true }).catch((err: unknown) => {
      throw toWriteError(err, staging);
    });
    const steps: (StepResult & { page: boolean; segmentTitle: string })[] = [];
    let lastBand: { image: GrayImage; title: string } | undefined;
    await withOcr({ ...(o.lang ? { lang: o.lang } : {}) }, ctx, async (ocr: OcrEngine) => {
      for (const seg of segments) {
        const mine = chosen.filter((p) => p.seg === seg);
        if (!mine.length) continue;
        const first = mine[0] as Planned;
        const regions = (seg.redact ?? []).map((r) => resolveRegion(r, first.frame.width, first.frame.height, first.duration));
        const requests: StillRequest[] = mine.map((p, i) => {
          const at = seg.from + p.change.stillAt;
          const fd = p.frameDuration;
          const whole = Boolean(p.change.initial) || p.change.area > 0.5;
          const b = p.change.box;
          const region = whole ? undefined : { x: Math.floor(b.x * p.scale.x), y: Math.floor(b.y * p.scale.y), width: Math.ceil(b.width * p.scale.x), height: Math.ceil(b.height * p.scale.y) };
          // Over-redacting a still is safe; the frame ffmpeg lands on may be a frame after `at`.
          const hide = regionsInRange(regions, at - fd, at + 2 * fd, fd);
          return { at, ...(region ? { region } : {}), redact: hide, output: path.join(staging, `step-${String(steps.length + i + 1).padStart(2, '0')}.${ext}`) };
        });
        const stills = await takeStills({ ffmpeg: tools.ffmpeg.path, input: seg.sourcePath, frame: first.frame, requests, scratchDir: scratch, item: seg.id }, ctx);
        const cues: Cue[] = seg.captionsPath ? cutCues(await readCaptions(seg.captionsPath, seg.captions ?? seg.captionsPath), seg.from, seg.to) : [];
        const spoken = pairCues(mine.map((p) => p.change.time), cues);
        for (const [i, p] of mine.entries()) {
          throwIfCancelled(ctx.signal);
          const still = stills[i];
          const req = requests[i];
          if (!still || !req) continue;
          // Steps on the same screen share its title band: read it once.
          let title: string;
          if (lastBand && sameImage(lastBand.image, still.title)) title = lastBand.title;
          else {
            title = pickTitle(await ocr.recognize(still.title));
            lastBand = { image: still.title, title };
          }
          const text = still.region ? pickRegionText(await ocr.recognize(still.region)) : '';
          ctx.onProgress?.({ phase: 'ocr', current: steps.length + 1, total: chosen.length, item: seg.id });
          steps.push({
            segment: seg.id,
            segmentTitle: seg.title,
            time: Math.round(p.change.time * 1000) / 1000,
            stillAt: Math.round(p.change.stillAt * 1000) / 1000,
            title,
            text,
            spoken: (spoken[i] ?? []).map((c) => c.text.replace(/\s+/g, ' ')),
            sentence: '',
            image: path.join(imagesDir, path.basename(req.output)),
            page: !req.region,
            ...(req.region ? { region: req.region } : {}),
          });
        }
      }
    });
    const draftSteps: DraftStep[] = steps.map((s) => ({
      segmentId: s.segment,
      segmentTitle: s.segmentTitle,
      time: s.time,
      title: s.title,
      regionText: s.text,
      spoken: s.spoken,
      page: s.page,
      image: path.relative(path.dirname(draft), s.image).split(path.sep).join('/'),
    }));
    draftSteps.forEach((d, i) => {
      const s = steps[i];
      if (s) s.sentence = instruction(d, i === 0);
    });
    const markdown = renderDraft({ lessonTitle: lesson.title, steps: draftSteps, generatedFrom: segments.map((s) => `${s.source} (${s.id})`).join(', ') });
    // In place: old pictures go with the old draft (only reached with --force or when there was none).
    await rm(imagesDir, { recursive: true, force: true });
    await rename(staging, imagesDir).catch((err: unknown) => {
      throw toWriteError(err, imagesDir);
    });
    await writeFileAtomic(draft, markdown);
    const result: DraftStepsResult = {
      lesson: lesson.id,
      draft,
      draftPath,
      steps: steps.map(({ page: _page, segmentTitle: _t, ...s }) => s),
      scanned: Math.round(scanned * 1000) / 1000,
      ...(lesson.cheatsheet ? { existingCheatsheet: lesson.cheatsheet } : {}),
    };
    if (o.write) {
      if (lesson.cheatsheet && path.resolve(course.dir, lesson.cheatsheet) === draft) result.cheatsheet = 'already';
      else if (lesson.cheatsheet) result.cheatsheet = 'kept';
      else {
        await editCourseFile(course.dir, (doc) => setLessonField(doc, lesson.id, 'cheatsheet', draftPath));
        result.cheatsheet = 'set';
      }
    }
    return result;
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
  }
}
