/**
 * File-system faults on output paths, through the built CLI: a missing folder, a path through
 * a file, a read-only folder, a file-size limit hit while writing a zip. Each is exit 2 with a
 * message naming the path and the fix, no stack, and nothing partial left behind.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeTempDir, runCli, type CliRun } from '../helpers/cli.js';
import { makeMediaCourse } from '../helpers/media-course.js';

let dir: string;
let cleanup: () => Promise<void>;

/**
 * Root ignores folder modes, so as root the read-only folder is one the kernel refuses even to
 * root: a new name under /sys (sysfs takes no new files; in containers it is mounted read-only).
 * Running the CLI as another user instead would depend on that user reaching the checkout.
 */
const asRoot = process.getuid?.() === 0;
const REFUSED = /(permission denied in|is on a read-only file system)/;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('lessonkit-fs-faults-'));
  // Traversable by the unprivileged user the read-only tests run as (mkdtemp makes it 0700).
  await chmod(dir, 0o755);
  await makeMediaCourse(path.join(dir, 'course'));
  await chmod(path.join(dir, 'course'), 0o755);
});
afterAll(async () => cleanup());

/** Exit 2, one error line matching `message`, a fix, no stack trace, nothing on stdout. */
function expectUserError(r: CliRun, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines.find((l) => l.startsWith('error: '))).toMatch(message);
  expect(r.stderr).toMatch(/fix: /);
  expect(r.stderr).not.toMatch(/internal error|\bat .*\.js:\d+/);
}

describe('trim --out', () => {
  it('into a folder that does not exist: names the folder and how to create it, encodes nothing', async () => {
    const r = await runCli(['trim', 'course/recordings/rec.mp4', '--from', '1', '--to', '2', '--out', 'no-such/clips/intro.mp4'], { cwd: dir });
    expectUserError(r, new RegExp(`^error: Cannot write ${path.join(dir, 'no-such/clips/intro.mp4')}: the folder ${path.join(dir, 'no-such')} does not exist\\.$`));
    expect(r.stderr).toContain(`mkdir -p "${path.join(dir, 'no-such/clips')}"`);
    expect(r.stderr).not.toMatch(/lessonkit probe/);
    await expect(stat(path.join(dir, 'no-such'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('through a regular file (ENOTDIR): names the file', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'not a folder');
    const r = await runCli(['trim', 'course/recordings/rec.mp4', '--from', '1', '--to', '2', '--out', 'notes.txt/intro.mp4'], { cwd: dir });
    expectUserError(r, new RegExp(`${path.join(dir, 'notes.txt')} is a file, not a folder\\.$`));
  });

  it(`into a read-only folder (${asRoot ? 'under /sys, as root ignores modes' : 'mode 555'}): refused with the folder named, nothing written`, async () => {
    if (asRoot) {
      const target = `/sys/lessonkit-test-${process.pid}.mp4`;
      const r = await runCli(['trim', 'course/recordings/rec.mp4', '--from', '1', '--to', '2', '--out', target], { cwd: dir });
      expectUserError(r, new RegExp(`^error: Cannot write ${target}: ${REFUSED.source} /sys`));
      await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
      return;
    }
    const ro = path.join(dir, 'read-only');
    await mkdir(ro);
    await chmod(ro, 0o555);
    const r = await runCli(['trim', 'course/recordings/rec.mp4', '--from', '1', '--to', '2', '--out', 'read-only/intro.mp4'], { cwd: dir });
    expectUserError(r, new RegExp(`^error: Cannot write ${path.join(ro, 'intro.mp4')}: permission denied in ${ro}\\.$`));
    expect(r.stderr).toMatch(/fix: Choose a folder you can write to with --out/);
    expect(await readdir(ro)).toEqual([]);
  });
});

describe('build', () => {
  it('--out a read-only folder fails before any video is encoded', async () => {
    const cache = path.join(dir, 'cache-never-made');
    if (asRoot) {
      const out = `/sys/lessonkit-test-${process.pid}-dist`;
      const r = await runCli(['build', 'course', '--target', 'web', '--out', out, '--cache-dir', cache], { cwd: dir });
      expectUserError(r, new RegExp(`^error: Cannot write ${out}\\S*: ${REFUSED.source} /sys`));
      await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' });
    } else {
      const ro = path.join(dir, 'read-only-dist');
      await mkdir(ro);
      await chmod(ro, 0o555);
      const r = await runCli(['build', 'course', '--target', 'web', '--out', 'read-only-dist', '--cache-dir', cache], { cwd: dir });
      expectUserError(r, new RegExp(`^error: Cannot write ${ro}: permission denied in ${ro}\\.$`));
      expect(await readdir(ro)).toEqual([]);
    }
    // The check runs first: nothing was rendered (the cache holds at most the remembered probes).
    expect((await readdir(cache).catch(() => [])).filter((f) => f !== 'probes')).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('a zip too large for the file-size limit (EFBIG) leaves no temp file', async () => {
    const cache = path.join(dir, 'cache');
    // Render once without a limit, so the limited run only writes the zip.
    const first = await runCli(['build', 'course', '--target', 'web', '--out', 'dist-full', '--cache-dir', cache, '--json'], { cwd: dir });
    expect(first.code).toBe(0);
    const zipSize = (JSON.parse(first.stdout) as { bundles: { size: number }[] }).bundles[0]?.size ?? 0;
    const cached = await largestFile(cache);
    expect(zipSize).toBeGreaterThan(cached + 4096);
    // bash's `ulimit -f` counts 1024-byte blocks: a limit above every cached file, below the zip.
    const blocks = Math.floor((cached + zipSize) / 2 / 1024);
    const out = path.join(dir, 'dist-limited');
    const r = await new Promise<CliRun>((resolve) => {
      execFile('bash', ['-c', `ulimit -f ${blocks} && exec "$0" "$@"`, process.execPath, BIN, 'build', 'course', '--target', 'web', '--out', out, '--cache-dir', cache], { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: '1' } }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expectUserError(r, new RegExp(`^error: Cannot write ${path.join(out, 'demo-course-1.0.0-web.zip')}: the file is larger than the file system or the file-size limit allows\\.$`));
    expect(await readdir(out)).toEqual([]);
  });
});

describe('init', () => {
  it('under a regular file: names it, exit 2', async () => {
    await writeFile(path.join(dir, 'plain-file'), 'x');
    const r = await runCli(['init', 'plain-file/new-course', '--yes', '--title', 'New'], { cwd: dir });
    expectUserError(r, new RegExp(`${path.join(dir, 'plain-file')} is a file, not a folder\\.$`));
  });
});

/** The size of the largest file under `root`. */
async function largestFile(root: string): Promise<number> {
  let max = 0;
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) max = Math.max(max, (await stat(path.join(e.parentPath, e.name))).size);
  }
  return max;
}
