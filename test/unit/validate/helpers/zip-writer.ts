/**
 * A tiny zip writer for tests: it can write what real zip tools refuse to (absolute and
 * traversing names, symlinks, duplicates, wrong sizes, encryption flags, overlapping entries,
 * zip64 records), so every zip-safety rule can be exercised with a crafted file.
 */
import zlib from 'node:zlib';

/** One entry to write. */
export interface RawEntry {
  /** The name; a Buffer is written as-is (for non-UTF-8 names). */
  name: string | Buffer;
  /** Content (default empty). */
  data?: Buffer | string;
  /** 0 stored (default), 8 deflate, or any number (written as declared; data stored). */
  method?: number;
  /** General-purpose flags; default sets the UTF-8 flag for string names with non-ASCII characters. */
  flags?: number;
  /** Version made by (high byte: host system). Default Unix. */
  madeBy?: number;
  /** External attributes. Default a regular file, mode 644. */
  externalAttr?: number;
  /** Declared CRC-32 instead of the real one. */
  crc?: number;
  /** Declared uncompressed size instead of the real one. */
  uncompressedSize?: number;
  /** Central record points at the local header of entry number `shareDataOf` (overlap). */
  shareDataOf?: number;
}

/** Whole-archive options. */
export interface BuildZipOptions {
  /** Write zip64 end records (and 0xffffffff markers) even for small archives. */
  zip64?: boolean;
  /** Announce this many entries in the end record. */
  announceCount?: number;
  /** Overwrite the central directory signature of the first record. */
  breakCentralSignature?: boolean;
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/** Builds a zip in memory. */
export function buildZip(entries: RawEntry[], options: BuildZipOptions = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const raw = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    const method = e.method ?? 0;
    const stored = method === 8 ? zlib.deflateRawSync(raw) : raw;
    const flags = e.flags ?? (typeof e.name === 'string' && [...e.name].some((ch) => ch.charCodeAt(0) > 0x7f) ? 0x800 : 0);
    const crc = e.crc ?? zlib.crc32(raw);
    const usize = e.uncompressedSize ?? raw.length;
    const z64 = Boolean(options.zip64);
    const local = Buffer.concat([
      u32(0x04034b50), u16(z64 ? 45 : 20), u16(flags), u16(method), u16(0), u16(0x21), u32(crc),
      u32(z64 ? 0xffffffff : stored.length), u32(z64 ? 0xffffffff : usize), u16(name.length), u16(z64 ? 20 : 0), name,
      ...(z64 ? [u16(0x0001), u16(16), u64(usize), u64(stored.length)] : []),
    ]);
    const localOffset = e.shareDataOf !== undefined ? offsets[e.shareDataOf]! : offset;
    offsets.push(localOffset);
    if (e.shareDataOf === undefined) {
      parts.push(local, stored);
      offset += local.length + stored.length;
    }
    const extra = z64 ? Buffer.concat([u16(0x0001), u16(24), u64(usize), u64(stored.length), u64(localOffset)]) : Buffer.alloc(0);
    central.push(
      Buffer.concat([
        u32(0x02014b50), u16(e.madeBy ?? 0x0314), u16(z64 ? 45 : 20), u16(flags), u16(method), u16(0), u16(0x21), u32(crc),
        u32(z64 ? 0xffffffff : stored.length), u32(z64 ? 0xffffffff : usize), u16(name.length), u16(extra.length), u16(0), u16(0), u16(0),
        u32(e.externalAttr ?? (0o100644 << 16) >>> 0), u32(z64 ? 0xffffffff : localOffset), name, extra,
      ]),
    );
  }
  const cd = Buffer.concat(central);
  if (options.breakCentralSignature && cd.length >= 4) cd.writeUInt32LE(0x12345678, 0);
  const cdOffset = offset;
  const count = options.announceCount ?? entries.length;
  const tail: Buffer[] = [];
  if (options.zip64) {
    const recOffset = cdOffset + cd.length;
    tail.push(u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(count), u64(count), u64(cd.length), u64(cdOffset));
    tail.push(u32(0x07064b50), u32(0), u64(recOffset), u32(1));
    tail.push(u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(0));
  } else {
    tail.push(u32(0x06054b50), u16(0), u16(0), u16(count), u16(count), u32(cd.length), u32(cdOffset), u16(0));
  }
  return Buffer.concat([...parts, cd, ...tail]);
}
