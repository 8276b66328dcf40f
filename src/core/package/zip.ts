/**
 * Deterministic zips: entries in a fixed order (sorted by path; for a build, the files every
 * target shares, then the target's own), one fixed timestamp and mode, media stored,
 * text deflated at a fixed level. The same files give the same bytes on any machine and in
 * any time zone. Written to a temporary file beside the output and renamed when complete;
 * cancelled or failed writes leave nothing behind.
 *
 * The writer streams: each file is read once, in large chunks, straight into the zip, and the
 * zip's SHA-256 is computed on the bytes on their way out (the zip is never read back). The
 * CRC-32 of a stored file comes from a {@link ChecksumMemo} when a previous target or build
 * already computed it, so a multi-target build checksums each video once. The layout is the
 * one lessonkit has always written (archiver's ZIP layout: data descriptors after streamed and
 * deflated entries, Unix mode 0644, ZIP64 only past 4 GiB).
 *
 * {@link writeZips} writes the zips of several targets at once. Their entries are laid out as
 * the files every target shares (sorted), then the target's own files (sorted), so that every
 * zip starts with the same bytes: that prefix (nearly all of a bundle: the videos) is read,
 * checksummed and hashed once, written once and copied by the kernel to the other zips (a
 * reflink where the file system has them); only each target's small tail is written apart, its
 * SHA-256 continuing from a copy of the prefix's hash state.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { CancelledError } from '../../errors.js';
import { tempPathBeside, toWriteError, writeFileAtomic } from '../../utils/fs.js';
import type { BundleFile } from './targets/types.js';

/** The timestamp of every entry, as DOS date and time fields in UTC: 2000-01-01 00:00:00. */
const FIXED_DOS_TIME = ((2000 - 1980) << 25) | (1 << 21) | (1 << 16);

/** Extensions that are already compressed: stored, since deflating them only costs time. */
const STORED = /\.(mp4|m4v|webm|mov|jpe?g|png|gif|webp|avif|mp3|m4a|aac|ogg|opus|zip|pdf|docx|xlsx|pptx|woff2?)$/i;

/** Deflate settings of text entries (part of the bytes: changing them changes every bundle). */
const DEFLATE = { level: 9 } as const;

const deflateRaw = promisify(zlib.deflateRaw);

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

/** The CRC-32 and size of a file's bytes. */
export interface FileChecksum {
  crc32: number;
  size: number;
}

/**
 * CRC-32s of source files, by path and file state (size, modification time): computed once per
 * process and, with a folder, remembered there across builds (the render cache's `checksums/`),
 * so every target of a build and every later build reuse them.
 */
export interface ChecksumMemo {
  /** The known checksum of `file` in its current state, if any. */
  get(file: string): Promise<FileChecksum | undefined>;
  /** Records the checksum of `file` (computed while it was written). */
  set(file: string, sum: FileChecksum): Promise<void>;
}

/** A {@link ChecksumMemo}, in memory and (when `dir` is given) in files under `dir`. */
export function createChecksumMemo(dir?: string): ChecksumMemo {
  const known = new Map<string, FileChecksum>();
  const keyOf = async (file: string) => {
    const st = await stat(file);
    return { key: `${file}\0${st.size}\0${st.mtimeMs}`, size: st.size };
  };
  const fileOf = (key: string) => path.join(dir ?? '', `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  return {
    async get(file) {
      const { key, size } = await keyOf(file);
      const hit = known.get(key);
      if (hit) return hit;
      if (!dir) return undefined;
      const saved = await readFile(fileOf(key), 'utf8').then((t) => JSON.parse(t) as FileChecksum & { key?: string }).catch(() => undefined);
      // The key is stored too: a hash collision of two paths must not hand out a wrong CRC.
      if (!saved || saved.key !== key || saved.size !== size || !Number.isInteger(saved.crc32)) return undefined;
      const sum = { crc32: saved.crc32, size: saved.size };
      known.set(key, sum);
      return sum;
    },
    async set(file, sum) {
      const { key, size } = await keyOf(file);
      if (size !== sum.size) return; // the file changed while it was read: remember nothing
      known.set(key, sum);
      // Only a memo: a cache that cannot be written costs a checksum next time, not this build.
      if (dir) await writeFileAtomic(fileOf(key), JSON.stringify({ key, ...sum })).catch(() => undefined);
    },
  };
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
  /** Known CRC-32s of stored source files (shared by the targets of a build); learns the ones it computes. */
  checksums?: ChecksumMemo;
}

const ZIP64_LIMIT = 0xffffffff;
/** Version needed: 1.0 (stored with sizes up front), 2.0 (data descriptor, deflate), 4.5 (ZIP64). */
const V_PLAIN = 10;
const V_DESCRIPTOR = 20;
const V_ZIP64 = 45;
/** Made by Unix (3), spec 4.5. */
const MADE_BY = (3 << 8) | 45;
/** Unix mode 0100644 in the high half, the MS-DOS archive bit in the low. */
const EXTERNAL_ATTRS = ((0o100644 << 16) | 0x20) >>> 0;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

/** One entry as written, for the central directory. */
interface Written {
  name: Buffer;
  flags: number;
  version: number;
  method: number;
  crc32: number;
  compressed: number;
  size: number;
  offset: number;
}

/** Buffers small writes into large ones, hashing every byte on its way to the file. */
class ZipSink {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Where the next flushed byte goes in the file. */
  private position: number;

  /**
   * @param offset where the zip's next byte is (0 for a new zip; the prefix's length when
   * continuing a copy of it); writes are positional, so the handle's own position is unused.
   * @param hash the SHA-256 so far (of the bytes before `offset`).
   */
  constructor(
    private readonly fh: FileHandle,
    public offset = 0,
    private readonly hash: Hash = createHash('sha256'),
  ) {
    this.position = offset;
  }

  /** Queues `buf` (kept by reference until flushed: the caller must not reuse it). */
  async write(buf: Buffer): Promise<void> {
    if (buf.length >= 256 * 1024) return this.writeNow(buf);
    this.hash.update(buf);
    this.offset += buf.length;
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes >= 1024 * 1024) await this.flush();
  }

  /** Writes `buf` before returning, so the caller may reuse it. */
  async writeNow(buf: Buffer): Promise<void> {
    await this.flush();
    this.hash.update(buf);
    this.offset += buf.length;
    await writeAll(this.fh, buf, this.position);
    this.position += buf.length;
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const buf = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await writeAll(this.fh, buf, this.position);
    this.position += buf.length;
  }

  private scratch: Buffer | undefined;
  /**
   * The buffer stored files are copied through, reused chunk after chunk (a zip's entries are
   * written one at a time; concurrent zips, as in \`export\`, each have their own sink).
   */
  copyBuffer(): Buffer {
    this.scratch ??= Buffer.allocUnsafe(COPY_CHUNK);
    return this.scratch;
  }

  /** A copy of the hash state: the SHA-256 of another zip that starts with these bytes. */
  forkHash(): Hash {
    return this.hash.copy();
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

async function writeAll(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

/** Chunk size for copying stored files: large reads, one reused buffer (no garbage per chunk). */
const COPY_CHUNK = 2 * 1024 * 1024;

const u16 = (b: Buffer, at: number, v: number) => b.writeUInt16LE(v, at);
const u32 = (b: Buffer, at: number, v: number) => b.writeUInt32LE(v >>> 0, at);
const u64 = (b: Buffer, at: number, v: number) => b.writeBigUInt64LE(BigInt(v), at);

function localHeader(e: Omit<Written, 'offset'>, sizesUpFront: boolean): Buffer {
  const b = Buffer.alloc(30 + e.name.length);
  u32(b, 0, 0x04034b50);
  u16(b, 4, e.version);
  u16(b, 6, e.flags);
  u16(b, 8, e.method);
  u32(b, 10, FIXED_DOS_TIME);
  if (sizesUpFront) {
    u32(b, 14, e.crc32);
    u32(b, 18, e.compressed);
    u32(b, 22, e.size);
  }
  u16(b, 26, e.name.length);
  e.name.copy(b, 30);
  return b;
}

function dataDescriptor(e: Written): Buffer {
  const zip64 = e.size > ZIP64_LIMIT || e.compressed > ZIP64_LIMIT;
  const b = Buffer.alloc(zip64 ? 24 : 16);
  u32(b, 0, 0x08074b50);
  u32(b, 4, e.crc32);
  if (zip64) {
    u64(b, 8, e.compressed);
    u64(b, 16, e.size);
  } else {
    u32(b, 8, e.compressed);
    u32(b, 12, e.size);
  }
  return b;
}

function centralHeader(e: Written): Buffer {
  const zip64 = e.size > ZIP64_LIMIT || e.compressed > ZIP64_LIMIT || e.offset > ZIP64_LIMIT;
  const extra = zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
  if (zip64) {
    u16(extra, 0, 0x0001);
    u16(extra, 2, 24);
    u64(extra, 4, e.size);
    u64(extra, 12, e.compressed);
    u64(extra, 20, e.offset);
  }
  const b = Buffer.alloc(46 + e.name.length + extra.length);
  u32(b, 0, 0x02014b50);
  u16(b, 4, MADE_BY);
  u16(b, 6, zip64 ? V_ZIP64 : e.version);
  u16(b, 8, e.flags);
  u16(b, 10, e.method);
  u32(b, 12, FIXED_DOS_TIME);
  u32(b, 16, e.crc32);
  u32(b, 20, zip64 ? ZIP64_LIMIT : e.compressed);
  u32(b, 24, zip64 ? ZIP64_LIMIT : e.size);
  u16(b, 28, e.name.length);
  u16(b, 30, extra.length);
  // comment length, disk number, internal attributes: 0
  u32(b, 38, EXTERNAL_ATTRS);
  u32(b, 42, zip64 ? ZIP64_LIMIT : e.offset);
  e.name.copy(b, 46);
  extra.copy(b, 46 + e.name.length);
  return b;
}

function endRecords(count: number, centralOffset: number, centralLength: number): Buffer {
  const zip64 = count > 0xffff || centralOffset > ZIP64_LIMIT || centralLength > ZIP64_LIMIT;
  const parts: Buffer[] = [];
  if (zip64) {
    const r = Buffer.alloc(56 + 20);
    u32(r, 0, 0x06064b50);
    u64(r, 4, 44);
    u16(r, 12, V_ZIP64);
    u16(r, 14, V_ZIP64);
    u64(r, 24, count);
    u64(r, 32, count);
    u64(r, 40, centralLength);
    u64(r, 48, centralOffset);
    u32(r, 56, 0x07064b50);
    u64(r, 64, centralOffset + centralLength);
    u32(r, 72, 1);
    parts.push(r);
  }
  const e = Buffer.alloc(22);
  u32(e, 0, 0x06054b50);
  u16(e, 8, zip64 ? 0xffff : count);
  u16(e, 10, zip64 ? 0xffff : count);
  u32(e, 12, zip64 ? ZIP64_LIMIT : centralLength);
  u32(e, 16, zip64 ? ZIP64_LIMIT : centralOffset);
  parts.push(e);
  return Buffer.concat(parts);
}

/** Writes one entry at the sink's offset; returns what the central directory needs. */
async function writeEntry(sink: ZipSink, f: BundleFile, memo: ChecksumMemo | undefined, signal: AbortSignal | undefined): Promise<Written> {
  const name = Buffer.from(f.path, 'utf8');
  const utf8 = name.length !== f.path.length ? FLAG_UTF8 : 0;
  const offset = sink.offset;
  if (f.content !== undefined) {
    const data = typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : Buffer.from(f.content);
    if (isStored(f)) {
      const e = { name, flags: utf8, version: V_PLAIN, method: 0, crc32: zlib.crc32(data), compressed: data.length, size: data.length };
      await sink.write(localHeader(e, true));
      await sink.write(data);
      return { ...e, offset };
    }
    if (data.length === 0) {
      // Empty text is stored (deflate would only add bytes), in the data-descriptor layout of a deflated entry.
      const e = { name, flags: utf8 | FLAG_DESCRIPTOR, version: V_DESCRIPTOR, method: 0, crc32: 0, compressed: 0, size: 0, offset };
      await sink.write(localHeader(e, false));
      await sink.write(dataDescriptor(e));
      return e;
    }
    const packed = await deflateRaw(data, DEFLATE);
    const e = { name, flags: utf8 | FLAG_DESCRIPTOR, version: V_DESCRIPTOR, method: 8, crc32: zlib.crc32(data), compressed: packed.length, size: data.length, offset };
    await sink.write(localHeader(e, false));
    await sink.write(packed);
    await sink.write(dataDescriptor(e));
    return e;
  }
  if (!f.source) throw new Error(`bundle file ${f.path} has neither content nor source`);
  const stored = isStored(f);
  const head = { name, flags: utf8 | FLAG_DESCRIPTOR, version: V_DESCRIPTOR, method: stored ? 0 : 8, crc32: 0, compressed: 0, size: 0 };
  await sink.write(localHeader(head, false));
  if (!stored) {
    // Text files (workbooks, pages): small, deflated in one piece off the main thread.
    const data = await readFile(f.source);
    const packed = await deflateRaw(data, DEFLATE);
    const e = { ...head, crc32: zlib.crc32(data), compressed: packed.length, size: data.length, offset };
    await sink.write(packed);
    await sink.write(dataDescriptor(e));
    return e;
  }
  const known = await memo?.get(f.source);
  let crc = 0;
  let size = 0;
  const input = await open(f.source, 'r');
  try {
    const buf = sink.copyBuffer();
    for (;;) {
      if (signal?.aborted) throw new CancelledError();
      const { bytesRead } = await input.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (!known) crc = zlib.crc32(chunk, crc);
      size += bytesRead;
      await sink.writeNow(chunk);
    }
  } finally {
    await input.close();
  }
  if (known && known.size !== size) throw new Error(`${f.source} changed while the bundle was written`);
  const sum = known ?? { crc32: crc, size };
  if (!known) await memo?.set(f.source, sum);
  const e = { ...head, crc32: sum.crc32, compressed: size, size, offset };
  await sink.write(dataDescriptor(e));
  return e;
}

/** Writes `files` to the zip at `out`, entries sorted by path. Duplicate paths are a bug in the caller. */
export async function writeZip(out: string, files: BundleFile[], options: WriteZipOptions = {}): Promise<ZipResult> {
  const [result] = await writeZips([], [{ out, files }], options);
  return result!;
}

/** One zip of {@link writeZips}: where it goes, and the files only it holds. */
export interface ZipTail {
  /** The zip's path. */
  out: string;
  /** Its own files, written after the shared ones. */
  files: BundleFile[];
}

const byPath = (a: BundleFile, b: BundleFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Writes one zip per entry of `zips`: the `shared` files first (sorted by path), then the zip's
 * own files (sorted). The shared part is read, checksummed and hashed once and copied to the
 * other zips by the kernel (see the module comment). A path in both lists is a bug in the caller.
 */
export async function writeZips(shared: BundleFile[], zips: ZipTail[], options: WriteZipOptions = {}): Promise<ZipResult[]> {
  const { signal } = options;
  if (zips.length === 0) return [];
  const head = [...shared].sort(byPath);
  const tails = zips.map((z) => [...z.files].sort(byPath));
  for (const tail of tails) {
    const all = [...head, ...tail].map((f) => f.path).sort();
    for (let i = 1; i < all.length; i += 1) if (all[i] === all[i - 1]) throw new Error(`bundle lists ${all[i]} twice`);
  }
  for (const z of zips) {
    await mkdir(path.dirname(z.out), { recursive: true }).catch((err: unknown) => {
      throw toWriteError(err, z.out);
    });
  }
  const tmps = zips.map((z) => (options.atomic === false ? z.out : tempPathBeside(z.out)));
  const handles = new Map<number, FileHandle>();
  let current = 0;
  try {
    if (signal?.aborted) throw new CancelledError();
    const first = await open(tmps[0]!, 'w');
    handles.set(0, first);
    const prefix = new ZipSink(first);
    const headWritten: Written[] = [];
    for (const f of head) {
      if (signal?.aborted) throw new CancelledError();
      headWritten.push(await writeEntry(prefix, f, options.checksums, signal));
    }
    await prefix.flush();
    // The other zips start as copies of the first, made by the kernel (copy_file_range, or a
    // reflink where the file system has them): no byte of the shared part passes through here again.
    await Promise.all(
      tmps.slice(1).map((t, i) =>
        copyFile(tmps[0]!, t, fsConstants.COPYFILE_FICLONE).catch((err: unknown) => {
          current = i + 1;
          throw err;
        }),
      ),
    );
    const results: ZipResult[] = [];
    for (const [i, z] of zips.entries()) {
      current = i;
      if (signal?.aborted) throw new CancelledError();
      const fh = handles.get(i) ?? (await open(tmps[i]!, 'r+'));
      handles.set(i, fh);
      const sink = new ZipSink(fh, prefix.offset, prefix.forkHash());
      const written = [...headWritten];
      for (const f of tails[i]!) {
        if (signal?.aborted) throw new CancelledError();
        written.push(await writeEntry(sink, f, options.checksums, signal));
      }
      const centralOffset = sink.offset;
      for (const e of written) await sink.write(centralHeader(e));
      await sink.write(endRecords(written.length, centralOffset, sink.offset - centralOffset));
      await sink.flush();
      handles.delete(i);
      await fh.close();
      results.push({ path: z.out, size: sink.offset, sha256: sink.digest(), entries: written.length });
    }
    for (const [i, z] of zips.entries()) {
      current = i;
      if (tmps[i] !== z.out) await rename(tmps[i]!, z.out);
    }
    return results;
  } catch (err) {
    await Promise.all([...handles.values()].map((fh) => fh.close().catch(() => undefined)));
    await Promise.all(tmps.map((t) => rm(t, { force: true }).catch(() => undefined)));
    if (signal?.aborted) throw new CancelledError();
    throw toWriteError(err, zips[current]?.out ?? zips[0]!.out);
  }
}
