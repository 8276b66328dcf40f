/** The course check's logic, without ffmpeg: structure, ranges, overlaps, scaffold text, sound. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOverlaps, checkPlaceholders, checkRanges, checkStructure, formatFinding, hasSound, isUnchangedScaffold, scaffoldMatcher, type ProbedRecording } from '../../../src/core/course/check.js';
import { checkCourseText, type Course } from '../../../src/core/course/load.js';
import type { Locate } from '../../../src/core/course/yaml-problems.js';
import type { MediaInfo, MediaTimeline } from '../../../src/core/media/probe.js';
import { renderTemplate } from '../../../src/core/templates.js';
import { UserError } from '../../../src/errors.js';
import { makeTempDir } from '../../helpers/cli.js';

const YAML = `id: demo
title: Demo
lessons:
  - id: intro
    title: Intro
    segments:
      - id: one
        title: One
        source: rec.mp4
        from: 0
        to: 4
      - id: two
        title: Two
        source: rec.mp4
        from: 3
        to: 300
  - id: later
    title: Later
    segments: []
`;

async function courseOf(text: string): Promise<{ course: Course; locate: Locate }> {
  const r = await checkCourseText(text, '/c', false);
  if (!r.course || !r.locate) throw new Error(r.problems.map((p) => p.message).join('\n'));
  return { course: r.course, locate: r.locate };
}

/** A probed 7.02 s, 15 fps recording (what the lavfi fixtures look like). */
function recording(duration = 7.02, fps = 15): ProbedRecording {
  const frames = Math.floor(duration * fps);
  const frameTimes = Array.from({ length: frames }, (_, i) => i / fps);
  const info = {
    file: '/c/rec.mp4',
    size: 1,
    container: 'mov,mp4',
    duration,
    video: { codec: 'h264', level: 0, pixelFormat: 'yuv420p', width: 320, height: 180, displayWidth: 320, displayHeight: 180, rotation: 0, frameRate: { num: fps, den: 1 }, fps, variableFrameRate: false, frames, keyframeInterval: { max: 1, average: 1 }, color: {}, bFrames: false },
    smartCut: { possible: false, reasons: ['test'] },
    needsSplit: false,
  } as MediaInfo;
  const timeline: MediaTimeline = { frameTimes, keyframeTimes: [0], reorderDelay: 0 };
  return { info, timeline };
}

describe('checkStructure', () => {
  it('a course with no segment anywhere is one error at lessons:, naming the command that adds segments', async () => {
    const { course, locate } = await courseOf('id: demo\ntitle: Demo\nlessons:\n  - id: intro\n    title: Intro\n    segments: []\n');
    const f = checkStructure(course, locate);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: 'course-empty', severity: 'error', file: 'course.yaml', line: 4, column: 3 });
    expect(f[0]?.message).toMatch(/^the course has no videos: its lesson has no segments/);
    expect(f[0]?.hint).toMatch(/--lesson intro/);
  });

  it('an empty lesson beside others is a warning at its segments: saying it can never be completed', async () => {
    const { course, locate } = await courseOf(YAML);
    const f = checkStructure(course, locate);
    expect(f).toEqual([expect.objectContaining({ rule: 'lesson-empty', severity: 'warning', line: 19, column: 15 })]);
    expect(f[0]?.message).toMatch(/lessons\[1\] \("later"\) has no segments; a learner can never complete it/);
  });
});

describe('checkRanges', () => {
  it('a to past the recording end is an error at that to (line and column), with the duration and the fix', async () => {
    const { course, locate } = await courseOf(YAML);
    const f = checkRanges(course, locate, new Map([['/c/rec.mp4', recording()]]));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: 'range-past-end', severity: 'error', path: 'lessons[0].segments[1].to', line: 16, column: 13 });
    expect(formatFinding(f[0]!)).toMatch(/^course\.yaml:16:13 {2}lessons\[0\]\.segments\[1\]\.to \(00:05:00\) is past the end of rec\.mp4, which is 00:00:07\.\d+ long \(fix: end the segment at 00:00:07\.\d+ or earlier/);
    expect(f[0]?.message).not.toMatch(/--to/);
  });

  it('a from at or past the end points at from; half a frame over the end is still the end', async () => {
    const { course, locate } = await courseOf(YAML.replace('from: 3\n        to: 300', 'from: 8\n        to: 9').replace('to: 4', 'to: 7.05'));
    const f = checkRanges(course, locate, new Map([['/c/rec.mp4', recording()]]));
    expect(f.map((x) => `${x.path} ${x.line}:${x.column}`)).toEqual(['lessons[0].segments[1].from 15:15']);
  });

  it('an unreadable recording is one error at the source of the first segment that uses it', async () => {
    const { course, locate } = await courseOf(YAML);
    const f = checkRanges(course, locate, new Map([['/c/rec.mp4', { error: new UserError('rec.mp4 is not a readable video (moov atom not found).', { hint: 'export it again' }) }]]));
    expect(f).toEqual([expect.objectContaining({ rule: 'recording-unreadable', line: 9, column: 17, hint: 'export it again' })]);
    expect(f[0]?.message).toBe('lessons[0].segments[0].source: rec.mp4 is not a readable video (moov atom not found)');
  });
});

describe('checkOverlaps', () => {
  it('two segments of a lesson sharing part of one recording: a warning at the later one naming both lines', async () => {
    const { course, locate } = await courseOf(YAML);
    const f = checkOverlaps(course, locate);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: 'segment-overlap', severity: 'warning', line: 15, column: 15 });
    expect(f[0]?.message).toBe('lessons[0].segments[1] ("two", 00:00:03 to 00:05:00) overlaps lessons[0].segments[0] ("one", line 7, 00:00:00 to 00:00:04) by 1 s of rec.mp4; learners see that part twice');
    expect(f[0]?.hint).toBe('if the repeat is not intended, write from: "00:00:04" for lessons[0].segments[1]');
  });

  it('adjacent segments, other recordings and other lessons do not count', async () => {
    const adjacent = await courseOf(YAML.replace('from: 3', 'from: 4'));
    expect(checkOverlaps(adjacent.course, adjacent.locate)).toEqual([]);
    const other = await courseOf(YAML.replace('source: rec.mp4\n        from: 3', 'source: other.mp4\n        from: 3'));
    expect(checkOverlaps(other.course, other.locate)).toEqual([]);
    const split = await courseOf(YAML.replace('      - id: two', '    workbook: w.md\n  - id: two-lesson\n    title: T\n    segments:\n      - id: two'));
    expect(checkOverlaps(split.course, split.locate)).toEqual([]);
  });
});

describe('scaffold placeholders', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    await mkdir(path.join(dir, 'workbooks'));
    await mkdir(path.join(dir, 'quizzes'));
  });
  afterEach(() => cleanup());

  it('matches a scaffold whatever lesson title it names, and nothing edited', async () => {
    const matcher = scaffoldMatcher(await renderTemplate('scaffold/workbook.md.hbs', { lessonId: 'lessonkitstandinid', lessonTitle: 'lessonkitstandintitle' }));
    const written = await renderTemplate('scaffold/workbook.md.hbs', { lessonId: 'x', lessonTitle: 'Sharing *files* & "links"' });
    expect(isUnchangedScaffold(written, matcher)).toBe(true);
    expect(isUnchangedScaffold(written.replace(/\n/g, '\r\n') + '\n\n', matcher)).toBe(true);
    expect(isUnchangedScaffold(written.replace('Step two.', 'Open the client list.'), matcher)).toBe(false);
    expect(isUnchangedScaffold('# My workbook\n', matcher)).toBe(false);
  });

  it('warns for each scaffolded file left as written, and for example questions kept among the author\'s', async () => {
    const data = { lessonId: 'intro', lessonTitle: 'Intro' };
    await writeFile(path.join(dir, 'workbooks/intro.md'), await renderTemplate('scaffold/workbook.md.hbs', data));
    await writeFile(path.join(dir, 'workbooks/intro-cheatsheet.md'), '# Cheat-sheet\n\n| I want to... | Do this |\n');
    const quiz = (await renderTemplate('scaffold/quiz.yaml.hbs', data)).replace('title: Check your understanding', 'title: Sharing');
    await writeFile(path.join(dir, 'quizzes/intro.yaml'), quiz);
    const r = await checkCourseText(
      'id: demo\ntitle: Demo\nlessons:\n  - id: intro\n    title: Intro\n    segments: []\n    workbook: workbooks/intro.md\n    cheatsheet: workbooks/intro-cheatsheet.md\n    quiz: quizzes/intro.yaml\n',
      dir,
      true,
    );
    const f = await checkPlaceholders(r.course!);
    expect(f.map((x) => formatFinding(x))).toEqual([
      expect.stringMatching(/^workbooks\/intro\.md:1:1 {2}the whole file is still the example workbook that lessonkit wrote for lessons\[0\] \("intro"\); learners would read placeholder text \(fix: write the lesson's workbook in workbooks\/intro\.md, or remove workbook: from lessons\[0\] in course\.yaml\)$/),
      expect.stringMatching(/^quizzes\/intro\.yaml:\d+:\d+ {2}questions\[0\] is still an example question that lessonkit wrote/),
      expect.stringMatching(/^quizzes\/intro\.yaml:\d+:\d+ {2}questions\[1\] is still an example question/),
      expect.stringMatching(/^quizzes\/intro\.yaml:\d+:\d+ {2}questions\[2\] is still an example question/),
    ]);
  });
});

describe('hasSound', () => {
  it('speech-level loudness counts, room tone and digital silence do not', () => {
    expect(hasSound({ integrated: -23 })).toBe(true);
    expect(hasSound({ integrated: -49.9 })).toBe(true);
    expect(hasSound({ integrated: -62 })).toBe(false);
    expect(hasSound({ integrated: null })).toBe(false);
    expect(hasSound(undefined)).toBe(false);
  });
});
