/**
 * Warm builds through the built CLI: a second build of an unchanged course runs no ffmpeg and no
 * ffprobe at all (every tool run is logged by wrapper scripts), and gives the same zips byte for
 * byte. A changed recording is probed again.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { makeMediaCourse } from '../helpers/media-course.js';
import { ffmpeg, FFMPEG, FFPROBE } from './media-helpers.js';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let course: string;
let log: string;
let tools: Record<string, string>;

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-warm-');
  course = path.join(tmp.dir, 'course');
  await makeMediaCourse(course, { seconds: 6 });
  // Every ffmpeg and ffprobe run goes through a wrapper that logs it, then runs the pinned tool.
  log = path.join(tmp.dir, 'tools.log');
  tools = {};
  for (const [name, real] of [['ffmpeg', FFMPEG], ['ffprobe', FFPROBE]] as const) {
    const wrapper = path.join(tmp.dir, `${name}-wrapper.sh`);
    await writeFile(wrapper, `#!/bin/sh\necho "${name} $*" >> '${log}'\nexec '${real}' "$@"\n`);
    await chmod(wrapper, 0o755);
    tools[`LESSONKIT_${name.toUpperCase()}`] = wrapper;
  }
}, 120_000);
afterAll(() => tmp.cleanup());

const build = () => runCli(['build', '--json', '--target', 'scorm12,web'], { cwd: course, env: tools });
const runs = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);

describe('warm build', () => {
  it('runs zero ffmpeg and zero ffprobe processes and writes the same bytes', async () => {
    const cold = await build();
    expect(cold.stderr).not.toMatch(/^error:/m);
    expect(cold.code).toBe(0);
    const coldRuns = await runs();
    // The cold build did probe and encode (the wrappers are really in the path).
    expect(coldRuns.some((l) => l.startsWith('ffprobe '))).toBe(true);
    expect(coldRuns.some((l) => l.startsWith('ffmpeg '))).toBe(true);

    await writeFile(log, '');
    const warm = await build();
    expect(warm.code).toBe(0);
    expect(await runs()).toEqual([]);
    const a = JSON.parse(cold.stdout) as { bundles: { target: string; sha256: string; size: number }[] };
    const b = JSON.parse(warm.stdout) as { bundles: { target: string; sha256: string; size: number }[]; media: { cached: number; segments: number } };
    expect(b.media).toEqual({ segments: 3, cached: 3 });
    expect(b.bundles.map((x) => [x.target, x.sha256, x.size])).toEqual(a.bundles.map((x) => [x.target, x.sha256, x.size]));
  });

  it('probes a recording again once its content changed', async () => {
    // The same length, other pictures: the fingerprint changes, so the old probe is not trusted.
    await ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=15:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=660:duration=6',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path.join(course, 'recordings/rec.mp4'),
    ]);
    await writeFile(log, '');
    const r = await build();
    expect(r.code).toBe(0);
    expect((await runs()).filter((l) => l.startsWith('ffprobe ')).length).toBeGreaterThan(0);
    await writeFile(log, '');
    expect((await build()).code).toBe(0);
    expect(await runs()).toEqual([]);
  });
});
