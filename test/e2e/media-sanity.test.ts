/**
 * Wrong or damaged media, through the built CLI: a PNG renamed to .mp4 and an MP4 cut short
 * while copying. trim, split and build refuse them before any work (exit 2, saying what the
 * file is or where it ends); probe reports them as findings (exit 1, `ok: false` in --json).
 */
import { copyFile, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli, type CliRun } from '../helpers/cli.js';
import { makeMediaCourse } from '../helpers/media-course.js';
import { ffmpeg, topLevelBoxes } from './media-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('lessonkit-media-sanity-'));
  // A real PNG with a video's name.
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=1', '-frames:v', '1', path.join(dir, 'frame.png')]);
  await copyFile(path.join(dir, 'frame.png'), path.join(dir, 'screenshot.mp4'));
  // About 20 s of H.264 + AAC, written the default way (index at the end, no +faststart)...
  const source = ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=44100', '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '60', '-c:a', 'aac', '-shortest'];
  await ffmpeg([...source, path.join(dir, 'whole.mp4')]);
  // ...and with the index first, as web exports are.
  await ffmpeg(['-i', path.join(dir, 'whole.mp4'), '-c', 'copy', '-movflags', '+faststart', path.join(dir, 'whole-faststart.mp4')]);
  const size = (await stat(path.join(dir, 'whole.mp4'))).size;
  for (const [from, to] of [['whole.mp4', 'cut-short.mp4'], ['whole-faststart.mp4', 'cut-short-faststart.mp4']] as const) {
    await copyFile(path.join(dir, from), path.join(dir, to));
    // What an interrupted copy leaves: the first 60 % of the bytes.
    await truncate(path.join(dir, to), Math.floor(size * 0.6));
  }
}, 120_000);
afterAll(async () => cleanup());

/** Exit 2 with `message` on the first line, a fix, no stack, nothing on stdout, no file written in `dir`. */
async function expectRefused(args: string[], message: RegExp, cwd = dir): Promise<CliRun> {
  const before = (await readdir(cwd)).sort();
  const r = await runCli(args, { cwd });
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n').find((l) => l.startsWith('error: '))).toMatch(message);
  expect(r.stderr).toMatch(/fix: /);
  expect(r.stderr).not.toMatch(/internal error|\bat .*\.js:\d+/);
  expect((await readdir(cwd)).sort()).toEqual(before);
  return r;
}

describe('a PNG renamed to .mp4', () => {
  it('trim says what it is (not "give a start time below 0s")', async () => {
    const r = await expectRefused(['trim', 'screenshot.mp4', '--from', '0', '--to', '1', '--out', 'clip.mp4'], /^error: screenshot\.mp4 is a PNG image, not a video\.$/);
    expect(r.stderr).not.toMatch(/start time/);
  });
  it('split refuses it too', async () => {
    await expectRefused(['split', 'screenshot.mp4', '--max', '30s', '--min', '5s', '--dry-run'], /^error: screenshot\.mp4 is a PNG image, not a video\.$/);
  });
  it('probe reports it as a finding: exit 1, ok false in --json', async () => {
    const r = await runCli(['probe', 'screenshot.mp4', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as { ok: boolean; problems: { kind: string; message: string }[]; video?: unknown };
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'not-media', message: 'screenshot.mp4 is a PNG image, not a video.' })]);
    expect(result.video).toBeUndefined();
    const text = await runCli(['probe', 'screenshot.mp4'], { cwd: dir });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^problem\s+screenshot\.mp4 is a PNG image, not a video\.$/m);
  });
  it('build refuses a course whose segment source is the PNG, before encoding anything', async () => {
    const course = path.join(dir, 'course-png');
    await makeMediaCourse(course);
    await copyFile(path.join(dir, 'frame.png'), path.join(course, 'recordings/rec.mp4'));
    const r = await runCli(['build', '--target', 'web'], { cwd: course });
    expect(r.code).toBe(2);
    // The course check names it where course.yaml names it, with the other problems of the course.
    expect(r.stderr).toMatch(/^ +course\.yaml:\d+:\d+ +lessons\[0\]\.segments\[0\]\.source: recordings\/rec\.mp4 is a PNG image, not a video/m);
    await expect(stat(path.join(course, 'dist'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('an MP4 cut short while copying', () => {
  it('the test files are what they claim: the default MP4 has its index at the end', async () => {
    const boxes = await topLevelBoxes(path.join(dir, 'whole.mp4'));
    expect(boxes.indexOf('moov')).toBeGreaterThan(boxes.indexOf('mdat'));
    expect(await runCli(['probe', 'whole.mp4'], { cwd: dir })).toMatchObject({ code: 0 });
    expect(await runCli(['probe', 'whole-faststart.mp4'], { cwd: dir })).toMatchObject({ code: 0 });
  });
  it('index at the end (lost): trim says it is incomplete and why', async () => {
    await expectRefused(['trim', 'cut-short.mp4', '--from', '1', '--to', '5', '--out', 'clip.mp4'], /^error: cut-short\.mp4 is incomplete: .*index.*; it was probably cut short while copying or recording\.$/);
  });
  it('index first: trim says where it ends against the header, instead of cutting a shorter segment', async () => {
    const r = await expectRefused(['trim', 'cut-short-faststart.mp4', '--from', '2', '--to', '19', '--out', 'clip.mp4'], /^error: cut-short-faststart\.mp4 ends at [\d.]+ s but its header says [\d.]+ s; it was probably cut short while copying or recording\.$/);
    const [, endsAt, header] = /ends at ([\d.]+) s but its header says ([\d.]+) s/.exec(r.stderr) ?? [];
    expect(Number(header)).toBeGreaterThan(19);
    expect(Number(endsAt)).toBeLessThan(Number(header) - 2);
    expect(r.stderr).toMatch(/fix: Copy it again from the original/);
  });
  it('probe reports both as findings with exit 1; the facts stay when ffprobe could read them', async () => {
    const lost = await runCli(['probe', 'cut-short.mp4', '--json'], { cwd: dir });
    expect(lost.code).toBe(1);
    expect(JSON.parse(lost.stdout)).toMatchObject({ ok: false, problems: [{ kind: 'truncated' }] });
    const first = await runCli(['probe', 'cut-short-faststart.mp4', '--json'], { cwd: dir });
    expect(first.code).toBe(1);
    const result = JSON.parse(first.stdout) as { ok: boolean; problems: { kind: string; message: string }[]; video: { codec: string } };
    expect(result).toMatchObject({ ok: false, video: { codec: 'h264' }, problems: [{ kind: 'truncated', message: expect.stringMatching(/ends at [\d.]+ s but its header says/) }] });
  });
  it('build refuses a course recorded on the cut-short file', async () => {
    const course = path.join(dir, 'course-cut');
    await makeMediaCourse(course);
    await writeFile(path.join(course, 'recordings/rec.mp4'), await readFile(path.join(dir, 'cut-short-faststart.mp4')));
    const r = await runCli(['build', '--target', 'web'], { cwd: course });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ +course\.yaml:\d+:\d+ +lessons\[0\]\.segments\[0\]\.source: recordings\/rec\.mp4 ends at [\d.]+ s but its header says [\d.]+ s; it was probably cut short/m);
    await expect(stat(path.join(course, 'dist'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
