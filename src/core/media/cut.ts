/**
 * Cutting one segment out of a recording: the frame-accurate plan (pure) and its execution
 * (smart cut, full transcode, or keyframe copy). Writes only to the output path it is given.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError, UserError } from '../../errors.js';
import type { RunContext } from '../context.js';
import {
  concatList,
  copyArgs,
  ffTime,
  keyframeSeekTime,
  runFfmpeg,
  loudnessGain,
  loudnessScanArgs,
  parseLoudness,
  segmentAudioArgs,
  smartJoinArgs,
  smartPartCopyArgs,
  smartPartEncodeArgs,
  transcodeArgs,
  type FfmpegProgress,
  redactFilter,
  type Rational,
} from './ffmpeg.js';
import { regionsInRange, smartParts, type Redaction } from '../redact/regions.js';
import type { MediaInfo, MediaTimeline } from './probe.js';

/** How a segment is cut: `auto` = smart cut when possible else transcode; `copy` = keyframes only; `encode` = transcode. */
export type CutMode = 'auto' | 'copy' | 'encode';

/** The frames a cut takes, decided before any ffmpeg runs. */
export interface CutPlan {
  /** The path taken. */
  method: 'smart' | 'encode' | 'copy';
  /** Index of the first source frame and one past the last (CFR sources). */
  firstFrame: number;
  endFrame: number;
  /** Output frames. */
  frames: number;
  /** Output frame rate. */
  fps: Rational;
  /** Actual start and end in source time (after rounding to frames or, for copy, keyframes). */
  from: number;
  to: number;
  /** Smart cut parts: re-encoded head [firstFrame, copyStart), copied [copyStart, copyEnd), re-encoded tail. */
  copyStart?: number;
  copyEnd?: number;
  /** Why smart cut was not used, when `auto` fell back to a transcode. */
  reason?: string;
}

/** Index of the first frame whose time is >= t (within a quarter frame). */
function frameAtOrAfter(times: readonly number[], t: number, quarter: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] ?? 0) < t - quarter) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Checks the requested range against the recording and plans the cut. Times are rounded to the
 * nearest frame; a range must hold at least one frame. Pure (unit-tested).
 */
export function planCut(info: MediaInfo, timeline: MediaTimeline, from: number, to: number, mode: CutMode, shown: string): CutPlan {
  const d = info.duration;
  if (from >= to) {
    throw new UserError(`--from ${ffTime(from)}s is not before --to ${ffTime(to)}s.`, { code: 'E_INPUT', hint: 'Give a start time earlier than the end time.' });
  }
  if (from >= d) {
    throw new UserError(`--from ${ffTime(from)}s is beyond the end of ${shown} (${ffTime(d)}s long).`, { code: 'E_INPUT', hint: `Give a start time below ${ffTime(d)}s (lessonkit probe shows the duration).` });
  }
  // Half a frame of slack: `--to 10` on a 9.99 s file means "to the end".
  const frameDur = info.video.frameRate.den / info.video.frameRate.num;
  if (to > d + frameDur / 2) {
    throw new UserError(`--to ${ffTime(to)}s is beyond the end of ${shown} (${ffTime(d)}s long).`, { code: 'E_INPUT', hint: `Give an end time of at most ${ffTime(d)}s (lessonkit probe shows the duration).` });
  }
  to = Math.min(to, d);
  const times = timeline.frameTimes;
  const fps = info.video.frameRate;
  if (mode === 'copy') {
    // The only exact start a stream copy can have is a keyframe: the last one at or before `from`.
    const kf = [...timeline.keyframeTimes].reverse().find((k) => k <= from + frameDur / 4) ?? 0;
    return { method: 'copy', firstFrame: frameAtOrAfter(times, kf, frameDur / 4), endFrame: frameAtOrAfter(times, to, frameDur / 2), frames: 0, fps, from: kf, to };
  }
  const quarter = frameDur / 4;
  // The segment holds the frames whose time is in [from, to) (a quarter frame absorbs rounding).
  const firstFrame = frameAtOrAfter(times, from, quarter);
  const endFrame = frameAtOrAfter(times, to, quarter);
  if (info.video.variableFrameRate || mode === 'encode' || !info.smartCut.possible) {
    const frames = info.video.variableFrameRate ? Math.max(1, Math.round((to - from) * (fps.num / fps.den))) : Math.max(1, endFrame - firstFrame);
    const start = info.video.variableFrameRate ? from : (times[firstFrame] ?? from);
    const reason = mode === 'encode' ? undefined : info.smartCut.reasons.join('; ');
    return { method: 'encode', firstFrame, endFrame, frames, fps, from: start, to: start + (frames * fps.den) / fps.num, ...(reason ? { reason } : {}) };
  }
  if (endFrame <= firstFrame) {
    throw new UserError(`The range ${ffTime(from)}s-${ffTime(to)}s of ${shown} holds no whole frame.`, { code: 'E_INPUT', hint: 'Give a longer range.' });
  }
  const kfIndex = timeline.keyframeTimes.map((k) => frameAtOrAfter(times, k, quarter));
  const copyStart = kfIndex.find((k) => k >= firstFrame);
  // A segment that runs to the end of the file copies its last GOP too: nothing follows it that
  // a re-encoded tail would have to stop before.
  const copyEnd = endFrame >= times.length ? endFrame : [...kfIndex].reverse().find((k) => k <= endFrame);
  const fromT = times[firstFrame] ?? from;
  const toT = fromT + ((endFrame - firstFrame) * fps.den) / fps.num;
  if (copyStart === undefined || copyEnd === undefined || copyEnd <= copyStart) {
    return { method: 'encode', firstFrame, endFrame, frames: endFrame - firstFrame, fps, from: fromT, to: toT, reason: 'the range holds no whole GOP to copy' };
  }
  return { method: 'smart', firstFrame, endFrame, frames: endFrame - firstFrame, fps, from: fromT, to: toT, copyStart, copyEnd };
}

/**
 * A loudness scan started before the cut is planned, from the range as asked (see
 * {@link startLoudnessScan}): the cut uses it only when the planned range is exactly that one.
 */
export interface LoudnessPrescan {
  /** The scan's seek and duration as ffmpeg is given them. */
  seek: string;
  duration: string;
  /** The gain to the loudness target (rejects when the scan failed or was stopped). */
  gain: Promise<number>;
  /** Stops the scan (a no-op once it has finished). */
  stop: () => void;
}

/**
 * Starts the loudness scan of `[seek, seek + duration)` of `input` now, so it runs while the
 * recording is still being probed. Its result is only a candidate: a cut whose planned audio
 * range differs (times rounded to frames) scans again. The caller stops it when done.
 */
export function startLoudnessScan(ffmpeg: string, input: string, seek: number, duration: number, ctx: RunContext): LoudnessPrescan {
  const local = new AbortController();
  const stop = () => local.abort();
  ctx.signal?.addEventListener('abort', stop, { once: true });
  const gain = runFfmpeg(ffmpeg, loudnessScanArgs(input, seek, duration), { signal: local.signal, debug: (m) => ctx.logger.debug(m), what: `loudness scan of ${path.basename(input)}` })
    .then((r) => loudnessGain(parseLoudness(r.stderr)))
    .finally(() => ctx.signal?.removeEventListener('abort', stop));
  // A scan nobody uses (no audio track, a plan that moved) must not surface as an unhandled rejection.
  gain.catch(() => undefined);
  return { seek: ffTime(seek), duration: ffTime(duration), gain, stop };
}

/**
 * How far before a wanted frame a cut seeks (seconds; less for rates above 125 fps, an eighth of
 * a frame): ffprobe rounds times to microseconds. A loudness scan started before the plan uses
 * it too, so that its range is the one the cut measures.
 */
export const SEEK_EARLY = 0.001;

/** Options for {@link cutSegment}. */
export interface CutSegmentOptions {
  ffmpeg: string;
  info: MediaInfo;
  timeline: MediaTimeline;
  plan: CutPlan;
  /** Where the MP4 goes (the caller makes it a temp path and renames it). */
  output: string;
  /** Progress in seconds of output done. */
  onProgress?: (done: number, speed?: number) => void;
  /** Regions to hide (source pixels and seconds): only the GOPs they touch are re-encoded. */
  redact?: Redaction[];
  /** A loudness scan already under way (used when its range is the planned one). */
  prescan?: LoudnessPrescan;
}

/** The redaction filter for frames read from `seek` on (filter time = source time - seek), or undefined. */
function redactFor(regions: readonly Redaction[] | undefined, seek: number, from: number, to: number, frameDur: number, pixelFormat: string): string | undefined {
  const touching = regionsInRange(regions ?? [], from, to, frameDur);
  if (!touching.length) return undefined;
  // Half a frame of margin each way: the filter compares frame times, which carry rounding.
  return redactFilter(
    touching.map((r) => ({ ...r, from: r.from - seek - frameDur / 2, to: r.to - seek + frameDur / 2 })),
    { pixelFormat },
  );
}

/** Runs the plan: writes `output` (an MP4 with the moov first). Cleans its temp folder on any failure. */
export async function cutSegment(o: CutSegmentOptions, ctx: RunContext): Promise<void> {
  const { info, timeline, plan, ffmpeg } = o;
  const times = timeline.frameTimes;
  const frameDur = plan.fps.den / plan.fps.num;
  const debug = (m: string) => ctx.logger.debug(m);
  const what = `cut of ${path.basename(info.file)}`;
  const progress = (offset: number) => (p: FfmpegProgress) => o.onProgress?.(offset + p.outTime, p.speed);
  // Seek a hair (a small part of a frame) before the wanted frame: ffprobe rounds times to microseconds.
  const eps = Math.min(SEEK_EARLY, frameDur / 8);
  if (plan.method === 'copy' && regionsInRange(o.redact ?? [], plan.from, plan.to, frameDur).length) {
    throw new UserError(`A keyframe copy cannot hide the redact: regions of ${path.basename(info.file)}.`, { code: 'E_INPUT', hint: 'Cut it with --mode auto or --mode encode, which apply the regions.' });
  }
  if (plan.method === 'copy') {
    await runFfmpeg(ffmpeg, copyArgs(info.file, o.output, plan.from, plan.to - plan.from), { signal: ctx.signal, debug, what, output: o.output, onProgress: progress(0) });
    return;
  }
  const channels = info.audio?.channels ?? 0;
  // The audio of a smart cut, and the loudness scan, start a hair early like the video's seek. A
  // variable-rate transcode seeks exactly on `from`; its scan still starts the millisecond early
  // (out of an integrated loudness over seconds, which the gain keeps to 0.01 dB), so that the
  // scan trim starts before the probe says the rate is variable is the one the cut takes.
  const audioFrom = Math.max(0, plan.from - eps);
  const audioDuration = (plan.frames * plan.fps.den) / plan.fps.num;
  /** Measures the segment's loudness (audio only, fast) and returns the gain to the target. */
  const measureGain = async (signal: AbortSignal | undefined): Promise<number> => {
    if (channels === 0) return 0;
    const pre = o.prescan;
    if (pre && pre.seek === ffTime(audioFrom) && pre.duration === ffTime(audioDuration)) {
      // The same command on the same range: its result, unless it failed (then scan here, to report our own error).
      const gain = await pre.gain.catch(() => undefined);
      if (gain !== undefined) return gain;
    }
    pre?.stop();
    const r = await runFfmpeg(ffmpeg, loudnessScanArgs(info.file, audioFrom, audioDuration), { signal, debug, what: `loudness scan of ${path.basename(info.file)}` });
    return loudnessGain(parseLoudness(r.stderr));
  };
  if (plan.method === 'encode') {
    const gainDb = await measureGain(ctx.signal);
    // A variable-rate source is sought exactly: its frames are placed by the fps filter.
    const seek = Math.max(0, plan.from - (info.video.variableFrameRate ? 0 : eps));
    const redact = redactFor(o.redact, seek, plan.from, plan.to, frameDur, info.video.pixelFormat);
    await runFfmpeg(
      ffmpeg,
      transcodeArgs({
        input: info.file,
        output: o.output,
        seek,
        frames: plan.frames,
        duration: (plan.frames * plan.fps.den) / plan.fps.num,
        width: info.video.displayWidth,
        height: info.video.displayHeight,
        fps: plan.fps,
        audioChannels: channels,
        ...(o.info.video.color.space ? { colorSpace: o.info.video.color.space } : {}),
        gainDb,
        ...(redact ? { redact } : {}),
      }),
      { signal: ctx.signal, debug, what, output: o.output, onProgress: progress(0) },
    );
    return;
  }
  const tmp = await mkdtemp(path.join(path.dirname(o.output), '.smartcut-'));
  // The parts are independent: head, copied middle, tail and audio run at the same time. The
  // first failure (or Ctrl-C) stops the others, so no ffmpeg outlives the cut.
  const local = new AbortController();
  const stop = () => local.abort();
  ctx.signal?.addEventListener('abort', stop);
  try {
    const copyStart = plan.copyStart ?? plan.firstFrame;
    const copyEnd = plan.copyEnd ?? plan.endFrame;
    const opts = { signal: local.signal, debug, what, output: o.output };
    const total = plan.frames * frameDur;
    // Head and tail are re-encoded, and so is every GOP between them that holds a redacted frame.
    // A binary search per keyframe (a linear one is keyframes x frames: a second on an hour of video).
    const keyframes = timeline.keyframeTimes.map((k) => {
      const i = frameAtOrAfter(times, k, frameDur / 4);
      return i < times.length ? i : -1;
    });
    const plannedParts = smartParts({ firstFrame: plan.firstFrame, endFrame: plan.endFrame, copyStart, copyEnd }, keyframes, times, frameDur, o.redact ?? []);
    const doneSeconds = plannedParts.map(() => 0);
    const report = (i: number, seconds: number) => {
      doneSeconds[i] = seconds;
      o.onProgress?.(doneSeconds.reduce((a, b) => a + b, 0));
    };
    const encodePart = async (file: string, first: number, end: number, slot: number, keyframesInside: readonly number[] = []) => {
      const before = Math.max(0, (times[first] ?? 0) - eps);
      // A part that starts on a keyframe (the tail, a redacted GOP) is sought onto it, not a hair
      // before it, which would land a whole GOP earlier and decode that GOP for nothing.
      const onKeyframe = first !== plan.firstFrame && keyframes.includes(first);
      const fromKeyframe = { quarterFrame: frameDur / 4, bFrames: info.video.bFrames };
      const seek = onKeyframe ? (times[first] ?? 0) : before;
      // The filters see source time minus the -ss value given to ffmpeg, in both seek modes; on a
      // keyframe, the frames before that value arrive with negative times (passthrough keeps them).
      const filterZero = onKeyframe ? keyframeSeekTime(seek, fromKeyframe) : before;
      const redact = redactFor(o.redact, filterZero, times[first] ?? 0, (times[end - 1] ?? 0) + frameDur, frameDur, info.video.pixelFormat);
      const base = { input: info.file, output: file, seek, frames: end - first, profile: info.video.profile ?? 'High', level: info.video.level, color: info.video.color, reorderDelay: timeline.reorderDelay, ...(redact ? { redact } : {}), ...(keyframesInside.length ? { keyframes: keyframesInside.map((k) => k - first) } : {}) };
      await runFfmpeg(ffmpeg, smartPartEncodeArgs(onKeyframe ? { ...base, fromKeyframe } : base), opts);
      report(slot, (end - first) * frameDur);
    };
    const parts: { file: string; duration: number }[] = [];
    const tasks: Promise<void>[] = [];
    for (const [i, part] of plannedParts.entries()) {
      const file = path.join(tmp, `part-${String(i).padStart(4, '0')}.ts`);
      parts.push({ file, duration: (part.end - part.first) * frameDur });
      if (part.encode) tasks.push(encodePart(file, part.first, part.end, i, part.keyframes));
      else
        tasks.push(
          runFfmpeg(ffmpeg, smartPartCopyArgs(info.file, file, times[part.first] ?? 0, frameDur / 4, part.end - part.first, info.video.bFrames), opts).then(() => report(i, (part.end - part.first) * frameDur)),
        );
    }
    let audio: string | undefined;
    if (channels > 0) {
      audio = path.join(tmp, 'audio.m4a');
      const file = audio;
      tasks.push(measureGain(local.signal).then((gainDb) => runFfmpeg(ffmpeg, segmentAudioArgs(info.file, file, audioFrom, total, channels, gainDb), opts).then(() => undefined)));
    }
    const settled = await Promise.allSettled(tasks.map((t) => t.catch((err: unknown) => (local.abort(), Promise.reject(err)))));
    const failures = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (ctx.signal?.aborted) throw new CancelledError();
    // Report the failure that caused the stop, not the cancellations it caused in the others.
    if (failures.length) throw failures.find((f) => !(f instanceof CancelledError)) ?? failures[0];
    const list = path.join(tmp, 'parts.txt');
    await writeFile(list, concatList(parts));
    await runFfmpeg(ffmpeg, smartJoinArgs(list, audio, o.output, plan.fps), { signal: ctx.signal, debug, what, output: o.output });
    o.onProgress?.(total);
  } catch (err) {
    await rm(o.output, { force: true });
    throw err;
  } finally {
    ctx.signal?.removeEventListener('abort', stop);
    await rm(tmp, { recursive: true, force: true });
  }
  if (ctx.signal?.aborted) throw new CancelledError();
}
