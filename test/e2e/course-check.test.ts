/**
 * `lessonkit build` checks the whole course before the first encode, through the built CLI:
 * empty courses and lessons, ranges past a recording's end (at course.yaml:line:column, with no
 * encode), overlapping segments, scaffold text left in, sound without captions, `--strict`.
 * Media come from ffmpeg's lavfi sources; durations are never asserted exactly.
 */
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { ffmpeg, FFMPEG, FFPROBE } from './media-helpers.js';

/** The npm-shipped tools, pinned (not whatever is on PATH). */
const TOOLS = { LESSONKIT_FFMPEG: FFMPEG, LESSONKIT_FFPROBE: FFPROBE };

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
/** Recordings made once: `tone.mp4` (4 s, a tone: sound) and `quiet.mp4` (4 s, silent audio). */
let media: string;

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-check-');
  media = path.join(tmp.dir, 'media');
  await mkdir(media);
  const video = ['-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=15:duration=4'];
  const encode = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest'];
  await ffmpeg([...video, '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4', ...encode, path.join(media, 'tone.mp4')]);
  await ffmpeg([...video, '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono', '-t', '4', ...encode, path.join(media, 'quiet.mp4')]);
}, 120_000);
afterAll(() => tmp.cleanup());

const HEAD = `id: check-demo
title: Check demo
version: 1.0.0
lessons:
`;

/** A course folder `name` with course.yaml `yaml` and both recordings in recordings/. */
async function course(name: string, yaml: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = path.join(tmp.dir, name);
  await mkdir(path.join(dir, 'recordings'), { recursive: true });
  for (const f of ['tone.mp4', 'quiet.mp4']) await writeFile(path.join(dir, 'recordings', f), await readFile(path.join(media, f)));
  for (const [rel, text] of Object.entries(extra)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  await writeFile(path.join(dir, 'course.yaml'), yaml);
  return dir;
}

/** 1-based line and column of the first `needle` in `text`, as the CLI prints them. */
function lineCol(text: string, needle: string, valueOnly = true): string {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in text`);
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  const col = i - before.lastIndexOf('\n') + (valueOnly ? needle.indexOf(':') + 2 : 0);
  return `${line}:${col}`;
}

const build = (dir: string, args: string[] = [], env: Record<string, string> = {}) =>
  runCli(['build', '--target', 'web', '--cache-dir', path.join(dir, 'cache'), ...args], { cwd: dir, env: { ...TOOLS, ...env } });

/** Every file under `dir` (relative), or [] when it does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []))
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('build checks the course before the first encode', () => {
  it('a fresh `init --yes` course: exit 2, "no videos" at course.yaml:line:col, the three scaffold files named, nothing built', async () => {
    const init = await runCli(['init', 'fresh', '--yes', '--targets', 'web', '--title', 'Fresh'], { cwd: tmp.dir });
    expect(init.code).toBe(0);
    const dir = path.join(tmp.dir, 'fresh');
    const r = await runCli(['build'], { cwd: dir, env: TOOLS });
    const yaml = await readFile(path.join(dir, 'course.yaml'), 'utf8');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: course.yaml has 1 problem; nothing was encoded:\n  course.yaml:${lineCol(yaml, '  - id: introduction', false).replace(/:\d+$/, ':3')}  the course has no videos: its lesson has no segments`);
    expect(r.stderr).toMatch(/--lesson introduction/);
    for (const [file, what] of [['workbooks/introduction.md', 'workbook'], ['workbooks/introduction-cheatsheet.md', 'cheat-sheet'], ['quizzes/introduction.yaml', 'knowledge check']]) {
      expect(r.stderr).toContain(`warning: ${file}:1:1  the whole file is still the example ${what} that lessonkit wrote for lessons[0] ("introduction")`);
    }
    expect(await filesUnder(path.join(dir, 'dist'))).toEqual([]);
  });

  it('a later segment past the recording end: exit 2 at the `to` value (line:column), the duration and fix, and no encode at all', async () => {
    const yaml = `${HEAD}  - id: intro
    title: Intro
    segments:
      - id: one
        title: One
        source: recordings/tone.mp4
        from: 0
        to: 2
        captions: recordings/one.srt
      - id: two
        title: Two
        source: recordings/quiet.mp4
        from: 1
        to: 300
`;
    const dir = await course('past-end', yaml, { 'recordings/one.srt': '1\n00:00:00,000 --> 00:00:01,000\nHi\n' });
    const r = await build(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^  course\\.yaml:${lineCol(yaml, 'to: 300')} {2}lessons\\[0\\]\\.segments\\[1\\]\\.to \\(00:05:00\\) is past the end of recordings/quiet\\.mp4, which is 00:00:0\\d(\\.\\d+)? long \\(fix: end the segment at 00:00:0\\d(\\.\\d+)? or earlier, such as to: "00:00:0\\d(\\.\\d+)?"; \`lessonkit probe recordings/quiet\\.mp4\` shows the duration`, 'm'));
    expect(r.stderr).not.toMatch(/--to|internal error/);
    // The first segment is fine, and still nothing was encoded: no render in the cache (only the
    // remembered probes), no mp4, no zip.
    expect((await filesUnder(path.join(dir, 'cache'))).filter((f) => !f.startsWith('probes/'))).toEqual([]);
    expect((await filesUnder(dir)).filter((f) => f.endsWith('.mp4') && !f.startsWith('recordings'))).toEqual([]);
    expect(await filesUnder(path.join(dir, 'dist'))).toEqual([]);
  });

  it('reports every range error of the course in one run, from and to alike, and a recording that is no video', async () => {
    const yaml = `${HEAD}  - id: intro
    title: Intro
    segments:
      - id: one
        title: One
        source: recordings/tone.mp4
        from: 9
        to: 12
      - id: two
        title: Two
        source: recordings/quiet.mp4
        from: 0
        to: "00:01:00"
      - id: three
        title: Three
        source: recordings/notes.mp4
        from: 0
        to: 1
`;
    const r = await build(await course('three-errors', yaml, { 'recordings/notes.mp4': 'meeting notes, not a video\n' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('course.yaml has 3 problems; nothing was encoded:');
    // A file that is no video is reported with the others, named as course.yaml names it.
    expect(r.stderr).toContain(`course.yaml:${lineCol(yaml, 'source: recordings/notes.mp4')}  lessons[0].segments[2].source: recordings/notes.mp4 `);
    expect(r.stderr).toContain(`course.yaml:${lineCol(yaml, 'from: 9')}  lessons[0].segments[0].from (00:00:09) is at or past the end of recordings/tone.mp4`);
    expect(r.stderr).toContain(`course.yaml:${lineCol(yaml, 'to: "00:01:00"')}  lessons[0].segments[1].to (00:01:00) is past the end of recordings/quiet.mp4`);
  });

  it('overlapping segments of a lesson, an empty lesson and sound without captions: warnings on stderr and in --json, exit 0; a warm build runs no ffmpeg', async () => {
    const yaml = `${HEAD}  - id: intro
    title: Intro
    segments:
      - id: one
        title: One
        source: recordings/quiet.mp4
        from: 0
        to: 3
      - id: two
        title: Two
        source: recordings/quiet.mp4
        from: 2
        to: 4
      - id: loud
        title: Loud
        source: recordings/tone.mp4
        from: 0
        to: 2
      - id: loud-captioned
        title: Loud with captions
        source: recordings/tone.mp4
        from: 2
        to: 4
        captions: recordings/tone-captions.srt
  - id: later
    title: Later
    segments: []
`;
    const dir = await course('warnings', yaml, { 'recordings/tone-captions.srt': '1\n00:00:02,000 --> 00:00:03,000\nA tone\n' });
    // Every ffmpeg run goes through a wrapper that logs it.
    const log = path.join(dir, 'ffmpeg.log');
    const wrapper = path.join(tmp.dir, 'ffmpeg-wrapper.sh');
    await writeFile(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${FFMPEG}' "$@"\n`);
    await chmod(wrapper, 0o755);
    const r = await build(dir, ['--json'], { LESSONKIT_FFMPEG: wrapper });
    expect(r.stderr).not.toMatch(/^error:/m);
    expect(r.code).toBe(0);
    const overlap = `warning: course.yaml:${lineCol(yaml, 'from: 2')}  lessons[0].segments[1] ("two", 00:00:02 to 00:00:04) overlaps lessons[0].segments[0] ("one", line ${lineCol(yaml, '      - id: one').split(':')[0]}, 00:00:00 to 00:00:03) by 1 s of recordings/quiet.mp4; learners see that part twice (fix: if the repeat is not intended, write from: "00:00:03" for lessons[0].segments[1])`;
    expect(r.stderr).toContain(overlap);
    expect(r.stderr).toContain(`warning: course.yaml:${lineCol(yaml, 'segments: []')}  lessons[1] ("later") has no segments; a learner can never complete it`);
    expect(r.stderr).toMatch(new RegExp(`warning: course\\.yaml:${lineCol(yaml, '      - id: loud\n', false).replace(/:\d+$/, ':9')} {2}lessons\\[0\\]\\.segments\\[2\\] \\("loud"\\) has sound \\(about -\\d+ LUFS\\) but no captions: a learner who is deaf or hard of hearing gets nothing from it \\(WCAG 2\\.2 SC 1\\.2\\.2, level A\\)`));
    // Silent audio and captioned segments are not reported.
    expect(r.stderr.match(/has sound/g)).toHaveLength(1);
    const result = JSON.parse(r.stdout) as { warnings: string[]; checks: { rule: string; severity: string; line: number }[]; media: { segments: number } };
    expect(result.media.segments).toBe(4);
    expect(result.checks.map((c) => c.rule).sort()).toEqual(['captions-missing', 'lesson-empty', 'segment-overlap']);
    expect(result.warnings).toContain(overlap.replace(/^warning: /, ''));
    expect(await readFile(log, 'utf8')).toMatch(/ebur128/);

    // Warm: the measurement is remembered with the renders, so no ffmpeg runs at all.
    await writeFile(log, '');
    const again = await build(dir, [], { LESSONKIT_FFMPEG: wrapper });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(overlap);
    expect(again.stderr).toMatch(/has sound/);
    expect(await readFile(log, 'utf8')).toBe('');
  });

  it('--strict: the same warnings fail the build, exit 1, listing them, nothing encoded or written', async () => {
    const yaml = `${HEAD}  - id: intro
    title: Intro
    segments:
      - id: loud
        title: Loud
        source: recordings/tone.mp4
        from: 0
        to: 2
`;
    const dir = await course('strict', yaml);
    const r = await build(dir, ['--strict']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: --strict: 1 warning; nothing was encoded or written:\n {2}course\.yaml:\d+:\d+ {2}lessons\[0\]\.segments\[0\] \("loud"\) has sound/m);
    expect(await filesUnder(path.join(dir, 'cache', 'media'))).toEqual([]);
    expect(await filesUnder(path.join(dir, 'dist'))).toEqual([]);
    const json = await build(dir, ['--strict', '--json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { error: { code: string; result: { checks: { rule: string }[] } } };
    expect(doc.error.code).toBe('E_FINDINGS');
    expect(doc.error.result.checks.map((c) => c.rule)).toEqual(['captions-missing']);
    // Without --strict it builds.
    const loose = await build(dir);
    expect(loose.code).toBe(0);
    expect(await filesUnder(path.join(dir, 'dist'))).toEqual(['check-demo-1.0.0-web.zip']);
  });

  it("trim --lesson and split --lesson warn when new segments overlap the lesson's from the same recording; build then reports it at its line", async () => {
    const init = await runCli(['init', 'trimmed', '--yes', '--targets', 'web', '--title', 'Trimmed', '--lesson', 'Basics'], { cwd: tmp.dir });
    expect(init.code).toBe(0);
    const dir = path.join(tmp.dir, 'trimmed');
    await writeFile(path.join(dir, 'recordings', 'quiet.mp4'), await readFile(path.join(media, 'quiet.mp4')));
    const first = await runCli(['trim', 'recordings/quiet.mp4', '--from', '0', '--to', '3', '--lesson', 'basics', '--id', 'first'], { cwd: dir, env: TOOLS });
    expect(first.code).toBe(0);
    expect(first.stderr).not.toMatch(/overlaps/);
    const second = await runCli(['trim', 'recordings/quiet.mp4', '--from', '2', '--to', '4', '--lesson', 'basics', '--id', 'second', '--json'], { cwd: dir, env: TOOLS });
    expect(second.code).toBe(0);
    const warning = 'the new segment "second" (00:00:02 to 00:00:04) overlaps lessons[0].segments[0] ("first", 00:00:00 to 00:00:03) of recordings/quiet.mp4 by 1 s; learners see that part twice (fix: if the repeat is not intended, set from: "00:00:03" for "second" in course.yaml)';
    expect(second.stderr).toContain(`warning: ${warning}`);
    expect((JSON.parse(second.stdout) as { warnings?: string[] }).warnings).toEqual([warning]);
    const split = await runCli(['split', 'recordings/quiet.mp4', '--max', '5s', '--lesson', 'basics'], { cwd: dir, env: TOOLS });
    expect(split.code).toBe(0);
    expect(split.stderr).toContain('warning: lessons[0] ("basics") already has 2 segments from recordings/quiet.mp4 ("first", "second"); the split covers the whole recording, so learners see those parts twice');
    const b = await runCli(['build'], { cwd: dir, env: TOOLS });
    expect(b.stderr).toMatch(/warning: course\.yaml:\d+:\d+ {2}lessons\[0\]\.segments\[1\] \("second", 00:00:02 to 00:00:04\) overlaps lessons\[0\]\.segments\[0\] \("first", line \d+/);
  });

  it('version: 1.0 says YAML read a number and shows the quoted form, at its line and column', async () => {
    const yaml = `${HEAD}  - id: intro
    title: Intro
    segments:
      - id: one
        title: One
        source: recordings/quiet.mp4
        from: 0
        to: 2
`.replace('version: 1.0.0', 'version: 1.0');
    const r = await build(await course('version', yaml));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`course.yaml:${lineCol(yaml, 'version: 1.0')}  version must be text, but YAML reads 1.0 as the number 1 (fix: put it in quotes: version: "1.0"; and a version has three numbers: write version: "1.0.0")`);
  });
});
