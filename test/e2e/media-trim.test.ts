/**
 * trim on real media: frame accuracy of the smart-cut and transcode paths (frame counts, PSNR,
 * framemd5 of the copied part), the web profile, the render cache, errors and Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeTempDir, runCli } from '../helpers/cli.js';
import { FFMPEG, ffmpeg, frameMd5s, integratedLoudness, keyframeTimes, perFramePsnr, probe, sha256, videoFrameTimes, webProfileProblems } from './media-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let src: string;
let srcHash: string;
let srcMd5: string[];

// 7 s of 540p30 H.264 High (frame accuracy does not depend on the size; a quarter of 1080p's encoding) with B-frames and a keyframe every 2 s (0, 2, 4, 6), plus AAC audio.
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('lessonkit-media-trim-'));
  src = path.join(dir, 'talk.mp4');
  await ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=960x540:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000',
    '-t', '7', '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    '-g', '60', '-keyint_min', '60', '-sc_threshold', '0', '-c:a', 'aac', '-shortest', src,
  ]);
  srcHash = await sha256(src);
  srcMd5 = await frameMd5s(src);
});

afterAll(async () => {
  expect(await sha256(src)).toBe(srcHash);
  await cleanup();
});

/** The MD5 of a file's audio packets (copied, not decoded): equal means the same encoded audio. */
async function audioMd5(file: string): Promise<string> {
  const md5 = `${file}.audio.md5`;
  await ffmpeg(['-i', file, '-map', '0:a:0', '-c', 'copy', '-f', 'md5', md5]);
  return (await readFile(md5, 'utf8')).trim();
}

async function audioVideoDurations(file: string): Promise<{ video: number; audio: number }> {
  const p = await probe(file);
  return {
    video: Number(p.streams.find((s) => s.codec_type === 'video')?.duration),
    audio: Number(p.streams.find((s) => s.codec_type === 'audio')?.duration),
  };
}

describe('trim --out: smart cut (H.264 540p30, B-frames, 2 s GOP)', () => {
  it('re-encodes only the partial GOPs and keeps every other frame bit-exact', async () => {
    const out = path.join(dir, 'smart.mp4');
    const r = await runCli(['trim', 'talk.mp4', '--from', '0.9', '--to', '00:00:06.300', '--out', 'smart.mp4', '--json'], { cwd: dir });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { method: string; encodedFrames: number; copiedFrames: number; duration: number };
    // [0.9, 6.3) at 30 fps is frames 27..188: 33 re-encoded before the keyframe at 2 s, 9 after 6 s.
    expect(result).toMatchObject({ method: 'smart', encodedFrames: 42, copiedFrames: 120 });
    expect(await webProfileProblems(out, true)).toEqual([]);
    expect(await videoFrameTimes(out)).toHaveLength(162);
    // The copied GOPs decode to exactly the source's frames, at exactly the right places:
    // no frame lost or doubled at either join.
    const outMd5 = await frameMd5s(out);
    expect(outMd5).toHaveLength(162);
    expect(outMd5.slice(33, 153)).toEqual(srcMd5.slice(60, 180));
    // Every frame (re-encoded ones included) matches its source frame.
    const psnr = await perFramePsnr(out, src, 27, 162);
    expect(psnr).toHaveLength(162);
    expect(psnr[0]).toBeGreaterThanOrEqual(40);
    expect(Math.min(...psnr)).toBeGreaterThanOrEqual(38);
    // Misalignment would show: the frame before the head's end is not its neighbour.
    const shifted = await perFramePsnr(out, src, 28, 1);
    expect(shifted[0]).toBeLessThan(psnr[0]! - 5);
    const d = await audioVideoDurations(out);
    expect(d.video).toBeCloseTo(5.4, 3);
    expect(Math.abs(d.audio - d.video)).toBeLessThanOrEqual(1 / 30);
    // The tone (about -21 LUFS in the source) is brought to the speech target.
    expect(Math.abs((await integratedLoudness(out)) + 16)).toBeLessThanOrEqual(1);
  });
});

describe('trim --out: smart cut speed paths keep the frames', () => {
  it('the tail, now encoded from its keyframe without the GOP before it, gives the frames the old seek gave', async () => {
    // 0.905 plans the same frames as 0.9 (the first frame at or after it is 0.9), but the
    // loudness scan started before planning, from 0.905, is not the planned range: it is
    // dropped and the audio scanned again, to the same gain and audio as smart.mp4's.
    const r = await runCli(['trim', 'talk.mp4', '--from', '0.905', '--to', '00:00:06.300', '--out', 'tail.mp4', '--json', '--debug'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr.match(/ebur128/g)).toHaveLength(2);
    expect(await audioMd5(path.join(dir, 'tail.mp4'))).toBe(await audioMd5(path.join(dir, 'smart.mp4')));
    // The old tail: the same encode, sought a hair before the keyframe at 6 s (which made ffmpeg
    // start decoding at the keyframe at 4 s), the way lessonkit cut tails before.
    const { probeWithTimeline } = await import('../../src/core/media/probe.js');
    const { smartPartEncodeArgs } = await import('../../src/core/media/ffmpeg.js');
    const { createSilentContext } = await import('../../src/core/context.js');
    const { info, timeline } = await probeWithTimeline({ file: src, cwd: dir, env: { LESSONKIT_FFMPEG: FFMPEG } }, createSilentContext());
    const key = timeline.frameTimes[180]!;
    expect(key).toBeCloseTo(6, 3);
    const oldTail = path.join(dir, 'old-tail.ts');
    const args = smartPartEncodeArgs({ input: src, output: oldTail, seek: key - 0.001, frames: 9, profile: info.video.profile ?? 'High', level: info.video.level, color: info.video.color, reorderDelay: timeline.reorderDelay });
    await ffmpeg(args.filter((a) => a !== '-hide_banner' && a !== '-nostdin' && a !== '-y'));
    const oldMd5 = await frameMd5s(oldTail);
    expect(oldMd5).toHaveLength(9);
    const outMd5 = await frameMd5s(path.join(dir, 'tail.mp4'));
    expect(outMd5).toHaveLength(162);
    expect(outMd5.slice(153)).toEqual(oldMd5);
    // The new tail command sends the demuxer to the keyframe itself and drops nothing.
    const now = smartPartEncodeArgs({ input: src, output: oldTail, seek: key, frames: 9, profile: 'High', level: 40, reorderDelay: 2, fromKeyframe: { quarterFrame: 1 / 120, bFrames: true } });
    expect(now).toContain('-noaccurate_seek');
    expect(Number(now[now.indexOf('-ss') + 1])).toBeGreaterThan(key + 3 / 23);
  });

  it('a segment that runs to the end of the file copies its last GOP instead of re-encoding it', async () => {
    const r = await runCli(['trim', 'talk.mp4', '--from', '0.9', '--to', '7', '--out', 'to-end.mp4', '--json', '--debug'], { cwd: dir });
    expect(r.stderr.split('\n').filter((l) => !l.startsWith('debug:'))).not.toContainEqual(expect.stringMatching(/error/i));
    expect(r.code).toBe(0);
    // The range asked for is the planned one (on frames): the loudness scan started with the probe is the only one.
    expect(r.stderr.match(/ebur128/g)).toHaveLength(1);
    // One ffprobe run (the recording's format; its packets come from its index), none for the
    // output: its duration and size are read from its index, the same numbers ffprobe prints.
    expect(r.stderr.match(/ffprobe /g)).toHaveLength(1);
    const printed = await probe(path.join(dir, 'to-end.mp4'));
    const v = printed.streams.find((s) => s.codec_type === 'video');
    expect(JSON.parse(r.stdout)).toMatchObject({ duration: Number(printed.format.duration), width: v?.width, height: v?.height });
    const result = JSON.parse(r.stdout) as { method: string; encodedFrames: number; copiedFrames: number };
    // Frames 27..209: 33 re-encoded before the keyframe at 2 s, the 150 after it copied.
    expect(result).toMatchObject({ method: 'smart', encodedFrames: 33, copiedFrames: 150 });
    const out = path.join(dir, 'to-end.mp4');
    expect(await webProfileProblems(out, true)).toEqual([]);
    const outMd5 = await frameMd5s(out);
    expect(outMd5).toHaveLength(183);
    expect(outMd5.slice(33)).toEqual(srcMd5.slice(60, 210));
    const d = await audioVideoDurations(out);
    expect(d.video).toBeCloseTo(6.1, 3);
    expect(Math.abs(d.audio - d.video)).toBeLessThanOrEqual(1 / 30);
  });
});

describe('trim --out --mode encode (transcode path)', () => {
  it('gives the exact frames of [from, to) in the web profile, keyframes every 3 s', async () => {
    const out = path.join(dir, 'encoded.mp4');
    const r = await runCli(['trim', 'talk.mp4', '--from', '1.5', '--to', '6.5', '--out', 'encoded.mp4', '--mode', 'encode', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ method: 'encode', from: 1.5 });
    expect(await webProfileProblems(out, true)).toEqual([]);
    expect(await videoFrameTimes(out)).toHaveLength(150);
    const psnr = await perFramePsnr(out, src, 45, 150);
    expect(psnr).toHaveLength(150);
    expect(psnr[0]).toBeGreaterThanOrEqual(40);
    expect(Math.min(...psnr)).toBeGreaterThanOrEqual(35);
    const d = await audioVideoDurations(out);
    expect(d.video).toBeCloseTo(5, 3);
    expect(Math.abs(d.audio - d.video)).toBeLessThanOrEqual(1 / 30);
    const p = await probe(out);
    expect(p.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac', sample_rate: '48000' });
    expect(await keyframeTimes(out)).toEqual([0, 3]);
    expect(Math.abs((await integratedLoudness(out)) + 16)).toBeLessThanOrEqual(1);
  });
});

describe('trim --out --mode copy', () => {
  it('cuts at the keyframe before --from and says how far it moved', async () => {
    const r = await runCli(['trim', 'talk.mp4', '--from', '2.5', '--to', '5', '--out', 'copied.mp4', '--mode', 'copy'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the start moved back 0.500 s to the keyframe at 2.000 s');
    expect((await probe(path.join(dir, 'copied.mp4'))).streams[0]?.codec_name).toBe('h264');
  });
});

describe('trim --lesson and the render cache', () => {
  it('adds the segment to course.yaml, renders it once, and a second render runs no ffmpeg', async () => {
    const init = await runCli(['init', 'course', '--title', 'Cache test', '--lesson', 'Basics', '--yes'], { cwd: dir });
    expect(init.code).toBe(0);
    const course = path.join(dir, 'course');
    await copyFile(src, path.join(course, 'recordings', 'talk.mp4'));
    await writeFile(path.join(course, 'recordings', 'talk.srt'), '1\n00:00:01,000 --> 00:00:03,000\nHello <there>\n\n2\n00:00:05,000 --> 00:00:06,500\nBye\n');
    // Every ffmpeg run goes through a wrapper that logs it.
    const log = path.join(dir, 'ffmpeg-calls.log');
    const wrapper = path.join(dir, 'ffmpeg-wrapper.sh');
    await writeFile(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${FFMPEG}' "$@"\n`);
    await chmod(wrapper, 0o755);
    const first = await runCli(['-C', 'course', 'trim', 'recordings/talk.mp4', '--from', '1', '--to', '5', '--lesson', 'basics', '--title', 'First part', '--ffmpeg', wrapper, '--json'], { cwd: dir });
    expect(first.code).toBe(0);
    const a = JSON.parse(first.stdout) as { segmentId: string; video: string; poster: string; captions: string; cached: boolean };
    expect(a).toMatchObject({ segmentId: 'first-part', cached: false });
    expect(a.video.startsWith(path.join(course, '.lessonkit', 'cache'))).toBe(true);
    expect(await webProfileProblems(a.video, true)).toEqual([]);
    expect((await readFile(a.poster)).subarray(0, 2).toString('hex')).toBe('ffd8');
    // Captions are cut to [1, 5) and re-timed; markup in the text is escaped.
    expect(await readFile(a.captions, 'utf8')).toBe('WEBVTT\n\n1\n00:00:00.000 --> 00:00:02.000\nHello &lt;there&gt;\n');
    const yaml = await readFile(path.join(course, 'course.yaml'), 'utf8');
    expect(yaml).toMatch(/- id: first-part\n\s+title: First part\n\s+source: recordings\/talk.mp4\n\s+from: 00:00:01\n\s+to: 00:00:05\n\s+captions: recordings\/talk.srt/);

    expect((await readFile(log, 'utf8')).length).toBeGreaterThan(0);

    // Same cut again in a new process: a cache hit runs no ffmpeg at all.
    await writeFile(log, '');
    const second = await runCli(['-C', 'course', 'trim', 'recordings/talk.mp4', '--from', '1', '--to', '5', '--lesson', 'basics', '--id', 'again', '--ffmpeg', wrapper, '--json'], { cwd: dir });
    expect(second.code).toBe(0);
    const b = JSON.parse(second.stdout) as { video: string; cached: boolean };
    expect(b).toMatchObject({ cached: true, video: a.video });
    expect(await readFile(log, 'utf8')).toBe('');
  });
});

describe('trim: bad input fails with one clear line, exit 2, nothing written', () => {
  const cases: [string, string[], RegExp][] = [
    ['a path that does not exist', ['trim', 'missing.mp4', '--from', '0', '--to', '1', '--out', 'bad.mp4'], /missing\.mp4 does not exist/],
    ['--to beyond the duration', ['trim', 'talk.mp4', '--from', '1', '--to', '00:09', '--out', 'bad.mp4'], /--to 9s is beyond the end of talk\.mp4 \(7(\.\d+)?s long\)/],
    ['--from after --to', ['trim', 'talk.mp4', '--from', '5', '--to', '2', '--out', 'bad.mp4'], /--from 5s is not before --to 2s/],
    ['a malformed time', ['trim', 'talk.mp4', '--from', '1:xx', '--to', '2', '--out', 'bad.mp4'], /--from "1:xx" is not a time/],
    ['a corrupt file (the start of a copy cut short)', ['trim', 'corrupt.mp4', '--from', '0', '--to', '1', '--out', 'bad.mp4'], /corrupt\.mp4 is incomplete: .*cut short while copying or recording/],
    ['a file with no video stream', ['trim', 'voice.m4a', '--from', '0', '--to', '1', '--out', 'bad.mp4'], /voice\.m4a has no video stream/],
  ];
  beforeAll(async () => {
    // The first 200 KB of a file whose index (moov) is at the end: what an interrupted copy leaves.
    const whole = path.join(dir, 'whole-noindex.mp4');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', whole]);
    await writeFile(path.join(dir, 'corrupt.mp4'), (await readFile(whole)).subarray(0, 200_000));
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=44100', '-t', '2', '-c:a', 'aac', path.join(dir, 'voice.m4a')]);
  });
  it.each(cases)('%s', async (_name, args, message) => {
    const before = (await readdir(dir)).sort();
    const r = await runCli(args, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).toMatch(/fix: /);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect((await readdir(dir)).sort()).toEqual(before);
  });
});

describe('trim: Ctrl-C', () => {
  // Encode: one ffmpeg writing the output's temp file. Auto: the smart cut's parallel parts in
  // their temp folder (head, copy, tail and audio all running).
  it.each([
    ['encode', '.interrupted-encode.mp4'],
    ['auto', '.smartcut-'],
  ])('--mode %s: kills ffmpeg, removes partial output and exits 130', async (mode, marker) => {
    // Its own source with 6-s GOPs (keyframes at 0, 6, 12), so that the parts still run when the
    // signal comes: with the small main source a fast machine could finish the trim between
    // seeing ffmpeg start and ^C. [0.5, 12.5) smart-cuts: a 5.5-s head, the GOP at 6 copied, a tail.
    const long = path.join(dir, 'long-gop.mp4');
    if (!existsSync(long)) {
      await ffmpeg([
        '-f', 'lavfi', '-i', 'testsrc2=size=960x540:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000',
        '-t', '13', '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
        '-g', '180', '-keyint_min', '180', '-sc_threshold', '0', '-c:a', 'aac', '-shortest', long,
      ]);
    }
    const before = (await readdir(dir)).sort();
    const child = spawn(process.execPath, [BIN, 'trim', 'long-gop.mp4', '--from', '0.5', '--to', '12.5', '--out', `interrupted-${mode}.mp4`, '--mode', mode], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Wait until ffmpeg has started writing, then interrupt.
    const started = Date.now();
    while (Date.now() - started < 20_000) {
      if ((await readdir(dir)).some((f) => f.startsWith(marker))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await readdir(dir)).some((f) => f.startsWith(marker))).toBe(true);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toContain('Cancelled.');
    expect((await readdir(dir)).sort()).toEqual(before);
  });
});
