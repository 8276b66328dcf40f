/**
 * A read-only zip reader for validation. It reads the central directory itself (not with
 * yauzl) because a validator must keep going where an unzipper stops: yauzl aborts the whole
 * listing on an entry with the strong-encryption flag, on malformed names and on the first
 * inconsistent record, while we want one finding per problem. Nothing is ever extracted to disk;
 * entry data is read into memory (descriptors) or streamed through CRC-32 (`--deep`).
 * Handles zip64 (packages over 4 GiB or with more than 65535 entries).
 */
import type { FileHandle } from 'node:fs/promises';
import zlib from 'node:zlib';

/** One central-directory record. */
export interface ZipEntry {
  /** Position in the central directory (0-based). */
  index: number;
  /** The name as decoded (UTF-8, the Info-ZIP Unicode path field, or CP437). */
  name: string;
  /** The name bytes as stored. */
  rawName: Buffer;
  /** Why the name encoding is a problem, if it is. */
  nameProblem?: string;
  /** Set when the name problem is only worth a warning (UTF-8 bytes without the flag). */
  nameProblemMinor?: boolean;
  /** General-purpose flags. */
  flags: number;
  /** Compression method (0 stored, 8 deflate). */
  method: number;
  /** Declared CRC-32. */
  crc32: number;
  /** Declared compressed size. */
  compressedSize: number;
  /** Declared uncompressed size. */
  uncompressedSize: number;
  /** Offset of the local file header. */
  localHeaderOffset: number;
  /** True for directory entries (trailing slash, or the MS-DOS directory attribute). */
  isDirectory: boolean;
  /** True when the Unix mode says symbolic link. */
  isSymlink: boolean;
  /** True when bit 0 (traditional) or bit 6 (strong) encryption is set. */
  encrypted: boolean;
}

/** The central directory of a zip. */
export interface ZipDirectory {
  /** File size in bytes. */
  size: number;
  /** Entries in central-directory order. */
  entries: ZipEntry[];
  /** Inconsistencies found while reading (each becomes a `zip.central-directory.corrupt` finding). */
  problems: string[];
  /** True when zip64 records were used. */
  zip64: boolean;
  /** Offset where the central directory starts (entry data must end before it). */
  centralDirectoryOffset: number;
}

/** Thrown when the file is not a zip at all (no end-of-central-directory record and no local header). */
export class NotAZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAZipError';
  }
}

const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_EOCD64_LOCATOR = 0x07064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
/** Above this the central directory is not read into memory (no real package comes close). */
const MAX_CENTRAL_DIRECTORY = 512 * 1024 * 1024;

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  // Offsets beyond 2^53 cannot be real in a file we can read; keep them as an impossible value.
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Code page 437, bytes 0x80-0xFF: what unzippers assume for names without the UTF-8 flag. */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function decodeCp437(bytes: Buffer): string {
  let s = '';
  for (const b of bytes) s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80];
  return s;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function decodeName(raw: Buffer, flags: number, extra: Buffer): { name: string; problem?: string; nameSeverity?: 'warning' } {
  const ascii = raw.every((b) => b < 0x80);
  if (flags & 0x800) {
    try {
      return { name: utf8Strict.decode(raw) };
    } catch {
      return { name: raw.toString('utf8'), problem: 'has the UTF-8 flag but its bytes are not valid UTF-8' };
    }
  }
  if (ascii) return { name: raw.toString('latin1') };
  // Info-ZIP Unicode Path extra field (0x7075): a UTF-8 name tied to the raw name by CRC-32.
  for (const field of extraFields(extra)) {
    if (field.id === 0x7075 && field.data.length >= 5 && field.data[0] === 1 && field.data.readUInt32LE(1) === zlib.crc32(raw)) {
      try {
        return { name: utf8Strict.decode(field.data.subarray(5)) };
      } catch {
        break;
      }
    }
  }
  try {
    // UTF-8 without the flag (macOS Archive Utility writes these): readable by most unzippers,
    // garbled by Windows tools, which assume CP437. Worth fixing, not fatal.
    return { name: utf8Strict.decode(raw), problem: 'is UTF-8 but lacks the UTF-8 flag, so Windows tools read it as CP437 and garble it', nameSeverity: 'warning' };
  } catch {
    return { name: decodeCp437(raw), problem: 'is not UTF-8 (a legacy code page) and has no UTF-8 flag, so unzippers disagree on the name and hrefs cannot match it' };
  }
}

function* extraFields(extra: Buffer): Generator<{ id: number; data: Buffer }> {
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = extra.readUInt16LE(at);
    const len = extra.readUInt16LE(at + 2);
    if (at + 4 + len > extra.length) return;
    yield { id, data: extra.subarray(at + 4, at + 4 + len) };
    at += 4 + len;
  }
}

/** Reads and checks the central directory. Throws {@link NotAZipError} when the file is not a zip. */
export async function readZipDirectory(fh: FileHandle): Promise<ZipDirectory> {
  const size = (await fh.stat()).size;
  const problems: string[] = [];
  const tailLen = Math.min(size, 22 + 0xffff);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let eocdAt = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD) {
      eocdAt = i;
      break;
    }
  }
  if (eocdAt < 0) {
    const head = await readAt(fh, 0, Math.min(size, 4));
    if (head.length === 4 && head.readUInt32LE(0) === SIG_LOCAL) {
      return { size, entries: [], problems: ['the end-of-central-directory record is missing: the zip is truncated or was not finished'], zip64: false, centralDirectoryOffset: size };
    }
    throw new NotAZipError('no zip end-of-central-directory record and no zip local header: not a zip file');
  }
  const eocdPos = size - tailLen + eocdAt;
  const disk = tail.readUInt16LE(eocdAt + 4);
  const cdDisk = tail.readUInt16LE(eocdAt + 6);
  let count = tail.readUInt16LE(eocdAt + 10);
  let cdSize = tail.readUInt32LE(eocdAt + 12);
  let cdOffset = tail.readUInt32LE(eocdAt + 16);
  let zip64 = false;
  let cdEndLimit = eocdPos;
  if (disk !== 0 || cdDisk !== 0) problems.push(`the end record says the zip spans several disks (disk ${disk}); LMSs read single-file zips only`);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locAt = eocdPos - 20;
    const loc = locAt >= 0 ? await readAt(fh, locAt, 20) : Buffer.alloc(0);
    if (loc.length === 20 && loc.readUInt32LE(0) === SIG_EOCD64_LOCATOR) {
      const recAt = u64(loc, 8);
      const rec = recAt + 56 <= locAt ? await readAt(fh, recAt, 56) : Buffer.alloc(0);
      if (rec.length === 56 && rec.readUInt32LE(0) === SIG_EOCD64) {
        zip64 = true;
        count = u64(rec, 32);
        cdSize = u64(rec, 40);
        cdOffset = u64(rec, 48);
        cdEndLimit = recAt;
      } else {
        problems.push('the zip64 end-of-central-directory record is missing or damaged');
      }
    } else if (count === 0xffff && cdSize !== 0xffffffff && cdOffset !== 0xffffffff) {
      // Exactly 65535 entries without zip64 is legal; the count is simply that.
    } else {
      problems.push('the end record points to zip64 records that are not there');
    }
  }
  if (problems.length > 0) return { size, entries: [], problems, zip64, centralDirectoryOffset: cdOffset };
  if (cdOffset + cdSize > cdEndLimit) {
    problems.push(`the central directory (offset ${cdOffset}, ${cdSize} bytes) runs past the end record at ${cdEndLimit}: the zip is truncated or has data appended`);
    return { size, entries: [], problems, zip64, centralDirectoryOffset: cdOffset };
  }
  if (cdSize > MAX_CENTRAL_DIRECTORY) {
    problems.push(`the central directory is ${cdSize} bytes, larger than any real package`);
    return { size, entries: [], problems, zip64, centralDirectoryOffset: cdOffset };
  }
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let at = 0;
  while (at < cd.length) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== SIG_CENTRAL) {
      problems.push(`central directory record ${entries.length + 1} has a bad signature at offset ${cdOffset + at}`);
      break;
    }
    const madeBy = cd.readUInt16LE(at + 4);
    const flags = cd.readUInt16LE(at + 8);
    const method = cd.readUInt16LE(at + 10);
    const crc = cd.readUInt32LE(at + 16);
    let compressedSize = cd.readUInt32LE(at + 20);
    let uncompressedSize = cd.readUInt32LE(at + 24);
    const nameLen = cd.readUInt16LE(at + 28);
    const extraLen = cd.readUInt16LE(at + 30);
    const commentLen = cd.readUInt16LE(at + 32);
    const externalAttributes = cd.readUInt32LE(at + 38);
    let localHeaderOffset = cd.readUInt32LE(at + 42);
    const end = at + 46 + nameLen + extraLen + commentLen;
    if (end > cd.length) {
      problems.push(`central directory record ${entries.length + 1} runs past the end of the central directory`);
      break;
    }
    const rawName = cd.subarray(at + 46, at + 46 + nameLen);
    const extra = cd.subarray(at + 46 + nameLen, at + 46 + nameLen + extraLen);
    if (uncompressedSize === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      const z = [...extraFields(extra)].find((f) => f.id === 0x0001);
      let p = 0;
      const next = (): number | undefined => {
        if (!z || p + 8 > z.data.length) return undefined;
        const v = u64(z.data, p);
        p += 8;
        return v;
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = next() ?? -1;
      if (compressedSize === 0xffffffff) compressedSize = next() ?? -1;
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = next() ?? -1;
      if (uncompressedSize < 0 || compressedSize < 0 || localHeaderOffset < 0) {
        problems.push(`entry "${rawName.toString('latin1')}" needs a zip64 extra field that is missing or too short`);
      }
    }
    const { name, problem, nameSeverity } = decodeName(rawName, flags, extra);
    const host = madeBy >> 8;
    const mode = externalAttributes >>> 16;
    const unixHost = host === 3 || host === 19;
    const entry: ZipEntry = {
      index: entries.length,
      name,
      rawName,
      flags,
      method,
      crc32: crc,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      isDirectory: name.endsWith('/') || (unixHost && (mode & 0o170000) === 0o040000) || (host === 0 && (externalAttributes & 0x10) !== 0),
      isSymlink: unixHost && (mode & 0o170000) === 0o120000,
      encrypted: (flags & 0x41) !== 0,
    };
    if (problem) entry.nameProblem = problem;
    if (nameSeverity === 'warning') entry.nameProblemMinor = true;
    if (localHeaderOffset >= 0 && compressedSize >= 0 && localHeaderOffset + 30 + nameLen + compressedSize > cdOffset) {
      problems.push(`entry "${name}" claims data (offset ${localHeaderOffset}, ${compressedSize} bytes) beyond the start of the central directory`);
    }
    if (method === 0 && !entry.encrypted && compressedSize !== uncompressedSize && compressedSize >= 0) {
      problems.push(`entry "${name}" is stored (not compressed) but declares ${compressedSize} compressed and ${uncompressedSize} uncompressed bytes`);
    }
    entries.push(entry);
    at = end;
  }
  if (entries.length !== count && problems.length === 0) {
    problems.push(`the end record announces ${count} entries but the central directory holds ${entries.length}`);
  }
  return { size, entries, problems, zip64, centralDirectoryOffset: cdOffset };
}

/** Reads the local header of `entry` and returns where its data starts. Throws when the header is damaged. */
export async function entryDataOffset(fh: FileHandle, entry: ZipEntry): Promise<number> {
  const head = await readAt(fh, entry.localHeaderOffset, 30);
  if (head.length < 30 || head.readUInt32LE(0) !== SIG_LOCAL) throw new Error(`no local header at offset ${entry.localHeaderOffset}`);
  const nameLen = head.readUInt16LE(26);
  const extraLen = head.readUInt16LE(28);
  if (nameLen !== entry.rawName.length) throw new Error('the local header names a different file than the central directory');
  const localName = await readAt(fh, entry.localHeaderOffset + 30, nameLen);
  if (!localName.equals(entry.rawName)) throw new Error('the local header names a different file than the central directory');
  return entry.localHeaderOffset + 30 + nameLen + extraLen;
}

/** Reads a whole entry into memory (for descriptors); refuses entries above `maxBytes` uncompressed. */
export async function readEntry(fh: FileHandle, entry: ZipEntry, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  if (entry.encrypted) throw new Error('the entry is encrypted');
  if (entry.uncompressedSize > maxBytes) throw new Error(`the entry is ${entry.uncompressedSize} bytes, more than the ${maxBytes} read for checks`);
  const start = await entryDataOffset(fh, entry);
  const data = await readAt(fh, start, entry.compressedSize);
  if (data.length !== entry.compressedSize) throw new Error('the entry data is cut short');
  if (entry.method === 0) return data;
  if (entry.method === 8) return zlib.inflateRawSync(data, { maxOutputLength: maxBytes });
  throw new Error(`compression method ${entry.method} is not supported`);
}

/**
 * Streams an entry's uncompressed bytes in large chunks (4 MiB reads: the CRC pass must keep
 * up with `unzip -t`). `onChunk` sees every chunk in order; returns the bytes produced.
 */
export async function streamEntry(fh: FileHandle, entry: ZipEntry, onChunk: (chunk: Buffer) => void, signal?: AbortSignal): Promise<number> {
  const start = await entryDataOffset(fh, entry);
  const CHUNK = 4 * 1024 * 1024;
  let produced = 0;
  if (entry.method === 0) {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, entry.compressedSize)));
    let pos = 0;
    while (pos < entry.compressedSize) {
      if (signal?.aborted) throw signal.reason;
      const want = Math.min(buf.length, entry.compressedSize - pos);
      const { bytesRead } = await fh.read(buf, 0, want, start + pos);
      if (bytesRead === 0) throw new Error('the entry data is cut short');
      onChunk(buf.subarray(0, bytesRead));
      pos += bytesRead;
      produced += bytesRead;
    }
    return produced;
  }
  if (entry.method !== 8) throw new Error(`compression method ${entry.method} is not supported`);
  const inflate = zlib.createInflateRaw();
  const done = new Promise<void>((resolve, reject) => {
    inflate.on('data', (chunk: Buffer) => {
      produced += chunk.length;
      // Stop early on a bomb that lies about its size.
      if (produced > entry.uncompressedSize) {
        inflate.destroy(new Error(`the entry inflates to more than its declared ${entry.uncompressedSize} bytes`));
        return;
      }
      onChunk(chunk);
    });
    inflate.on('end', resolve);
    inflate.on('error', reject);
  });
  // Awaited below; this only keeps an early failure from counting as unhandled meanwhile.
  done.catch(() => {});
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, entry.compressedSize)));
  let pos = 0;
  try {
    while (pos < entry.compressedSize) {
      if (signal?.aborted) throw signal.reason;
      if (inflate.destroyed) break;
      const want = Math.min(buf.length, entry.compressedSize - pos);
      const { bytesRead } = await fh.read(buf, 0, want, start + pos);
      if (bytesRead === 0) throw new Error('the entry data is cut short');
      const copy = Buffer.from(buf.subarray(0, bytesRead));
      if (!inflate.write(copy)) await Promise.race([new Promise<void>((r) => inflate.once('drain', r)), done]);
      pos += bytesRead;
    }
    if (!inflate.destroyed) inflate.end();
    await done;
  } catch (err) {
    inflate.destroy();
    throw err;
  }
  return produced;
}
