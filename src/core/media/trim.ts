/**
 * `trim`: one segment out of a recording, either added to a lesson (course.yaml + render cache)
 * or written as a standalone MP4. The recording itself is only ever read.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.js';
import type { RunContext } from '../context.js';
import type { Course } from '../course/load.js';
import { slugify } from '../course/slug.js';
import { formatTime, parseTime } from '../course/time.js';
import { checkWritableFolder, withWriteErrors, writeFileAtomic } from '../../utils/fs.js';
import { cutCues, findSidecarCaptions, readCaptions, toWebVtt } from './captions.js';
import type { CutMode, CutPlan, LoudnessPrescan } from './cut.js';
import { planCut, SEEK_EARLY, startLoudnessScan } from './cut.js';
import { ffTime } from './ffmpeg.js';
import { locateMediaTools, type MediaTools } from './locate.js';
import { probeWithTimeline } from './probe.js';
import { renderCut, renderSegmentCached } from './render.js';

/** Options for {@link trimRecording}. */
export interface TrimRecordingOptions {
  /** The recording (absolute, or relative to `cwd`). */
  video: string;
  /** Folder for relative paths and the course folder (from -C). */
  cwd: string;
  /** Start: seconds or [HH:]MM:SS[.mmm]. */
  from: string;
  /** End (exclusive), same forms. */
  to: string;
  /** Add the segment to this lesson of the course in `cwd`. */
  lesson?: string;
  /** Segment id (default: from the title, else `part-N`). */
  id?: string;
  /** Segment title (default: derived from the id). */
  title?: string;
  /** Write a standalone MP4 here instead of (or as well as) the course. */
  out?: string;
  /** auto (smart cut or transcode), copy (keyframes only) or encode (always transcode). */
  mode?: CutMode;
  /** Captions file to cut (default: a .srt/.vtt beside the recording). */
  captions?: string;
  /** ffmpeg/ffprobe from flags. */
  ffmpeg?: string;
  ffprobe?: string;
  /** Environment for the tool lookup. */
  env: Record<string, string | undefined>;
}

/** What {@link trimRecording} returns (what `trim --json` prints). */
export interface TrimRecordingResult {
  /** Absolute path of the recording. */
  source: string;
  /** The range asked for, in seconds. */
  requested: { from: number; to: number };
  /** The range cut, in seconds (frame-rounded; for copy, from the keyframe). */
  from: number;
  to: number;
  /** How it was cut. */
  method: CutPlan['method'];
  /** Why smart cut was not possible, when auto transcoded. */
  reason?: string;
  /** For smart cut: frames re-encoded (the partial GOPs at the cuts) and frames stream-copied. */
  encodedFrames?: number;
  copiedFrames?: number;
  /** For copy: how far the start moved back to reach a keyframe, in seconds. */
  movedBy?: number;
  /** Duration of the output in seconds, as probed. */
  duration: number;
  width: number;
  height: number;
  /** Standalone output (with --out). */
  output?: string;
  /** Captions written beside --out, or into the cache. */
  captions?: string;
  /** With --lesson: where the segment went. */
  lesson?: string;
  segmentId?: string;
  /** With --lesson: warnings about the new segment (it overlaps one of the lesson's, from the same recording). */
  warnings?: string[];
  /** With --lesson: the cached render. */
  video?: string;
  poster?: string;
  cached?: boolean;
}

/** Parses a --from/--to value or throws a UserError naming the flag and value. */
export function parseTimeFlag(value: string, flag: string): number {
  const t = parseTime(value);
  if (t === undefined) {
    throw new UserError(`${flag} ${JSON.stringify(value)} is not a time.`, { code: 'E_USAGE', hint: `Write ${flag} as seconds (90.5) or [HH:]MM:SS[.mmm] (00:01:30.500).` });
  }
  return t;
}

/** Every segment id already used in the course. */
function segmentIds(course: Course): Set<string> {
  return new Set(course.lessons.flatMap((l) => l.segments.map((s) => s.id)));
}

/** Picks a free segment id: the given one (must be free), else from the title, else `part-N`. */
export function chooseSegmentId(used: ReadonlySet<string>, id: string | undefined, title: string | undefined, prefix = 'part'): string {
  if (id) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) throw new UserError(`--id ${JSON.stringify(id)} is not a valid id.`, { code: 'E_USAGE', hint: 'Use lowercase letters, digits and dashes, e.g. --id enable-mobile.' });
    if (used.has(id)) throw new UserError(`Segment id "${id}" is already used in course.yaml.`, { code: 'E_INPUT', hint: 'Pick another --id; segment ids become package identifiers and must be unique.' });
    return id;
  }
  const base = (title && slugify(title)) || prefix;
  if (title && base && !used.has(base)) return base;
  for (let n = 1; ; n++) {
    const c = `${base}-${n}`;
    if (!used.has(c)) return c;
  }
}

/** The path of `file` as course.yaml writes it: relative to the course folder, forward slashes. */
export function courseRelative(courseDir: string, file: string): string {
  return path.relative(courseDir, file).split(path.sep).join('/');
}

/** Frames re-encoded and copied by a smart cut (empty for other methods). */
function smartCounts(plan: CutPlan): { encodedFrames?: number; copiedFrames?: number } {
  if (plan.method !== 'smart' || plan.copyStart === undefined || plan.copyEnd === undefined) return {};
  return { encodedFrames: plan.copyStart - plan.firstFrame + (plan.endFrame - plan.copyEnd), copiedFrames: plan.copyEnd - plan.copyStart };
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/** Cuts one segment: `--out` writes a standalone MP4 (+ WebVTT), `--lesson` adds it to course.yaml and renders it into the cache. */
export async function trimRecording(options: TrimRecordingOptions, ctx: RunContext): Promise<TrimRecordingResult> {
  if (!options.lesson && !options.out) {
    throw new UserError('trim needs somewhere to put the segment.', { code: 'E_USAGE', hint: 'Add --lesson <id> to add it to the course, or --out <file.mp4> for a standalone file.' });
  }
  const mode = options.mode ?? 'auto';
  if (!['auto', 'copy', 'encode'].includes(mode)) throw new UserError(`--mode ${JSON.stringify(mode)} is not a mode.`, { code: 'E_USAGE', hint: 'Use --mode auto, copy or encode.' });
  if (options.lesson && mode === 'encode' && !options.out) {
    throw new UserError('--mode encode applies to --out only.', { code: 'E_USAGE', hint: 'Course segments are rendered with smart cut when possible, else transcoded; drop --mode, or add --out <file.mp4>.' });
  }
  const from = parseTimeFlag(options.from, '--from');
  const to = parseTimeFlag(options.to, '--to');
  const source = path.resolve(options.cwd, options.video);
  const out = options.out ? path.resolve(options.cwd, options.out) : undefined;
  if (out && options.out) {
    if (!/\.(mp4|m4v)$/i.test(out)) throw new UserError(`--out ${options.out} must end in .mp4.`, { code: 'E_USAGE', hint: 'lessonkit writes MP4 (H.264/AAC): give a file name ending in .mp4.' });
    // A missing or read-only folder fails now, not after the encode.
    await checkWritableFolder(path.dirname(out), out, { flag: '--out' });
  }
  // Load the course before any work so a wrong lesson id fails fast.
  let course: Course | undefined;
  // The course modules (YAML, schema, check) are loaded only when the trim changes the course.
  if (options.lesson) course = await (await import('../course/load.js')).loadCourseWithLesson(options.cwd, options.lesson);
  const tools = await locateMediaTools({ ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env });
  // The loudness scan needs only the range: it starts with the probe. Its seek is the one a cut
  // of a constant-rate recording uses (a millisecond early) and the cut takes its result only
  // when the range rounded to frames is the same (else it scans again).
  const prescan = out && mode !== 'copy' && from < to ? startLoudnessScan(tools.ffmpeg.path, source, Math.max(0, from - SEEK_EARLY), to - from, ctx) : undefined;
  try {
    return await trimWith(options, ctx, { from, to, mode, source, out, course, tools, ...(prescan ? { prescan } : {}) });
  } finally {
    prescan?.stop();
  }
}

/** What {@link trimRecording} has worked out before the probe. */
interface TrimStart {
  from: number;
  to: number;
  mode: CutMode;
  source: string;
  out: string | undefined;
  course: Course | undefined;
  tools: MediaTools;
  prescan?: LoudnessPrescan;
}

async function trimWith(options: TrimRecordingOptions, ctx: RunContext, { from, to, mode, source, out, course, tools, prescan }: TrimStart): Promise<TrimRecordingResult> {
  const { info, timeline } = await probeWithTimeline({ file: options.video, cwd: options.cwd, ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env }, ctx);
  const plan = planCut(info, timeline, from, to, mode, options.video);
  const captionsFile = options.captions ? path.resolve(options.cwd, options.captions) : await findSidecarCaptions(source);
  const result: TrimRecordingResult = {
    source,
    requested: { from, to },
    from: plan.from,
    to: plan.to,
    method: plan.method,
    ...(plan.reason ? { reason: plan.reason } : {}),
    ...smartCounts(plan),
    ...(plan.method === 'copy' ? { movedBy: Math.round((from - plan.from) * 1000) / 1000 } : {}),
    duration: 0,
    width: 0,
    height: 0,
  };
  if (out && options.out) {
    if (await sameFile(out, source)) throw new UserError(`--out ${options.out} is the recording itself.`, { code: 'E_USAGE', hint: 'lessonkit never overwrites a recording: give another output file.' });
    // Captions are read first: a broken captions file fails before any video is written.
    const cues = captionsFile ? await readCaptions(captionsFile, options.captions ?? path.basename(captionsFile)) : undefined;
    const facts = await withWriteErrors(out, () => renderCut({ ffmpeg: tools.ffmpeg.path, ffprobe: tools.ffprobe.path, info, timeline, plan, output: out, item: path.basename(out), ...(prescan ? { prescan } : {}) }, ctx), { flag: '--out' });
    Object.assign(result, facts, { output: out });
    if (cues) {
      const vtt = out.replace(/\.(mp4|m4v)$/i, '.vtt');
      await writeFileAtomic(vtt, toWebVtt(cutCues(cues, plan.from, plan.to)), { flag: '--out' });
      result.captions = vtt;
    }
  }
  if (course && options.lesson) {
    const [{ overlapSeconds }, { addSegments, editCourseFile }] = await Promise.all([import('../course/check.js'), import('../course/edit.js')]);
    const segmentId = chooseSegmentId(segmentIds(course), options.id, options.title);
    // A copy moved the start to a keyframe: the course records where the cut really is.
    const segFrom = plan.method === 'copy' ? plan.from : from;
    // The same overlap rule as the course check, said before the render rather than at the next build.
    const li = course.lessons.findIndex((l) => l.id === options.lesson);
    const halfFrame = info.video.frameRate.den / info.video.frameRate.num / 2;
    const warnings = (course.lessons[li]?.segments ?? []).flatMap((other, si) => {
      const shared = other.sourcePath === source ? overlapSeconds(other, { from: segFrom, to }) : 0;
      return shared > halfFrame
        ? [
            `the new segment "${segmentId}" (${formatTime(segFrom)} to ${formatTime(to)}) overlaps lessons[${li}].segments[${si}] ("${other.id}", ${formatTime(other.from)} to ${formatTime(other.to)}) of ${options.video} by ${ffTime(Math.round(shared * 1000) / 1000)} s; learners see that part twice (fix: if the repeat is not intended, set ${segFrom >= other.from ? `from: "${formatTime(other.to)}"` : `to: "${formatTime(other.from)}"`} for "${segmentId}" in course.yaml)`,
          ]
        : [];
    });
    for (const w of warnings) ctx.logger.warn(w);
    if (warnings.length) result.warnings = warnings;
    const r = await renderSegmentCached(
      {
        courseDir: course.dir,
        sourcePath: source,
        source: options.video,
        from: segFrom,
        to,
        ...(captionsFile ? { captionsPath: captionsFile } : {}),
        ffmpeg: tools.ffmpeg.path,
        ffprobe: tools.ffprobe.path,
        ...(options.ffmpeg ? { ffmpegFlag: options.ffmpeg } : {}),
        ...(options.ffprobe ? { ffprobeFlag: options.ffprobe } : {}),
        env: options.env,
        lessonId: options.lesson,
        segmentId,
      },
      ctx,
    );
    const segment: Record<string, unknown> = {
      id: segmentId,
      title: options.title ?? segmentId.replace(/-/g, ' ').replace(/^\w/, (c) => c.toUpperCase()),
      source: courseRelative(course.dir, source),
      from: formatTime(segFrom),
      to: formatTime(to),
      ...(captionsFile ? { captions: courseRelative(course.dir, captionsFile) } : {}),
    };
    const lessonId = options.lesson;
    await editCourseFile(course.dir, (doc) => addSegments(doc, lessonId, [segment]));
    Object.assign(result, {
      lesson: lessonId,
      segmentId,
      video: r.video,
      poster: r.poster,
      cached: r.cached,
      ...(r.captions && !result.captions ? { captions: r.captions } : {}),
    });
    if (!options.out) Object.assign(result, { duration: r.duration, width: r.width, height: r.height, method: r.plan.method, from: r.plan.from, to: r.plan.to, ...smartCounts(r.plan) });
  }
  return result;
}
