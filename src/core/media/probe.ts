/**
 * `probe`: what a recording is (container, codecs, size, rate, keyframes), whether the smart-cut
 * path can take it, and whether it needs splitting. Reads packets only; never decodes video.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../context.js';
import { UserError } from '../../errors.js';
import { formatBytes } from '../../utils/format.js';
import { writeFileAtomic } from '../../utils/fs.js';
import { probeFormatArgs, probePacketsArgs, runFfprobe, stderrTail, WEB_PROFILE, type Rational } from './ffmpeg.js';
import { locateMediaTools } from './locate.js';
import { learnDurationReading, readMp4Index, type PacketTable } from './mp4-index.js';
import { fileContainerEnd, readHead, sniffNotMedia, type ContainerEnd } from './sniff.js';

/** The longest segment DESIGN.md allows (15 minutes); longer recordings need splitting. */
export const MAX_SEGMENT_SECONDS = 15 * 60;

/** The video stream of a probed file. */
export interface VideoInfo {
  /** Codec name as ffprobe prints it (h264, hevc, vp9...). */
  codec: string;
  /** Codec profile (High, Main...), when known. */
  profile?: string;
  /** Codec level as ffprobe's integer (H.264: 40 = 4.0; HEVC: 153 = 5.1); 0 when unknown. */
  level: number;
  /** The level as people name it (`4.0`, `5.1`), when known: see {@link formatCodecLevel}. */
  levelName?: string;
  /** Pixel format (yuv420p...). */
  pixelFormat: string;
  /** Coded width and height. */
  width: number;
  height: number;
  /** Width and height as displayed (rotation applied). */
  displayWidth: number;
  displayHeight: number;
  /** Rotation in degrees clockwise from the container (0, 90, 180, 270). */
  rotation: number;
  /** Nominal frame rate, as a fraction and a number. */
  frameRate: Rational;
  fps: number;
  /** True when frame durations vary (common for screen captures). */
  variableFrameRate: boolean;
  /** Number of video frames (packets). */
  frames: number;
  /** Seconds between keyframes: the longest and the average. */
  keyframeInterval: { max: number; average: number };
  /** Colour tags. */
  color: { primaries?: string; trc?: string; space?: string; range?: string };
  /** True when the stream has B-frames (frames are stored out of display order). */
  bFrames: boolean;
}

/** The audio stream of a probed file. */
export interface AudioInfo {
  codec: string;
  channels: number;
  /** Channel layout (mono, stereo...). */
  layout?: string;
  sampleRate: number;
}

/** What {@link probeMedia} returns. Serialisable (what `probe --json` prints). */
export interface MediaInfo {
  /** Absolute path. */
  file: string;
  /** Size in bytes. */
  size: number;
  /** Container format names as ffprobe prints them (e.g. `mov,mp4,m4a,3gp,3g2,mj2`). */
  container: string;
  /** Duration in seconds. */
  duration: number;
  video: VideoInfo;
  /** Undefined when the file has no audio track. */
  audio?: AudioInfo;
  /** Whether `trim --mode auto` can stream-copy whole GOPs (smart cut), and why not. */
  smartCut: { possible: boolean; reasons: string[] };
  /** True when the recording is longer than the 15-minute segment limit. */
  needsSplit: boolean;
}

/** Why a file cannot be used as a recording. */
export interface MediaProblem {
  /** `not-media`: an image, a document, text, an empty file; `no-video`: audio only; `truncated`: cut short; `damaged`: unreadable. */
  kind: 'not-media' | 'no-video' | 'truncated' | 'damaged';
  /** One sentence naming the file and what is wrong. */
  message: string;
  /** What to do about it. */
  hint: string;
}

/** What {@link probeMedia} reports about a file that cannot be used: no facts, only the problems. */
export interface UnusableMedia {
  /** Absolute path. */
  file: string;
  /** Size in bytes. */
  size: number;
  ok: false;
  /** At least one. */
  problems: MediaProblem[];
}

/** What {@link probeMedia} returns (what `probe --json` prints): the facts when ffprobe could read them, and any problems. */
export type ProbeMediaResult = (MediaInfo & { ok: boolean; problems: MediaProblem[] }) | UnusableMedia;

/** Internal probe details kept for cutting (not printed). */
export interface MediaTimeline {
  /** Presentation times of every video frame, sorted. */
  frameTimes: number[];
  /** Presentation times of keyframes, sorted. */
  keyframeTimes: number[];
  /** B-frame reorder delay in frames (PTS minus DTS at keyframes); smart-cut parts must match it. */
  reorderDelay: number;
}

/** Options for {@link probeMedia}. */
export interface ProbeMediaOptions {
  /** The video file (absolute, or relative to `cwd`). */
  file: string;
  /** Base for a relative `file`. */
  cwd: string;
  /** How messages name the file (default: `file` as given), e.g. the source as course.yaml writes it. */
  shown?: string;
  /** ffmpeg path from --ffmpeg. */
  ffmpeg?: string;
  /** ffprobe path from --ffprobe. */
  ffprobe?: string;
  /** Environment for the tool lookup. */
  env: Record<string, string | undefined>;
  /**
   * A render cache folder: the probe of a usable recording is remembered there under
   * `probes/`, keyed by the recording's content fingerprint and the ffprobe binary, so a warm
   * build runs no ffprobe at all. Without it, probes are remembered for this process only.
   */
  cacheDir?: string;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  level?: number;
  pix_fmt?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  time_base?: string;
  channels?: number;
  channel_layout?: string;
  sample_rate?: string;
  has_b_frames?: number;
  /** Seconds, as the stream's header says (not every container gives one). */
  duration?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_space?: string;
  color_range?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { attached_pic?: number };
}

interface FfprobeFormat {
  format_name?: string;
  duration?: string;
  start_time?: string;
}

/** MPEG-2 video levels by ffprobe's number. */
const MPEG2_LEVELS: Record<number, string> = { 4: 'High', 6: 'High 1440', 8: 'Main', 10: 'Low' };

/**
 * A codec level as people name it, from ffprobe's integer (undefined when unknown). Each codec
 * stores it differently: H.264 and VP9 as 10 x level (40 = 4.0; 9 = 1b), HEVC as 30 x level
 * (153 = 5.1), AV1 as seq_level_idx (13 = 5.1).
 */
export function formatCodecLevel(codec: string, level: number): string | undefined {
  if (!Number.isInteger(level) || level <= 0) return undefined;
  switch (codec) {
    case 'h264':
      return level === 9 ? '1b' : (level / 10).toFixed(1);
    case 'vp9':
      return (level / 10).toFixed(1);
    case 'hevc':
    case 'h265':
      return level % 3 === 0 ? (level / 30).toFixed(1) : undefined;
    case 'av1':
      return level < 24 ? `${2 + (level >> 2)}.${level & 3}` : undefined;
    case 'mpeg2video':
      return MPEG2_LEVELS[level];
    default:
      return undefined;
  }
}

/** Parses `30000/1001` into a rational; undefined for 0/0 or garbage. */
export function parseRational(s: string | undefined): Rational | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(s ?? '');
  if (!m) return undefined;
  const num = Number(m[1]);
  const den = Number(m[2]);
  return num > 0 && den > 0 ? { num, den } : undefined;
}

/** The nearest "nice" rational for a frame duration (e.g. 0.0333 s -> 30/1, 0.03337 -> 30000/1001). */
export function rateFromFrameDuration(seconds: number): Rational {
  const fps = 1 / seconds;
  for (const r of [24000 / 1001, 30000 / 1001, 60000 / 1001]) {
    if (Math.abs(fps - r) < 0.005) return { num: Math.round(r * 1001), den: 1001 };
  }
  return { num: Math.max(1, Math.round(fps)), den: 1 };
}

/** Normalises a rotation in degrees to 0/90/180/270 clockwise. */
export function normalizeRotation(deg: number): number {
  const r = ((Math.round(deg / 90) * 90) % 360 + 360) % 360;
  return r;
}

/** Facts derived from the packet list (ffprobe's CSV, or rows read from the index): frame times, keyframes, VFR. Pure, unit-tested. */
export function analysePackets(packets: string | PacketTable): { frameTimes: number[]; keyframeTimes: number[]; medianDelta: number; minDelta: number; variable: boolean; reorderDelay: number } {
  const frames: number[] = [];
  const keyframes: number[] = [];
  const keyShifts: number[] = [];
  /** One packet: its time, whether it is a keyframe, and (for a keyframe) its pts - dts when both are known. */
  const add = (t: number, key: boolean, shift?: number) => {
    frames.push(t);
    if (!key) return;
    keyframes.push(t);
    if (shift !== undefined) keyShifts.push(shift);
  };
  if (typeof packets === 'string') {
    for (const line of packets.split(/\r?\n/)) {
      if (!line.trim()) continue;
      const [pts, dts, , flags] = line.split(',');
      const t = Number(pts && pts !== 'N/A' ? pts : dts);
      if (!Number.isFinite(t)) continue;
      const d = Number(dts);
      add(t, Boolean(flags?.includes('K')), pts && pts !== 'N/A' && Number.isFinite(d) ? t - d : undefined);
    }
  } else {
    for (let i = 0; i < packets.pts.length; i++) {
      const t = packets.pts[i] ?? 0;
      add(t, packets.key[i] === 1, t - (packets.dts[i] ?? 0));
    }
  }
  // Typed arrays sort numbers natively: a quarter of the time of a comparator on an hour of video.
  const sortNumbers = (xs: number[]): number[] => Array.from(Float64Array.from(xs).sort());
  const frameTimes = sortNumbers(frames);
  const keyframeTimes = sortNumbers(keyframes);
  const deltas: number[] = [];
  for (let i = 1; i < frameTimes.length; i++) deltas.push((frameTimes[i] ?? 0) - (frameTimes[i - 1] ?? 0));
  const sorted = sortNumbers(deltas);
  const medianDelta = sorted.length ? (sorted[Math.floor(sorted.length / 2)] ?? 0) : 0;
  // Container timestamps are rounded (e.g. to 1 ms in Matroska): allow a quarter frame of jitter.
  const variable = medianDelta > 0 && deltas.some((d) => Math.abs(d - medianDelta) > medianDelta * 0.25);
  const shifts = keyShifts.sort((a, b) => a - b);
  const shift = shifts.length ? (shifts[Math.floor(shifts.length / 2)] ?? 0) : 0;
  const reorderDelay = medianDelta > 0 ? Math.max(0, Math.round(shift / medianDelta)) : 0;
  const minDelta = sorted.find((d) => d > 0) ?? 0;
  return { frameTimes, keyframeTimes, medianDelta, minDelta, variable, reorderDelay };
}

/** Why a stream cannot take the smart-cut path (empty when it can). */
export function smartCutBlockers(v: Omit<VideoInfo, 'keyframeInterval' | 'frames'> & { keyframes: number; reorderDelay: number }): string[] {
  const reasons: string[] = [];
  if (v.codec !== 'h264') reasons.push(`video codec is ${v.codec}, not H.264`);
  else if (!/^(high|main|constrained baseline)$/i.test(v.profile ?? '')) reasons.push(`H.264 profile ${v.profile ?? 'unknown'} is not web-compatible`);
  else if (!/^high$/i.test(v.profile ?? '')) reasons.push(`H.264 profile is ${v.profile ?? 'unknown'}; the web profile is High`);
  if (v.pixelFormat !== 'yuv420p') reasons.push(`pixel format is ${v.pixelFormat}, not yuv420p`);
  if (v.variableFrameRate) reasons.push('frame rate is variable');
  if (v.width > WEB_PROFILE.maxWidth || v.height > WEB_PROFILE.maxHeight) reasons.push(`${v.width}x${v.height} is larger than ${WEB_PROFILE.maxWidth}x${WEB_PROFILE.maxHeight}`);
  if (v.width % 2 || v.height % 2) reasons.push(`${v.width}x${v.height} has an odd dimension`);
  if (v.rotation !== 0) reasons.push(`rotated ${v.rotation} degrees in the container (needs to be applied)`);
  if (v.keyframes < 2) reasons.push('fewer than two keyframes');
  if (v.reorderDelay > 2) reasons.push(`B-frame reorder delay of ${v.reorderDelay} frames (at most 2 can be matched)`);
  return reasons;
}

/** A probe: the facts and timeline when ffprobe could read them, and what is wrong with the file. */
interface Inspection {
  info?: MediaInfo;
  timeline?: MediaTimeline;
  problems: MediaProblem[];
  /** Outline mode: what the container says, when that is enough (else undefined: a full probe is needed). */
  outline?: MediaOutline;
  /** Outline mode: the video stream's timestamp unit and the container's start time. */
  stamps?: MediaStamps;
}

/**
 * What a recording's container says without listing its packets: enough for `split`, which
 * reads its keyframes from the pass that decodes them anyway. Only given when the container's
 * facts agree with what a full probe would conclude (a constant nominal rate that matches the
 * average, a duration in the header, nothing cut short).
 */
export interface MediaOutline {
  /** Absolute path. */
  file: string;
  /** Duration in seconds, as a full probe gives it. */
  duration: number;
  /** Frame rate, as a full probe gives it. */
  frameRate: Rational;
  /** The container's start time in seconds (a full probe's frame times count from it). */
  startTime: number;
  /** Undefined when there is no audio track. */
  audio?: AudioInfo;
}

/** How to turn the timestamps ffmpeg prints for a video frame into a probe's frame time. */
export interface MediaStamps {
  /** The video stream's time base: the unit of its timestamps. */
  timeBase: Rational;
  /** The container's start time in seconds (a full probe's frame times count from it). */
  startTime: number;
}

const probeCache = new Map<string, Promise<Inspection>>();

/**
 * Probes a file with ffprobe and returns the facts plus the frame timeline (cached per file
 * state). A file that is not a recording, or was cut short, is a UserError: nothing is cut
 * from it (a truncated file would give segments shorter than asked, without a word).
 */
export async function probeWithTimeline(options: ProbeMediaOptions, ctx: RunContext): Promise<{ info: MediaInfo; timeline: MediaTimeline }> {
  const r = await inspect(options, ctx);
  const problem = r.problems[0];
  if (problem || !r.info || !r.timeline) {
    throw new UserError(problem?.message ?? `${options.shown ?? options.file} is not a readable video.`, { code: 'E_MEDIA_INPUT', hint: problem?.hint ?? 'Export or copy the recording again.' });
  }
  return { info: r.info, timeline: r.timeline };
}

/**
 * The outline of a recording for `split`: the same checks as a full probe (not a video, cut
 * short, damaged: the same errors), but no listing of every packet, which costs a pass over
 * the whole file. `outline` is undefined when the container alone cannot give what a full
 * probe would (then the caller probes in full).
 */
export async function probeOutline(options: ProbeMediaOptions, ctx: RunContext): Promise<{ outline?: MediaOutline; stamps?: MediaStamps }> {
  const file = path.resolve(options.cwd, options.file);
  const shown = options.shown ?? options.file;
  const st = await statRecording(file, shown);
  const tools = await locateMediaTools({ ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env });
  const r = await probeUncached(file, shown, st.size, tools.ffprobe.path, ctx, 'outline');
  const problem = r.problems[0];
  if (problem) throw new UserError(problem.message, { code: 'E_MEDIA_INPUT', hint: problem.hint });
  return { ...(r.outline ? { outline: r.outline } : {}), ...(r.stamps ? { stamps: r.stamps } : {}) };
}

/** The outline from the format probe alone, when it says what a full probe would. */
function outlineOf(file: string, json: { format?: FfprobeFormat }, vs: FfprobeStream, as: FfprobeStream | undefined, cutShort: boolean): { outline?: MediaOutline; stamps?: MediaStamps } {
  const nominal = parseRational(vs.r_frame_rate);
  const average = parseRational(vs.avg_frame_rate);
  const timeBase = parseRational(vs.time_base);
  const startTime = Number(json.format?.start_time) || 0;
  const stamps = timeBase ? { stamps: { timeBase, startTime } } : {};
  const duration = Number(json.format?.duration);
  if (cutShort || !nominal || !average || !(duration > 0)) return stamps;
  const fps = nominal.num / nominal.den;
  // A full probe keeps the nominal rate when the packet timing agrees with it (or, for variable
  // rates, when it is plausible): a nominal rate equal to the average is both.
  if (fps < 1 || fps > 60 || Math.abs(fps - average.num / average.den) > 0.01) return stamps;
  return {
    ...stamps,
    outline: {
      file,
      duration: Math.round(duration * 1e6) / 1e6,
      frameRate: nominal,
      startTime,
      ...(as ? { audio: { codec: as.codec_name ?? 'unknown', channels: as.channels ?? 0, ...(as.channel_layout ? { layout: as.channel_layout } : {}), sampleRate: Number(as.sample_rate ?? 0) } } : {}),
    },
  };
}

/** Stats a recording, or says plainly that it is missing or not a file. */
async function statRecording(file: string, shown: string): Promise<Stats> {
  let st;
  try {
    st = await stat(file);
  } catch {
    throw new UserError(`${shown} does not exist.`, { code: 'E_NOT_FOUND', hint: 'Check the path of the recording (relative paths start at the current folder or -C).' });
  }
  if (!st.isFile()) throw new UserError(`${shown} is not a file.`, { code: 'E_MEDIA_INPUT', hint: 'Give the path of a video file.' });
  return st;
}

async function inspect(options: ProbeMediaOptions, ctx: RunContext): Promise<Inspection> {
  const file = path.resolve(options.cwd, options.file);
  const shown = options.shown ?? options.file;
  const st = await statRecording(file, shown);
  const tools = await locateMediaTools({ ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env });
  // The name is in the key because problem messages carry it.
  const key = JSON.stringify([file, st.size, st.mtimeMs, tools.ffprobe.path, shown]);
  let p = probeCache.get(key);
  if (!p) {
    p = options.cacheDir ? probeRemembered(options.cacheDir, file, shown, st.size, tools.ffprobe.path, ctx) : probeUncached(file, shown, st.size, tools.ffprobe.path, ctx);
    p.catch(() => probeCache.delete(key));
    probeCache.set(key, p);
  }
  return p;
}

/** Bumped when what a probe records changes, so older cache entries are not read. */
const PROBE_FORMAT = 'probe-1';

/** What `probes/<key>.json` holds: the facts and timeline of a usable recording. */
interface RememberedProbe {
  format: typeof PROBE_FORMAT;
  info: Omit<MediaInfo, 'file'>;
  timeline: MediaTimeline;
}

/**
 * A probe through the render cache. Only usable recordings are remembered: a problem names
 * the file as the author wrote it, and a damaged file should be looked at again each time.
 * The entry is one file written atomically, so readers see all of it or none.
 */
async function probeRemembered(root: string, file: string, shown: string, size: number, ffprobe: string, ctx: RunContext): Promise<Inspection> {
  // The cache module (and node:crypto under it) loads only for a remembered probe: a
  // `split --dry-run` or a `probe` never needs it.
  const { cacheKey, fingerprintOnce, toolIdentity } = await import('./cache.js');
  const key = cacheKey([PROBE_FORMAT, await fingerprintOnce(file), await toolIdentity(ffprobe)]);
  const entry = path.join(root, 'probes', `${key}.json`);
  const hit = await readFile(entry, 'utf8').then((t) => JSON.parse(t) as RememberedProbe).catch(() => undefined);
  if (hit?.format === PROBE_FORMAT && hit.info && hit.timeline) return { info: { file, ...hit.info, size }, timeline: hit.timeline, problems: [] };
  const r = await probeUncached(file, shown, size, ffprobe, ctx);
  if (r.info && r.timeline && r.problems.length === 0) {
    const { file: _file, ...info } = r.info;
    const remembered: RememberedProbe = { format: PROBE_FORMAT, info, timeline: r.timeline };
    // Only a memo: a cache that cannot be written costs a probe next time, not this build.
    await writeFileAtomic(entry, JSON.stringify(remembered)).catch(() => undefined);
  }
  return r;
}

/** The problem of a file whose container declares more bytes than it holds, or lacks its MP4 index. */
export function truncationProblem(shown: string, end: ContainerEnd, times?: { endsAt: number; header: number }): MediaProblem | undefined {
  const short = end.declared > end.actual;
  const noIndex = end.container === 'mp4' && end.hasIndex === false;
  if (!short && !noIndex) return undefined;
  const sizes = short ? ` (this copy is ${formatBytes(end.actual)}; its container says at least ${formatBytes(end.declared)})` : '';
  const hint = `Copy it again from the original${sizes}, or export the recording again.`;
  const why = 'it was probably cut short while copying or recording.';
  if (times && times.header - times.endsAt >= 0.05) {
    return { kind: 'truncated', message: `${shown} ends at ${times.endsAt.toFixed(1)} s but its header says ${times.header.toFixed(1)} s; ${why}`, hint };
  }
  if (noIndex && !short) {
    return {
      kind: 'truncated',
      message: `${shown} was never finished: the index a player needs (the MP4 moov box) is missing, so nothing can play it.`,
      hint: 'The recording app probably stopped before saving (or is still recording): let it finish, or export the recording again; if it was copied, copy it again.',
    };
  }
  const what = noIndex ? 'it ends before the index a player needs (the MP4 moov box, stored at the end), so nothing can play it' : 'it ends before its container does';
  return { kind: 'truncated', message: `${shown} is incomplete: ${what}; ${why}`, hint };
}

/** ffprobe formats that read a single picture or plain text, not a recording. */
function stillFormat(formatName: string | undefined): string | undefined {
  if (!formatName) return undefined;
  if (formatName === 'tty') return 'a text file';
  const pipe = /^(\w+?)_pipe$/.exec(formatName);
  if (pipe) return `a ${pipe[1]?.toUpperCase()} image`;
  if (formatName === 'image2') return 'an image';
  return undefined;
}

async function probeUncached(file: string, shown: string, size: number, ffprobe: string, ctx: RunContext, mode: 'full' | 'outline' = 'full'): Promise<Inspection> {
  const debug = (m: string) => ctx.logger.debug(m);
  // The format probe is the longest step here: it starts first, and its answer is read only
  // once the file's bytes say it may be a recording (otherwise it is stopped, unread).
  const stopFormat = new AbortController();
  const cancel = () => stopFormat.abort();
  if (ctx.signal?.aborted) cancel();
  ctx.signal?.addEventListener('abort', cancel, { once: true });
  const formatRun = runFfprobe(ffprobe, probeFormatArgs(file), { signal: stopFormat.signal, debug });
  formatRun.catch(() => undefined);
  try {
    return await inspectFile(file, shown, size, ffprobe, ctx, mode, formatRun);
  } finally {
    ctx.signal?.removeEventListener('abort', cancel);
    stopFormat.abort();
  }
}

async function inspectFile(file: string, shown: string, size: number, ffprobe: string, ctx: RunContext, mode: 'full' | 'outline', formatRun: Promise<{ stdout: string }>): Promise<Inspection> {
  const debug = (m: string) => ctx.logger.debug(m);
  // The bytes first: a PNG renamed to .mp4 is named for what it is, not sent to ffprobe (which
  // reads it as a one-frame "video") or to the cutter (which finds it 0 s long).
  const head = await readHead(file).catch((err: unknown) => {
    throw new UserError(`${shown} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { code: 'E_MEDIA_INPUT', hint: 'Check that the file is readable by you (its permissions), or copy it somewhere you can read it.', cause: err });
  });
  const sniffed = sniffNotMedia(head, size);
  if (sniffed) {
    return { problems: [{ kind: 'not-media', message: size === 0 ? `${shown} is empty (0 bytes).` : `${shown} is ${sniffed.what}, not a video.`, hint: sniffed.hint }] };
  }
  // The container's own sizes against the file's: a few header reads, however long the file.
  const end = await fileContainerEnd(file, size);
  if (end?.container === 'mp4' && end.hasIndex === false) {
    const problem = truncationProblem(shown, end);
    if (problem) return { problems: [problem] };
  }
  const cutShort = end !== undefined && end.declared > end.actual;
  // The packet listing does not depend on the format probe: both start together (its result is
  // read, or its failure reported, only once the format says there is video). A whole MP4/MOV
  // of a plain layout has the same list in its index, read without ffprobe; anything else (and
  // a file cut short, whose packets end early) gets ffprobe's listing.
  // The index also shows how this ffprobe reads MP4 durations (see learnDurationReading), so a
  // cut's output need not be probed again.
  const index = end?.container === 'mp4' && !cutShort ? readMp4Index(file).catch(() => undefined) : undefined;
  const listPackets = async (): Promise<string | PacketTable> => {
    const rows = (await index)?.packets;
    if (rows) {
      debug(`packets of ${path.basename(file)} read from its MP4 index (${rows.pts.length} video packets)`);
      return rows;
    }
    return (await runFfprobe(ffprobe, probePacketsArgs(file), { signal: ctx.signal, debug })).stdout;
  };
  const packetRun = mode === 'full' ? listPackets() : undefined;
  packetRun?.catch(() => undefined);
  let json: { streams?: FfprobeStream[]; format?: FfprobeFormat };
  try {
    const out = await formatRun;
    json = JSON.parse(out.stdout) as typeof json;
    learnDurationReading(ffprobe, (await index)?.durations, Number(json.format?.duration));
  } catch (err) {
    if (err instanceof UserError && err.code === 'E_FFMPEG_FAILED' && / crashed with /.test(err.message)) {
      throw new UserError(`${err.message.replace(/\.$/, '')} while reading ${shown}.`, { code: 'E_MEDIA_INPUT', ...(err.hint ? { hint: err.hint } : {}) });
    }
    if (err instanceof UserError && err.code === 'E_FFMPEG_FAILED') {
      const truncated = end && truncationProblem(shown, end);
      if (truncated) return { problems: [truncated] };
      return {
        problems: [
          {
            kind: 'damaged',
            message: `${shown} is not a readable video (${err.message.replace(/^ffprobe failed: /, '')}).`,
            hint: 'The file is damaged or incomplete (for example a recording that was still being written): export or copy the recording again.',
          },
        ],
      };
    }
    throw err;
  }
  const still = stillFormat(json.format?.format_name);
  if (still) return { problems: [{ kind: 'not-media', message: `${shown} is ${still}, not a video.`, hint: 'Give the screen recording (MP4, MOV, MKV or WebM).' }] };
  const streams = json.streams ?? [];
  const vs = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const as = streams.find((s) => s.codec_type === 'audio');
  if (!vs) {
    return {
      problems: [
        {
          kind: 'no-video',
          message: `${shown} has no video stream${as?.codec_name ? ` (it holds only ${as.codec_name} audio)` : ''}.`,
          hint: 'Give a screen recording with video (an audio-only file cannot become a lesson video).',
        },
      ],
    };
  }
  if (!packetRun) return { problems: [], ...outlineOf(file, json, vs, as, cutShort) };
  let packets;
  try {
    packets = analysePackets(await packetRun);
  } catch (err) {
    if (err instanceof UserError && err.code === 'E_FFMPEG_FAILED') {
      const truncated = end && truncationProblem(shown, end);
      if (truncated) return { problems: [truncated] };
      return { problems: [{ kind: 'damaged', message: `${shown} could not be read to the end (${stderrTail(err.message, 1)}).`, hint: 'The file is damaged: export or copy the recording again.' }] };
    }
    throw err;
  }
  if (packets.frameTimes.length === 0) {
    const truncated = end && truncationProblem(shown, end);
    return { problems: [truncated ?? { kind: 'damaged', message: `${shown} has a video stream with no frames.`, hint: 'The file is damaged or empty: export or copy the recording again.' }] };
  }
  // Reported for people: the `rotate` tag when there is one, else the display matrix angle.
  // Either way ffmpeg applies it when decoding, so outputs come out upright.
  const rotation = normalizeRotation(vs.tags?.rotate !== undefined ? Number(vs.tags.rotate) : (vs.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? 0));
  const width = vs.width ?? 0;
  const height = vs.height ?? 0;
  const swap = rotation === 90 || rotation === 270;
  const nominal = parseRational(vs.r_frame_rate);
  const fromPackets = packets.medianDelta > 0 ? rateFromFrameDuration(packets.medianDelta) : undefined;
  // Trust the stream's rate when it agrees with the packet timing; otherwise the packets win.
  // A variable-rate capture is converted to its nominal rate (the rate it ran at while the
  // screen changed), when that is plausible; else to the rate of its shortest frame interval.
  let frameRate = nominal && fromPackets && Math.abs(nominal.num / nominal.den - fromPackets.num / fromPackets.den) < 0.05 ? nominal : (fromPackets ?? nominal ?? { num: 30, den: 1 });
  if (packets.variable) {
    const nominalFps = nominal ? nominal.num / nominal.den : 0;
    frameRate = nominal && nominalFps >= 1 && nominalFps <= 60 ? nominal : packets.minDelta > 0 ? rateFromFrameDuration(Math.max(packets.minDelta, 1 / 60)) : frameRate;
  }
  const last = packets.frameTimes[packets.frameTimes.length - 1] ?? 0;
  const first = packets.frameTimes[0] ?? 0;
  const duration = Number(json.format?.duration) > 0 ? Number(json.format?.duration) : last - first + packets.medianDelta;
  const kf = packets.keyframeTimes;
  let maxGap = 0;
  for (let i = 1; i < kf.length; i++) maxGap = Math.max(maxGap, (kf[i] ?? 0) - (kf[i - 1] ?? 0));
  if (kf.length) maxGap = Math.max(maxGap, last + packets.medianDelta - (kf[kf.length - 1] ?? 0));
  const levelName = formatCodecLevel(vs.codec_name ?? '', vs.level ?? 0);
  const base = {
    codec: vs.codec_name ?? 'unknown',
    ...(vs.profile ? { profile: vs.profile } : {}),
    level: vs.level && vs.level > 0 ? vs.level : 0,
    ...(levelName ? { levelName } : {}),
    pixelFormat: vs.pix_fmt ?? 'unknown',
    width,
    height,
    displayWidth: swap ? height : width,
    displayHeight: swap ? width : height,
    rotation,
    frameRate,
    fps: Math.round((frameRate.num / frameRate.den) * 1000) / 1000,
    variableFrameRate: packets.variable,
    color: {
      ...(vs.color_primaries ? { primaries: vs.color_primaries } : {}),
      ...(vs.color_transfer ? { trc: vs.color_transfer } : {}),
      ...(vs.color_space ? { space: vs.color_space } : {}),
      ...(vs.color_range ? { range: vs.color_range } : {}),
    },
    bFrames: (vs.has_b_frames ?? 0) > 0,
  };
  const reasons = smartCutBlockers({ ...base, keyframes: kf.length, reorderDelay: packets.reorderDelay });
  const info: MediaInfo = {
    file,
    size,
    container: json.format?.format_name ?? 'unknown',
    duration: Math.round(duration * 1e6) / 1e6,
    video: {
      ...base,
      frames: packets.frameTimes.length,
      keyframeInterval: { max: Math.round(maxGap * 1000) / 1000, average: kf.length ? Math.round(((last - (kf[0] ?? 0) + packets.medianDelta) / kf.length) * 1000) / 1000 : 0 },
    },
    ...(as
      ? { audio: { codec: as.codec_name ?? 'unknown', channels: as.channels ?? 0, ...(as.channel_layout ? { layout: as.channel_layout } : {}), sampleRate: Number(as.sample_rate ?? 0) } }
      : {}),
    smartCut: { possible: reasons.length === 0, reasons },
    needsSplit: duration > MAX_SEGMENT_SECONDS,
  };
  // ffmpeg's -ss counts from the file's start time, so the timeline does too.
  const shift = Number(json.format?.start_time) || 0;
  const problems: MediaProblem[] = [];
  if (cutShort && end) {
    // Where the frames stop against what the header promised (the video stream's own duration
    // when the container gives one): the numbers a user can check in any player.
    const headerDuration = Number(vs.duration) > 0 ? Number(vs.duration) : duration;
    const problem = truncationProblem(shown, end, { endsAt: Math.max(0, last + packets.medianDelta - shift), header: headerDuration });
    if (problem) problems.push(problem);
  }
  return { info, timeline: { frameTimes: packets.frameTimes.map((t) => t - shift), keyframeTimes: kf.map((t) => t - shift), reorderDelay: packets.reorderDelay }, problems };
}

/**
 * Probes a recording: container, codecs, size, rate, keyframes, smart-cut and split verdicts,
 * and what makes it unusable (not a video, cut short, damaged) as `problems` rather than an
 * error, so `probe` can report them as findings. A missing file is still a UserError.
 */
export async function probeMedia(options: ProbeMediaOptions, ctx: RunContext): Promise<ProbeMediaResult> {
  const r = await inspect(options, ctx);
  if (r.info) return { ...r.info, ok: r.problems.length === 0, problems: r.problems };
  const file = path.resolve(options.cwd, options.file);
  return { file, size: (await stat(file)).size, ok: false, problems: r.problems };
}
