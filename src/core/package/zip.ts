/**
 * Deterministic zips: entries sorted by path, one fixed timestamp and mode, media stored,
 * text deflated at a fixed level. The same files give the same bytes on any machine and in
 * any time zone. Written to a temporary file beside the output and renamed when complete;
 * cancelled or failed writes leave nothing behind.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import { CancelledError } from '../../errors.js';
import { tempPathBeside, toWriteError } from '../../utils/fs.js';
import type { BundleFile } from './targets/types.js';

/** The timestamp of every entry (DOS time has no time zone; zip-stream writes UTC fields). */
const FIXED_DATE = new Date(Date.UTC(2000, 0, 1, 0, 0, 0));

/** Extensions that are already compressed: stored, since deflating them only costs time. */
const STORED = /\.(mp4|m4v|webm|mov|jpe?g|png|gif|webp|avif|mp3|m4a|aac|ogg|opus|zip|pdf|docx|xlsx|pptx|woff2?)$/i;

/** What {@link writeZip} wrote. */
export interface ZipResult {
  /** Absolute path of the zip. */
  path: string;
  /** Bytes. */
  size: number;
  /** Hex SHA-256 of the zip. */
  sha256: string;
  /** Number of entries. */
  entries: number;
}

/** True when the file is stored rather than deflated. */
export function isStored(file: BundleFile): boolean {
  return file.store ?? STORED.test(file.path);
}

/** Options for {@link writeZip}. */
export interface WriteZipOptions {
  /** Stops the write; the partial file is removed. */
  signal?: AbortSignal;
  /**
   * Write to a temporary file beside `out` and rename it when complete (default true). False
   * when the caller already writes to a temporary path and renames several zips together.
   */
  atomic?: boolean;
}

/** Writes `files` to the zip at `out`. Duplicate paths are a bug in the caller. */
export async function writeZip(out: string, files: BundleFile[], options: WriteZipOptions = {}): Promise<ZipResult> {
  const { signal } = options;
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < sorted.length; i += 1) {
    if (sorted[i]?.path === sorted[i - 1]?.path) throw new Error(`bundle lists ${sorted[i]?.path} twice`);
  }
  await mkdir(path.dirname(out), { recursive: true }).catch((err: unknown) => {
    throw toWriteError(err, out);
  });
  const tmp = options.atomic === false ? out : tempPathBeside(out);
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const output = createWriteStream(tmp);
  // An aborted archiver settles neither finalize() nor the pipeline; the race below makes
  // cancellation reject at once, so the caller can clean up and the process can exit.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CancelledError());
  });
  aborted.catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw new CancelledError();
    const written = pipeline(archive, output);
    written.catch(() => undefined);
    for (const f of sorted) {
      const data = { name: f.path, date: FIXED_DATE, mode: 0o644, store: isStored(f) };
      if (f.content !== undefined) archive.append(typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : Buffer.from(f.content), data);
      else if (f.source) archive.append(createReadStream(f.source), data);
      else throw new Error(`bundle file ${f.path} has neither content nor source`);
    }
    const finalized = archive.finalize();
    finalized.catch(() => undefined);
    await Promise.race([Promise.all([finalized, written]), aborted]);
    if (tmp !== out) await rename(tmp, out);
  } catch (err) {
    archive.abort();
    // Wait for the file to be closed: removing it before a pending open completes would let
    // the open re-create it afterwards.
    if (!output.closed) {
      const closed = once(output, 'close').catch(() => undefined);
      output.destroy();
      await closed;
    }
    await rm(tmp, { force: true }).catch(() => undefined);
    if (signal?.aborted) throw new CancelledError();
    throw toWriteError(err, out);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const hash = createHash('sha256');
  await pipeline(createReadStream(out), hash);
  return { path: out, size: (await stat(out)).size, sha256: hash.digest('hex'), entries: sorted.length };
}
