/**
 * `redact find`: reads the text on screen and proposes regions to hide. Frames are sampled at a
 * steady rate; only the bands of the screen that changed (and once more when they settle) are
 * read, plus the whole frame at a fixed interval as a floor. What matches a pattern or a listed
 * term is followed while it stays on screen. Nothing is redacted here: the regions are printed,
 * drawn on a contact sheet, and added to course.yaml only with `write`.
 */
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isSeq, type Document, type YAMLMap } from 'yaml';
import { throwIfCancelled, UserError } from '../../errors.js';
import { isInside } from '../../utils/fs.js';
import type { RunContext } from '../context.js';
import { editCourseFile } from '../course/edit.js';
import { COURSE_FILE } from '../course/load.js';
import { formatTime } from '../course/time.js';
import { grayFramesArgs, markedStillArgs, runFfmpeg, streamFfmpeg } from '../media/ffmpeg.js';
import { locateMediaTools } from '../media/locate.js';
import { probeWithTimeline } from '../media/probe.js';
import { defaultOcrWorkers, withOcr, type GrayImage, type OcrEngine } from '../ocr/ocr.js';
import { buildMatchers, matchLines, parseTerms, type Matcher, type TextHit } from './patterns.js';
import { HitTracker, type Box, type FoundRegion } from './track.js';

/** Options for {@link findRedactions}. */
export interface FindRedactionsOptions {
  /** The recording (absolute, or relative to `cwd`); never modified. */
  recording: string;
  cwd: string;
  /** Built-in pattern names (default: every pattern but `amount`). */
  patterns?: string[];
  /** The author's own expression. */
  patternRegex?: string;
  /** A file of client names and other terms, one a line. */
  termsFile?: string;
  /** Add the regions to course.yaml (in `courseDir`). */
  write?: boolean;
  /** The course folder for `write` (default `cwd`). */
  courseDir?: string;
  /** Write one PNG per region, its box drawn, into this folder. */
  contactSheet?: string;
  /** Frames read per second (default 2). */
  sampleRate?: number;
  /** Seconds between whole-frame readings, whatever changed (default 10). */
  floorInterval?: number;
  /** OCR language (an installed `@tesseract.js-data/<lang>` package; default eng). */
  lang?: string;
  ffmpeg?: string;
  ffprobe?: string;
  env: Record<string, string | undefined>;
}

/** What {@link findRedactions} returns (what `--json` prints). */
export interface FindRedactionsResult {
  recording: string;
  duration: number;
  width: number;
  height: number;
  /** Frames sampled and OCR passes run. */
  samples: number;
  ocrPasses: number;
  regions: FoundRegion[];
  /** PNG files written for review. */
  contactSheet?: string[];
  /** Regions added to course.yaml (duplicates of entries already there are skipped). */
  written?: number;
}

const TILE = 16;
/** Mean absolute difference (0-255) above which a tile counts as changed: compression noise stays under it. */
const CHANGE_LEVEL = 3;

/** Which tiles differ between two grey frames. Pure (exported for tests). */
export function changedTiles(prev: Uint8Array, cur: Uint8Array, width: number, height: number): Uint8Array {
  const cols = Math.ceil(width / TILE);
  const rows = Math.ceil(height / TILE);
  const sums = new Float64Array(cols * rows);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / TILE) * cols;
    const base = y * width;
    for (let x = 0; x < width; x++) {
      const d = (prev[base + x] ?? 0) - (cur[base + x] ?? 0);
      if (d !== 0) sums[row + ((x / TILE) | 0)] = (sums[row + ((x / TILE) | 0)] ?? 0) + (d < 0 ? -d : d);
    }
  }
  const out = new Uint8Array(cols * rows);
  for (let i = 0; i < out.length; i++) out[i] = (sums[i] ?? 0) > CHANGE_LEVEL * TILE * TILE ? 1 : 0;
  return out;
}

/** The grey pixels under a box (clamped to the image), row by row. */
function cropPixels(image: GrayImage, b: Box): Uint8Array {
  const x0 = Math.max(0, Math.floor(b.x0));
  const x1 = Math.min(image.width, Math.ceil(b.x1));
  const y0 = Math.max(0, Math.floor(b.y0));
  const y1 = Math.min(image.height, Math.ceil(b.y1));
  const w = Math.max(0, x1 - x0);
  const out = new Uint8Array(w * Math.max(0, y1 - y0));
  for (let y = y0; y < y1; y++) out.set(image.data.subarray(y * image.width + x0, y * image.width + x1), (y - y0) * w);
  return out;
}

/** Mean absolute difference of two equal-sized pixel runs (255 when the sizes differ). */
function meanDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length || a.length === 0) return 255;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** Tile rows to bands of pixel rows, grown by `grow` tile rows each way and merged. Pure. */
export function rowsToBands(rows: readonly boolean[], height: number, grow = 2): { top: number; height: number }[] {
  const bands: { top: number; height: number }[] = [];
  let start = -1;
  const flush = (endRow: number) => {
    const top = Math.max(0, (start - grow) * TILE);
    const bottom = Math.min(height, (endRow + grow) * TILE);
    const last = bands[bands.length - 1];
    if (last && last.top + last.height >= top) last.height = Math.max(last.height, bottom - last.top);
    else bands.push({ top, height: bottom - top });
  };
  rows.forEach((on, r) => {
    if (on && start < 0) start = r;
    if (!on && start >= 0) {
      flush(r);
      start = -1;
    }
  });
  if (start >= 0) flush(rows.length);
  return bands;
}

/** Tile range (brightest minus darkest grey) above which a tile holds ink (glyph edges), not flat background. */
const INK_LEVEL = 40;
/** Blank tile columns allowed inside a line of text (the gaps between words): 3 tiles, 48 px. */
const GAP_TILES = 3;

/**
 * The parts of a band worth reading: from each tile column where something changed (`seed`),
 * outwards along the columns that hold ink, across gaps of at most `gap` blank columns, plus one
 * tile of margin. A line of text is read whole when any part of it changed (an e-mail address
 * typed letter by letter is matched entire), and the rest of the band, unchanged, is not read
 * again. Pure (exported for tests).
 */
export function bandSpans(image: GrayImage, band: { top: number; height: number }, seed: readonly boolean[], gap = GAP_TILES): { left: number; width: number }[] {
  const cols = Math.ceil(image.width / TILE);
  const on: boolean[] = [];
  for (let c = 0; c < cols; c++) {
    if (seed[c]) {
      on.push(true);
      continue;
    }
    const x0 = c * TILE;
    const x1 = Math.min(image.width, x0 + TILE);
    let lo = 255;
    let hi = 0;
    for (let y = band.top; y < band.top + band.height && hi - lo <= INK_LEVEL; y++) {
      const row = y * image.width;
      for (let x = x0; x < x1; x++) {
        const v = image.data[row + x] ?? 0;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    on.push(hi - lo > INK_LEVEL);
  }
  const spans: { left: number; width: number }[] = [];
  let c = 0;
  while (c < cols) {
    if (!on[c]) {
      c++;
      continue;
    }
    // A run of ink columns with gaps of at most `gap` blank ones.
    const start = c;
    let end = c + 1;
    let seeded = false;
    for (let k = c; k < cols; k++) {
      if (on[k]) {
        end = k + 1;
        seeded ||= seed[k] === true;
      } else if (k - end + 1 > gap) break;
    }
    c = end;
    if (!seeded) continue;
    const left = Math.max(0, (start - 1) * TILE);
    const right = Math.min(image.width, (end + 1) * TILE);
    const last = spans[spans.length - 1];
    if (last && last.left + last.width >= left) last.width = right - last.left;
    else spans.push({ left, width: right - left });
  }
  return spans;
}

/** Finds client data on screen in a recording and proposes redaction regions. */
export async function findRedactions(o: FindRedactionsOptions, ctx: RunContext): Promise<FindRedactionsResult> {
  const terms = o.termsFile ? parseTerms(await readTermsFile(o.termsFile, o.cwd)) : [];
  const matchers = buildMatchers({ ...(o.patterns ? { patterns: o.patterns } : {}), ...(o.patternRegex !== undefined ? { regex: o.patternRegex } : {}), terms });
  const file = path.resolve(o.cwd, o.recording);
  const courseDir = path.resolve(o.cwd, o.courseDir ?? '.');
  if (o.write && !isInside(courseDir, file)) {
    throw new UserError(`--write adds regions to ${path.join(courseDir, COURSE_FILE)}, but ${o.recording} is outside that course folder.`, { code: 'E_USAGE', hint: 'Copy the recording into the course (recordings/) and run the command there, or pass the course with -C.' });
  }
  const { info } = await probeWithTimeline({ file: o.recording, cwd: o.cwd, ffmpeg: o.ffmpeg, ffprobe: o.ffprobe, env: o.env }, ctx);
  const tools = await locateMediaTools({ ffmpeg: o.ffmpeg, ffprobe: o.ffprobe, env: o.env });
  const width = info.video.displayWidth;
  const height = info.video.displayHeight;
  const scan = await withOcr({ ...(o.lang ? { lang: o.lang } : {}), workers: defaultOcrWorkers() }, ctx, (ocr) =>
    scanRecording({ file, ffmpeg: tools.ffmpeg.path, width, height, duration: info.duration, sampleRate: o.sampleRate ?? 2, floorInterval: o.floorInterval ?? 10, matchers, ocr, item: o.recording }, ctx),
  );
  const result: FindRedactionsResult = { recording: file, duration: info.duration, width, height, samples: scan.samples, ocrPasses: scan.ocrPasses, regions: scan.regions };
  if (o.contactSheet) result.contactSheet = await writeContactSheet(tools.ffmpeg.path, file, path.resolve(o.cwd, o.contactSheet), scan.regions, ctx);
  if (o.write) result.written = await writeRegions(courseDir, path.relative(courseDir, file).split(path.sep).join('/'), scan.regions);
  return result;
}

async function readTermsFile(termsFile: string, cwd: string): Promise<string> {
  try {
    return await readFile(path.resolve(cwd, termsFile), 'utf8');
  } catch {
    throw new UserError(`--terms ${termsFile}: the file cannot be read.`, { code: 'E_INPUT', hint: 'Give a text file with one client name or term a line.' });
  }
}

interface ScanOptions {
  file: string;
  ffmpeg: string;
  width: number;
  height: number;
  duration: number;
  sampleRate: number;
  floorInterval: number;
  matchers: readonly Matcher[];
  ocr: OcrEngine;
  /** Progress item name. */
  item: string;
  /** Start and length to scan (the whole recording by default). */
  seek?: number;
  length?: number;
}

/** Samples the recording and follows every hit; exported for `redact check`, which reads every sampled frame. */
export async function scanRecording(s: ScanOptions, ctx: RunContext, every = false): Promise<{ samples: number; ocrPasses: number; regions: FoundRegion[]; hits: number }> {
  const { width, height } = s;
  const cols = Math.ceil(width / TILE);
  const rows = Math.ceil(height / TILE);
  const dirtySince = new Float64Array(cols * rows).fill(Number.NaN);
  const tracker = new HitTracker();
  let prev: Uint8Array | undefined;
  let prevT = 0;
  let lastFull = -Infinity;
  let ocrPasses = 0;
  let hitCount = 0;
  const started = Date.now();
  const total = s.length ?? s.duration;
  const seek = s.seek ?? 0;
  const inFlight: { t: number; prevT: number; image: GrayImage; hits: Promise<TextHit[]>; dirty: Float64Array }[] = [];
  /** Feeds the oldest sample's OCR results to the tracker. */
  const settle = async () => {
    const p = inFlight[0];
    if (!p) return;
    const hits = await p.hits;
    inFlight.shift();
    throwIfCancelled(ctx.signal);
    hitCount += hits.length;
    const snapshot = (b: Box) => cropPixels(p.image, b);
    const changed = (b: Box, snap: unknown) => meanDifference(snap as Uint8Array, cropPixels(p.image, b)) > CHANGE_LEVEL;
    const since = (b: Box): number | undefined => {
      let min: number | undefined;
      for (let r = Math.max(0, Math.floor(b.y0 / TILE)); r <= Math.min(rows - 1, Math.floor(b.y1 / TILE)); r++)
        for (let c = Math.max(0, Math.floor(b.x0 / TILE)); c <= Math.min(cols - 1, Math.floor(b.x1 / TILE)); c++) {
          const v = p.dirty[r * cols + c] as number;
          if (!Number.isNaN(v) && (min === undefined || v < min)) min = v;
        }
      return min;
    };
    tracker.update(p.t, p.prevT, hits, changed, since, snapshot);
    const done = p.t - seek;
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    ctx.onProgress?.({ phase: 'ocr', current: Math.round(done * 10) / 10, total: Math.round(total * 10) / 10, item: s.item, ...(rate > 0 ? { speed: rate, eta: Math.max(0, total - done) / rate } : {}) });
  };
  const samples = await streamFfmpeg(s.ffmpeg, grayFramesArgs(s.file, s.sampleRate, seek, s.length), {
    recordSize: width * height,
    signal: ctx.signal,
    debug: (m) => ctx.logger.debug(m),
    what: `frame sampling of ${path.basename(s.file)}`,
    onRecord: async (frame, index) => {
      throwIfCancelled(ctx.signal);
      const t = seek + index / s.sampleRate;
      // Our own copy: the record may share memory with the stream's chunks.
      const cur = new Uint8Array(frame);
      const image: GrayImage = { data: cur, width, height };
      const full = every || !prev || t - lastFull >= s.floorInterval;
      const readRows: boolean[] = new Array<boolean>(rows).fill(false);
      const readTile = new Uint8Array(cols * rows);
      const settled: number[] = [];
      if (prev) {
        const changed = changedTiles(prev, cur, width, height);
        for (let i = 0; i < changed.length; i++) {
          const r = Math.floor(i / cols);
          if (changed[i]) {
            if (Number.isNaN(dirtySince[i] as number)) dirtySince[i] = prevT;
            readRows[r] = true;
            readTile[i] = 1;
          } else if (!Number.isNaN(dirtySince[i] as number)) {
            // Changed before, still now: read it once more, settled (fades and typing end here).
            settled.push(i);
            readRows[r] = true;
            readTile[i] = 1;
          }
        }
      }
      const rects = full
        ? [{ top: 0, height }]
        : rowsToBands(readRows, height).flatMap((band) => {
            // Only the changed lines of text in the band, not the whole width of the screen.
            const seed = new Array<boolean>(cols).fill(false);
            for (let r = Math.floor(band.top / TILE); r < Math.min(rows, Math.ceil((band.top + band.height) / TILE)); r++)
              for (let c = 0; c < cols; c++) if (readTile[r * cols + c]) seed[c] = true;
            return bandSpans(image, band, seed).map((span) => ({ ...band, ...span }));
          });
      if (full) lastFull = t;
      ocrPasses += rects.length;
      // The rectangles are read at once (on as many OCR workers as there are), and the next
      // samples are compared and sent while these are read: the tracker takes the results in
      // time order, with the change state as it was at this sample, so the outcome is the same
      // as reading one rectangle after another.
      const hits = Promise.all(rects.map((rect) => s.ocr.recognize(image, rect))).then((found) => found.flatMap((lines) => matchLines(lines, s.matchers)));
      hits.catch(() => undefined);
      inFlight.push({ t, prevT, image, hits, dirty: dirtySince.slice() });
      for (const i of settled) dirtySince[i] = Number.NaN;
      if (full) dirtySince.fill(Number.NaN);
      prev = cur;
      prevT = t;
      while (inFlight.length > Math.max(1, s.ocr.workers ?? 1)) await settle();
    },
  });
  while (inFlight.length) await settle();
  ctx.onProgress?.({ phase: 'ocr', current: Math.round(total * 10) / 10, total: Math.round(total * 10) / 10, item: s.item, done: true, detail: `${samples} frames, ${ocrPasses} OCR passes` });
  return { samples, ocrPasses, regions: tracker.finish(seek + total, width, height), hits: hitCount };
}

/** Writes `region-NNN.png` per region (the frame mid-way through it, every region shown then boxed in red). */
async function writeContactSheet(ffmpeg: string, file: string, dir: string, regions: readonly FoundRegion[], ctx: RunContext): Promise<string[]> {
  await mkdir(dir, { recursive: true }).catch((err: unknown) => {
    throw new UserError(`--contact-sheet ${dir} cannot be created: ${(err as Error).message}`, { code: 'E_WRITE', hint: 'Give a folder you can write to.' });
  });
  const out: string[] = [];
  for (const [i, r] of regions.entries()) {
    throwIfCancelled(ctx.signal);
    const at = (r.from + r.to) / 2;
    const shown = regions.filter((q) => q.from <= at && q.to >= at);
    const target = path.join(dir, `region-${String(i + 1).padStart(3, '0')}.png`);
    const tmp = `${target}.${process.pid}.tmp.png`;
    try {
      await runFfmpeg(ffmpeg, markedStillArgs(file, tmp, at, shown), { signal: ctx.signal, debug: (m) => ctx.logger.debug(m), what: 'contact sheet', output: tmp });
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
    out.push(target);
  }
  return out;
}

/** Adds the regions to course.yaml's `redact:` list, each with a comment naming the pattern; returns how many were new. */
async function writeRegions(courseDir: string, source: string, regions: readonly FoundRegion[]): Promise<number> {
  let added = 0;
  await editCourseFile(courseDir, (doc: Document) => {
    let list = doc.get('redact', true);
    if (!isSeq(list)) {
      doc.set('redact', doc.createNode([]));
      list = doc.get('redact', true);
    }
    if (!isSeq(list)) return;
    const existing = new Set(list.items.map((it) => JSON.stringify(doc.createNode(it).toJSON())));
    for (const r of regions) {
      const entry = { source, box: [r.x, r.y, r.width, r.height], from: formatTime(r.from), to: formatTime(r.to), style: 'blur', note: `${r.kind}, found by redact find` };
      const node = doc.createNode(entry, { flow: false }) as YAMLMap;
      const key = JSON.stringify(node.toJSON());
      if (existing.has(key)) continue;
      existing.add(key);
      // The comment names the pattern, never the text: course.yaml is often committed.
      node.commentBefore = ` redact find: ${r.kind} at ${formatTime(r.from)}`;
      const box = node.get('box', true) as { flow?: boolean } | undefined;
      if (box) box.flow = true;
      // Quoted like hand-written times, so no YAML reader takes 00:01:30 for anything but text.
      for (const k of ['from', 'to']) {
        const v = node.get(k, true) as { type?: string } | undefined;
        if (v) v.type = 'QUOTE_DOUBLE';
      }
      list.items.push(node);
      added++;
    }
  });
  return added;
}
