/** Helpers for the media tests: generate small lavfi sources, and measure outputs with real ffmpeg/ffprobe. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** The npm-shipped ffmpeg and ffprobe (what lessonkit uses with nothing on PATH). */
export const FFMPEG = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
export const FFPROBE = (require('@ffprobe-installer/ffprobe') as { path: string }).path;

/** Runs ffmpeg and returns stderr (throws on failure). */
export async function ffmpeg(args: string[]): Promise<string> {
  const r = await run(FFMPEG, ['-hide_banner', '-nostdin', '-y', ...args], { maxBuffer: 256 * 1024 * 1024 });
  return r.stderr;
}

/** Runs ffprobe and returns stdout. */
export async function ffprobe(args: string[]): Promise<string> {
  const r = await run(FFPROBE, ['-hide_banner', '-v', 'error', ...args], { maxBuffer: 256 * 1024 * 1024 });
  return r.stdout;
}

/** SHA-256 of a file. */
export async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** Stream facts of a file, from ffprobe. */
export interface StreamFacts {
  codec_type: string;
  codec_name: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  channels?: number;
  sample_rate?: string;
  side_data_list?: { rotation?: number }[];
  tags?: Record<string, string>;
}

/** ffprobe's streams and format of a file. */
export async function probe(file: string): Promise<{ streams: StreamFacts[]; format: { format_name: string; duration: string } }> {
  return JSON.parse(await ffprobe(['-print_format', 'json', '-show_streams', '-show_format', file])) as { streams: StreamFacts[]; format: { format_name: string; duration: string } };
}

/** Presentation times of every video frame, sorted. */
export async function videoFrameTimes(file: string): Promise<number[]> {
  const out = await ffprobe(['-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map(Number)
    .sort((a, b) => a - b);
}

/** Presentation times of the video keyframes, sorted. */
export async function keyframeTimes(file: string): Promise<number[]> {
  const out = await ffprobe(['-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', file]);
  return out
    .split('\n')
    .filter((l) => l.includes('K'))
    .map((l) => Number(l.split(',')[0]))
    .sort((a, b) => a - b);
}

/** The order of the top-level MP4 boxes (to check that moov comes before mdat). */
export async function topLevelBoxes(file: string): Promise<string[]> {
  const fh = await open(file, 'r');
  const boxes: string[] = [];
  try {
    const size = (await fh.stat()).size;
    let pos = 0;
    const head = Buffer.alloc(16);
    while (pos + 8 <= size) {
      await fh.read(head, 0, 16, pos);
      let len = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (len === 1) len = Number(head.readBigUInt64BE(8));
      else if (len === 0) len = size - pos;
      boxes.push(type);
      if (len < 8) break;
      pos += len;
    }
  } finally {
    await fh.close();
  }
  return boxes;
}

/** MD5 of every decoded video frame, in order (ffmpeg's framemd5). */
export async function frameMd5s(file: string): Promise<string[]> {
  const r = await run(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-'], { maxBuffer: 256 * 1024 * 1024 });
  return r.stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').pop()?.trim() ?? '');
}

/**
 * Per-frame PSNR (average of the planes) of `out` against the source frames starting at
 * `sourceFirstFrame`, frame by frame for `frames` frames.
 */
export async function perFramePsnr(out: string, source: string, sourceFirstFrame: number, frames: number): Promise<number[]> {
  const graph = `[0:v]trim=end_frame=${frames},setpts=PTS-STARTPTS[a];[1:v]trim=start_frame=${sourceFirstFrame}:end_frame=${sourceFirstFrame + frames},setpts=PTS-STARTPTS,scale=iw:ih[b];[a][b]psnr=stats_file=-`;
  const r = await run(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-i', out, '-i', source, '-filter_complex', graph, '-f', 'null', '-'], { maxBuffer: 256 * 1024 * 1024 });
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('psnr_avg'))
    .map((l) => {
      const m = /psnr_avg:(\S+)/.exec(l);
      return m?.[1] === 'inf' ? 100 : Number(m?.[1]);
    });
}

/** Integrated loudness (LUFS) of the file's audio, measured by ffmpeg's EBU R128 filter. */
export async function integratedLoudness(file: string): Promise<number> {
  const r = await run(FFMPEG, ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'ebur128', '-f', 'null', '-'], { maxBuffer: 64 * 1024 * 1024 });
  const m = /Summary:[\s\S]*?I:\s*(-?[\d.]+) LUFS/.exec(r.stderr);
  return Number(m?.[1]);
}

/** Errors from decoding a whole file (`ffmpeg -v error -i f -f null -` output; empty when clean). */
export async function decodeErrors(file: string): Promise<string> {
  const r = await run(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-'], { maxBuffer: 64 * 1024 * 1024 }).catch((e: { stderr?: string }) => ({ stderr: e.stderr ?? 'failed' }));
  return r.stderr.trim();
}

/** Checks of the web profile; returns a list of problems (empty when the file is web-ready). */
export async function webProfileProblems(file: string, expectAudio: boolean): Promise<string[]> {
  const p = await probe(file);
  const problems: string[] = [];
  const v = p.streams.find((s) => s.codec_type === 'video');
  const a = p.streams.find((s) => s.codec_type === 'audio');
  if (!v) return ['no video stream'];
  if (v.codec_name !== 'h264') problems.push(`codec ${v.codec_name}`);
  if (v.profile !== 'High') problems.push(`profile ${v.profile}`);
  if (v.pix_fmt !== 'yuv420p') problems.push(`pix_fmt ${v.pix_fmt}`);
  if ((v.width ?? 1) % 2 || (v.height ?? 1) % 2) problems.push(`odd size ${v.width}x${v.height}`);
  if ((v.width ?? 0) > 1920 || (v.height ?? 0) > 1080) problems.push(`too large ${v.width}x${v.height}`);
  if (expectAudio && a?.codec_name !== 'aac') problems.push(`audio ${a?.codec_name ?? 'missing'}`);
  if (!expectAudio && a) problems.push('unexpected audio track');
  const boxes = await topLevelBoxes(file);
  if (boxes.indexOf('moov') < 0 || boxes.indexOf('moov') > boxes.indexOf('mdat')) problems.push(`boxes ${boxes.join(',')}`);
  const times = await videoFrameTimes(file);
  const deltas = times.slice(1).map((t, i) => t - (times[i] ?? 0));
  const d0 = deltas[0] ?? 0;
  if (deltas.some((d) => Math.abs(d - d0) > 0.0015)) problems.push('variable frame rate');
  const errors = await decodeErrors(file);
  if (errors) problems.push(`decode errors: ${errors.split('\n')[0]}`);
  return problems;
}
