/**
 * The MP4 index reader against ffprobe itself: on generated files of each layout, the packets
 * it reads are the ones ffprobe's packet listing prints (same times to the microsecond, same
 * keyframes).
 * Layouts it does not cover must be declined (undefined), never misread.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysePackets } from '../../../src/core/media/probe.js';
import { concatList, probeFormatArgs, probePacketsArgs, smartJoinArgs } from '../../../src/core/media/ffmpeg.js';
import { durationReading, ffprobeSeconds, knownDurationReading, learnDurationReading, moovDurations, moovOutputFacts, moovVideoPackets, readMoov, readMp4OutputFacts, readMp4VideoPackets } from '../../../src/core/media/mp4-index.js';

const run = promisify(execFile);
const FFMPEG = process.env.LESSONKIT_FFMPEG ?? 'ffmpeg';
const FFPROBE = process.env.LESSONKIT_FFPROBE ?? 'ffprobe';
let dir: string;

/** Short, tiny recordings: x264 ultrafast, 2-s GOPs, a sine tone. */
async function make(name: string, video: string[], extra: string[] = [], rate = '30'): Promise<string> {
  const file = path.join(dir, name);
  await run(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=96x64:r=${rate}:d=3.2`,
    '-f', 'lavfi', '-i', 'sine=f=440:d=3.2',
    ...video, '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', ...extra, file,
  ]);
  return file;
}

/** ffprobe's packet listing, as rows. */
async function ffprobeRows(file: string): Promise<{ pts: number; dts: number; key: boolean }[]> {
  const out = (await run(FFPROBE, probePacketsArgs(file))).stdout;
  return out.trim().split('\n').map((l) => {
    const [pts, dts, , flags] = l.split(',');
    return { pts: Number(pts), dts: Number(dts), key: flags?.includes('K') ?? false };
  });
}

const files: Record<string, string> = {};
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lessonkit-mp4index-'));
  const bf = ['-x264-params', 'bframes=2:b-pyramid=0:b-adapt=0'];
  const made = await Promise.all([
    make('bframes.mp4', ['-map', '0:v', '-map', '1:a', ...bf]),
    make('no-bframes.mp4', ['-map', '0:v', '-map', '1:a', '-bf', '0']),
    make('ntsc.mp4', ['-map', '0:v', '-map', '1:a', ...bf], [], '30000/1001'),
    make('audio-first.mp4', ['-map', '1:a', '-map', '0:v', ...bf]),
    make('no-editlist.mp4', ['-map', '0:v', '-map', '1:a', ...bf], ['-use_editlist', '0']),
    make('pyramid.mov', ['-map', '0:v', '-map', '1:a', '-x264-params', 'bframes=3:b-pyramid=2'], ['-video_track_timescale', '90000']),
    make('delayed.mp4', ['-map', '0:v', '-map', '1:a', ...bf], ['-output_ts_offset', '1.5']),
    make('fragmented.mp4', ['-map', '0:v', '-map', '1:a'], ['-movflags', 'frag_keyframe+empty_moov']),
    make('faststart.mp4', ['-map', '0:v', '-map', '1:a', ...bf], ['-movflags', '+faststart']),
  ]);
  for (const f of made) files[path.basename(f)] = f;
  // A file joined the way a smart cut joins its parts: MPEG-TS video parts and an AAC track.
  const part = (name: string, from: number) =>
    run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-ss', String(from), '-i', files['bframes.mp4'] ?? '', '-map', '0:v', '-frames:v', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-x264-params', 'bframes=2:b-pyramid=0:b-adapt=0', '-g', '30', '-f', 'mpegts', path.join(dir, name)]);
  await Promise.all([
    part('a.ts', 0),
    part('b.ts', 1),
    run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-i', files['bframes.mp4'] ?? '', '-map', '0:a', '-t', '2', '-c:a', 'aac', '-f', 'mp4', path.join(dir, 'audio.m4a')]),
  ]);
  await writeFile(path.join(dir, 'parts.txt'), concatList([{ file: path.join(dir, 'a.ts'), duration: 1 }, { file: path.join(dir, 'b.ts'), duration: 1 }]));
  files['joined.mp4'] = path.join(dir, 'joined.mp4');
  files['joined-video.mp4'] = path.join(dir, 'joined-video.mp4');
  await Promise.all([
    run(FFMPEG, smartJoinArgs(path.join(dir, 'parts.txt'), path.join(dir, 'audio.m4a'), files['joined.mp4'], { num: 30, den: 1 })),
    run(FFMPEG, smartJoinArgs(path.join(dir, 'parts.txt'), undefined, files['joined-video.mp4'], { num: 30, den: 1 })),
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readMp4VideoPackets', () => {
  it.each(['bframes.mp4', 'no-bframes.mp4', 'ntsc.mp4', 'audio-first.mp4', 'no-editlist.mp4', 'pyramid.mov', 'faststart.mp4'])('%s: the packets ffprobe lists', async (name) => {
    const file = files[name] ?? '';
    const ours = await readMp4VideoPackets(file);
    expect(ours).toBeDefined();
    const rows = Array.from(ours?.pts ?? [], (pts, i) => ({ pts, dts: ours?.dts[i], key: ours?.key[i] === 1 }));
    expect(rows).toEqual(await ffprobeRows(file));
    // And so the same timeline, as the probe derives it.
    const csv = (await run(FFPROBE, probePacketsArgs(file))).stdout;
    expect(analysePackets(ours ?? '')).toEqual(analysePackets(csv));
  });

  it.each(['delayed.mp4', 'fragmented.mp4'])('%s: declined, for ffprobe to list', async (name) => {
    expect(await readMp4VideoPackets(files[name] ?? '')).toBeUndefined();
  });

  it('declines a damaged index instead of misreading it', async () => {
    const moov = await readMoov(files['bframes.mp4'] ?? '');
    expect(moov).toBeDefined();
    const body = moov?.body ?? Buffer.alloc(0);
    expect(moovVideoPackets(body, moov?.size)).toBeDefined();
    expect(moovVideoPackets(body.subarray(0, Math.floor(body.length * 0.8)), moov?.size)).toBeUndefined();
    // An index whose chunks lie past the end of the file (its media data cut off).
    expect(moovVideoPackets(body, 1000)).toBeUndefined();
    // A moov-first file whose media data was cut off: ffprobe lists fewer packets, so it is asked.
    const whole = await readFile(files['faststart.mp4'] ?? '');
    const short = path.join(dir, 'short.mp4');
    await writeFile(short, whole.subarray(0, Math.floor(whole.length * 0.7)));
    expect(await readMp4VideoPackets(short)).toBeUndefined();
    // A hostile count: four billion fixed-size samples, all in the first chunk. Declined at once
    // (without the sample limit the reader looped four billion times, 13 s here, before giving up).
    const hostile = Buffer.from(body);
    const patch = (type: string, values: [number, number][]) => {
      // Every track's box of that type (the video track's among them).
      for (let at = hostile.indexOf(type, 0, 'latin1'); at >= 0; at = hostile.indexOf(type, at + 4, 'latin1')) for (const [offset, v] of values) hostile.writeUInt32BE(v, at + offset);
    };
    patch('stsz', [[8, 1], [12, 0xffffffff]]);
    patch('stsc', [[16, 0xffffffff]]);
    expect(moovVideoPackets(hostile, Number.MAX_SAFE_INTEGER)).toBeUndefined();
    const file = path.join(dir, 'mkv-renamed.mp4');
    await writeFile(file, Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]));
    expect(await readMp4VideoPackets(file)).toBeUndefined();
  });
});

describe('readMp4OutputFacts', () => {
  /** The format duration and video size ffprobe prints. */
  async function ffprobeFacts(file: string) {
    const j = JSON.parse((await run(FFPROBE, probeFormatArgs(file))).stdout) as { format: { duration: string }; streams: { codec_type: string; width?: number; height?: number }[] };
    const v = j.streams.find((s) => s.codec_type === 'video');
    return { duration: Number(j.format.duration), width: v?.width, height: v?.height };
  }

  it('a smart-cut join: the duration and size ffprobe prints, once the recording showed how this ffprobe reads durations', async () => {
    const video = files['joined-video.mp4'] ?? '';
    expect(await readMp4OutputFacts(video)).toEqual({ duration: 2, width: 96, height: 64 });
    expect(await readMp4OutputFacts(video)).toEqual(await ffprobeFacts(video));
    // With audio: ffmpeg 4.x counts the AAC priming in the movie header but not in the track's
    // edit (2.02 s against 2 s), and ffprobe 4.x prints the track's, 5.x the header's. The
    // recording's own probe shows which (ffmpeg 5.x and later write 2 s in both).
    const source = files['bframes.mp4'] ?? '';
    const moov = (await readMoov(source))?.body ?? Buffer.alloc(0);
    learnDurationReading(FFPROBE, moovDurations(moov), (await ffprobeFacts(source)).duration);
    const joined = files['joined.mp4'] ?? '';
    const facts = await readMp4OutputFacts(joined, knownDurationReading(FFPROBE));
    expect(facts).toBeDefined();
    expect(facts).toEqual(await ffprobeFacts(joined));
  });

  it('on other layouts, answers as ffprobe does or not at all', async () => {
    for (const name of ['bframes.mp4', 'no-bframes.mp4', 'ntsc.mp4', 'audio-first.mp4', 'no-editlist.mp4', 'pyramid.mov', 'delayed.mp4', 'fragmented.mp4', 'faststart.mp4']) {
      const file = files[name] ?? '';
      const printed = await ffprobeFacts(file);
      const moov = (await readMoov(file))?.body;
      const d = moov && moovDurations(moov);
      const facts = moov && moovOutputFacts(moov, d && durationReading(d, printed.duration));
      if (facts) expect(facts, name).toEqual(printed);
    }
  });

  it('without a known reading, no answer where the readings differ; a broken output is left to ffprobe', async () => {
    const moov = await readMoov(files['joined-video.mp4'] ?? '');
    const body = moov?.body ?? Buffer.alloc(0);
    expect(moovOutputFacts(body)).toBeDefined();
    // A movie header that says more than the tracks (as ffmpeg 4.x writes with AAC priming).
    const longer = Buffer.from(body);
    const mvhd = longer.indexOf('mvhd') + 4;
    longer.writeUInt32BE(longer.readUInt32BE(mvhd + 16) + 22, mvhd + 16);
    expect(moovOutputFacts(longer)).toBeUndefined();
    expect(moovOutputFacts(longer, 'header')?.duration).toBe(2.022);
    expect(moovOutputFacts(longer, 'tracks')?.duration).toBe(2);
    expect(durationReading({ header: 2_022_000, tracks: 2_000_000 }, 2.022)).toBe('header');
    expect(durationReading({ header: 2_022_000, tracks: 2_000_000 }, 2)).toBe('tracks');
    expect(durationReading({ header: 2_022_000, tracks: 2_000_000 }, 2.5)).toBeUndefined();
    expect(moovOutputFacts(body.subarray(0, body.length - 40))).toBeUndefined();
    const file = path.join(dir, 'text.mp4');
    await writeFile(file, 'not a video');
    expect(await readMp4OutputFacts(file)).toBeUndefined();
  });
});

describe('ffprobeSeconds', () => {
  it('prints like C printf %f: six decimals, exact halves to even', () => {
    expect(ffprobeSeconds(1024, 15360)).toBe(0.066667);
    expect(ffprobeSeconds(-1024, 15360)).toBe(-0.066667);
    expect(ffprobeSeconds(1001, 30000)).toBe(0.033367);
    // 1/128 = 0.0078125 exactly: printf gives 0.007812 (to even), toFixed 0.007813.
    expect(ffprobeSeconds(1, 128)).toBe(0.007812);
    expect(ffprobeSeconds(3, 128)).toBe(0.023438);
  });
});
