import { constants, statSync } from 'node:fs';
import { access, mkdir, mkdtemp, rename, rm, rmdir, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';

/**
 * Writes a file atomically: to a temporary file beside the target, then renamed over it.
 * A crash or Ctrl-C never leaves a half-written file at `file`; a file-system fault (a full
 * disk, a read-only folder) is a UserError naming `file` (see {@link toWriteError}).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: WriteErrorOptions = {}): Promise<void> {
  const tmp = tempPathBeside(file);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    // `force` ignores only ENOENT: under a file (ENOTDIR) rm throws too, and would hide the real error.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw toWriteError(err, file, options);
  }
}

/** A unique temporary path in the same folder as `file` (same file system, so rename is atomic). */
export function tempPathBeside(file: string): string {
  // Web Crypto's global rather than an import of node:crypto, which would cost every command's
  // start-up about 4 ms whether or not it writes a file.
  const suffix = Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(4))).toString('hex');
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${suffix}.tmp`);
}

/** True when the path exists (file or folder). */
export async function pathExists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** True when `child` is `parent` or inside it (after resolving `..`). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** A path shown to the user: relative to `cwd` when that is shorter. */
export function displayPath(p: string, cwd: string): string {
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && rel.length < p.length ? rel : p;
}

/** Options for {@link toWriteError}. */
export interface WriteErrorOptions {
  /** The flag that chooses this location (`--out`, `--cache-dir`), named in the fix. */
  flag?: string;
}

/** Errno codes of a failed write that the user can fix (the rest are bugs or someone else's path). */
const WRITE_FAULTS = new Set(['ENOENT', 'ENOTDIR', 'EEXIST', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'EFBIG', 'EMFILE', 'ENFILE']);

/** The errno-carrying error inside `err`: itself, or the cause of a write UserError made earlier. */
function errnoOf(err: unknown): NodeJS.ErrnoException | undefined {
  if (err instanceof UserError) {
    return (err.code === 'E_WRITE' || err.code === 'E_DISK_FULL') && err.cause instanceof Error ? errnoOf(err.cause) : undefined;
  }
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string') return err as NodeJS.ErrnoException;
  return undefined;
}

/** True when `p` is an existing folder. */
function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Walking up from `dir`: the topmost missing folder, or the file that stands where a folder should be. */
function firstProblemOnPath(dir: string): { missing?: string; file?: string } {
  let missing: string | undefined;
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) return { file: p };
      return missing ? { missing } : {};
    } catch {
      missing = p;
    }
    if (path.dirname(p) === p) return missing ? { missing } : {};
  }
}

/**
 * Turns a file-system error on an output or cache path into a `UserError` (exit 2) that names
 * `target` and says what to do: create the folder, choose a writable one, free disk space,
 * raise the open-file limit. Errors that are not such faults (or concern another path, such
 * as a missing input) are returned unchanged. A write UserError made for an inner path is
 * re-made for `target`, so the outermost caller names the path the user chose.
 */
export function toWriteError(err: unknown, target: string, options: WriteErrorOptions = {}): unknown {
  const e = errnoOf(err);
  if (!e?.code || !WRITE_FAULTS.has(e.code)) return err;
  const dir = path.dirname(target);
  // An error about some other file (a missing source streamed into a zip) is not ours to explain.
  if (e.path && !isInside(dir, path.resolve(e.path)) && !isInside(path.resolve(e.path), dir)) return err;
  // The folder the system refused: the one a file (or folder) was to be created in, or the
  // existing folder a check was refused on.
  const refused = e.path ? path.resolve(e.path) : undefined;
  const where = !refused ? dir : e.syscall !== 'mkdir' && isFolder(refused) ? refused : path.dirname(refused);
  const elsewhere = options.flag ? `choose another folder with ${options.flag}` : 'write somewhere else';
  const fail = (message: string, hint: string, code: 'E_WRITE' | 'E_DISK_FULL' = 'E_WRITE') => new UserError(message, { code, hint, cause: e });
  // mkdir -p through a file answers EEXIST; any other EEXIST is not a write fault of ours.
  if (e.code === 'EEXIST' && e.syscall !== 'mkdir') return err;
  switch (e.code) {
    case 'ENOENT':
    case 'EEXIST':
    case 'ENOTDIR': {
      // From the target itself: `build --out` names a folder, and it may be the file in the way.
      const p = firstProblemOnPath(e.code === 'ENOENT' ? dir : target);
      if (p.file === path.resolve(target)) return fail(`Cannot write into ${target}: it is a file, not a folder.`, `Give a folder, or ${elsewhere}.`);
      if (p.file) return fail(`Cannot write ${target}: ${p.file} is a file, not a folder.`, `Give a path whose folders are folders, or ${elsewhere}.`);
      // Every folder exists and still "no such file": a system folder such as /proc.
      if (!p.missing) return fail(`Cannot write ${target}: ${dir} does not accept new files.`, `${elsewhere.charAt(0).toUpperCase()}${elsewhere.slice(1)}.`);
      return fail(`Cannot write ${target}: the folder ${p.missing} does not exist.`, `Create it first (mkdir -p ${JSON.stringify(dir)}), or ${elsewhere}.`);
    }
    case 'EISDIR':
      return fail(`Cannot write ${target}: it is a folder.`, `Give a file name, not a folder, or ${elsewhere}.`);
    case 'EACCES':
    case 'EPERM':
      return fail(`Cannot write ${target}: permission denied in ${where}.`, `Choose a folder you can write to${options.flag ? ` with ${options.flag}` : ''}, or change the folder's permissions.`);
    case 'EROFS':
      return fail(`Cannot write ${target}: ${where} is on a read-only file system.`, `Choose a writable folder${options.flag ? ` with ${options.flag}` : ''}.`);
    case 'ENOSPC':
    case 'EDQUOT':
      return fail(
        `Cannot write ${target}: ${e.code === 'EDQUOT' ? 'your disk quota is used up' : 'the disk is full'}.`,
        `Free space on the disk that holds ${dir} (df -h ${JSON.stringify(dir)} shows it), or ${elsewhere}. Nothing partial was kept.`,
        'E_DISK_FULL',
      );
    case 'EFBIG':
      return fail(
        `Cannot write ${target}: the file is larger than the file system or the file-size limit allows.`,
        `Write to a disk formatted exFAT, NTFS, APFS or ext4 (FAT32 stops at 4 GB), or raise the limit (ulimit -f), or ${elsewhere}.`,
      );
    default:
      // EMFILE / ENFILE
      return fail(`Cannot open ${target}: too many files are open.`, 'Raise the open-file limit (for example `ulimit -n 4096`) and run the command again.');
  }
}

/** Runs `work`, turning file-system faults on `target` into UserErrors (see {@link toWriteError}). */
export async function withWriteErrors<T>(target: string, work: () => Promise<T>, options: WriteErrorOptions = {}): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toWriteError(err, target, options);
  }
}

/**
 * Checks before any work that files can be written into `dir`: it is a folder and writable, or
 * (with `create`) its nearest existing ancestor is. Throws the UserError {@link toWriteError}
 * makes for `target`, so a long encode never ends in "cannot write".
 */
export async function checkWritableFolder(dir: string, target: string, options: WriteErrorOptions & { create?: boolean } = {}): Promise<void> {
  let p = path.resolve(dir);
  for (;;) {
    try {
      const st = await stat(p);
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, '${p}'`), { code: 'ENOTDIR' });
      await access(p, constants.W_OK);
      // access() says yes to root everywhere; creating (and removing) an entry is the real test
      // (a read-only or virtual file system refuses even root).
      await rmdir(await mkdtemp(path.join(p, '.lessonkit-write-check-')));
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && options.create && path.dirname(p) !== p) {
        p = path.dirname(p);
        continue;
      }
      throw toWriteError(err, target, options);
    }
  }
}
