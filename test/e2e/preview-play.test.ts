/**
 * `lessonkit preview --headless --play` on the sample course, through the built CLI: without
 * --answers a learner who answers nothing never takes the knowledge checks, so the course ends
 * incomplete with the reason (exit 1); with wrong answers it ends failed with the score (exit 1);
 * a bad answers file stops with exit 2 and its problems located; with the right answers every
 * target ends completed and passed (exit 0). The test pins its
 * Chromium with --browser (the one test/setup/global.ts resolved).
 */
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { copyShortSampleCourse } from '../helpers/sample-course.js';

interface PlayJson {
  ok: boolean;
  packages: {
    target: string;
    completed: boolean;
    ok: boolean;
    items: { record: { completion: string; success: string; completed: boolean; finished: boolean; sessions: number; score?: { scaled?: number; raw?: number } }; reasons: string[] }[];
  }[];
}

describe('lessonkit preview --headless --play', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let course = '';
  let browserPath = '';

  beforeAll(async () => {
    const found = inject('testBrowser');
    if (!found) throw new Error('No Chromium for the browser tests: run `npm ci` or set CHROME_PATH.');
    browserPath = found.path;
    tmp = await makeTempDir('lessonkit-preview-play-');
    course = path.join(tmp.dir, 'course');
    await copyShortSampleCourse(course);
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('the sample course as shipped ends incomplete, exit 1, and says why', { timeout: 180_000 }, async () => {
    const run = await runCli(['preview', course, '--headless', '--play', '--target', 'scorm12', '--browser', browserPath, '--cache-dir', path.join(tmp.dir, 'cache')], { cwd: tmp.dir, timeoutMs: 170_000 });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('scorm12        NOT completed');
    expect(run.stdout).toContain('lesson 1 (mobile-access) knowledge check not taken (pass --answers FILE to take it)');
    expect(run.stdout).toContain('lesson 2 (share-link) knowledge check not taken');
    // Every video was watched: no segment is named as missing.
    expect(run.stdout).not.toMatch(/watched \d+ % of/);
    // The zips and the unpacked packages live in a private temporary folder: no dist/ in the course.
    expect(await readdir(course)).not.toContain('dist');
    expect(await readdir(tmp.dir)).toEqual(expect.not.arrayContaining(['dist', 'pkg', 'zips']));
  });

  const RIGHT = ['mobile-access:', '  status-command: a', '  needs-sync: false', '  enable-what: ./portal enable northwind-dental', 'share-link:', '  share-safety: [It is read-only, b]', '  share-expire: false', ''].join('\n');
  const WRONG = JSON.stringify({ 'mobile-access': { 'status-command': 'b', 'needs-sync': true, 'enable-what': 'ls' }, 'share-link': { 'share-safety': ['a'], 'share-expire': true } });
  const play = (args: string[]) =>
    runCli(['preview', course, '--headless', '--play', '--browser', browserPath, '--cache-dir', path.join(tmp.dir, 'cache'), ...args], { cwd: tmp.dir, timeoutMs: 170_000 });

  it('--answers with wrong answers: completed but failed, with the score and each check, exit 1', { timeout: 180_000 }, async () => {
    await writeFile(path.join(tmp.dir, 'wrong.json'), WRONG);
    const run = await play(['--target', 'scorm2004-4th', '--answers', 'wrong.json']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('scorm2004-4th  completed, FAILED');
    expect(run.stdout).toContain('completed, failed, score 0,');
    expect(run.stdout).toContain('the LMS recorded "failed" with score 0 %');
    expect(run.stdout).toContain('lesson 1 (mobile-access) knowledge check scored 0 % of the 80 % pass mark');
    expect(run.stdout).toContain('lesson 2 (share-link) knowledge check scored 0 % of the 80 % pass mark');
  });

  it('a bad answers file: exit 2, every problem at its line with the value and the fix, nothing played', { timeout: 120_000 }, async () => {
    await writeFile(path.join(tmp.dir, 'bad.yaml'), ['mobile-acess:', '  status-command: a', 'share-link:', '  share-safety: [a, z]', '  share-expire: maybe', '  nope: 1', ''].join('\n'));
    const run = await play(['--target', 'web', '--answers', 'bad.yaml']);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('The answers file bad.yaml has 4 problems');
    expect(run.stderr).toContain('bad.yaml:1:1  there is no lesson "mobile-acess" in the course (fix: did you mean mobile-access?');
    expect(run.stderr).toContain('bad.yaml:4:17  share-link.share-safety has no choice "z" (fix: use a choice id or its text: a (It is read-only), b (It expires after a few days), c (');
    expect(run.stderr).toContain('bad.yaml:5:17  share-link.share-expire is a true-false question, so its answer is true or false, not "maybe"');
    expect(run.stderr).toContain('bad.yaml:6:9  the knowledge check of share-link (quizzes/share-link.yaml) has no question "nope"');
    expect(run.stderr).not.toContain('Playing');
  });

  it('--answers with the right answers: every target ends completed and passed (exit 0)', { timeout: 240_000 }, async () => {
    await writeFile(path.join(tmp.dir, 'right.yaml'), RIGHT);
    const targets = ['scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'xapi', 'cmi5', 'web'];
    const run = await runCli(['preview', course, '--headless', '--play', '--json', '--target', targets.join(','), '--answers', 'right.yaml', '--browser', browserPath, '--cache-dir', path.join(tmp.dir, 'cache')], { cwd: tmp.dir, timeoutMs: 230_000 });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PlayJson;
    expect(result.ok).toBe(true);
    expect(result.packages.map((p) => [p.target, p.completed, p.ok])).toEqual(targets.map((t) => [t, true, true]));
    for (const p of result.packages.filter((x) => x.target !== 'web')) {
      expect(p.items[0]?.record, p.target).toMatchObject({ completion: 'completed', success: 'passed', completed: true, finished: true, sessions: 1 });
      expect(p.items[0]?.record.score?.scaled ?? (p.items[0]?.record.score?.raw ?? 0) / 100, p.target).toBe(1);
      expect(p.items[0]?.reasons).toEqual([]);
    }
  });
});
