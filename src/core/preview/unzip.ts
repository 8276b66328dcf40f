/**
 * Unpacks a package zip into a private folder the preview owns (a `mkdtemp` folder removed on
 * exit), never into the author's working folder. Entries that would land outside the folder,
 * symbolic links and absolute or backslashed names are refused, as `lessonkit validate` reports them.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { UserError } from '../../errors.js';
import { isInside } from '../../utils/fs.js';

/** Refuses more than this many bytes unpacked (a compression bomb must not fill the disk). */
const MAX_TOTAL = 8 * 1024 * 1024 * 1024;

/** Unpacks `zipFile` into `dest` (which must exist and be empty); returns the number of files written. */
export async function unzipInto(zipFile: string, dest: string, signal?: AbortSignal): Promise<number> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(zipFile, { lazyEntries: true, autoClose: true, validateEntrySizes: true, strictFileNames: true }, (err, z) => {
      if (err || !z) {
        reject(new UserError(`${zipFile} cannot be opened as a zip: ${err?.message ?? 'unknown error'}.`, { code: 'E_INPUT', hint: 'Check the file is a complete package zip; `lessonkit validate` says what is wrong with it.', cause: err }));
        return;
      }
      resolve(z);
    });
  });
  let files = 0;
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      zip.close();
      reject(err);
    };
    zip.on('error', (err: Error) => fail(new UserError(`${zipFile} is not a readable zip: ${err.message}.`, { code: 'E_INPUT', hint: 'Run `lessonkit validate` on it to see which entry is broken.', cause: err })));
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      if (signal?.aborted) {
        fail(signal.reason);
        return;
      }
      const name = entry.fileName;
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (name.endsWith('/')) {
        zip.readEntry();
        return;
      }
      if (mode === 0o120000) {
        fail(new UserError(`${zipFile}: entry ${name} is a symbolic link; the preview does not follow links out of a package.`, { code: 'E_INPUT', hint: 'Repackage with real files instead of links.' }));
        return;
      }
      const target = path.join(dest, ...name.split('/'));
      if (!isInside(dest, target) || target === dest) {
        fail(new UserError(`${zipFile}: entry ${name} would be written outside the package folder.`, { code: 'E_INPUT', hint: 'Repackage with paths relative to the package root.' }));
        return;
      }
      total += entry.uncompressedSize;
      if (total > MAX_TOTAL) {
        fail(new UserError(`${zipFile} unpacks to more than ${MAX_TOTAL / 2 ** 30} GiB; the preview stops there.`, { code: 'E_INPUT', hint: 'Check the package with `lessonkit validate` (zip.compression-ratio).' }));
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) {
          fail(err ?? new Error('no stream'));
          return;
        }
        mkdir(path.dirname(target), { recursive: true })
          .then(() => pipeline(stream, createWriteStream(target, { flags: 'wx' })))
          .then(() => {
            files += 1;
            zip.readEntry();
          })
          .catch((e: unknown) => fail(new UserError(`${zipFile}: entry ${name} cannot be unpacked: ${e instanceof Error ? e.message : String(e)}.`, { code: 'E_INPUT', hint: 'A duplicate entry or a damaged zip; `lessonkit validate` names it.', cause: e })));
      });
    });
    zip.readEntry();
  });
  return files;
}
