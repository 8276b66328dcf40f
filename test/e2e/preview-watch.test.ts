/**
 * `lessonkit preview --watch` through the built CLI: an edited workbook is rebuilt and served;
 * a broken course.yaml is reported on stderr and by /__lk/api/build.json while the last good
 * build stays served; the fix is served again; Ctrl-C stops it (exit 130) and removes its
 * temporary folder. Waits on the build endpoint, never on fixed sleeps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeTempDir } from '../helpers/cli.js';
import { makeMediaCourse } from '../helpers/media-course.js';

interface BuildStatus {
  id: number;
  state: 'ok' | 'building' | 'error';
  watching: boolean;
  changed?: string[];
  message?: string;
  details?: string[];
}

describe('lessonkit preview --watch', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let child: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    tmp = await makeTempDir('lessonkit-preview-watch-');
    await makeMediaCourse(path.join(tmp.dir, 'course'));
  }, 60_000);
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await tmp?.cleanup();
  });

  /** Polls `check` every 100 ms until it returns a value, or fails after `ms` with what was last seen. */
  async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
    const end = Date.now() + ms;
    let last: unknown;
    while (Date.now() < end) {
      const v = await check().catch((err: unknown) => {
        last = err;
        return undefined;
      });
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}\nstderr:\n${stderr}`);
  }

  it('rebuilds on a change, keeps the last good build on an error, and stops on Ctrl-C', { timeout: 120_000 }, async () => {
    const course = path.join(tmp.dir, 'course');
    const privateTmp = path.join(tmp.dir, 'tmp');
    await mkdir(privateTmp);
    const before = (await readdir(course)).sort();
    child = spawn(process.execPath, [BIN, 'preview', course, '--watch', '--target', 'web', '--cache-dir', path.join(tmp.dir, 'cache')], {
      cwd: tmp.dir,
      env: { ...process.env, NO_COLOR: '1', CI: '1', TMPDIR: privateTmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    exited = new Promise((resolve) => child?.on('exit', (code) => resolve(code)));

    const url = await until('the URL', async () => /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1]);
    const build = async () => (await (await fetch(`${url}__lk/api/build.json`)).json()) as BuildStatus;
    const workbook = async () => (await fetch(`${url}pkg/web/materials/workbooks/intro.html`)).text();
    expect(await build()).toMatchObject({ id: 1, state: 'ok', watching: true });
    expect(stderr).toContain('Watching the course for changes.');
    expect(await workbook()).not.toContain('Saved by the watcher');

    // 1. An edited workbook is rebuilt and served.
    await appendFile(path.join(course, 'workbooks/intro.md'), '\nSaved by the watcher.\n');
    const second = await until('build 2', async () => ((await build()).id === 2 ? build() : undefined));
    expect(second).toMatchObject({ id: 2, state: 'ok', changed: ['workbooks/intro.md'] });
    expect(await workbook()).toContain('Saved by the watcher.');
    expect(stderr).toContain('Rebuilt after a change of workbooks/intro.md: build 2 is served.');

    // 2. A broken course.yaml: the error on stderr and in the build status; build 2 stays served.
    const yamlFile = path.join(course, 'course.yaml');
    const good = await readFile(yamlFile, 'utf8');
    const lines = good.split('\n');
    const line = lines.findIndex((l) => l.trim() === 'to: 2') + 1;
    await writeFile(yamlFile, good.replace('to: 2\n', 'to: soon\n'));
    const failed = await until('the failed rebuild', async () => {
      const b = await build();
      return b.state === 'error' ? b : undefined;
    });
    expect(failed).toMatchObject({ id: 2, state: 'error', changed: ['course.yaml'] });
    expect(failed.details?.join('\n')).toMatch(new RegExp(`course/course\\.yaml:${line}:13 +lessons\\[0\\]\\.segments\\[0\\]\\.to \\("soon"\\) is not a time`));
    await until('the error on stderr', async () => (stderr.includes('The rebuild failed') ? true : undefined), 10_000);
    expect(stderr).toContain('error: The rebuild failed; build 2 is still served.');
    expect(stderr).toContain(`course/course.yaml:${line}:13  lessons[0].segments[0].to ("soon") is not a time`);
    expect(stderr).toContain('then save: the preview rebuilds by itself.');
    expect(await workbook()).toContain('Saved by the watcher.');

    // 3. Fixed: served again as build 3.
    await writeFile(yamlFile, good);
    expect(await until('build 3', async () => ((await build()).id === 3 ? build() : undefined))).toMatchObject({ state: 'ok', changed: ['course.yaml'] });
    expect(await workbook()).toContain('Saved by the watcher.');

    // 4. Ctrl-C: exit 130, the private temporary folder removed, nothing written into the course.
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(await readdir(privateTmp)).toEqual([]);
    expect((await readdir(course)).sort()).toEqual(before);
  });
});
