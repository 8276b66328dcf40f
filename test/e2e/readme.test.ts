/**
 * The README's "One example per user" blocks hold: each runs as written (bash, `set -e`), with
 * `lessonkit` on PATH and a generated recording at ~/Videos/session.mp4, in a temp folder.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO, makeTempDir } from '../helpers/cli.js';
import { copyShortSampleCourse } from '../helpers/sample-course.js';

const run = promisify(execFile);
let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let home: string;
let shims: string;

/** The ```sh blocks under a README heading. */
async function blocksUnder(heading: string): Promise<string[]> {
  const readme = await readFile(path.join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(`## ${heading}`);
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 3);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

/** Runs a README block as a script; resolves with the exit code and output. */
async function runBlock(script: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, HOME: home, PATH: `${shims}${path.delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1', CI: '1' };
  try {
    const r = await run('bash', ['-e', '-c', script], { cwd, env, maxBuffer: 32 * 1024 * 1024, timeout: 240_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-readme-');
  home = path.join(tmp.dir, 'home');
  shims = path.join(tmp.dir, 'bin');
  await mkdir(path.join(home, 'Videos'), { recursive: true });
  await mkdir(shims, { recursive: true });
  await writeFile(path.join(shims, 'lessonkit'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(path.join(shims, 'lessonkit'), 0o755);
  // Five minutes of a tiny screen with narration-like tone bursts (pauses for split to find).
  await run(process.env.LESSONKIT_FFMPEG ?? 'ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=10:duration=300',
    '-f', 'lavfi', '-i', "aevalsrc='if(lt(mod(t,40),36),0.3*sin(2*PI*300*t),0)':s=16000:d=300",
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest',
    path.join(home, 'Videos/session.mp4'),
  ]);
}, 120_000);

afterAll(async () => {
  await tmp?.cleanup();
});

describe('README: one example per user', () => {
  it('the contributor turns a recording into a lesson and builds it', { timeout: 240_000 }, async () => {
    const [block] = await blocksUnder('One example per user');
    const dir = path.join(tmp.dir, 'contributor');
    await mkdir(dir, { recursive: true });
    const r = await runBlock(block ?? '', dir);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const zips = (await readdir(path.join(dir, 'mobile-course/dist'))).filter((f) => f.endsWith('.zip'));
    expect(zips.length).toBeGreaterThan(0);
    expect(await readFile(path.join(dir, 'mobile-course/course.yaml'), 'utf8')).toMatch(/title: Why mobile access/);
  });

  it('the CI pipeline builds strictly and validates every bundle (on the sample course)', { timeout: 240_000 }, async () => {
    const [, block] = await blocksUnder('One example per user');
    const dir = path.join(tmp.dir, 'ci');
    // The sample course with shorter segments: the same course, a quarter of the encoding.
    await copyShortSampleCourse(dir);
    const r = await runBlock(block ?? '', dir);
    expect(r.code).toBe(0);
    expect(await readFile(path.join(dir, 'reports/validate.xml'), 'utf8')).toMatch(/<testsuites[^>]*failures="0"/);
  });

  it('the trainer exports every course of the repository', { timeout: 240_000 }, async () => {
    const [, , block] = await blocksUnder('One example per user');
    const dir = path.join(tmp.dir, 'trainer');
    await copyShortSampleCourse(path.join(dir, 'courses/mobile'));
    const r = await runBlock(block ?? '', dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(path.join(dir, 'exports/export.json'), 'utf8')) as { summary: { built: number; failed: number } };
    expect(report.summary.failed).toBe(0);
    expect(report.summary.built).toBeGreaterThan(0);
  });
});
