/**
 * `split`: cut a long recording into segments at natural pauses. Silence detection on the audio
 * finds the pauses (cheap: no video decoding); scene changes between keyframes (decoding only
 * keyframes, at low resolution) and keyframes inside a pause rank them; dynamic programming
 * picks the cuts so every segment is within [min, max] and as even as the pauses allow.
 */
import path from 'node:path';
import { CancelledError, UserError } from '../../errors.js';
import type { RunContext } from '../context.js';
import type { Course } from '../course/load.js';
import { formatTime, parseDuration } from '../course/time.js';
import { keyframeSceneArgs, parseKeyframeScenes, parseSceneScores, parseSilences, runFfmpeg, silenceDetectArgs } from './ffmpeg.js';
import { locateMediaTools } from './locate.js';

/** A pause found in the narration, in seconds. */
export interface Pause {
  start: number;
  end: number;
}

/** A possible cut point. */
export interface CutCandidate {
  /** Where the cut would go, in seconds (on a frame boundary). */
  time: number;
  /** The pause it sits in; undefined for a fallback cut outside any pause. */
  pause?: Pause;
  /** True when the cut is on a keyframe (the start of the next segment needs no re-encode). */
  keyframe: boolean;
  /** Scene change score (0-1) between the keyframes around the pause. */
  scene: number;
  /** Higher is a better place to cut. */
  score: number;
}

/** The chosen plan. */
export interface SplitPlan {
  cuts: CutCandidate[];
  segments: { from: number; to: number; duration: number }[];
  /** False when some cut had to fall outside a pause (no pause-only plan fits [min, max]). */
  allInPauses: boolean;
}

/** Options for {@link splitRecording}. */
export interface SplitRecordingOptions {
  /** The recording (absolute, or relative to `cwd`). */
  video: string;
  /** Folder for relative paths and the course folder (from -C). */
  cwd: string;
  /** Longest segment: `15m`, `90s`, a time (default 15m). */
  max?: string;
  /** Shortest segment (default 2m, or max/4 when that is smaller). */
  min?: string;
  /** Add the segments to this lesson (not with dryRun). */
  lesson?: string;
  /** Only compute and return the plan. */
  dryRun?: boolean;
  /** Silence threshold in dB (default -35). */
  noiseDb?: number;
  /** Shortest pause in seconds (default 0.5). */
  minPause?: number;
  /** Captions to attach to the segments (default: one beside the recording). */
  captions?: string;
  /** Also mark chapters inside each segment at the best pauses (written as `chapters:`). */
  chapters?: boolean;
  ffmpeg?: string;
  ffprobe?: string;
  env: Record<string, string | undefined>;
}

/** What {@link splitRecording} returns (what `split --json` prints). */
export interface SplitRecordingResult {
  source: string;
  duration: number;
  max: number;
  min: number;
  /** Pauses found. */
  pauses: Pause[];
  plan: SplitPlan;
  dryRun: boolean;
  /** With --lesson: the segments added. */
  lesson?: string;
  added?: { id: string; from: number; to: number; video: string; cached: boolean }[];
  /** With `chapters`: per segment, its chapters (seconds from the segment's start). */
  chapters?: { time: number; title: string }[][];
}

/** Shortest chapter `split --chapters` makes: fewer, meaningful chapters rather than one per breath. */
export const MIN_CHAPTER = 60;

/**
 * Chapters inside each segment from the pauses the split did not cut at: the best-scored pauses
 * first, each at least `minGap` seconds (a quarter of a shorter segment) from the segment's
 * edges and from the other chapters, so an 11-minute segment gets a handful. Times are from the
 * segment's start. Pure.
 */
export function chaptersFromPauses(segments: SplitPlan['segments'], candidates: readonly CutCandidate[], minGap = MIN_CHAPTER): { time: number; title: string }[][] {
  return segments.map((seg) => {
    // Short segments (tests, demos) get chapters a quarter of their length apart at least.
    const gap = Math.min(minGap, seg.duration / 4);
    const times: number[] = [];
    const inside = candidates.filter((c) => c.time >= seg.from + gap && c.time <= seg.to - gap).sort((a, b) => b.score - a.score || a.time - b.time);
    for (const c of inside) if (times.every((t) => Math.abs(t - c.time) >= gap)) times.push(c.time);
    times.sort((a, b) => a - b);
    return [0, ...times.map((t) => Math.round((t - seg.from) * 1000) / 1000)].map((time, i) => ({ time, title: `Part ${i + 1}` }));
  });
}

/** Parses a --max/--min value or throws naming the flag. */
export function parseDurationFlag(value: string, flag: string): number {
  const d = parseDuration(value);
  if (d === undefined || d <= 0) {
    throw new UserError(`${flag} ${JSON.stringify(value)} is not a duration.`, { code: 'E_USAGE', hint: `Write ${flag} as 90s, 15m, 1h30m or a time like 00:15:00.` });
  }
  return d;
}

/**
 * Turns pauses into cut candidates: each pause gives one cut, on a keyframe inside it when there
 * is one (nearest its middle), else at its middle rounded to a frame. Pure.
 */
export function pauseCandidates(pauses: readonly Pause[], keyframes: readonly number[], scenes: readonly { time: number; score: number }[], frameDur: number, duration: number): CutCandidate[] {
  const out: CutCandidate[] = [];
  for (const p of pauses) {
    if (p.start <= 0.05 || p.end >= duration - 0.05) continue;
    const mid = (p.start + p.end) / 2;
    const inside = keyframes.filter((k) => k > p.start + 0.05 && k < p.end - 0.05);
    inside.sort((a, b) => Math.abs(a - mid) - Math.abs(b - mid) || a - b);
    const kf = inside[0];
    const time = kf ?? Math.round(mid / frameDur) * frameDur;
    // The scene score of the first keyframe after the pause starts compares the picture before
    // and after it: a slide or screen change that lines up with the pause.
    const after = scenes.find((s) => s.time >= p.start - 0.05);
    const scene = after && after.time <= p.end + 2 ? after.score : 0;
    const len = Math.min(3, p.end - p.start);
    const score = len + (kf !== undefined ? 0.5 : 0) + 2 * Math.min(1, scene * 3);
    out.push({ time: Math.round(time * 1e6) / 1e6, pause: { start: p.start, end: p.end }, keyframe: kf !== undefined, scene: Math.round(scene * 1000) / 1000, score: Math.round(score * 1000) / 1000 });
  }
  return out;
}

/**
 * Chooses cuts with dynamic programming: the fewest segments the limit allows, each in
 * [min, max], minimising unevenness minus the candidates' scores. Deterministic: the same
 * inputs give the same plan. Returns undefined when no choice of candidates fits.
 */
export function chooseCuts(duration: number, candidates: readonly CutCandidate[], min: number, max: number): CutCandidate[] | undefined {
  if (duration <= max) return [];
  const pts = [...candidates].sort((a, b) => a.time - b.time);
  const n = pts.length;
  const pos = (i: number) => (i === 0 ? 0 : i === n + 1 ? duration : (pts[i - 1]?.time ?? 0));
  const tol = 1e-6;
  for (let k = Math.ceil(duration / max - tol); k <= Math.floor(duration / min + tol) && k <= n + 1; k++) {
    const target = duration / k;
    // best[j][s]: least cost to reach node j (0 = start, n+1 = end) with s segments.
    const best: number[][] = Array.from({ length: n + 2 }, () => new Array<number>(k + 1).fill(Infinity));
    const from: number[][] = Array.from({ length: n + 2 }, () => new Array<number>(k + 1).fill(-1));
    best[0]![0] = 0;
    for (let j = 1; j <= n + 1; j++) {
      for (let i = 0; i < j; i++) {
        const len = pos(j) - pos(i);
        if (len < min - tol || len > max + tol) continue;
        const dev = (len - target) / target;
        const gain = j <= n ? (pts[j - 1]?.score ?? 0) : 0;
        const step = 4 * dev * dev - 0.1 * gain;
        for (let s = 1; s <= k; s++) {
          const prev = best[i]![s - 1]!;
          if (prev === Infinity) continue;
          const c = prev + step;
          // Strictly better only: ties keep the earlier predecessor, so plans are stable.
          if (c < best[j]![s]! - 1e-12) {
            best[j]![s] = c;
            from[j]![s] = i;
          }
        }
      }
    }
    if (best[n + 1]![k] === Infinity) continue;
    const chosen: CutCandidate[] = [];
    let j = n + 1;
    for (let s = k; s > 0; s--) {
      const i = from[j]![s]!;
      if (i > 0) chosen.unshift(pts[i - 1]!);
      j = i;
    }
    return chosen;
  }
  return undefined;
}

/** Segments from cut times. */
export function segmentsFromCuts(duration: number, cuts: readonly CutCandidate[]): SplitPlan['segments'] {
  const edges = [0, ...cuts.map((c) => c.time), duration];
  const out: SplitPlan['segments'] = [];
  for (let i = 1; i < edges.length; i++) {
    const a = edges[i - 1] ?? 0;
    const b = edges[i] ?? 0;
    out.push({ from: a, to: b, duration: Math.round((b - a) * 1000) / 1000 });
  }
  return out;
}

/** Plans the split from the analysis (pure). Falls back to cuts outside pauses only when no pause-only plan fits. */
export function planSplit(duration: number, pauses: readonly Pause[], keyframes: readonly number[], scenes: readonly { time: number; score: number }[], frameDur: number, min: number, max: number): SplitPlan {
  const cands = pauseCandidates(pauses, keyframes, scenes, frameDur, duration);
  let cuts = chooseCuts(duration, cands, min, max);
  let allInPauses = true;
  if (!cuts) {
    // Fallback: every keyframe and every whole second, scored far below any pause.
    const extra: CutCandidate[] = [];
    const seen = new Set(cands.map((c) => c.time.toFixed(3)));
    const add = (t: number, keyframe: boolean) => {
      const key = t.toFixed(3);
      if (t <= 0 || t >= duration || seen.has(key)) return;
      seen.add(key);
      extra.push({ time: Math.round(t * 1e6) / 1e6, keyframe, scene: 0, score: -20 });
    };
    for (const k of keyframes) add(k, true);
    for (let t = 1; t < duration; t++) add(t, false);
    cuts = chooseCuts(duration, [...cands, ...extra], min, max) ?? [];
    allInPauses = cuts.every((c) => c.pause !== undefined);
  }
  return { cuts, segments: segmentsFromCuts(duration, cuts), allInPauses };
}

/** What {@link analyseRecording} reads from a recording. */
export interface RecordingAnalysis {
  /** Duration in seconds. */
  duration: number;
  /** Seconds per frame (the probe's frame rate). */
  frameDuration: number;
  /** False when the recording has no audio track (no pauses then). */
  hasAudio: boolean;
  /** Keyframe times, sorted, as a probe of the packets gives them. */
  keyframeTimes: number[];
  /** Pauses in the narration. */
  pauses: Pause[];
  /** Scene scores of the keyframes, at the times ffmpeg shows them (see parseKeyframeScenes). */
  scenes: { time: number; score: number }[];
}

/**
 * Reads what a split needs from the file: the container's outline (one short ffprobe run), the
 * silences of the audio track, and the keyframes with their scene scores, from the one pass
 * that decodes the keyframes anyway (no listing of every packet of the file). The passes are
 * independent, so they run side by side; the first failure (or Ctrl-C) stops the others. When
 * the container alone cannot say what a full probe would (no duration in the header, a
 * variable or odd nominal rate), the full probe is used, as before.
 */
export async function analyseRecording(
  options: { video: string; cwd: string; ffmpeg: string; ffmpegFlag?: string; ffprobeFlag?: string; env: Record<string, string | undefined>; noiseDb: number; minPause: number },
  ctx: RunContext,
): Promise<RecordingAnalysis> {
  const debug = (m: string) => ctx.logger.debug(m);
  const file = path.resolve(options.cwd, options.video);
  const local = new AbortController();
  const stop = () => local.abort();
  ctx.signal?.addEventListener('abort', stop, { once: true });
  // Both passes log a line per pause or keyframe: to a file, not through a pipe (see stderrToFile).
  const run = { signal: local.signal, debug, stderrToFile: true };
  // Started before the probe says whether there is audio: a file without any fails this pass,
  // which is then ignored.
  const silence = runFfmpeg(options.ffmpeg, silenceDetectArgs(file, options.noiseDb, options.minPause), { ...run, what: 'silence detection' });
  const scene = runFfmpeg(options.ffmpeg, keyframeSceneArgs(file), { ...run, what: 'scene detection' });
  silence.catch(() => undefined);
  scene.catch(() => undefined);
  try {
    // The probe's modules (cache, sniffing) load while ffmpeg already reads the file.
    const { probeOutline, probeWithTimeline } = await import('./probe.js');
    const probeOptions = { file: options.video, cwd: options.cwd, ffmpeg: options.ffmpegFlag, ffprobe: options.ffprobeFlag, env: options.env };
    const { outline, stamps } = await probeOutline(probeOptions, { ...ctx, signal: local.signal });
    const sceneLog = async () => {
      const log = (await scene).stderr;
      if (stamps) return parseKeyframeScenes(log, stamps.timeBase, stamps.startTime);
      // No time base in the header (never seen): the printed times, counted from the start time.
      return { keyframeTimes: [], scenes: parseSceneScores(log).map((s) => ({ time: Number((s.time - (outline?.startTime ?? 0)).toPrecision(6)), score: s.score })) };
    };
    if (outline && stamps) {
      const { keyframeTimes, scenes } = await sceneLog();
      const pauses = outline.audio ? parseSilences((await silence).stderr, outline.duration) : [];
      return { duration: outline.duration, frameDuration: outline.frameRate.den / outline.frameRate.num, hasAudio: Boolean(outline.audio), keyframeTimes, pauses, scenes };
    }
    const { info, timeline } = await probeWithTimeline(probeOptions, { ...ctx, signal: local.signal });
    const pauses = info.audio ? parseSilences((await silence).stderr, info.duration) : [];
    const { scenes } = await sceneLog();
    return { duration: info.duration, frameDuration: info.video.frameRate.den / info.video.frameRate.num, hasAudio: Boolean(info.audio), keyframeTimes: timeline.keyframeTimes, pauses, scenes };
  } catch (err) {
    local.abort();
    await Promise.allSettled([silence, scene]);
    if (ctx.signal?.aborted) throw new CancelledError();
    throw err;
  } finally {
    ctx.signal?.removeEventListener('abort', stop);
  }
}

/** Plans (and unless dry-run, adds and renders) the segments of a long recording. */
export async function splitRecording(options: SplitRecordingOptions, ctx: RunContext): Promise<SplitRecordingResult> {
  const max = parseDurationFlag(options.max ?? '15m', '--max');
  const min = options.min !== undefined ? parseDurationFlag(options.min, '--min') : Math.min(120, max / 4);
  if (min >= max) throw new UserError(`--min ${options.min ?? min} is not below --max ${options.max ?? max}.`, { code: 'E_USAGE', hint: 'Give a shortest segment length below the longest, e.g. --max 15m --min 2m.' });
  if (!options.dryRun && !options.lesson) {
    throw new UserError('split needs --lesson <id> to add the segments, or --dry-run to only show the plan.', { code: 'E_USAGE', hint: 'Run `lessonkit split <video> --dry-run` first, then again with --lesson <id>.' });
  }
  let course: Course | undefined;
  // The course modules (YAML, schema, renderer) are loaded only when the split changes the course.
  if (!options.dryRun && options.lesson) course = await (await import('../course/load.js')).loadCourseWithLesson(options.cwd, options.lesson);
  const tools = await locateMediaTools({ ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env });
  const shownFile = path.basename(options.video);
  ctx.onProgress?.({ phase: 'analyse', current: 0, total: 1, item: shownFile });
  const analysis = await analyseRecording(
    {
      video: options.video,
      cwd: options.cwd,
      ffmpeg: tools.ffmpeg.path,
      ...(options.ffmpeg ? { ffmpegFlag: options.ffmpeg } : {}),
      ...(options.ffprobe ? { ffprobeFlag: options.ffprobe } : {}),
      env: options.env,
      noiseDb: options.noiseDb ?? -35,
      minPause: options.minPause ?? 0.5,
    },
    ctx,
  );
  const { duration, frameDuration: frameDur, keyframeTimes, pauses, scenes } = analysis;
  const sourceFile = path.resolve(options.cwd, options.video);
  ctx.onProgress?.({ phase: 'analyse', current: 1, total: 1, item: shownFile, done: true, detail: `${pauses.length} pauses` });
  if (!analysis.hasAudio) ctx.logger.warn(`${options.video} has no audio: cutting at keyframes and scene changes only.`);
  const plan = planSplit(duration, pauses, keyframeTimes, scenes, frameDur, min, max);
  if (plan.segments.some((s) => s.duration > max + 1e-6)) {
    throw new UserError(`${options.video} (${formatTime(duration)}) cannot be split into segments of ${formatTime(min)}-${formatTime(max)}.`, { code: 'E_INPUT', hint: 'Lower --min or raise --max.' });
  }
  if (!plan.allInPauses) ctx.logger.warn('No set of pauses fits the limits: some cuts are not in a pause (see the plan). Consider other --min/--max values.');
  const chapters = options.chapters ? chaptersFromPauses(plan.segments, pauseCandidates(pauses, keyframeTimes, scenes, frameDur, duration)) : undefined;
  const result: SplitRecordingResult = { source: sourceFile, duration, max, min, pauses, plan, dryRun: Boolean(options.dryRun), ...(chapters ? { chapters } : {}) };
  if (!course || !options.lesson) return result;
  const lessonId = options.lesson;
  // The course check's overlap rule, said now: the new segments cover the whole recording.
  const li = course.lessons.findIndex((l) => l.id === lessonId);
  const already = (course.lessons[li]?.segments ?? []).filter((s) => s.sourcePath === sourceFile);
  if (already.length > 0) {
    ctx.logger.warn(
      `lessons[${li}] ("${lessonId}") already has ${already.length === 1 ? 'a segment' : `${already.length} segments`} from ${options.video} (${already.map((s) => `"${s.id}"`).join(', ')}); the split covers the whole recording, so learners see those parts twice (fix: remove the older segment${already.length === 1 ? '' : 's'} from course.yaml, or split into another lesson)`,
    );
  }
  const [{ findSidecarCaptions }, { renderSegmentCached }, { chooseSegmentId, courseRelative }, { addSegments, editCourseFile }] = await Promise.all([
    import('./captions.js'),
    import('./render.js'),
    import('./trim.js'),
    import('../course/edit.js'),
  ]);
  const used = new Set(course.lessons.flatMap((l) => l.segments.map((s) => s.id)));
  const captionsFile = options.captions ? path.resolve(options.cwd, options.captions) : await findSidecarCaptions(sourceFile);
  const added: NonNullable<SplitRecordingResult['added']> = [];
  const yamlSegments: Record<string, unknown>[] = [];
  const base = path.basename(sourceFile, path.extname(sourceFile));
  for (const [i, seg] of plan.segments.entries()) {
    const id = chooseSegmentId(used, undefined, undefined, `${lessonId}-part`);
    used.add(id);
    const r = await renderSegmentCached(
      {
        courseDir: course.dir,
        sourcePath: sourceFile,
        source: options.video,
        from: seg.from,
        to: seg.to,
        ...(captionsFile ? { captionsPath: captionsFile } : {}),
        ffmpeg: tools.ffmpeg.path,
        ffprobe: tools.ffprobe.path,
        ...(options.ffmpeg ? { ffmpegFlag: options.ffmpeg } : {}),
        ...(options.ffprobe ? { ffprobeFlag: options.ffprobe } : {}),
        env: options.env,
        lessonId,
        segmentId: id,
      },
      ctx,
    );
    added.push({ id, from: seg.from, to: seg.to, video: r.video, cached: r.cached });
    yamlSegments.push({
      id,
      title: `${base} part ${i + 1}`,
      source: courseRelative(course.dir, sourceFile),
      from: formatTime(seg.from),
      to: formatTime(seg.to),
      ...(captionsFile ? { captions: courseRelative(course.dir, captionsFile) } : {}),
      ...(chapters?.[i] && chapters[i].length > 1 ? { chapters: chapters[i].map((c) => ({ time: formatTime(c.time), title: c.title })) } : {}),
    });
  }
  await editCourseFile(course.dir, (doc) => addSegments(doc, lessonId, yamlSegments));
  return { ...result, lesson: lessonId, added };
}
