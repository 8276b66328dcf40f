/**
 * One view over the three kinds of input (a zip, a package folder, a bare descriptor), so
 * the descriptor rules run the same way on each. Zips are never extracted: names come from
 * the central directory and data is read on demand.
 */
import { lstat, open, readdir, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { readEntry, type ZipDirectory, type ZipEntry } from './zip.js';

/** A package being validated. */
export interface PackageSource {
  /** What the input is. */
  kind: 'zip' | 'folder' | 'descriptor';
  /** Every file (not directory), as package-relative names with `/` separators. */
  files: string[];
  /** Reads a file of the package (descriptors only; bounded in size). */
  read(name: string): Promise<Buffer>;
  /** For folders: symbolic links found (not followed). */
  symlinks: string[];
  /** For folders: subfolders that could not be listed, with the reason (their files are unknown). */
  unreadable: { name: string; reason: string }[];
  /** For zips: the central directory and the open handle. */
  zip?: { fh: FileHandle; dir: ZipDirectory; byName: Map<string, ZipEntry> };
  /** For folders: the absolute folder; for descriptors: the absolute file. */
  absPath: string;
  /** Releases the file handle. */
  close(): Promise<void>;
}

/** Opens a zip whose central directory has already been read. */
export function zipSource(absPath: string, fh: FileHandle, dir: ZipDirectory): PackageSource {
  // Some zippers write "./index.html"; unzippers put that at the root, so the rules see "index.html".
  const byName = new Map<string, ZipEntry>();
  const files: string[] = [];
  for (const e of dir.entries) {
    const name = packageName(e.name);
    if (!byName.has(name)) byName.set(name, e);
    if (!e.isDirectory) files.push(name);
  }
  return {
    kind: 'zip',
    absPath,
    files,
    symlinks: [],
    unreadable: [],
    zip: { fh, dir, byName },
    read: async (name) => {
      const e = byName.get(name);
      if (!e) throw new Error(`${name} is not in the zip`);
      return readEntry(fh, e);
    },
    close: () => fh.close(),
  };
}

/** The name the rules use for a zip entry: leading "./" segments removed. */
export function packageName(entryName: string): string {
  return entryName.replace(/^(\.\/)+/, '');
}

/** Lists a package folder (symbolic links are recorded, never followed). */
export async function folderSource(absPath: string): Promise<PackageSource> {
  const files: string[] = [];
  const symlinks: string[] = [];
  const unreadable: { name: string; reason: string }[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    let list;
    try {
      list = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      // The folder itself must be listable (the caller turns that into an input error); a
      // subfolder that is not is a finding, and the rest of the package is still checked.
      if (!rel) throw err;
      unreadable.push({ name: rel, reason: ioReason(err) });
      return;
    }
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of list) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.isSymbolicLink()) symlinks.push(r);
      else if (d.isDirectory()) await walk(path.join(dir, d.name), r);
      else if (d.isFile()) files.push(r);
    }
  };
  await walk(absPath, '');
  return {
    kind: 'folder',
    absPath,
    files,
    symlinks,
    unreadable,
    read: async (name) => {
      const full = path.join(absPath, ...name.split('/'));
      // Re-check at read time: a listed name must still be a plain file inside the folder.
      const st = await lstat(full);
      if (!st.isFile()) throw new Error(`${name} is not a regular file`);
      if (st.size > 64 * 1024 * 1024) throw new Error(`${name} is ${st.size} bytes, more than the 64 MiB read for checks`);
      return readFile(full);
    },
    close: async () => {},
  };
}

/** A bare descriptor file: the package is just that file, and file-presence rules do not apply. */
export function descriptorSource(absPath: string, name: string): PackageSource {
  return {
    kind: 'descriptor',
    absPath,
    files: [name],
    symlinks: [],
    unreadable: [],
    read: async () => readFile(absPath),
    close: async () => {},
  };
}

/** A short, stable reason for a failed read ("permission denied"), not Node's whole message with the path. */
export function ioReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'it disappeared while it was being checked';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return err instanceof Error ? err.message : String(err);
}

/** Opens a file for zip reading. */
export function openZip(absPath: string): Promise<FileHandle> {
  return open(absPath, 'r');
}
