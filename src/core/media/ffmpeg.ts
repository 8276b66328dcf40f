/**
 * The one adapter between lessonkit and ffmpeg/ffprobe: a runner (node:child_process, AbortSignal, progress
 * from `-progress pipe:1`, stderr kept for error messages) and the pure functions that build
 * every argument array lessonkit passes to them. Nothing else in lessonkit spawns ffmpeg.
 */
import { closeSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { CancelledError, UserError } from '../../errors.js';
import { toWriteError } from '../../utils/fs.js';

/** Frame rate as a fraction, e.g. 30000/1001. */
export interface Rational {
  num: number;
  den: number;
}

/** Progress of one ffmpeg run. */
export interface FfmpegProgress {
  /** Seconds of output written so far. */
  outTime: number;
  /** Speed as a multiple of real time (e.g. 4.2), when ffmpeg reports it. */
  speed?: number;
}

/** Options for {@link runFfmpeg}. */
export interface RunFfmpegOptions {
  /** Cancels the run: ffmpeg is killed and a CancelledError thrown. */
  signal?: AbortSignal;
  /** Called with parsed `-progress` blocks. Requires the args to contain `-progress pipe:1`. */
  onProgress?: (p: FfmpegProgress) => void;
  /** Logged at debug level (the command line). */
  debug?: (message: string) => void;
  /** What the run was for, used in the error message, e.g. `trim of talk.mp4`. */
  what?: string;
  /** The file the run writes, named when the disk is full (callers may re-name it for the user). */
  output?: string;
  /**
   * Collect stderr in a temporary file rather than a pipe. ffmpeg writes its log unbuffered, a
   * write per line, and each write through a pipe wakes this process: an analysis pass that logs
   * a line per keyframe cost Node about 60 microseconds a line (28 ms of CPU for 20 minutes of
   * 1080p). The file is read once the tool has exited, and removed.
   */
  stderrToFile?: boolean;
}

/** What an ffmpeg/ffprobe run printed. */
export interface ToolOutput {
  stdout: string;
  stderr: string;
}

/**
 * ffmpeg's (strerror) wording of the file-system faults a user can fix, with their errno codes.
 * The first four can only come from writing; the others also from a missing or unreadable
 * input, so they count only when the line names a file in the output's folder.
 */
const WRITE_FAULT_TEXT: [RegExp, string, 'any' | 'output'][] = [
  [/No space left on device/i, 'ENOSPC', 'any'],
  [/Disk quota exceeded/i, 'EDQUOT', 'any'],
  [/File too large/i, 'EFBIG', 'any'],
  [/Read-only file system/i, 'EROFS', 'any'],
  [/Permission denied/i, 'EACCES', 'output'],
  [/Operation not permitted/i, 'EPERM', 'output'],
  [/No such file or directory/i, 'ENOENT', 'output'],
  [/Not a directory/i, 'ENOTDIR', 'output'],
  [/Is a directory/i, 'EISDIR', 'output'],
  [/Too many open files/i, 'EMFILE', 'output'],
];

/**
 * The write fault in an ffmpeg failure, as an errno-style error, when there is one: a full disk
 * is the disk's problem, not the recording's, and must not be reported as a media error.
 * SIGXFSZ is the kernel stopping a process that passed the file-size limit. `output` is the
 * file the run writes (its folder also holds a smart cut's parts).
 */
export function writeFaultOf(stderr: string, signal?: string, output?: string): (Error & { code: string; path?: string }) | undefined {
  if (signal === 'SIGXFSZ') return Object.assign(new Error('EFBIG: file size limit exceeded'), { code: 'EFBIG', ...(output ? { path: output } : {}) });
  const outDir = output ? path.dirname(path.resolve(output)) : undefined;
  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.trim().replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, '');
    const fault = WRITE_FAULT_TEXT.find(([re]) => re.test(line));
    if (!fault) continue;
    // "Error writing trailer of /x/y.mp4: No space left on device", "/x/y.mp4: Permission denied".
    const named = /(?:^|\bof )((?:\/|[A-Za-z]:\\)[^:]*?): [^:]+$/.exec(line)?.[1];
    const ours = Boolean(named && outDir && (path.dirname(path.resolve(named)) === outDir || path.resolve(named).startsWith(outDir + path.sep)));
    if (fault[2] === 'output' && !ours) continue;
    return Object.assign(new Error(`${fault[1]}: ${line}`), { code: fault[1], ...(named ? { path: named } : {}) });
  }
  return undefined;
}

/** Quotes an argument for a shell-like debug line. */
function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** Parses one `-progress` chunk (key=value lines) into progress values. */
export function parseProgressChunk(text: string): FfmpegProgress | undefined {
  let outTime: number | undefined;
  let speed: number | undefined;
  for (const line of text.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    // out_time_ms is in microseconds despite its name (an old ffmpeg quirk); out_time_us is newer.
    if ((key === 'out_time_us' || key === 'out_time_ms') && /^-?\d+$/.test(value)) outTime = Math.max(0, Number(value) / 1e6);
    if (key === 'speed') {
      const m = /^([\d.]+)x$/.exec(value);
      if (m) speed = Number(m[1]);
    }
  }
  return outTime === undefined ? undefined : { outTime, ...(speed !== undefined ? { speed } : {}) };
}

/** The last meaningful lines of ffmpeg's stderr, for error messages. */
export function stderrTail(stderr: string, lines = 3): string {
  const kept = stderr
    .replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/gm, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^(frame=|size=|Press \[q\]|Stream mapping|\s*Stream #|Input #|Output #|Duration:|Metadata:|encoder\s*:)/.test(l));
  return kept.slice(-lines).join(' | ');
}

/** How a tool process ended. */
interface Exit {
  stdout: string;
  stderr: string;
  /** Exit code, or null when a signal ended it. */
  exitCode: number | null;
  signal?: string;
  /** The spawn error (ENOENT, EACCES...), when it could not start. */
  spawnError?: NodeJS.ErrnoException;
  /** True when our cancel stopped it. */
  canceled: boolean;
}

/** Output kept per stream; past it the tool is stopped (ffmpeg never writes this much on purpose). */
const MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * Runs a tool with node:child_process (no stdin; stdout and stderr collected as text). Cancelling
 * sends SIGTERM, then SIGKILL after 2 s: ffmpeg sometimes ignores SIGTERM while blocked writing.
 */
function spawnTool(bin: string, args: readonly string[], options: RunFfmpegOptions): Promise<Exit> {
  return new Promise((resolve) => {
    let canceled = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let progressBuffer = '';
    const log = options.stderrToFile ? openLogFile() : undefined;
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', log ? log.fd : 'pipe'] });
    // The child has its own copy of the descriptor.
    if (log) closeSync(log.fd);
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      canceled = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
      killTimer.unref();
    };
    options.signal?.addEventListener('abort', stop, { once: true });
    child.stdout?.on('data', (chunk: Buffer) => {
      if ((outBytes += chunk.length) <= MAX_OUTPUT) out.push(chunk);
      else child.kill('SIGKILL');
      if (!options.onProgress) return;
      progressBuffer += chunk.toString('utf8');
      let end: number;
      // Each progress block ends with a `progress=continue|end` line.
      while ((end = progressBuffer.search(/progress=\w+\r?\n/)) >= 0) {
        const lineEnd = progressBuffer.indexOf('\n', end) + 1;
        const block = progressBuffer.slice(0, lineEnd);
        progressBuffer = progressBuffer.slice(lineEnd);
        const p = parseProgressChunk(block);
        if (p) options.onProgress(p);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if ((errBytes += chunk.length) <= MAX_OUTPUT) err.push(chunk);
      else child.kill('SIGKILL');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', stop);
      if (killTimer) clearTimeout(killTimer);
      if (log) err.push(readLogFile(log.path));
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code,
        ...(signal ? { signal } : {}),
        ...(spawnError ? { spawnError } : {}),
        canceled,
      });
    });
  });
}

let logFiles = 0;

/** A new, empty file of ours in the temp folder, opened for the child's stderr; undefined (use a pipe) when none can be made. */
function openLogFile(): { path: string; fd: number } | undefined {
  for (;;) {
    const file = path.join(tmpdir(), `lessonkit-${process.pid}-${Date.now().toString(36)}-${(logFiles += 1)}.log`);
    try {
      return { path: file, fd: openSync(file, 'wx', 0o600) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
  }
}

/** The log's first MAX_OUTPUT bytes (ffmpeg never writes that much on purpose); the file is removed. */
function readLogFile(file: string): Buffer {
  try {
    const text = readFileSync(file);
    return text.length <= MAX_OUTPUT ? text : text.subarray(0, MAX_OUTPUT);
  } catch {
    return Buffer.alloc(0);
  } finally {
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to clean up.
    }
  }
}

async function runTool(bin: string, args: readonly string[], options: RunFfmpegOptions): Promise<ToolOutput> {
  options.debug?.(`$ ${[bin, ...args].map(shellQuote).join(' ')}`);
  if (options.signal?.aborted) throw new CancelledError();
  const result = await spawnTool(bin, args, options);
  if (options.signal?.aborted || result.canceled) throw new CancelledError();
  const { stdout, stderr } = result;
  if (result.spawnError || result.exitCode !== 0) {
    if (result.spawnError?.code === 'ENOENT') {
      throw new UserError(`Could not run ${bin}: the file does not exist.`, { code: 'E_FFMPEG_MISSING', hint: 'Run `lessonkit doctor` to see which ffmpeg is used.' });
    }
    const tool = path.basename(bin).replace(/\.exe$/i, '');
    if (result.spawnError) {
      throw new UserError(`Could not run ${bin}: ${result.spawnError.code ?? result.spawnError.message}.`, { code: 'E_FFMPEG_MISSING', hint: 'Check that the file is an executable you may run; `lessonkit doctor` shows which one is used.' });
    }
    const signal = result.signal;
    const fault = writeFaultOf(stderr, signal, options.output);
    if (fault) {
      const target = options.output ?? fault.path;
      if (target) throw toWriteError(Object.assign(fault, { path: path.resolve(target) }), path.resolve(target));
      throw new UserError(`${tool} could not write its output${options.what ? ` during ${options.what}` : ''}: ${fault.message.replace(/^\w+: /, '')}`, {
        code: fault.code === 'ENOSPC' || fault.code === 'EDQUOT' ? 'E_DISK_FULL' : 'E_WRITE',
        hint: 'Free space on the disk that holds the output folder, or write somewhere else.',
        cause: fault,
      });
    }
    if (signal) {
      // A crash (not our cancel): say so plainly, it is not the same as a damaged file.
      throw new UserError(`${tool} crashed with ${signal}${options.what ? ` during ${options.what}` : ''}.`, {
        code: 'E_FFMPEG_FAILED',
        hint: `This ${tool} build cannot read the file. Remux it to MP4 (\`ffmpeg -i in -c copy out.mp4\`) or pass a newer ${tool} with --${tool}; \`lessonkit doctor\` shows which one is used.`,
      });
    }
    throw new UserError(`${tool} failed${options.what ? ` during ${options.what}` : ''}: ${stderrTail(stderr) || `exit code ${String(result.exitCode)}`}`, {
      code: 'E_FFMPEG_FAILED',
      hint: 'Run `lessonkit probe` on the file; if it plays elsewhere, re-run with --debug and report the command line.',
    });
  }
  return { stdout, stderr };
}

/** Runs ffmpeg with `args`; throws UserError(E_FFMPEG_FAILED) with the end of stderr, or CancelledError. */
export function runFfmpeg(bin: string, args: readonly string[], options: RunFfmpegOptions = {}): Promise<ToolOutput> {
  return runTool(bin, args, options);
}

/** Runs ffprobe with `args` and returns its output. */
export function runFfprobe(bin: string, args: readonly string[], options: RunFfmpegOptions = {}): Promise<ToolOutput> {
  return runTool(bin, args, options);
}

/** Formats seconds for ffmpeg options: plain decimal with microsecond precision, never exponent. */
export function ffTime(seconds: number): string {
  return (Math.round(seconds * 1e6) / 1e6).toFixed(6).replace(/\.?0+$/, '') || '0';
}

/** Common leading arguments: quiet banner, errors only, no stdin interaction, overwrite. */
export const BASE_ARGS: readonly string[] = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];

/** ffprobe arguments: format and streams as JSON. */
export function probeFormatArgs(file: string): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', file];
}

/** ffprobe arguments: every video packet's pts, dts, duration and flags (no decoding, fast). */
export function probePacketsArgs(file: string): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,dts_time,duration_time,flags', '-of', 'csv=p=0', '--', file];
}

/** The web profile's fixed settings (DESIGN.md, Media). Bump `version` whenever an output would change. */
export const WEB_PROFILE = {
  version: 'web-3',
  maxWidth: 1920,
  maxHeight: 1080,
  /** Keyframe interval for transcodes, in seconds (DESIGN: every 2-4 s). */
  keyframeSeconds: 3,
  crf: 20,
  preset: 'veryfast',
  audioBitrate: '128k',
  audioRate: 48000,
  /** Target integrated loudness for speech, LUFS (DESIGN: about -16 LUFS). */
  loudness: -16,
  /**
   * Highest sample peak after the gain, dBFS. Two decibels below full scale keeps the true peak
   * (between samples, after AAC) under the -1.5 dBTP of DESIGN.md.
   */
  peakCeiling: -2,
} as const;

/** Output size for the web profile: fits in 1920x1080, keeps the aspect ratio, even dimensions. */
export function webSize(width: number, height: number): { width: number; height: number; scaled: boolean } {
  const s = Math.min(1, WEB_PROFILE.maxWidth / width, WEB_PROFILE.maxHeight / height);
  if (s >= 1) {
    // Small enough: keep every pixel (screen text stays sharp); an odd edge is padded by one pixel.
    return { width: width + (width % 2), height: height + (height % 2), scaled: false };
  }
  const even = (v: number) => Math.max(2, 2 * Math.round(v / 2));
  return { width: Math.min(WEB_PROFILE.maxWidth, even(width * s)), height: Math.min(WEB_PROFILE.maxHeight, even(height * s)), scaled: true };
}

/** Colour matrices ffmpeg's scale filter can convert from (ffprobe names to scale names). */
const MATRIX: Record<string, string> = { bt470bg: 'bt601', smpte170m: 'bt601', bt601: 'bt601', fcc: 'fcc', smpte240m: 'smpte240m', bt2020nc: 'bt2020', bt2020c: 'bt2020' };

/**
 * The video filter chain of the web profile for a source of the given (upright) size. Pixels
 * are converted to the BT.709 matrix only when the source says it uses another one: untagged
 * video is what players already show as BT.709 (HD) and is tagged, not converted.
 */
export function webVideoFilter(width: number, height: number, fps: Rational, colorSpace?: string): string {
  const out = webSize(width, height);
  const from = colorSpace ? MATRIX[colorSpace] : undefined;
  const convert = from ? `:in_color_matrix=${from}:out_color_matrix=bt709` : '';
  const parts: string[] = [];
  if (out.scaled) parts.push(`scale=${out.width}:${out.height}:flags=lanczos${convert}`);
  else {
    if (convert) parts.push(`scale=${convert.slice(1)}`);
    if (out.width !== width || out.height !== height) parts.push(`pad=${out.width}:${out.height}:0:0`);
  }
  parts.push(`fps=${fps.num}/${fps.den}`, 'format=yuv420p');
  return parts.join(',');
}

/** H.264 High encoder arguments of the web profile. `gop` is the keyframe interval in frames. */
export function webVideoCodecArgs(gop: number, crf: number = WEB_PROFILE.crf): string[] {
  return [
    '-c:v', 'libx264', '-preset', WEB_PROFILE.preset, '-crf', String(crf),
    '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0',
    '-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709',
  ];
}

/** AAC arguments of the web profile; `gainDb` comes from {@link loudnessGain}. */
export function webAudioArgs(channels: number, gainDb: number): string[] {
  return [
    '-af', `volume=${gainDb.toFixed(2)}dB,aresample=${WEB_PROFILE.audioRate}`,
    // The fast coder: a third of the default's CPU, no audible difference for speech at 128k.
    '-c:a', 'aac', '-aac_coder', 'fast', '-b:a', WEB_PROFILE.audioBitrate, '-ac', String(Math.min(2, Math.max(1, channels))), '-ar', String(WEB_PROFILE.audioRate),
  ];
}

/**
 * Measures the loudness of [seek, seek+duration) (EBU R128 integrated loudness and sample peak).
 * Cheap: audio only, no resampling. The gain is then one linear volume change, which keeps
 * the speaker's dynamics (a compressor such as loudnorm's dynamic mode pumps on pauses, and
 * costs three times as much CPU for its 192 kHz true-peak stage). The per-100-ms log lines go to
 * the verbose level: only the summary is read, and printing ten lines a second of audio is a
 * tenth of the scan's CPU.
 */
export function loudnessScanArgs(input: string, seek: number, duration: number): string[] {
  return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-ss', ffTime(seek), '-t', ffTime(duration), '-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn', '-af', 'ebur128=peak=sample:framelog=verbose', '-f', 'null', '-'];
}

/** Reads the ebur128 summary: integrated loudness (LUFS) and sample peak (dBFS). */
export function parseLoudness(stderr: string): { integrated: number; peak: number } | undefined {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const i = /I:\s*(-?[\d.]+|-inf)\s*LUFS/.exec(summary);
  const p = /Peak:\s*(-?[\d.]+|-inf)\s*dBFS/.exec(summary);
  if (!i) return undefined;
  const num = (v: string | undefined) => (v === undefined || v === '-inf' ? -Infinity : Number(v));
  return { integrated: num(i[1]), peak: num(p?.[1]) };
}

/**
 * The gain (dB) that brings speech to the target loudness without pushing the peak over the
 * ceiling. Silence (below -70 LUFS) is left alone; the gain is kept within +-30 dB.
 */
export function loudnessGain(m: { integrated: number; peak: number } | undefined): number {
  if (!m || !Number.isFinite(m.integrated) || m.integrated < -70) return 0;
  let gain = WEB_PROFILE.loudness - m.integrated;
  if (Number.isFinite(m.peak)) gain = Math.min(gain, WEB_PROFILE.peakCeiling - m.peak);
  return Math.round(Math.max(-30, Math.min(30, gain)) * 100) / 100;
}

/** Options for {@link transcodeArgs}. */
export interface TranscodeArgsOptions {
  input: string;
  output: string;
  /** Seek time: half a frame before the first wanted frame, so rounding never drops it. */
  seek: number;
  /** Exact number of output frames. */
  frames: number;
  /** Segment duration in seconds (for the audio). */
  duration: number;
  /** Upright source size (after rotation). */
  width: number;
  height: number;
  /** Output frame rate. */
  fps: Rational;
  /** Audio channels of the source; 0 when it has no audio. */
  audioChannels: number;
  /** The source's colour matrix as ffprobe names it, when tagged. */
  colorSpace?: string;
  /** Audio gain in dB (from {@link loudnessGain}). */
  gainDb?: number;
  /** Redaction filter (from {@link redactFilter}), applied in source pixels before scaling. */
  redact?: string;
}

/** Full transcode of [seek, seek+duration) to the web profile, MP4 with the moov first. */
export function transcodeArgs(o: TranscodeArgsOptions): string[] {
  const gop = Math.max(1, Math.round((WEB_PROFILE.keyframeSeconds * o.fps.num) / o.fps.den));
  return [
    ...BASE_ARGS, '-progress', 'pipe:1', '-nostats',
    // The input is limited too (not only the output), so every filter sees the end of the
    // stream and flushes what it holds.
    '-ss', ffTime(o.seek), '-t', ffTime(o.duration), '-i', o.input,
    '-map', '0:v:0', ...(o.audioChannels > 0 ? ['-map', '0:a:0'] : []),
    '-vf', (o.redact ? `${o.redact},` : '') + webVideoFilter(o.width, o.height, o.fps, o.colorSpace), '-vsync', 'cfr',
    ...webVideoCodecArgs(gop),
    '-frames:v', String(o.frames),
    ...(o.audioChannels > 0 ? webAudioArgs(o.audioChannels, o.gainDb ?? 0) : []),
    '-sn', '-dn', '-map_metadata', '-1', '-map_chapters', '-1',
    '-movflags', '+faststart', '-f', 'mp4', o.output,
  ];
}

/** Keyframe-only copy of [from, from+duration): fast, cuts move to keyframes. */
export function copyArgs(input: string, output: string, from: number, duration: number): string[] {
  return [
    ...BASE_ARGS, '-progress', 'pipe:1', '-nostats',
    '-ss', ffTime(from), '-i', input, '-t', ffTime(duration),
    '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', '-sn', '-dn', '-map_metadata', '-1',
    '-avoid_negative_ts', 'make_zero', '-movflags', '+faststart', '-f', 'mp4', output,
  ];
}

/** Options for {@link smartPartEncodeArgs}. */
export interface SmartPartEncodeOptions {
  input: string;
  output: string;
  seek: number;
  frames: number;
  /** Source H.264 profile name as ffprobe prints it (High, Main...). */
  profile: string;
  /** Source level as ffprobe's integer (e.g. 40 for 4.0). */
  level: number;
  /** Colour tags to copy from the source, when set. */
  color?: { primaries?: string; trc?: string; space?: string; range?: string };
  /** The source's B-frame reorder delay in frames (0-2): the part must have the same DTS offset. */
  reorderDelay: number;
  /** Redaction filter (from {@link redactFilter}) for the frames of this part. */
  redact?: string;
  /**
   * The part starts on a keyframe (the tail of a smart cut) at `seek`, which is that keyframe's
   * time: the demuxer is sent straight to it and nothing is dropped, instead of a seek a hair
   * before it, which lands a whole GOP earlier and decodes that GOP for nothing.
   */
  fromKeyframe?: { quarterFrame: number; bFrames: boolean };
  /** Frames (counted from the part's first, 0) that must also be keyframes: a part that joins GOPs keeps the source's. */
  keyframes?: number[];
}

/**
 * x264 settings for a smart-cut part: the ultrafast preset (these frames are few and encoded at
 * high quality, so speed matters more than bits) with the High-profile tools switched back on
 * (CABAC, 8x8 transform, deblocking), and B-frames set so the reorder delay is `delay` frames.
 */
export function smartX264Args(delay: number): string[] {
  const params = ['cabac=1', '8x8dct=1', 'deblock=1', 'b-adapt=0'];
  if (delay === 1) params.push('b-pyramid=none');
  if (delay >= 2) params.push('b-pyramid=normal');
  return ['-preset', 'ultrafast', '-bf', delay <= 0 ? '0' : delay === 1 ? '1' : '3', '-x264-params', params.join(':')];
}

/** ffprobe profile names to x264 `-profile:v` values. */
function x264Profile(profile: string): string {
  const p = profile.toLowerCase();
  if (p.includes('baseline')) return 'baseline';
  if (p === 'main') return 'main';
  return 'high';
}

/**
 * The -ss value that starts an inexact seek on the keyframe at `keyframe` (see
 * smartPartEncodeArgs). Filters then see each frame at its source time minus this value.
 */
export function keyframeSeekTime(keyframe: number, k: { quarterFrame: number; bFrames: boolean }): number {
  return Number(ffTime(keyframe + k.quarterFrame + (k.bFrames ? 3 / 23 : 0)));
}

/**
 * Re-encodes the partial GOP at a smart-cut edge, matching the copied part (profile, level,
 * pixel format, size, colour tags), as MPEG-TS so each part carries its own SPS/PPS in-band.
 * Near-lossless quality: these frames sit next to the untouched original ones.
 */
export function smartPartEncodeArgs(o: SmartPartEncodeOptions): string[] {
  const c = o.color ?? {};
  const tags: string[] = [];
  if (c.primaries && c.primaries !== 'unknown') tags.push('-color_primaries', c.primaries);
  if (c.trc && c.trc !== 'unknown') tags.push('-color_trc', c.trc);
  if (c.space && c.space !== 'unknown') tags.push('-colorspace', c.space);
  if (c.range && c.range !== 'unknown') tags.push('-color_range', c.range);
  // As for a stream copy (see smartPartCopyArgs): a quarter frame past the keyframe, plus the
  // 3/23 s ffmpeg takes off a seek in streams with B-frames. Without accurate seek, decoding
  // starts at that keyframe; passthrough sync keeps the frames before the seek time (which
  // constant-rate sync would drop as "negative"), so the part starts on the keyframe.
  const k = o.fromKeyframe;
  const seek = k ? ['-noaccurate_seek', '-ss', ffTime(keyframeSeekTime(o.seek, k))] : ['-ss', ffTime(o.seek)];
  return [
    ...BASE_ARGS,
    ...seek, '-i', o.input, '-map', '0:v:0', '-an', '-sn', '-dn',
    ...(o.redact ? ['-vf', o.redact] : []),
    '-frames:v', String(o.frames), ...(k ? ['-vsync', 'passthrough'] : []),
    '-c:v', 'libx264', ...smartX264Args(o.reorderDelay), '-crf', '16',
    '-profile:v', x264Profile(o.profile), ...(o.level > 0 ? ['-level', (o.level / 10).toFixed(1)] : []),
    '-pix_fmt', 'yuv420p', ...tags,
    // One closed GOP per part (or, for a part that joins GOPs, keyframes where the source had
    // them; the expression is not a filter graph, so its commas stay bare). The B-frame delay matches the copied part's so every part has the
    // same DTS-to-PTS offset: the joined track's timestamps stay monotonic and its duration exact.
    '-g', String(Math.max(1, o.frames)),
    ...(o.keyframes?.length ? ['-force_key_frames', `expr:${o.keyframes.map((n) => `eq(n,${n})`).join('+')}`] : []),
    '-f', 'mpegts', o.output,
  ];
}

/**
 * Stream-copies exactly `frames` video packets starting at the keyframe at `keyframe` (MPEG-TS,
 * Annex B, so the part carries its own SPS/PPS in-band).
 */
export function smartPartCopyArgs(input: string, output: string, keyframe: number, quarterFrame: number, frames: number, bFrames: boolean): string[] {
  // A stream copy starts at the last keyframe at or before the seek time, and copies every packet
  // from there. ffmpeg moves the seek 3/23 s earlier when a stream has B-frames (its DTS
  // heuristic), so that is added back; a quarter frame past the keyframe absorbs ffprobe's
  // microsecond rounding without reaching the next frame.
  const seek = keyframe + quarterFrame + (bFrames ? 3 / 23 : 0);
  return [
    ...BASE_ARGS,
    '-ss', ffTime(seek), '-i', input,
    '-map', '0:v:0', '-an', '-sn', '-dn', '-c:v', 'copy', '-frames:v', String(frames),
    '-bsf:v', 'h264_mp4toannexb', '-f', 'mpegts', output,
  ];
}

/** Encodes the audio of [seek, seek+duration) once, for the whole smart-cut segment. */
export function segmentAudioArgs(input: string, output: string, seek: number, duration: number, channels: number, gainDb: number): string[] {
  return [...BASE_ARGS, '-ss', ffTime(seek), '-t', ffTime(duration), '-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn', ...webAudioArgs(channels, gainDb), '-f', 'mp4', output];
}

/** A concat-demuxer list for the parts, with exact durations so the joins add no gap or overlap. */
export function concatList(parts: readonly { file: string; duration: number }[]): string {
  const q = (f: string) => `'${f.replace(/'/g, `'\\''`)}'`;
  return parts.map((p) => `file ${q(p.file)}\nduration ${ffTime(p.duration)}\n`).join('');
}

/** Joins the parts listed in `listFile` and the audio into the final MP4 (video copied, moov first). */
export function smartJoinArgs(listFile: string, audio: string | undefined, output: string, fps: Rational): string[] {
  return [
    ...BASE_ARGS,
    '-f', 'concat', '-safe', '0', '-i', listFile, ...(audio ? ['-i', audio] : []),
    '-map', '0:v:0', ...(audio ? ['-map', '1:a:0'] : []), '-c', 'copy',
    '-r', `${fps.num}/${fps.den}`,
    '-map_metadata', '-1', '-movflags', '+faststart', '-f', 'mp4', output,
  ];
}

/** A JPEG poster from the frame at `at` seconds of `input` (scaled like the video). */
export function posterArgs(input: string, output: string, at: number, maxWidth = 1280): string[] {
  return [...BASE_ARGS, '-ss', ffTime(at), '-i', input, '-frames:v', '1', '-vf', `scale='min(${maxWidth},iw)':-2`, '-q:v', '3', '-f', 'image2', '-c:v', 'mjpeg', output];
}

/** Decodes everything to nowhere; with `-v error` any output means decode errors. */
export function decodeCheckArgs(input: string): string[] {
  return ['-hide_banner', '-nostdin', '-v', 'error', '-i', input, '-f', 'null', '-'];
}

/**
 * Silence detection over the whole audio track (no video decoding). Only the first frame goes
 * on past the detector (`aselect=not(n)`): the others were converted and muxed to nowhere, 5 % of
 * the pass's CPU time. One frame rather than none, because an output that never gets a frame
 * is an error in some ffmpeg versions. The detector still sees every sample, in the format it
 * saw before (the null output's s16), so the pauses are the same to the digit.
 */
export function silenceDetectArgs(input: string, noiseDb: number, minSilence: number): string[] {
  return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn', '-af', `silencedetect=noise=${noiseDb}dB:d=${minSilence},aselect=not(n)`, '-f', 'null', '-'];
}

/**
 * Scene scores between consecutive keyframes only (decodes keyframes only, scored at low
 * resolution: cheap). One decoding thread: keyframes alone leave frame threads idle, and their
 * start-up cost about as much CPU as the decoding itself (the pixels are the same either way).
 */
export function keyframeSceneArgs(input: string): string[] {
  // -copyts: the printed timestamps are the container's own, so each keyframe's time can be
  // computed exactly as a probe of the packets would give it (see parseKeyframeScenes), and
  // split needs no separate listing of every packet. The scores do not depend on timestamps.
  return ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-skip_frame', 'nokey', '-threads', '1', '-copyts', '-i', input, '-map', '0:v:0', '-an', '-vf', "scale=160:-2,select='gte(scene,0)',metadata=mode=print", '-vsync', 'vfr', '-f', 'null', '-'];
}

/**
 * Parses the output of {@link keyframeSceneArgs}: every keyframe's time as a probe of the packets
 * gives it (the pts in seconds to the microsecond, minus the container's start time), and the
 * scene score of each at the time ffmpeg shows it without -copyts (six significant digits, from
 * the start time), which is what the scores were always matched on.
 */
export function parseKeyframeScenes(stderr: string, timeBase: Rational, startTime: number): { keyframeTimes: number[]; scenes: { time: number; score: number }[] } {
  const tb = timeBase.num / timeBase.den;
  // ffmpeg moves timestamps by the start time rescaled to the stream's unit, rounded to nearest.
  const offset = Math.sign(startTime) * Math.round((Math.abs(Math.round(startTime * 1e6)) * timeBase.den) / (timeBase.num * 1e6));
  const keyframeTimes: number[] = [];
  const scenes: { time: number; score: number }[] = [];
  let pts: number | undefined;
  for (const line of stderr.split(/\r?\n/)) {
    const t = /\bpts:\s*(-?\d+)/.exec(line);
    if (t) {
      pts = Number(t[1]);
      keyframeTimes.push(Number((pts * tb).toFixed(6)) - startTime);
    }
    const s = /lavfi\.scene_score=([\d.]+)/.exec(line);
    if (s && pts !== undefined) {
      scenes.push({ time: Number(((pts - offset) * tb).toPrecision(6)), score: Number(s[1]) });
      pts = undefined;
    }
  }
  keyframeTimes.sort((a, b) => a - b);
  return { keyframeTimes, scenes };
}

/** Parses `silencedetect` output into [start, end] pauses (an unterminated silence ends at `duration`). */
export function parseSilences(stderr: string, duration: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start: number | undefined;
  for (const line of stderr.split(/\r?\n/)) {
    const s = /silence_start:\s*(-?[\d.]+)/.exec(line);
    if (s) start = Math.max(0, Number(s[1]));
    const e = /silence_end:\s*([\d.]+)/.exec(line);
    if (e && start !== undefined) {
      out.push({ start, end: Number(e[1]) });
      start = undefined;
    }
  }
  if (start !== undefined && duration > start) out.push({ start, end: duration });
  return out;
}

/** Parses `metadata=mode=print` output into (time, scene score) pairs. */
export function parseSceneScores(stderr: string): { time: number; score: number }[] {
  const out: { time: number; score: number }[] = [];
  let time: number | undefined;
  for (const line of stderr.split(/\r?\n/)) {
    const t = /pts_time:\s*(-?[\d.]+)/.exec(line);
    if (t) time = Number(t[1]);
    const s = /lavfi\.scene_score=([\d.]+)/.exec(line);
    if (s && time !== undefined) {
      out.push({ time, score: Number(s[1]) });
      time = undefined;
    }
  }
  return out;
}

/** A redaction region for {@link redactFilter}: an even pixel rectangle and a time range. */
export interface RedactFilterRegion {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Seconds, in the timestamps the filter sees (source time minus the input seek). */
  from: number;
  to: number;
  style: 'blur' | 'pixelate' | 'box';
}

/**
 * The filter chain that hides each region during its time range: a strong box blur (three
 * passes, radius half the region's short side, so no glyph survives), pixelation in 16-pixel
 * blocks, or a solid black box. Blur and pixelate read only the region's own pixels (crop, then
 * overlay back), so nothing outside a box changes. One input, one output: usable in `-vf`.
 */
export function redactFilter(regions: readonly RedactFilterRegion[], o: { pixelFormat?: string } = {}): string {
  // Times may be negative: after a seek onto a keyframe without accurate seek, the frames before
  // the seek time reach the filters with negative timestamps (see smartPartEncodeArgs).
  const enable = (r: RedactFilterRegion) => `enable='between(t,${ffTime(r.from)},${ffTime(r.to)})'`;
  const soft = regions.filter((r) => r.style !== 'box');
  const parts: string[] = [];
  if (soft.length) {
    // One split for all the crops: each overlay then draws into the same frame. A split and an
    // overlay per region would copy the whole frame once per region (an overlay must write into
    // a frame nobody else holds), which at 1080p cost more than encoding it.
    // The source's pixel format, pinned before the split when it is the one the overlay blends
    // in: left open, format negotiation across an accurate seek's trim filter settled on
    // yuva420p for the whole frame, two full-frame conversions per frame (a third of the CPU of
    // a redacted part) for nothing.
    const pin = o.pixelFormat === 'yuv420p' ? 'format=yuv420p,' : '';
    const graph = [`${pin}split=${soft.length + 1}[rm]${soft.map((_, i) => `[rc${i}]`).join('')}`];
    soft.forEach((r, i) => {
      const { x, y, width: w, height: h } = r;
      const hide =
        r.style === 'pixelate'
          ? `scale=${Math.max(1, Math.round(w / 16))}:${Math.max(1, Math.round(h / 16))}:flags=area,scale=${w}:${h}:flags=neighbor`
          : // Blurred only during the region's range (outside it the overlay is off too): the blur is
            // the costliest filter here.
            `boxblur=luma_radius=min(w\\,h)/2:luma_power=3:chroma_radius=min(cw\\,ch)/2:chroma_power=3:${enable(r)}`;
      graph.push(`[rc${i}]crop=${w}:${h}:${x}:${y},${hide}[rh${i}]`);
    });
    soft.forEach((r, i) => {
      // The last overlay's output stays unlabelled: it is the chain's output.
      graph.push(`[${i === 0 ? 'rm' : `ro${i - 1}`}][rh${i}]overlay=${r.x}:${r.y}:${enable(r)}${i === soft.length - 1 ? '' : `[ro${i}]`}`);
    });
    parts.push(graph.join(';'));
  }
  for (const r of regions) if (r.style === 'box') parts.push(`drawbox=x=${r.x}:y=${r.y}:w=${r.width}:h=${r.height}:color=black:t=fill:${enable(r)}`);
  return parts.join(',');
}

/**
 * Decodes the first video stream at `fps` frames a second as raw 8-bit grey frames on stdout
 * (for OCR). Rounding up makes sample k the last frame at or before k/fps, so its time is known.
 */
export function grayFramesArgs(input: string, fps: number, seek = 0, duration?: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    ...(seek > 0 ? ['-ss', ffTime(seek)] : []), ...(duration !== undefined ? ['-t', ffTime(duration)] : []),
    '-i', input, '-map', '0:v:0', '-an', '-sn', '-dn',
    '-vf', `fps=${fps}:round=up,format=gray`, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1',
  ];
}

/** A PNG still of the frame at `at` with red rectangles drawn around `boxes` (a contact sheet frame). */
export function markedStillArgs(input: string, output: string, at: number, boxes: readonly { x: number; y: number; width: number; height: number }[]): string[] {
  const draw = boxes.map((b) => `drawbox=x=${b.x}:y=${b.y}:w=${b.width}:h=${b.height}:color=red:t=4`).join(',');
  return [...BASE_ARGS, '-ss', ffTime(at), '-i', input, '-frames:v', '1', ...(draw ? ['-vf', draw] : []), '-f', 'image2', '-c:v', 'png', output];
}

/** Options for {@link streamFfmpeg}. */
export interface StreamFfmpegOptions {
  signal?: AbortSignal;
  debug?: (message: string) => void;
  what?: string;
  /** Bytes per record: stdout is cut into records of exactly this size (one raw frame). */
  recordSize: number;
  /** Receives each record, one at a time, in order; ffmpeg is paused while `readAhead` records wait (back-pressure). */
  onRecord: (record: Buffer, index: number) => Promise<void>;
  /** Records decoded ahead of `onRecord` (default 4). */
  readAhead?: number;
}

/**
 * Runs ffmpeg and hands its stdout to `onRecord` in fixed-size records, one at a time. Stops
 * ffmpeg when `onRecord` throws or the signal fires; throws like {@link runFfmpeg}.
 */
export async function streamFfmpeg(bin: string, args: readonly string[], o: StreamFfmpegOptions): Promise<number> {
  o.debug?.(`$ ${[bin, ...args].map(shellQuote).join(' ')}`);
  if (o.signal?.aborted) throw new CancelledError();
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let killTimer: NodeJS.Timeout | undefined;
  const stop = () => {
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    killTimer.unref();
  };
  o.signal?.addEventListener('abort', stop, { once: true });
  const err: Buffer[] = [];
  let errBytes = 0;
  child.stderr.on('data', (chunk: Buffer) => {
    if ((errBytes += chunk.length) <= MAX_OUTPUT) err.push(chunk);
  });
  let spawnError: NodeJS.ErrnoException | undefined;
  child.on('error', (e: NodeJS.ErrnoException) => {
    spawnError = e;
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let index = 0;
  let failure: unknown;
  // Records are cut from stdout as it arrives and queued, up to `readAhead` of them: ffmpeg keeps
  // decoding while `onRecord` works (OCR is slow), and is paused only when the queue is full.
  // Reading one record at a time would leave ffmpeg blocked on a full pipe during every
  // `onRecord`, so decoding and OCR never overlapped.
  const limit = Math.max(1, o.readAhead ?? 4);
  const queue: Buffer[] = [];
  let pending: Buffer[] = [];
  let have = 0;
  let ended = false;
  let wake: (() => void) | undefined;
  const stdout = child.stdout;
  stdout.on('data', (chunk: Buffer) => {
    pending.push(chunk);
    have += chunk.length;
    if (have >= o.recordSize) {
      const all = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
      let at = 0;
      for (; all.length - at >= o.recordSize; at += o.recordSize) queue.push(all.subarray(at, at + o.recordSize));
      const rest = all.subarray(at);
      pending = rest.length ? [rest] : [];
      have = rest.length;
      if (queue.length >= limit) stdout.pause();
    }
    wake?.();
  });
  const finish = () => {
    ended = true;
    wake?.();
  };
  stdout.on('end', finish);
  stdout.on('close', finish);
  stdout.on('error', finish);
  try {
    for (;;) {
      const record = queue.shift();
      if (record) {
        if (queue.length < limit && stdout.isPaused()) stdout.resume();
        await o.onRecord(record, index++);
        continue;
      }
      if (ended) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } catch (e) {
    failure = e;
    stop();
    stdout.resume();
  }
  const exitCode = await closed;
  o.signal?.removeEventListener('abort', stop);
  if (killTimer) clearTimeout(killTimer);
  if (o.signal?.aborted) throw new CancelledError();
  if (failure) throw failure;
  if (spawnError) throw new UserError(`Could not run ${bin}: ${spawnError.code ?? spawnError.message}.`, { code: 'E_FFMPEG_MISSING', hint: 'Run `lessonkit doctor` to see which ffmpeg is used.' });
  if (exitCode !== 0) {
    throw new UserError(`ffmpeg failed${o.what ? ` during ${o.what}` : ''}: ${stderrTail(Buffer.concat(err).toString('utf8')) || `exit code ${String(exitCode)}`}`, {
      code: 'E_FFMPEG_FAILED',
      hint: 'Run `lessonkit probe` on the file; if it plays elsewhere, re-run with --debug and report the command line.',
    });
  }
  return index;
}
