/** split on a recording with known pauses: cuts in the pauses, segments within [min, max], stable plans. */
import { chmod, copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCourse } from '../../src/core/course/load.js';
import { makeTempDir, REPO, runCli } from '../helpers/cli.js';
import { ffmpeg, FFMPEG, FFPROBE, sha256, webProfileProblems } from './media-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
let hash: string;

/** Where the narration stops, in seconds (the tone is silenced there). */
const PAUSES: [number, number][] = [
  [6.0, 7.2],
  [13.5, 14.4],
  [20.0, 21.5],
  [27.0, 28.0],
  [31.0, 31.8],
];
const DURATION = 36;
/** The cut times lessonkit chose for this recording with --max 12s --min 5s before the analysis was reworked. */
const LONG_CUTS = [6.6, 14, 21, 27.5];

interface Plan {
  duration: number;
  pauses: { start: number; end: number }[];
  plan: { cuts: { time: number; pause?: { start: number; end: number } }[]; segments: { from: number; to: number; duration: number }[]; allInPauses: boolean };
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('lessonkit-media-split-'));
  const silent = PAUSES.map(([a, b]) => `between(t,${a},${b})`).join('+');
  await ffmpeg([
    '-f', 'lavfi', '-i', `testsrc2=size=160x90:rate=10`, '-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000',
    '-t', String(DURATION), '-af', `volume=enable='${silent}':volume=0`, '-shortest',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'aac',
    path.join(dir, 'long.mp4'),
  ]);
  hash = await sha256(path.join(dir, 'long.mp4'));
});

afterAll(async () => {
  expect(await sha256(path.join(dir, 'long.mp4'))).toBe(hash);
  await cleanup();
});

describe('split --dry-run', () => {
  it('finds the pauses, cuts only in them, keeps every segment within [min, max], and is stable', async () => {
    const args = ['split', 'long.mp4', '--max', '12s', '--min', '5s', '--dry-run', '--json'];
    const before = (await readdir(dir)).sort();
    const r1 = await runCli(args, { cwd: dir });
    expect(r1.code).toBe(0);
    const plan = JSON.parse(r1.stdout) as Plan;
    // Silence detection finds each known pause (AAC edges blur it by a few milliseconds).
    expect(plan.pauses).toHaveLength(PAUSES.length);
    for (const [i, [a, b]] of PAUSES.entries()) {
      expect(Math.abs(plan.pauses[i]!.start - a)).toBeLessThan(0.1);
      expect(Math.abs(plan.pauses[i]!.end - b)).toBeLessThan(0.1);
    }
    expect(plan.plan.allInPauses).toBe(true);
    expect(plan.plan.cuts.length).toBeGreaterThan(0);
    for (const c of plan.plan.cuts) {
      expect(PAUSES.some(([a, b]) => c.time >= a - 0.5 && c.time <= b + 0.5)).toBe(true);
    }
    for (const s of plan.plan.segments) {
      expect(s.duration).toBeGreaterThanOrEqual(5);
      expect(s.duration).toBeLessThanOrEqual(12);
    }
    expect(plan.plan.segments[0]!.from).toBe(0);
    expect(plan.plan.segments.at(-1)!.to).toBeCloseTo(DURATION, 1);
    // The same plan on every run, and a dry run writes nothing.
    const r2 = await runCli(args, { cwd: dir });
    expect(JSON.parse(r2.stdout)).toEqual(plan);
    expect((await readdir(dir)).sort()).toEqual(before);
    // The human output names each cut's pause.
    const text = await runCli(['split', 'long.mp4', '--max', '12s', '--min', '5s', '--dry-run'], { cwd: dir });
    expect(text.stdout).toContain('cut in pause 6.0');
    expect(text.stdout).toContain('Dry run: nothing written.');
  });

  it('plans the same cuts as before the analysis ran its passes side by side (the sample recording)', async () => {
    // Plans printed by lessonkit before the change, for the committed sample recording.
    const sample = path.join(REPO, 'fixtures/sample-course/recordings/2026-10-01-session.mp4');
    const pauses = [[0, 0.516961], [4.51481, 7.81354], [13.2067, 17.217], [22.0652, 29.601], [34.5076, 40.4001], [45.2307, 54.2558], [59.041, 62.2446], [66.544, 77.255], [81.4014, 87.517], [91.7974, 99.869]];
    const expected: Record<string, unknown[]> = {
      '30s 20s': [
        { time: 24, pause: { start: 22.0652, end: 29.601 }, keyframe: true, scene: 0, score: 3.5 },
        { time: 48, pause: { start: 45.2307, end: 54.2558 }, keyframe: true, scene: 0, score: 3.5 },
        { time: 73.866667, pause: { start: 66.544, end: 77.255 }, keyframe: true, scene: 0, score: 3.5 },
      ],
      '45s 30s': [
        { time: 36, pause: { start: 34.5076, end: 40.4001 }, keyframe: true, scene: 0, score: 3.5 },
        { time: 68, keyframe: false, scene: 0, score: -20 },
      ],
    };
    for (const [limits, cuts] of Object.entries(expected)) {
      const [max, min] = limits.split(' ');
      const r = await runCli(['split', sample, '--max', max!, '--min', min!, '--dry-run', '--json'], { cwd: dir });
      expect(r.code).toBe(0);
      const plan = JSON.parse(r.stdout) as Plan;
      expect(plan.pauses.map((p) => [p.start, p.end])).toEqual(pauses);
      expect(plan.plan.cuts).toEqual(cuts);
    }
    // And on the generated recording: the cut times lessonkit chose before, from three passes
    // over the file (each tool run logged by a wrapper): one short ffprobe of the container, the
    // silences and the keyframe scenes; no listing of every packet, which costs a pass of its own.
    const log = path.join(dir, 'tools.log');
    const tools: Record<string, string> = {};
    for (const [name, real] of [['ffmpeg', FFMPEG], ['ffprobe', FFPROBE]] as const) {
      const wrapper = path.join(dir, `${name}-wrapper.sh`);
      await writeFile(wrapper, `#!/bin/sh\necho "${name} $*" >> '${log}'\nexec '${real}' "$@"\n`);
      await chmod(wrapper, 0o755);
      tools[`LESSONKIT_${name.toUpperCase()}`] = wrapper;
    }
    const r = await runCli(['split', 'long.mp4', '--max', '12s', '--min', '5s', '--dry-run', '--json'], { cwd: dir, env: tools });
    expect((JSON.parse(r.stdout) as Plan).plan.cuts.map((c) => c.time)).toEqual(LONG_CUTS);
    const runs = (await readFile(log, 'utf8')).split('\n').filter((l) => l && !/ -version\b/.test(l));
    expect(runs.map((l) => l.split(' ')[0]).sort()).toEqual(['ffmpeg', 'ffmpeg', 'ffprobe']);
    expect(runs.join('\n')).not.toContain('-show_entries packet');
    await Promise.all([rm(log), rm(tools.LESSONKIT_FFMPEG!), rm(tools.LESSONKIT_FFPROBE!)]);
  });

  it('refuses a --min that is not below --max, and needs --lesson or --dry-run', async () => {
    const bad = await runCli(['split', 'long.mp4', '--max', '10s', '--min', '10s', '--dry-run'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --min 10s is not below --max 10s/);
    const none = await runCli(['split', 'long.mp4'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--lesson <id>.*--dry-run/);
  });
});

describe('split --lesson', () => {
  it('adds the planned segments to the lesson and renders each one', async () => {
    expect((await runCli(['init', 'course', '--title', 'Split test', '--lesson', 'Walkthrough', '--yes'], { cwd: dir })).code).toBe(0);
    const course = path.join(dir, 'course');
    await copyFile(path.join(dir, 'long.mp4'), path.join(course, 'recordings', 'long.mp4'));
    const plan = JSON.parse((await runCli(['split', 'long.mp4', '--max', '12s', '--min', '5s', '--dry-run', '--json'], { cwd: dir })).stdout) as Plan;
    const r = await runCli(['-C', 'course', 'split', 'recordings/long.mp4', '--max', '12s', '--min', '5s', '--lesson', 'walkthrough', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as Plan & { added: { id: string; from: number; to: number; video: string }[] };
    expect(result.added.map((a) => [a.from, a.to])).toEqual(plan.plan.segments.map((s) => [s.from, s.to]));
    expect(result.added.map((a) => a.id)).toEqual(result.added.map((_, i) => `walkthrough-part-${i + 1}`));
    const yaml = await readFile(path.join(course, 'course.yaml'), 'utf8');
    for (const a of result.added) expect(yaml).toContain(`- id: ${a.id}`);
    expect(await webProfileProblems(result.added[1]!.video, true)).toEqual([]);
    // Splitting again (the course now holds the segments, so it must still load) gives the same cuts.
    const again = await runCli(['-C', 'course', 'split', 'recordings/long.mp4', '--max', '12s', '--min', '5s', '--lesson', 'walkthrough', '--json'], { cwd: dir });
    expect(again.code).toBe(0);
    const second = JSON.parse(again.stdout) as { added: { id: string; cached: boolean }[] };
    // Same cuts, new ids; every render comes from the cache.
    expect(second.added.every((a) => a.cached)).toBe(true);
  });

  it('--chapters writes chapters at the best pauses inside each segment, keeping course.yaml\'s comments', async () => {
    const course = path.join(dir, 'course');
    const before = await readFile(path.join(course, 'course.yaml'), 'utf8');
    const comments = before.split('\n').filter((l) => l.trim().startsWith('#'));
    expect(comments.length).toBeGreaterThan(0);
    const r = await runCli(['-C', 'course', 'split', 'recordings/long.mp4', '--max', '40s', '--lesson', 'walkthrough', '--chapters', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { chapters: { time: number; title: string }[][] };
    // One segment (no cut needed); a chapter at its start and one at the longest pause in the middle (20.0-21.5 s).
    expect(result.chapters).toHaveLength(1);
    expect(result.chapters[0]!.map((c) => c.title)).toEqual(['Part 1', 'Part 2']);
    expect(result.chapters[0]![1]!.time).toBeGreaterThan(20);
    expect(result.chapters[0]![1]!.time).toBeLessThan(21.5);
    const yaml = await readFile(path.join(course, 'course.yaml'), 'utf8');
    expect(yaml).toMatch(/chapters:\n\s+- time: "?00:00:00(\.000)?"?\n\s+title: Part 1\n\s+- time: "?00:00:2\d(\.\d+)?"?\n\s+title: Part 2/);
    for (const c of comments) expect(yaml).toContain(c);
    // The course still loads, with the chapters in segment time.
    const { course: loaded } = await loadCourse({ dir: course, cwd: dir });
    expect(loaded.lessons[0]!.segments.at(-1)!.chapters?.map((c) => c.title)).toEqual(['Part 1', 'Part 2']);
  });
});
