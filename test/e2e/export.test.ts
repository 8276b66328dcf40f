/**
 * `lessonkit export` through the built CLI on a generated workspace of five small courses
 * (real ffmpeg, real zips): shards that add up to the whole, incremental runs that run no
 * ffmpeg or ffprobe at all, fault isolation, Ctrl-C and a rerun, two exports at once.
 */
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeTempDir, runCli, type CliRun } from '../helpers/cli.js';
import { makeMediaCourse } from '../helpers/media-course.js';
import { sha256 } from './media-helpers.js';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
/** A pristine workspace; each test copies it. */
let pristine: string;

const TARGETS = 'scorm12,cmi5,web';

/** course.yaml of course `n`: two segments of the shared recording; c1 and c2 cut the same stretch. */
function courseYaml(n: number): string {
  const start = n <= 2 ? 0 : n - 2;
  return `id: course-${n}
title: Course ${n}
version: 1.0.${n}
iri: https://training.example.com/courses/course-${n}
lessons:
  - id: lesson
    title: The lesson
    segments:
      - id: first
        title: First part
        source: recordings/rec.mp4
        from: ${start}
        to: ${start + 1.5}
        captions: recordings/rec.srt
      - id: second
        title: Second part
        source: recordings/rec.mp4
        from: ${start + 1.5}
        to: ${start + 3}
        captions: recordings/rec.srt
targets: [${TARGETS}]
`;
}

interface ExportJson {
  items: { course: string; id?: string; target?: string; zip?: string; sha256?: string; status: string; reason: string; error?: { message: string; details?: string[]; hint?: string } }[];
  summary: { built: number; unchanged: number; failed: number; planned: number };
}

async function workspace(name: string): Promise<string> {
  const dir = path.join(tmp.dir, name);
  await cp(pristine, dir, { recursive: true });
  return dir;
}

/** Every zip under `out`, relative path -> sha256. */
async function zips(out: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const id of (await readdir(out, { withFileTypes: true })).filter((e) => e.isDirectory())) {
    for (const f of await readdir(path.join(out, id.name))) if (f.endsWith('.zip')) found[`${id.name}/${f}`] = await sha256(path.join(out, id.name, f));
  }
  return found;
}

/** Leftover temporary files anywhere under `dir`. */
async function leftovers(dir: string): Promise<string[]> {
  const all = (await readdir(dir, { recursive: true })) as string[];
  return all.filter((f) => /\.tmp($|\.)|\/\.tmp-/.test(f) || /(^|\/)\.tmp-/.test(f));
}

function exportJson(r: CliRun): ExportJson {
  return JSON.parse(r.stdout) as ExportJson;
}

let reference: Record<string, string>;

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-export-');
  pristine = path.join(tmp.dir, 'pristine');
  const first = path.join(pristine, 'courses/c1');
  await makeMediaCourse(first, { seconds: 8, yaml: courseYaml(1) });
  for (let n = 2; n <= 5; n++) {
    const dir = path.join(pristine, 'courses', `c${n}`);
    await mkdir(dir, { recursive: true });
    await cp(path.join(first, 'recordings'), path.join(dir, 'recordings'), { recursive: true });
    await writeFile(path.join(dir, 'course.yaml'), courseYaml(n));
  }
  // Not a course: what .gitignore ignores and what lives in node_modules is never searched.
  await mkdir(path.join(pristine, 'node_modules/some-pkg'), { recursive: true });
  await writeFile(path.join(pristine, 'node_modules/some-pkg/course.yaml'), 'id: not-a-course\n');
  await mkdir(path.join(pristine, 'scratch'), { recursive: true });
  await writeFile(path.join(pristine, 'scratch/course.yaml'), 'id: ignored\n');
  await writeFile(path.join(pristine, '.gitignore'), 'scratch/\n');

  const ws = await workspace('reference');
  const r = await runCli(['export', '--json'], { cwd: ws });
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.code).toBe(0);
  expect(exportJson(r).summary).toEqual({ built: 15, unchanged: 0, failed: 0, planned: 0 });
  reference = await zips(path.join(ws, 'dist'));
}, 240_000);

afterAll(async () => {
  await tmp?.cleanup();
});

describe('lessonkit export', () => {
  it('writes one zip per course and target, export.json, and every bundle passes validate', async () => {
    expect(Object.keys(reference).sort()).toEqual(
      [1, 2, 3, 4, 5].flatMap((n) => ['cmi5', 'scorm12', 'web'].map((t) => `course-${n}/course-${n}-1.0.${n}-${t}.zip`)).sort(),
    );
    const ws = path.join(tmp.dir, 'reference');
    const doc = JSON.parse(await readFile(path.join(ws, 'dist/export.json'), 'utf8')) as ExportJson;
    expect(doc.items.map((i) => `${i.course} ${i.target} ${i.status}`)).toContain('courses/c3 cmi5 built');
    for (const i of doc.items) expect(reference[i.zip!.replace(/^dist\//, '')]).toBe(i.sha256);
    const v = await runCli(['validate', ...Object.keys(reference).map((z) => path.join('dist', z)), '--json'], { cwd: ws });
    expect(v.code).toBe(0);
    expect((JSON.parse(v.stdout) as { summary: { errors: number } }).summary.errors).toBe(0);
  });

  it('a warm run with nothing changed runs no ffmpeg and no ffprobe; changing one course rebuilds only it', async () => {
    const ws = await workspace('warm');
    // Wrappers that log each run, then hand over to the pinned binaries.
    const log = path.join(tmp.dir, 'tool-runs.log');
    const wrap = async (name: string, real: string) => {
      const file = path.join(tmp.dir, `counting-${name}`);
      await writeFile(file, `#!/bin/sh\necho ${name} >> "${log}"\nexec "${real}" "$@"\n`);
      await chmod(file, 0o755);
      return file;
    };
    const env = { LESSONKIT_FFMPEG: await wrap('ffmpeg', process.env.LESSONKIT_FFMPEG!), LESSONKIT_FFPROBE: await wrap('ffprobe', process.env.LESSONKIT_FFPROBE!) };
    const cold = await runCli(['export', '--json'], { cwd: ws, env });
    expect(cold.code).toBe(0);
    expect((await readFile(log, 'utf8')).length).toBeGreaterThan(0);
    await rm(log);

    const warm = await runCli(['export', '--json'], { cwd: ws, env });
    expect(warm.code).toBe(0);
    expect(exportJson(warm).summary).toEqual({ built: 0, unchanged: 15, failed: 0, planned: 0 });
    expect(await readFile(log, 'utf8').catch(() => '')).toBe('');

    await writeFile(path.join(ws, 'courses/c4/course.yaml'), courseYaml(4).replace('title: The lesson', 'title: The lesson, renamed'));
    const dry = await runCli(['export', '--dry-run', '--json'], { cwd: ws, env });
    const planned = exportJson(dry).items.filter((i) => i.status === 'planned');
    expect(planned.map((i) => `${i.id} ${i.target}`)).toEqual(['course-4 scorm12', 'course-4 cmi5', 'course-4 web']);
    expect(planned[0]?.reason).toBe('changed: course.yaml');
    const one = await runCli(['export', '--json'], { cwd: ws, env });
    expect(one.code).toBe(0);
    const built = exportJson(one).items.filter((i) => i.status === 'built');
    expect(built.map((i) => i.id)).toEqual(['course-4', 'course-4', 'course-4']);
    expect(exportJson(one).summary.unchanged).toBe(12);
  });

  it('shards 1/3, 2/3 and 3/3 together write exactly the unsharded outputs, byte for byte, none twice', async () => {
    const seen: Record<string, string> = {};
    let builtItems = 0;
    for (const i of [1, 2, 3]) {
      // Each CI job: its own fresh clone of the workspace, its own cache.
      const ws = await workspace(`shard-${i}`);
      const r = await runCli(['export', '--shard', `${i}/3`, '--json'], { cwd: ws });
      expect(r.code).toBe(0);
      builtItems += exportJson(r).summary.built;
      const mine = await zips(path.join(ws, 'dist'));
      expect(Object.keys(mine).length).toBeGreaterThan(0);
      for (const [k, v] of Object.entries(mine)) {
        expect(seen[k]).toBeUndefined();
        seen[k] = v;
      }
    }
    expect(builtItems).toBe(15);
    expect(seen).toEqual(reference);
  });

  it('one broken course among five: the four others are exported, the broken one is named with file, line and fix, exit 1', async () => {
    const ws = await workspace('broken');
    await writeFile(path.join(ws, 'courses/c3/course.yaml'), courseYaml(3).replace('to: 2.5', 'to: soon'));
    const r = await runCli(['export', '--reporter', 'junit', '--output-file', 'reports/export.xml'], { cwd: ws });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/courses\/c3\/course\.yaml:\d+:\d+ +lessons\[0\]\.segments\[0\]\.to \("soon"\)/);
    expect(r.stderr).toMatch(/fix: /);
    expect(r.stderr).not.toMatch(/internal error|\bat .*\.js:\d+/);
    const out = await zips(path.join(ws, 'dist'));
    expect(Object.keys(out).filter((k) => !k.startsWith('course-3/')).length).toBe(12);
    expect(Object.keys(out).some((k) => k.startsWith('course-3'))).toBe(false);
    const junit = await readFile(path.join(ws, 'reports/export.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="lessonkit export" tests="13" failures="1"/);
    expect(junit).toMatch(/<failure type="E_COURSE_SCHEMA" message="courses\/c3\/course.yaml:\d+:\d+/);
  });

  it('Ctrl-C mid-export leaves no partial file; the rerun completes with the right bytes', async () => {
    const ws = await workspace('interrupted');
    const child = spawn(process.execPath, [BIN, 'export', '--concurrency', '1'], { cwd: ws, env: { ...process.env, NO_COLOR: '1', CI: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // Interrupt once the first course is out: the run is mid-way.
        if (/export course-1 web done/.test(stderr)) resolve();
      });
      void exited.then(() => resolve());
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await leftovers(ws)).toEqual([]);
    const before = await zips(path.join(ws, 'dist'));
    expect(Object.keys(before).length).toBeLessThan(15);
    const rerun = await runCli(['export', '--json'], { cwd: ws });
    expect(rerun.code).toBe(0);
    const statuses = exportJson(rerun).items.filter((i) => i.id === 'course-1').map((i) => i.status);
    expect(statuses).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(await zips(path.join(ws, 'dist'))).toEqual(reference);
  });

  it('two exports started at once on one workspace both finish with valid outputs and an intact cache', async () => {
    const ws = await workspace('twice');
    const [a, b] = await Promise.all([runCli(['export', '--json'], { cwd: ws }), runCli(['export', '--json'], { cwd: ws })]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(await zips(path.join(ws, 'dist'))).toEqual(reference);
    expect(await leftovers(ws)).toEqual([]);
    const warm = await runCli(['export', '--json'], { cwd: ws });
    expect(exportJson(warm).summary.unchanged).toBe(15);
    const cache = path.join(ws, '.lessonkit/cache/media');
    const entries = await readdir(cache);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect((await readdir(path.join(cache, e))).sort()).toEqual(['meta.json', 'poster.jpg', 'video.mp4']);
  });

  it('refuses a bad --shard and an empty workspace with the fix, exit 2', async () => {
    const ws = await workspace('usage');
    const shard = await runCli(['export', '--shard', '4/3'], { cwd: ws });
    expect(shard.code).toBe(2);
    expect(shard.stderr).toMatch(/--shard "4\/3" is not a shard/);
    const empty = path.join(tmp.dir, 'empty');
    await mkdir(empty, { recursive: true });
    const none = await runCli(['export'], { cwd: empty });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/No course\.yaml found/);
  });
});
