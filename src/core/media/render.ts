/**
 * Rendering a course's segments into web-ready files in the render cache: one MP4, one JPEG
 * poster and (when there are captions) one WebVTT per segment. Nothing is encoded twice: the
 * cache key covers the source content, the cut, the profile and the ffmpeg version.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Course } from '../course/load.js';
import type { RunContext } from '../context.js';
import { throwIfCancelled } from '../../errors.js';
import { pathExists, toWriteError, withWriteErrors, writeFileAtomic } from '../../utils/fs.js';
import { cacheDir, cacheKey, fingerprintOnce, makeStagingDir, publishEntry, readCacheEntry } from './cache.js';
import { cutCues, findSidecarCaptions, readCaptions, toWebVtt } from './captions.js';
import { cutSegment, planCut, type CutMode, type CutPlan, type LoudnessPrescan } from './cut.js';
import { posterArgs, probeFormatArgs, runFfmpeg, runFfprobe, WEB_PROFILE } from './ffmpeg.js';
import { locateMediaTools, toolVersion } from './locate.js';
import { knownDurationReading, readMp4OutputFacts } from './mp4-index.js';
import { probeWithTimeline, type MediaInfo, type MediaTimeline } from './probe.js';
import { regionsInRange, resolveRegion, type Redaction, type RedactionSpec } from '../redact/regions.js';

/** One rendered segment, ready for a bundle. */
export interface RenderedSegment {
  lessonId: string;
  segmentId: string;
  /** Absolute path of the web MP4 in the render cache (.lessonkit/cache/ under the course dir). */
  video: string;
  /** Absolute path of a JPEG poster. */
  poster: string;
  /** Absolute path of the re-timed WebVTT, when the segment has captions (or a .srt/.vtt sits beside the source). */
  captions?: string;
  /** Seconds, as probed from the output. */
  duration: number;
  width: number;
  height: number;
  /** True when no ffmpeg ran for it. */
  cached: boolean;
}

/** Options for {@link renderCourseMedia}. */
export interface RenderCourseMediaOptions {
  /** The loaded course (from loadCourse). */
  course: Course;
  /** ffmpeg path from --ffmpeg. */
  ffmpeg?: string;
  /** ffprobe path from --ffprobe. */
  ffprobe?: string;
  /** Environment for the tool lookup. */
  env: Record<string, string | undefined>;
  /** Render cache folder instead of `<course>/.lessonkit/cache` (build --cache-dir, LESSONKIT_CACHE_DIR). */
  cacheDir?: string;
}

/** What {@link renderCourseMedia} returns. */
export interface RenderCourseMediaResult {
  segments: RenderedSegment[];
  /** Segments encoded in this run. */
  rendered: number;
  /** Segments served from the cache. */
  cacheHits: number;
}

/** What a cache entry's meta.json holds. */
interface EntryMeta {
  duration: number;
  width: number;
  height: number;
  method: CutPlan['method'];
  from: number;
  to: number;
  frames: number;
}

/** Facts about a rendered file, from ffprobe. */
export interface OutputFacts {
  duration: number;
  width: number;
  height: number;
}

/**
 * A rendered MP4's duration and size: read from its index when that says what this ffprobe
 * would print (see readMp4OutputFacts; the ffprobe's way of reading durations is learnt from
 * the recording's probe), else from ffprobe, which also reports a broken output.
 */
export async function probeOutput(ffprobe: string, file: string, ctx: RunContext): Promise<OutputFacts> {
  const known = await readMp4OutputFacts(file, knownDurationReading(ffprobe));
  if (known) return { duration: Math.round(known.duration * 1e6) / 1e6, width: known.width, height: known.height };
  const out = await runFfprobe(ffprobe, probeFormatArgs(file), { signal: ctx.signal, debug: (m) => ctx.logger.debug(m) });
  const j = JSON.parse(out.stdout) as { format?: { duration?: string }; streams?: { codec_type?: string; width?: number; height?: number }[] };
  const v = j.streams?.find((s) => s.codec_type === 'video');
  return { duration: Math.round(Number(j.format?.duration ?? 0) * 1e6) / 1e6, width: v?.width ?? 0, height: v?.height ?? 0 };
}

const versions = new Map<string, Promise<string>>();
/**
 * The ffmpeg version for the cache key. Remembered per binary (path, size, mtime) in the cache
 * folder too, so a cache hit in a new process runs no ffmpeg at all, not even `-version`.
 */
function ffmpegVersion(bin: string, root: string): Promise<string> {
  const memo = path.join(root, 'ffmpeg-versions.json');
  const lookup = async () => {
    const st = await stat(bin);
    const id = `${bin}|${st.size}|${st.mtimeMs}`;
    const known = (await readFile(memo, 'utf8').then((t) => JSON.parse(t) as Record<string, string>).catch(() => ({}))) as Record<string, string>;
    const hit = known[id];
    if (hit) return hit;
    const v = (await toolVersion(bin)) ?? 'unknown';
    // Only a memo: a failed or raced write costs one `-version` run next time.
    await writeFileAtomic(memo, JSON.stringify({ ...known, [id]: v }, null, 2)).catch(() => {});
    return v;
  };
  const key = `${bin}|${root}`;
  let v = versions.get(key);
  if (!v) {
    v = lookup();
    versions.set(key, v);
  }
  return v;
}

/** Options for {@link renderCut}. */
export interface RenderCutOptions {
  ffmpeg: string;
  ffprobe: string;
  info: MediaInfo;
  timeline: MediaTimeline;
  plan: CutPlan;
  /** Final MP4 path; written through a temp file beside it. */
  output: string;
  /** Progress item name, e.g. `lesson/segment`. */
  item: string;
  /** Regions to hide (source pixels and seconds). */
  redact?: Redaction[];
  /** A loudness scan already under way (see startLoudnessScan). */
  prescan?: LoudnessPrescan;
}

/** Cuts a planned segment to `output` atomically, reporting progress as `encode` events. */
export async function renderCut(o: RenderCutOptions, ctx: RunContext): Promise<OutputFacts> {
  // Progress counts seconds of media, to a tenth (the UI prints these numbers).
  const tenth = (x: number) => Math.round(x * 10) / 10;
  const total = tenth((o.plan.method === 'copy' ? o.plan.to - o.plan.from : (o.plan.frames * o.plan.fps.den) / o.plan.fps.num) || 0);
  const started = Date.now();
  const tmp = path.join(path.dirname(o.output), `.${path.basename(o.output)}.${process.pid}.${Date.now().toString(36)}.tmp.mp4`);
  try {
    await cutSegment(
      {
        ffmpeg: o.ffmpeg,
        info: o.info,
        timeline: o.timeline,
        plan: o.plan,
        output: tmp,
        ...(o.redact?.length ? { redact: o.redact } : {}),
        ...(o.prescan ? { prescan: o.prescan } : {}),
        onProgress: (done, speed) => {
          const elapsed = (Date.now() - started) / 1000;
          const rate = speed ?? (elapsed > 0 ? done / elapsed : 0);
          // Plain numbers: how to show them (a bar, a log line) is the UI's business.
          ctx.onProgress?.({ phase: 'encode', current: Math.min(tenth(done), total), total, item: o.item, ...(rate > 0 ? { speed: rate, eta: Math.max(0, total - done) / rate } : {}) });
        },
      },
      ctx,
    );
    throwIfCancelled(ctx.signal);
    const facts = await probeOutput(o.ffprobe, tmp, ctx);
    await rename(tmp, o.output);
    const secs = (Date.now() - started) / 1000;
    ctx.onProgress?.({ phase: 'encode', current: total, total, item: o.item, done: true, detail: `${o.plan.method}, ${facts.duration.toFixed(1)} s in ${secs.toFixed(1)} s` });
    return facts;
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw toWriteError(err, o.output);
  }
}

/** Writes a poster JPEG from the rendered video (a frame one second in, or mid-way for short clips). */
export async function renderPoster(ffmpeg: string, video: string, output: string, duration: number, ctx: RunContext): Promise<void> {
  const at = Math.min(1, duration / 2);
  const tmp = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.tmp.jpg`);
  try {
    await runFfmpeg(ffmpeg, posterArgs(video, tmp, at), { signal: ctx.signal, debug: (m) => ctx.logger.debug(m), what: 'poster', output });
    await rename(tmp, output);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw toWriteError(err, output);
  }
}

/** Writes the captions of [from, to) as WebVTT into the cache (content-addressed); returns its path. */
export async function renderCaptions(root: string, captionsFile: string, shown: string, from: number, to: number): Promise<string> {
  const cues = await readCaptions(captionsFile, shown);
  const text = toWebVtt(cutCues(cues, from, to));
  const file = path.join(root, 'captions', `${createHash('sha256').update(text).digest('hex').slice(0, 32)}.vtt`);
  if (!(await pathExists(file))) await writeFileAtomic(file, text);
  return file;
}

/** Renders under way in this process, by cache entry folder. */
const inFlight = new Map<string, Promise<EntryMeta>>();

/** Options for {@link renderSegmentCached}. */
export interface RenderSegmentCachedOptions {
  courseDir: string;
  sourcePath: string;
  /** Path as the author wrote it (for messages). */
  source: string;
  from: number;
  to: number;
  captionsPath?: string;
  captions?: string;
  mode?: CutMode;
  ffmpeg: string;
  ffprobe: string;
  ffprobeFlag?: string;
  ffmpegFlag?: string;
  env: Record<string, string | undefined>;
  lessonId: string;
  segmentId: string;
  /** Render cache folder instead of `<courseDir>/.lessonkit/cache`. */
  cacheDir?: string;
  /** The flag that moves the cache (`--cache-dir`), named when the cache cannot be written. */
  cacheFlag?: string;
  /** The segment's `redact:` regions (course.yaml), checked against the recording by the course check. */
  redact?: RedactionSpec[];
}

/** Renders one segment into the course's cache (or finds it there). */
export async function renderSegmentCached(o: RenderSegmentCachedOptions, ctx: RunContext): Promise<RenderedSegment & { plan: CutPlan }> {
  const item = `${o.lessonId}/${o.segmentId}`;
  const root = o.cacheDir ?? cacheDir(o.courseDir);
  const { info, timeline } = await probeWithTimeline({ file: o.sourcePath, cwd: o.courseDir, shown: o.source, ffmpeg: o.ffmpegFlag, ffprobe: o.ffprobeFlag, env: o.env, cacheDir: root }, ctx);
  const plan = planCut(info, timeline, o.from, o.to, o.mode ?? 'auto', o.source);
  const frame = info.video.frameRate.den / info.video.frameRate.num;
  const redact = regionsInRange(
    (o.redact ?? []).map((r) => resolveRegion(r, info.video.displayWidth, info.video.displayHeight, info.duration)),
    plan.from,
    plan.to,
    frame,
  );
  // The regions are part of the key: a cached unredacted render is never served for a redacted segment.
  const key = cacheKey([WEB_PROFILE, await fingerprintOnce(o.sourcePath), plan, await ffmpegVersion(o.ffmpeg, root), ...(redact.length ? [{ redact }] : [])]);
  const entry = path.join(root, 'media', key);
  const video = path.join(entry, 'video.mp4');
  const poster = path.join(entry, 'poster.jpg');
  let meta = await readCacheEntry<EntryMeta>(entry);
  const cached = meta !== undefined;
  // A full disk or a read-only course folder is reported against the cache folder, with its fix.
  const cacheWrite = { ...(o.cacheFlag ? { flag: o.cacheFlag } : {}) };
  if (!meta) {
    // Two courses of one export may cut the same stretch of one recording: the second waits for
    // the first's entry instead of encoding it again.
    let pending = inFlight.get(entry);
    if (!pending) {
      const encode = async (): Promise<EntryMeta> => {
        const done = await readCacheEntry<EntryMeta>(entry);
        if (done) return done;
        throwIfCancelled(ctx.signal);
        const staging = await withWriteErrors(root, () => makeStagingDir(path.join(root, 'media'), key), cacheWrite);
        try {
          const facts = await renderCut({ ffmpeg: o.ffmpeg, ffprobe: o.ffprobe, info, timeline, plan, output: path.join(staging, 'video.mp4'), item, redact }, ctx);
          await renderPoster(o.ffmpeg, path.join(staging, 'video.mp4'), path.join(staging, 'poster.jpg'), facts.duration, ctx);
          const m: EntryMeta = { ...facts, method: plan.method, from: plan.from, to: plan.to, frames: plan.frames };
          // meta.json is written last: its presence marks the entry complete.
          await writeFile(path.join(staging, 'meta.json'), JSON.stringify(m, null, 2) + '\n');
          throwIfCancelled(ctx.signal);
          await publishEntry(staging, entry);
          return m;
        } catch (err) {
          await rm(staging, { recursive: true, force: true }).catch(() => undefined);
          throw toWriteError(err, root, cacheWrite);
        }
      };
      pending = (ctx.encodeSlots ? ctx.encodeSlots.run(encode) : encode()).finally(() => inFlight.delete(entry));
      inFlight.set(entry, pending);
    }
    meta = await pending;
  } else {
    ctx.onProgress?.({ phase: 'encode', current: Math.round(meta.duration * 10) / 10, total: Math.round(meta.duration * 10) / 10, item, done: true, detail: 'cached' });
  }
  const captionsFile = o.captionsPath ?? (await findSidecarCaptions(o.sourcePath));
  const captions = captionsFile ? await withWriteErrors(root, () => renderCaptions(root, captionsFile, o.captions ?? path.basename(captionsFile), plan.from, plan.to), cacheWrite) : undefined;
  return {
    lessonId: o.lessonId,
    segmentId: o.segmentId,
    video,
    poster,
    ...(captions ? { captions } : {}),
    duration: meta.duration,
    width: meta.width,
    height: meta.height,
    cached,
    plan,
  };
}

/**
 * Renders every segment of a course into `.lessonkit/cache/` (web MP4, poster, WebVTT), reusing
 * cached renders. Emits `encode` progress events per `<lesson>/<segment>`; cancelling kills
 * ffmpeg and leaves no partial cache entry.
 */
export async function renderCourseMedia(options: RenderCourseMediaOptions, ctx: RunContext): Promise<RenderCourseMediaResult> {
  const tools = await locateMediaTools({ ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env });
  const segments: RenderedSegment[] = [];
  let rendered = 0;
  let cacheHits = 0;
  for (const lesson of options.course.lessons) {
    for (const seg of lesson.segments) {
      throwIfCancelled(ctx.signal);
      const r = await renderSegmentCached(
        {
          courseDir: options.course.dir,
          sourcePath: seg.sourcePath,
          source: seg.source,
          from: seg.from,
          to: seg.to,
          ...(seg.captionsPath ? { captionsPath: seg.captionsPath, captions: seg.captions } : {}),
          ffmpeg: tools.ffmpeg.path,
          ffprobe: tools.ffprobe.path,
          ...(options.ffmpeg ? { ffmpegFlag: options.ffmpeg } : {}),
          ...(options.ffprobe ? { ffprobeFlag: options.ffprobe } : {}),
          env: options.env,
          lessonId: lesson.id,
          segmentId: seg.id,
          ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
          cacheFlag: '--cache-dir',
          ...(seg.redact?.length ? { redact: seg.redact } : {}),
        },
        ctx,
      );
      const { plan: _plan, ...segment } = r;
      segments.push(segment);
      if (r.cached) cacheHits++;
      else rendered++;
    }
  }
  return { segments, rendered, cacheHits };
}
