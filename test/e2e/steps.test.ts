/**
 * `lessonkit steps` on a generated recording whose screen changes are known (titles switching,
 * dialogs opening on part of the screen, a cursor that never rests, narration captions): the
 * steps are found where the screen changed, titles are read, each step gets the cue spoken then,
 * a redaction region never reaches the still or the text, --write and re-runs behave.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs generator shared with bench/steps.mjs
import { generateStepsRecording } from '../../fixtures/steps/generate.mjs';
import { BIN, makeTempDir, runCli } from '../helpers/cli.js';

interface Change {
  time: number;
  kind: 'page' | 'dialog';
  title: string;
  dialog?: string;
}
interface Step {
  segment: string;
  time: number;
  title: string;
  text: string;
  spoken: string[];
  sentence: string;
  image: string;
}

const COURSE = `# The author's comment, kept by --write
id: steps-demo
title: Steps demo
lessons:
  - id: portal
    title: Using the portal
    segments:
      - id: tour
        title: A tour of the portal
        source: recordings/tour.mp4
        from: 0
        to: 24
        captions: recordings/tour.srt
targets: [web]
redact:
  # The first dialog's heading is client data: hidden in the video, so in the still and the text too.
  - source: recordings/tour.mp4
    box: [340, 120, 200, 40]
    from: 7
    to: 12
`;

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let course: string;
let truth: { changes: Change[]; cues: { start: number; end: number; text: string }[] };
let steps: Step[];
let first: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-steps-');
  course = path.join(tmp.dir, 'course');
  await mkdir(path.join(course, 'recordings'), { recursive: true });
  const ffmpeg = process.env.LESSONKIT_FFMPEG as string;
  truth = generateStepsRecording(ffmpeg, path.join(course, 'recordings/tour.mp4'));
  await writeFile(path.join(course, 'course.yaml'), COURSE);
  first = await runCli(['steps', 'portal', '--write', '--json'], { cwd: course });
  steps = first.code === 0 ? (JSON.parse(first.stdout) as { steps: Step[] }).steps : [];
});
afterAll(async () => {
  await tmp?.cleanup();
});

describe('lessonkit steps on a recording with known changes', () => {
  it('finds each known change within 0.5 s (at least 90 % found, at most 10 % extra)', () => {
    expect(first.stderr).not.toMatch(/error/i);
    expect(first.code).toBe(0);
    const found = truth.changes.filter((c) => steps.some((s) => Math.abs(s.time - c.time) <= 0.5));
    const extra = steps.filter((s) => !truth.changes.some((c) => Math.abs(s.time - c.time) <= 0.5));
    expect(found.length / truth.changes.length).toBeGreaterThanOrEqual(0.9);
    expect(extra.length / truth.changes.length).toBeLessThanOrEqual(0.1);
  });

  it('reads the title on screen at each step and pairs each step with the cue spoken then', () => {
    for (const c of truth.changes) {
      const s = steps.find((x) => Math.abs(x.time - c.time) <= 0.5);
      expect(s?.title, `title at ${c.time} s`).toBe(c.title);
      const cue = truth.cues.find((q) => q.start <= c.time + 0.5 && q.end > c.time);
      expect(s?.spoken, `cue at ${c.time} s`).toEqual([cue?.text]);
    }
    // The narrator's words become the instruction: "Now I click Invoices in the menu." -> "Click Invoices in the menu."
    expect(steps.map((s) => s.sentence)).toContain('Click Invoices in the menu.');
    expect(steps.map((s) => s.sentence)).toContain('Open Settings.');
  });

  it('reads the changed region, except what a redaction region hides', () => {
    const exportDialog = steps.find((s) => Math.abs(s.time - 16) <= 0.5);
    expect(exportDialog?.text).toMatch(/Export report/);
    const hidden = steps.find((s) => Math.abs(s.time - 8) <= 0.5);
    expect(hidden?.text ?? '').not.toMatch(/invoice/i);
    // The still itself: the heading's box is blurred in step 3 (no dark glyph pixels left), legible in step 5.
    const dark = (image: string) => {
      const raw = execFileSync(process.env.LESSONKIT_FFMPEG as string, ['-loglevel', 'error', '-i', image, '-vf', 'crop=200:40:340:120', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1']);
      return raw.filter((v) => v < 100).length;
    };
    expect(dark(exportDialog?.image as string)).toBeGreaterThan(100);
    expect(dark(hidden?.image as string)).toBe(0);
  });

  it('writes the draft in the workbook format beside its stills, and --write points cheatsheet: at it', async () => {
    const md = await readFile(path.join(course, 'workbooks/portal-steps.md'), 'utf8');
    expect(md).toMatch(/^# Using the portal: step by step$/m);
    expect(md).toMatch(/^## You will need$/m);
    expect(md).toContain('2. Click Invoices in the menu.');
    expect(md).toContain('[Watch step 2 in the video "A tour of the portal" at 0:04](#video=tour&t=4');
    expect(md).toMatch(/!\[Step 5: "Export report" on the Reports screen, outlined in red\]\(portal-steps\/step-05\.(webp|png)\)/);
    const stills = (await readdir(path.join(course, 'workbooks/portal-steps'))).sort();
    expect(stills).toHaveLength(steps.length);
    const yaml = await readFile(path.join(course, 'course.yaml'), 'utf8');
    expect(yaml).toContain("# The author's comment, kept by --write");
    expect(yaml).toMatch(/cheatsheet: workbooks\/portal-steps\.md/);
  });

  it('never replaces a draft without --force; with a cheat-sheet set, --write leaves it and writes beside', async () => {
    const draft = path.join(course, 'workbooks/portal-steps.md');
    await writeFile(draft, '# My edited steps\n');
    const again = await runCli(['steps', 'portal'], { cwd: course });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/workbooks\/portal-steps\.md already exists.*--force/s);
    expect(await readFile(draft, 'utf8')).toBe('# My edited steps\n');

    await copyFile(path.join(course, 'course.yaml'), path.join(tmp.dir, 'before.yaml'));
    const other = await runCli(['steps', 'tour', '--write', '--max', '2', '--out', 'workbooks/short.md'], { cwd: course });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toMatch(/already has a cheat-sheet \(workbooks\/portal-steps\.md\)/);
    expect(await readFile(path.join(course, 'course.yaml'), 'utf8')).toBe(await readFile(path.join(tmp.dir, 'before.yaml'), 'utf8'));
    expect((await readFile(path.join(course, 'workbooks/short.md'), 'utf8')).match(/^\d+\. /gm)).toHaveLength(2);
  });

  it('Ctrl-C after the scan: exit 130, no draft, no pictures, no temp folder', async () => {
    const before = (await readdir(path.join(course, 'workbooks'))).sort();
    const child = spawn(process.execPath, [BIN, 'steps', 'tour', '--out', 'workbooks/cancelled.md'], { cwd: course, env: { ...process.env, NO_COLOR: '1', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const scanned = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/scan tour done/.test(stderr)) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The scan is done: the stills and the OCR follow (a cancelled OCR read is covered in test/unit/ocr).
    await Promise.race([scanned, exited]);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain('Cancelled.');
    expect((await readdir(path.join(course, 'workbooks'))).sort()).toEqual(before);
  });
});
