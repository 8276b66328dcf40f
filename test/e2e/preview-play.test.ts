/**
 * `lessonkit preview --headless --play` on the sample course, through the built CLI: every
 * target ends completed (exit 0); the course as shipped, whose knowledge checks a learner who
 * answers nothing never takes, ends incomplete with the reason (exit 1). The test pins its
 * Chromium with --browser (the one test/setup/global.ts resolved).
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { copyShortSampleCourse } from '../helpers/sample-course.js';

interface PlayJson {
  ok: boolean;
  packages: { target: string; completed: boolean; items: { record: { completion: string; completed: boolean; finished: boolean; sessions: number }; reasons: string[] }[] }[];
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
    expect(run.stdout).toContain('lesson 1 (mobile-access) knowledge check not taken');
    expect(run.stdout).toContain('lesson 2 (share-link) knowledge check not taken');
    // Every video was watched: no segment is named as missing.
    expect(run.stdout).not.toMatch(/watched \d+ % of/);
    // The zips and the unpacked packages live in a private temporary folder: no dist/ in the course.
    expect(await readdir(course)).not.toContain('dist');
    expect(await readdir(tmp.dir)).toEqual(expect.not.arrayContaining(['dist', 'pkg', 'zips']));
  });

  it('without the knowledge checks, every target ends completed (exit 0)', { timeout: 240_000 }, async () => {
    const yaml = await readFile(path.join(course, 'course.yaml'), 'utf8');
    await writeFile(path.join(course, 'course.yaml'), yaml.replace(/^ {4}quiz: .*\n/gm, ''));
    const targets = ['scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'xapi', 'cmi5', 'web'];
    const run = await runCli(['preview', course, '--headless', '--play', '--json', '--target', targets.join(','), '--browser', browserPath, '--cache-dir', path.join(tmp.dir, 'cache')], { cwd: tmp.dir, timeoutMs: 230_000 });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as PlayJson;
    expect(result.ok).toBe(true);
    expect(result.packages.map((p) => [p.target, p.completed])).toEqual(targets.map((t) => [t, true]));
    for (const p of result.packages.filter((x) => x.target !== 'web')) {
      expect(p.items[0]?.record).toMatchObject({ completion: 'completed', completed: true, finished: true, sessions: 1 });
      expect(p.items[0]?.reasons).toEqual([]);
    }
  });
});
