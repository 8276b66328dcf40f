/**
 * Redaction end to end on a generated screen-like 1080p recording with fake e-mail addresses,
 * phone numbers, IBANs and card numbers (some moving): `redact find` finds them (>= 95 %, at
 * most 5 % false regions) with OCR that never touches the network, `--write` adds them to
 * course.yaml, the build hides them (`redact check` on the bundle finds nothing), pixels outside
 * the boxes stay close to the source, and GOPs without a redacted frame stay stream-copied.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeTempDir, runCli } from '../helpers/cli.js';
import { FFMPEG, frameMd5s, sha256 } from './media-helpers.js';
// @ts-expect-error: a plain ES module shared with bench/redact.mjs (no types).
import { generateRecording, scoreRegions } from '../../fixtures/redact/generate.mjs';
import { readZip } from '../helpers/media-course.js';

const run = promisify(execFile);

interface Region {
  kind: string;
  x: number;
  y: number;
  width: number;
  height: number;
  from: number;
  to: number;
}
interface Truth {
  kind: string;
  from: number;
  to: number;
  boxAt(t: number): { x0: number; y0: number; x1: number; y1: number };
}

let dir: string;
let cleanup: () => Promise<void>;
let recording: string;
let recordingHash: string;
let truth: Truth[];

const COURSE = (extra = '') => `id: redact-demo
title: Redaction demo
lessons:
  - id: intro
    title: Intro
    segments:
      - id: all
        title: All of it
        source: recordings/session.mp4
        from: 0
        to: 6
targets: [web]
${extra}`;

async function makeCourse(name: string, extra = ''): Promise<string> {
  const c = path.join(dir, name);
  await mkdir(path.join(c, 'recordings'), { recursive: true });
  await copyFile(recording, path.join(c, 'recordings/session.mp4'));
  await writeFile(path.join(c, 'course.yaml'), COURSE(extra));
  return c;
}

async function bundleVideo(course: string): Promise<string> {
  const zip = path.join(course, 'dist', (await readdir(path.join(course, 'dist'))).find((f) => f.endsWith('.zip')) ?? '');
  const out = path.join(course, 'video.mp4');
  // Read from the zip in-process: a fresh machine has no unzip.
  const video = (await readZip(zip)).get('media/intro/all.mp4');
  if (!video) throw new Error(`${zip} has no media/intro/all.mp4`);
  await writeFile(out, video);
  return out;
}

/** Grey frames `indices` of a video, each width*height bytes. */
async function grayFrames(file: string, indices: number[]): Promise<Buffer[]> {
  const select = indices.map((i) => `eq(n\\,${i})`).join('+');
  const r = await run(FFMPEG, ['-hide_banner', '-v', 'error', '-i', file, '-vf', `select='${select}',format=gray`, '-vsync', '0', '-f', 'rawvideo', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  const size = 1920 * 1080;
  return indices.map((_, k) => r.stdout.subarray(k * size, (k + 1) * size));
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('lessonkit-redact-'));
  recording = path.join(dir, 'session.mp4');
  truth = generateRecording(FFMPEG, recording) as Truth[];
  recordingHash = await sha256(recording);
}, 120_000);

afterAll(async () => {
  // The original is never modified.
  expect(await sha256(recording)).toBe(recordingHash);
  await cleanup();
});

describe('redact find, build, redact check', () => {
  let course: string;
  let regions: Region[];

  it('finds at least 95 % of the planted items over their whole time on screen, with at most 5 % false regions, offline', async () => {
    course = await makeCourse('found');
    // Any socket the OCR (or anything else) opened would throw: the data must come from node_modules.
    const noNet = path.join(dir, 'no-network.cjs');
    await writeFile(
      noNet,
      `const net = require('node:net'); const dns = require('node:dns');
       net.Socket.prototype.connect = function () { throw new Error('network used'); };
       dns.lookup = function () { throw new Error('network used'); };`,
    );
    const r = await runCli(['redact', 'find', 'recordings/session.mp4', '--json', '--write', '--contact-sheet', 'review'], {
      cwd: course,
      env: { NODE_OPTIONS: `--require ${noNet}`, HTTP_PROXY: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9' },
      timeoutMs: 240_000,
    });
    expect(r.stderr).not.toContain('network used');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { regions: Region[]; written: number; contactSheet: string[] };
    regions = result.regions;
    const score = scoreRegions(truth, regions) as { planted: number; found: number; missed: string[]; regions: number; falseRegions: number };
    // The figures, for the closing note.
    console.info(`redact find: ${score.found}/${score.planted} planted items covered, ${score.falseRegions}/${score.regions} false regions`, score.missed);
    expect(score.found / score.planted).toBeGreaterThanOrEqual(0.95);
    expect(score.falseRegions / score.regions).toBeLessThanOrEqual(0.05);
    // Listed for review: one PNG per region, and course.yaml names the pattern, never the text.
    expect(result.contactSheet).toHaveLength(regions.length);
    expect(result.written).toBe(regions.length);
    const yaml = await readFile(path.join(course, 'course.yaml'), 'utf8');
    expect(yaml).toContain('# redact find: email at 00:00:00');
    expect(yaml).not.toContain('jane.miller@example.com');
  }, 300_000);

  it('builds a bundle in which redact check finds nothing, and keeps the rest of the picture', async () => {
    const build = await runCli(['build'], { cwd: course, timeoutMs: 240_000 });
    expect(build.stderr).not.toMatch(/^error:/m);
    expect(build.code).toBe(0);
    const zip = path.join('dist', (await readdir(path.join(course, 'dist')))[0] ?? '');
    const check = await runCli(['redact', 'check', zip], { cwd: course, timeoutMs: 240_000 });
    expect(check.stdout).toContain('nothing legible found in 2 files');
    expect(check.code).toBe(0);
    // The source itself fails the check: it is the check that finds the data, not a blind spot
    // (one frame a second is plenty to see that).
    const source = await runCli(['redact', 'check', 'recordings/session.mp4', '--json', '--sample', '1'], { cwd: course, timeoutMs: 240_000 });
    expect(source.code).toBe(1);
    expect((JSON.parse(source.stdout) as { findings: number }).findings).toBeGreaterThan(5);

    // PSNR outside every box, over frames spread across the segment.
    const video = await bundleVideo(course);
    const at = [15, 45, 75, 105, 135, 165];
    const [out, src] = [await grayFrames(video, at), await grayFrames(recording, at)];
    const hidden = new Uint8Array(1920 * 1080);
    for (const g of regions) for (let y = g.y; y < g.y + g.height; y++) hidden.fill(1, y * 1920 + g.x, y * 1920 + g.x + g.width);
    for (const [k] of at.entries()) {
      let sum = 0;
      let n = 0;
      const a = out[k] as Buffer;
      const b = src[k] as Buffer;
      for (let i = 0; i < hidden.length; i++) {
        if (hidden[i]) continue;
        const d = (a[i] ?? 0) - (b[i] ?? 0);
        sum += d * d;
        n++;
      }
      const psnr = sum === 0 ? 99 : 10 * Math.log10((255 * 255) / (sum / n));
      expect(psnr).toBeGreaterThanOrEqual(40);
    }
  }, 300_000);
});

describe('redact find and Ctrl-C', () => {
  it('stops ffmpeg and the OCR worker on SIGINT: the process exits with 130', async () => {
    const child = spawn(process.execPath, [BIN, 'redact', 'find', recording, '--debug'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Interrupt once the OCR worker is up and ffmpeg is decoding frames for it (--debug shows the command).
      if (stderr.includes('rawvideo') && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
  }, 120_000);
});

describe('redact: in course.yaml', () => {
  it('stream-copies the GOPs outside the redaction range bit for bit, and never serves the unredacted render from the cache', async () => {
    const course = await makeCourse('copy');
    expect((await runCli(['build'], { cwd: course, timeoutMs: 240_000 })).code).toBe(0);
    const plain = await frameMd5s(await bundleVideo(course));
    // One region from 0.5 s to 1.0 s: only the first GOP (frames 0-59) holds redacted frames. A
    // second one starts exactly on the keyframe at 4 s (frame 120): that GOP is re-encoded from a
    // seek onto its keyframe, where the first frames reach the filter with negative times.
    const yaml = await readFile(path.join(course, 'course.yaml'), 'utf8');
    await writeFile(
      path.join(course, 'course.yaml'),
      `${yaml}redact:\n  - source: recordings/session.mp4\n    box: [300, 180, 460, 60]\n    from: 0.5\n    to: 1.0\n    style: box\n  - source: recordings/session.mp4\n    box: [300, 180, 460, 60]\n    from: 4.0\n    to: 4.5\n    style: box\n`,
    );
    const again = await runCli(['build'], { cwd: course, timeoutMs: 240_000 });
    expect(again.code).toBe(0);
    const redacted = await frameMd5s(await bundleVideo(course));
    const source = await frameMd5s(recording);
    expect(redacted).toHaveLength(180);
    // Frames 15-30 (0.5-1.0 s) changed; the cached plain render was not reused.
    expect(redacted.slice(15, 30).every((m, i) => m !== plain[15 + i])).toBe(true);
    // The GOP of frames 60-119 was stream-copied: decoded frames identical to the source's.
    expect(redacted.slice(60, 120)).toEqual(source.slice(60, 120));
    // Frames 120-135 (4.0-4.5 s) have the black box, the first of them included; 136 has not.
    const boxMean = (f: Buffer) => {
      let sum = 0;
      for (let y = 180; y < 240; y++) for (let x = 300; x < 760; x++) sum += f[y * 1920 + x] ?? 0;
      return sum / (60 * 460);
    };
    const [out120, out135, out136] = (await grayFrames(await bundleVideo(course), [120, 135, 136])).map(boxMean);
    const [src120, , src136] = (await grayFrames(recording, [120, 135, 136])).map(boxMean);
    expect(src120).toBeGreaterThan(40);
    expect(out120).toBeLessThan(24);
    expect(out135).toBeLessThan(24);
    expect(Math.abs((out136 ?? 0) - (src136 ?? 0))).toBeLessThan(2);
  }, 300_000);

  it('reports a region outside the frame or past the end of the recording at its line, before encoding', async () => {
    const course = await makeCourse('bad', 'redact:\n  - source: recordings/session.mp4\n    box: [1800, 100, 300, 40]\n  - source: recordings/session.mp4\n    box: ["10%", "10%", "5%", "5%"]\n    from: 2\n    to: 9\n');
    const r = await runCli(['build'], { cwd: course, timeoutMs: 120_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/course\.yaml:15:\d+ +redact\[0\]\.box of recordings\/session\.mp4 reaches outside the 1920x1080 frame/);
    expect(r.stderr).toMatch(/course\.yaml:19:\d+ +redact\[1\]\.to of recordings\/session\.mp4 \(9 s\) is past the end/);
    expect(r.stderr).toContain('nothing was encoded');
  }, 120_000);
});
