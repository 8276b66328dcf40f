import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  concatList,
  loudnessGain,
  parseLoudness,
  ffTime,
  parseProgressChunk,
  parseKeyframeScenes,
  parseSceneScores,
  parseSilences,
  runFfmpeg,
  smartPartCopyArgs,
  smartPartEncodeArgs,
  smartX264Args,
  stderrTail,
  transcodeArgs,
  webSize,
  webVideoFilter,
} from '../../../src/core/media/ffmpeg.js';

/** The value after a flag in an argument array. */
const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('webSize', () => {
  it('keeps sizes within 1080p and pads odd edges by one pixel', () => {
    expect(webSize(1280, 720)).toEqual({ width: 1280, height: 720, scaled: false });
    expect(webSize(1366, 767)).toEqual({ width: 1366, height: 768, scaled: false });
  });
  it('scales larger sources down to fit 1920x1080 with even sides and the same aspect', () => {
    expect(webSize(3840, 2160)).toEqual({ width: 1920, height: 1080, scaled: true });
    expect(webSize(2560, 1600)).toEqual({ width: 1728, height: 1080, scaled: true });
    expect(webSize(1080, 2400)).toEqual({ width: 486, height: 1080, scaled: true });
  });
});

describe('webVideoFilter', () => {
  it('converts the colour matrix only for sources tagged with another one', () => {
    expect(webVideoFilter(1280, 720, { num: 30, den: 1 })).toBe('fps=30/1,format=yuv420p');
    expect(webVideoFilter(1280, 720, { num: 30, den: 1 }, 'smpte170m')).toBe('scale=in_color_matrix=bt601:out_color_matrix=bt709,fps=30/1,format=yuv420p');
    expect(webVideoFilter(1366, 767, { num: 30000, den: 1001 })).toBe('pad=1366:768:0:0,fps=30000/1001,format=yuv420p');
    expect(webVideoFilter(3840, 2160, { num: 60, den: 1 })).toBe('scale=1920:1080:flags=lanczos,fps=60/1,format=yuv420p');
  });
});

describe('transcodeArgs', () => {
  const args = transcodeArgs({ input: '/in.mov', output: '/out.mp4', seek: 1.499, frames: 150, duration: 5, width: 1280, height: 720, fps: { num: 30, den: 1 }, audioChannels: 1, gainDb: -3.5 });
  it('builds the web profile: H.264 High yuv420p, 3 s GOP, CFR, AAC with loudness, faststart, BT.709', () => {
    expect(after(args, '-c:v')).toBe('libx264');
    expect(after(args, '-profile:v')).toBe('high');
    expect(after(args, '-pix_fmt')).toBe('yuv420p');
    expect(after(args, '-g')).toBe('90');
    expect(after(args, '-sc_threshold')).toBe('0');
    expect(after(args, '-vsync')).toBe('cfr');
    expect(after(args, '-frames:v')).toBe('150');
    expect(after(args, '-c:a')).toBe('aac');
    expect(after(args, '-af')).toBe('volume=-3.50dB,aresample=48000');
    expect(after(args, '-movflags')).toBe('+faststart');
    expect(after(args, '-colorspace')).toBe('bt709');
  });
  it('seeks and limits on the input so audio filters flush', () => {
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    expect(args.indexOf('-t')).toBeLessThan(args.indexOf('-i'));
    expect(after(args, '-ss')).toBe('1.499');
    expect(after(args, '-t')).toBe('5');
  });
  it('maps no audio for a silent source', () => {
    const silent = transcodeArgs({ input: 'a', output: 'b', seek: 0, frames: 1, duration: 1, width: 2, height: 2, fps: { num: 25, den: 1 }, audioChannels: 0 });
    expect(silent).not.toContain('0:a:0');
    expect(silent).not.toContain('-c:a');
  });
});

describe('smart-cut parts', () => {
  it('encodes a part with the source profile, level, colour tags and B-frame delay, as MPEG-TS', () => {
    const a = smartPartEncodeArgs({ input: 'in.mp4', output: 'head.ts', seek: 0.899, frames: 33, profile: 'High', level: 40, color: { primaries: 'bt709', space: 'unknown' }, reorderDelay: 2 });
    expect(after(a, '-profile:v')).toBe('high');
    expect(after(a, '-level')).toBe('4.0');
    expect(after(a, '-color_primaries')).toBe('bt709');
    expect(a).not.toContain('-colorspace');
    expect(after(a, '-frames:v')).toBe('33');
    expect(after(a, '-f')).toBe('mpegts');
    expect(after(a, '-bf')).toBe('3');
  });
  it('matches each reorder delay', () => {
    expect(smartX264Args(0)).toEqual(['-preset', 'ultrafast', '-bf', '0', '-x264-params', 'cabac=1:8x8dct=1:deblock=1:b-adapt=0']);
    expect(smartX264Args(1)).toEqual(['-preset', 'ultrafast', '-bf', '1', '-x264-params', 'cabac=1:8x8dct=1:deblock=1:b-adapt=0:b-pyramid=none']);
    expect(smartX264Args(2)).toEqual(['-preset', 'ultrafast', '-bf', '3', '-x264-params', 'cabac=1:8x8dct=1:deblock=1:b-adapt=0:b-pyramid=normal']);
  });
  it('copies from just after the keyframe, compensating ffmpeg’s B-frame seek heuristic', () => {
    const c = smartPartCopyArgs('in.mp4', 'mid.ts', 2, 1 / 120, 120, true);
    expect(Number(after(c, '-ss'))).toBeCloseTo(2 + 1 / 120 + 3 / 23, 5);
    expect(after(c, '-c:v')).toBe('copy');
    expect(after(c, '-frames:v')).toBe('120');
    expect(after(c, '-bsf:v')).toBe('h264_mp4toannexb');
    expect(Number(after(smartPartCopyArgs('in.mp4', 'mid.ts', 2, 0.01, 5, false), '-ss'))).toBeCloseTo(2.01, 6);
  });
  it('lists the parts with exact durations and quotes odd file names', () => {
    expect(concatList([{ file: "/tmp/it's/head.ts", duration: 1.1 }, { file: '/tmp/mid.ts', duration: 4 }])).toBe("file '/tmp/it'\\''s/head.ts'\nduration 1.1\nfile '/tmp/mid.ts'\nduration 4\n");
  });
});

describe('loudness', () => {
  const summary = '[Parsed_ebur128_0 @ 0x1] t: 9.9 M: -30 S: -30 I: -31.0 LUFS\n[Parsed_ebur128_0 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         -30.0 LUFS\n    Threshold: -40.0 LUFS\n\n  Sample peak:\n    Peak:      -13.7 dBFS\n';
  it('reads the ebur128 summary, not the running values', () => {
    expect(parseLoudness(summary)).toEqual({ integrated: -30, peak: -13.7 });
    expect(parseLoudness('nothing')).toBeUndefined();
  });
  it('raises quiet speech to -16 LUFS unless the peak would pass -2 dBFS', () => {
    expect(loudnessGain({ integrated: -30, peak: -20 })).toBe(14);
    expect(loudnessGain({ integrated: -30, peak: -13.7 })).toBe(11.7);
    expect(loudnessGain({ integrated: -10, peak: -0.1 })).toBe(-6);
  });
  it('leaves silence alone and bounds the gain', () => {
    expect(loudnessGain({ integrated: -Infinity, peak: -Infinity })).toBe(0);
    expect(loudnessGain({ integrated: -69, peak: -60 })).toBe(30);
    expect(loudnessGain(undefined)).toBe(0);
  });
});

describe('parsers', () => {
  it('formats times without exponents', () => {
    expect(ffTime(0)).toBe('0');
    expect(ffTime(1e-7)).toBe('0');
    expect(ffTime(12.5)).toBe('12.5');
    expect(ffTime(1 / 3)).toBe('0.333333');
  });
  it('reads -progress blocks', () => {
    expect(parseProgressChunk('frame=10\nout_time_us=2500000\nspeed=4.21x\nprogress=continue\n')).toEqual({ outTime: 2.5, speed: 4.21 });
    expect(parseProgressChunk('out_time_ms=1000000\nspeed=N/A\nprogress=continue')).toEqual({ outTime: 1 });
    expect(parseProgressChunk('progress=continue')).toBeUndefined();
  });
  it('reads silencedetect output, closing a silence that runs to the end', () => {
    const log = '[silencedetect @ 0x1] silence_start: 5.98\n[silencedetect @ 0x1] silence_end: 7.21 | silence_duration: 1.23\n[silencedetect @ 0x1] silence_start: 30.5\n';
    expect(parseSilences(log, 32)).toEqual([{ start: 5.98, end: 7.21 }, { start: 30.5, end: 32 }]);
  });
  it('reads scene scores printed by the metadata filter', () => {
    const log = '[Parsed_metadata_2 @ 0x1] frame:0    pts:0       pts_time:0\n[Parsed_metadata_2 @ 0x1] lavfi.scene_score=0.000000\n[Parsed_metadata_2 @ 0x1] frame:1    pts:4       pts_time:4\n[Parsed_metadata_2 @ 0x1] lavfi.scene_score=0.412000\n';
    expect(parseSceneScores(log)).toEqual([{ time: 0, score: 0 }, { time: 4, score: 0.412 }]);
  });
  it('reads keyframe times from the -copyts scene pass exactly as a packet probe gives them, and scene times as ffmpeg shows them', () => {
    // An MP4 that starts at 2.476009 s (time base 1/30000): ffprobe lists its keyframes at
    // 2.500000 and 3.834667, and the scene pass without -copyts printed 0.024 and 1.35867.
    const log = '[Parsed_metadata_2 @ 0x1] frame:0    pts:75000   pts_time:2.5\n[Parsed_metadata_2 @ 0x1] lavfi.scene_score=0.000000\n[Parsed_metadata_2 @ 0x1] frame:1    pts:115040  pts_time:3.83467\n[Parsed_metadata_2 @ 0x1] lavfi.scene_score=0.196559\n';
    const r = parseKeyframeScenes(log, { num: 1, den: 30000 }, 2.476009);
    expect(r.keyframeTimes).toEqual([2.5 - 2.476009, 3.834667 - 2.476009]);
    expect(r.scenes).toEqual([{ time: 0.024, score: 0 }, { time: 1.35867, score: 0.196559 }]);
    // Starting at zero, the printed times are the times.
    expect(parseKeyframeScenes(log, { num: 1, den: 30000 }, 0)).toEqual({ keyframeTimes: [2.5, 3.834667], scenes: [{ time: 2.5, score: 0 }, { time: 3.83467, score: 0.196559 }] });
  });
  it('keeps the meaningful end of stderr without the [demuxer @ 0x...] prefixes', () => {
    expect(stderrTail('[mov,mp4 @ 0x55d1] moov atom not found\nin.mp4: Invalid data found when processing input\n')).toBe('moov atom not found | in.mp4: Invalid data found when processing input');
  });
});

describe('runFfmpeg with stderrToFile', () => {
  const ffmpeg = process.env.LESSONKIT_FFMPEG ?? 'ffmpeg';
  const ours = async () => (await readdir(tmpdir())).filter((f) => f.startsWith(`lessonkit-${process.pid}-`));

  it('returns the same log as through a pipe and leaves no file behind', async () => {
    const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1,volume=enable=between(t\\,0.3\\,0.9):volume=0', '-af', 'silencedetect=noise=-35dB:d=0.2', '-f', 'null', '-'];
    const piped = await runFfmpeg(ffmpeg, args);
    const filed = await runFfmpeg(ffmpeg, args, { stderrToFile: true });
    const pauses = parseSilences(filed.stderr, 1);
    expect(pauses).toHaveLength(1);
    expect(pauses).toEqual(parseSilences(piped.stderr, 1));
    expect(await ours()).toEqual([]);
  });

  it('still says why ffmpeg failed, and removes the file', async () => {
    const args = ['-hide_banner', '-nostdin', '-i', '/nonexistent/lessonkit-test.mp4', '-f', 'null', '-'];
    const piped = await runFfmpeg(ffmpeg, args, { what: 'silence detection' }).catch((e: Error) => e.message);
    const filed = await runFfmpeg(ffmpeg, args, { what: 'silence detection', stderrToFile: true }).catch((e: Error) => e.message);
    expect(filed).toContain('No such file or directory');
    expect(filed).toBe(piped);
    expect(await ours()).toEqual([]);
  });
});
