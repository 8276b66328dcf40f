/** File-system faults on output paths become UserErrors that name the path and the fix (exit 2). */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { checkWritableFolder, toWriteError, withWriteErrors, writeFileAtomic } from '../../../src/utils/fs.js';
import { makeTempDir } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await makeTempDir('lessonkit-fs-')));
afterEach(async () => cleanup());

describe.skipIf(process.platform !== 'linux')('a real full disk (/dev/full, Linux)', () => {
  it('ENOSPC becomes a disk-full UserError naming the output and the disk to free', async () => {
    // Writing to /dev/full always fails with ENOSPC: a real full-disk error, no mount needed.
    const err = await writeFile('/dev/full', 'x').catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const out = path.join(dir, 'dist', 'course-web.zip');
    const mapped = toWriteError(Object.assign(err as Error, { path: undefined }), out, { flag: '--out' });
    expect(mapped).toBeInstanceOf(UserError);
    expect(mapped).toMatchObject({ code: 'E_DISK_FULL', exitCode: 2, message: `Cannot write ${out}: the disk is full.` });
    expect((mapped as UserError).hint).toContain(`Free space on the disk that holds ${path.join(dir, 'dist')}`);
    expect((mapped as UserError).hint).toContain('--out');
  });
});

describe('toWriteError', () => {
  it('names the file that stands where a folder should be (ENOTDIR) and leaves no temp file', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'a file');
    const target = path.join(dir, 'notes.txt', 'out', 'course.yaml');
    const err = await writeFileAtomic(target, 'id: x\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'E_WRITE', message: `Cannot write ${target}: ${path.join(dir, 'notes.txt')} is a file, not a folder.` });
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });
  it('names a missing folder and how to create it', async () => {
    const target = path.join(dir, 'nope', 'deeper', 'x.mp4');
    const err = await checkWritableFolder(path.dirname(target), target, { flag: '--out' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_WRITE', message: `Cannot write ${target}: the folder ${path.join(dir, 'nope')} does not exist.` });
    expect((err as UserError).hint).toBe(`Create it first (mkdir -p ${JSON.stringify(path.dirname(target))}), or choose another folder with --out.`);
    // With create, a missing folder is fine when the nearest existing one is writable.
    await expect(checkWritableFolder(path.dirname(target), target, { create: true })).resolves.toBeUndefined();
    // An output folder that is a file (build --out notes.txt).
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    await expect(checkWritableFolder(path.join(dir, 'notes.txt'), path.join(dir, 'notes.txt'), { create: true, flag: '--out' })).rejects.toMatchObject({
      message: `Cannot write into ${path.join(dir, 'notes.txt')}: it is a file, not a folder.`,
    });
  });
  it('says how to raise the open-file limit (EMFILE) and what a read-only disk needs (EROFS)', () => {
    const target = path.join(dir, 'x.zip');
    const emfile = toWriteError(Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }), target) as UserError;
    expect(emfile.message).toBe(`Cannot open ${target}: too many files are open.`);
    expect(emfile.hint).toMatch(/ulimit -n/);
    const erofs = toWriteError(Object.assign(new Error('EROFS'), { code: 'EROFS', path: path.join(dir, '.x.zip.tmp'), syscall: 'open' }), target, { flag: '--out' }) as UserError;
    expect(erofs.message).toBe(`Cannot write ${target}: ${dir} is on a read-only file system.`);
    expect(erofs.hint).toBe('Choose a writable folder with --out.');
  });
  it('leaves other errors alone: a missing input is not a write fault', () => {
    const missingSource = Object.assign(new Error('ENOENT'), { code: 'ENOENT', path: '/somewhere/else/recording.mp4' });
    expect(toWriteError(missingSource, path.join(dir, 'out.zip'))).toBe(missingSource);
    const bug = new TypeError('x is undefined');
    expect(toWriteError(bug, path.join(dir, 'out.zip'))).toBe(bug);
  });
  it('the outermost caller names the path the user chose', async () => {
    await mkdir(path.join(dir, 'cache'));
    const inner = toWriteError(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }), path.join(dir, 'cache', '.tmp-1', 'video.mp4'));
    const err = await withWriteErrors(path.join(dir, 'cache'), () => Promise.reject(inner), { flag: '--cache-dir' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_DISK_FULL', message: `Cannot write ${path.join(dir, 'cache')}: the disk is full.` });
    expect((err as UserError).hint).toContain('--cache-dir');
  });
});
