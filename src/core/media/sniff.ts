/**
 * What a file's bytes say before ffprobe is asked: whether it is something other than a
 * recording (an image, a document, a web page saved instead of the video), and whether its
 * container promises more bytes than the file holds (a copy or a recording cut short). Both
 * read a few headers only, so they cost nothing on a one-hour recording.
 */
import { open } from 'node:fs/promises';
import { boxHeader } from './iso-boxes.js';

/** How many bytes of the file's start {@link sniffNotMedia} looks at. */
export const SNIFF_BYTES = 8192;

/** A file type that is not audio or video. */
export interface NotMedia {
  /** For people: "a PNG image", "a Word document (.docx)". */
  what: string;
  /** What to do about it, one sentence. */
  hint: string;
}

const ascii = (b: Uint8Array, at: number, text: string) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', at, at + text.length) === text;
const bytes = (b: Uint8Array, at: number, ...v: number[]) => v.every((x, i) => b[at + i] === x);

const IMAGE_HINT = 'Give the screen recording (MP4, MOV, MKV or WebM), not a picture; a still image cannot become a lesson video.';
const DOC_HINT = 'Give the screen recording (MP4, MOV, MKV or WebM); documents belong in `lessonkit workbook`.';

/** Image brands of an ISO-BMFF `ftyp` box (HEIF/AVIF stills share MP4's container). */
const STILL_BRANDS: Record<string, string> = { heic: 'a HEIC image', heix: 'a HEIC image', mif1: 'a HEIF image', msf1: 'a HEIF image sequence', avif: 'an AVIF image', avis: 'an AVIF image sequence' };

/** True when `head` looks like text: valid UTF-8 (or plain ASCII), no NUL, few control characters. */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  let controls = 0;
  for (const c of head) {
    if (c === 0) return false;
    if (c < 9 || (c > 13 && c < 32)) controls += 1;
  }
  if (controls > head.length / 100) return false;
  try {
    // A multi-byte character may be cut at the end of the sample: drop up to three bytes.
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length >= SNIFF_BYTES ? head.length - 3 : head.length));
    return true;
  } catch {
    return false;
  }
}

/**
 * Recognises files that are not audio or video from their first bytes (see {@link SNIFF_BYTES})
 * and total size. Undefined means "may be media": ffprobe decides. Pure.
 */
export function sniffNotMedia(head: Uint8Array, size: number): NotMedia | undefined {
  if (size === 0) return { what: 'empty (0 bytes)', hint: 'The copy or download did not finish: copy the recording again.' };
  const b = head;
  if (bytes(b, 0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { what: 'a PNG image', hint: IMAGE_HINT };
  if (bytes(b, 0, 0xff, 0xd8, 0xff)) return { what: 'a JPEG image', hint: IMAGE_HINT };
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) {
    return { what: 'a GIF image', hint: 'Give the screen recording; an animated GIF must be converted first (ffmpeg -i in.gif out.mp4).' };
  }
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return { what: 'a WebP image', hint: IMAGE_HINT };
  if (ascii(b, 0, 'II*\0') || ascii(b, 0, 'MM\0*')) return { what: 'a TIFF image', hint: IMAGE_HINT };
  // BMP: "BM" then the file size, little-endian (two letters alone would be too weak a sign).
  if (ascii(b, 0, 'BM') && b.length >= 6 && Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32LE(2) === size) return { what: 'a BMP image', hint: IMAGE_HINT };
  if (ascii(b, 4, 'ftyp')) {
    const brand = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1', 8, 12);
    const still = STILL_BRANDS[brand];
    if (still) return { what: still, hint: IMAGE_HINT };
  }
  if (ascii(b, 0, '%PDF-')) return { what: 'a PDF document', hint: DOC_HINT };
  if (ascii(b, 0, 'PK\x03\x04') || ascii(b, 0, 'PK\x05\x06')) {
    // Office files are zips; their part names show in the first local headers.
    const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
    const office = text.includes('word/') ? 'a Word document (.docx)' : text.includes('xl/') ? 'an Excel workbook (.xlsx)' : text.includes('ppt/') ? 'a PowerPoint presentation (.pptx)' : undefined;
    return office ? { what: office, hint: DOC_HINT } : { what: 'a ZIP archive', hint: 'Unzip it and give the recording inside.' };
  }
  if (bytes(b, 0, 0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) return { what: 'an Office document (.doc, .xls or .ppt)', hint: DOC_HINT };
  if (bytes(b, 0, 0x1f, 0x8b)) return { what: 'a gzip archive', hint: 'Unpack it and give the recording inside.' };
  if (ascii(b, 0, '7z\xbc\xaf\x27\x1c')) return { what: 'a 7-Zip archive', hint: 'Unpack it and give the recording inside.' };
  if (ascii(b, 0, 'Rar!\x1a\x07')) return { what: 'a RAR archive', hint: 'Unpack it and give the recording inside.' };
  if (ascii(b, 0, '\x7fELF') || (ascii(b, 0, 'MZ') && size > 64)) return { what: 'a program', hint: 'Give the screen recording, not the program that made it.' };
  // Y4M (raw video) starts with a text line; everything after it is pixels.
  if (!ascii(b, 0, 'YUV4MPEG2') && looksLikeText(b)) {
    const start = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8', 0, 512).replace(/^\uFEFF/, '').trimStart().toLowerCase();
    if (start.startsWith('<!doctype html') || start.startsWith('<html') || /^<(head|body|meta|script)\b/.test(start)) {
      return { what: 'an HTML page', hint: 'A web page was saved instead of the video (a download or share link): download the recording file itself.' };
    }
    if (start.startsWith('<svg') || (start.startsWith('<?xml') && start.includes('<svg'))) return { what: 'an SVG image', hint: IMAGE_HINT };
    if (start.startsWith('webvtt')) return { what: 'a WebVTT captions file', hint: 'Give the recording as the video and pass captions with --captions.' };
    if (/^\d+\r?\n\d\d:\d\d:\d\d[,.]\d+ --> /.test(start)) return { what: 'an SRT captions file', hint: 'Give the recording as the video and pass captions with --captions.' };
    return { what: 'a text file', hint: 'Give the screen recording (MP4, MOV, MKV or WebM).' };
  }
  return undefined;
}

/** Reads the first {@link SNIFF_BYTES} of a file. */
export async function readHead(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** What a container's own sizes say about the file's end. */
export interface ContainerEnd {
  /** The container family whose sizes were read. */
  container: 'mp4' | 'matroska' | 'avi';
  /** Bytes the container says it holds (at least). */
  declared: number;
  /** Bytes in the file. */
  actual: number;
  /** MP4 only: whether the index (moov box) was found. */
  hasIndex?: boolean;
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

const ISO_TOP = new Set(['ftyp', 'styp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid', 'moof', 'mfra', 'sidx', 'meta', 'pdin', 'prft', 'emsg']);

/** Walks MP4/MOV top-level boxes: their sizes and whether a moov is there. */
async function isoEnd(size: number, readAt: ReadAt): Promise<ContainerEnd | undefined> {
  let pos = 0;
  let hasIndex = false;
  // A real file has a few dozen top-level boxes at most (fragmented ones: two per fragment).
  for (let n = 0; n < 1_000_000 && pos + 8 <= size; n += 1) {
    const h = Buffer.from(await readAt(pos, 16));
    if (h.length < 8) break;
    const type = h.toString('latin1', 4, 8);
    if (!ISO_TOP.has(type)) return n === 0 ? undefined : { container: 'mp4', declared: size, actual: size, hasIndex };
    // A size of 0 "extends to the end of the file": an mdat a recorder never closed.
    const box = boxHeader(h, 0, size - pos);
    if (!box) return { container: 'mp4', declared: pos + 16, actual: size, hasIndex };
    const len = box.size;
    if (len < 8) return { container: 'mp4', declared: size, actual: size, hasIndex };
    if (type === 'moov') hasIndex = true;
    if (pos + len > size) return { container: 'mp4', declared: pos + len, actual: size, hasIndex };
    pos += len;
  }
  return { container: 'mp4', declared: size, actual: size, hasIndex };
}

/** Reads an EBML variable-size integer at `at`: its value (undefined = "unknown size") and length. */
function vint(b: Buffer, at: number, keepMarker: boolean): { value: number | undefined; length: number } | undefined {
  const first = b[at];
  if (first === undefined || first === 0) return undefined;
  let length = 1;
  while (!(first & (0x80 >> (length - 1)))) length += 1;
  if (at + length > b.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i += 1) {
    const byte = b[at + i] ?? 0;
    value = value * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  return { value: !keepMarker && allOnes ? undefined : value, length };
}

/** Matroska/WebM: the EBML header, then the Segment whose size covers the rest of the file. */
async function matroskaEnd(size: number, readAt: ReadAt): Promise<ContainerEnd | undefined> {
  const h = Buffer.from(await readAt(0, 64));
  const id = vint(h, 0, true);
  const headerSize = id && vint(h, id.length, false);
  if (!id || id.value !== 0x1a45dfa3 || !headerSize?.value) return undefined;
  const segAt = id.length + headerSize.length + headerSize.value;
  const s = Buffer.from(await readAt(segAt, 12));
  const segId = vint(s, 0, true);
  const segSize = segId && vint(s, segId.length, false);
  if (!segId || segId.value !== 0x18538067 || !segSize) return undefined;
  // An unknown size (live or still-running recordings) promises nothing.
  if (segSize.value === undefined) return { container: 'matroska', declared: size, actual: size };
  return { container: 'matroska', declared: segAt + segId.length + segSize.length + segSize.value, actual: size };
}

/** AVI: "RIFF", the size of what follows, "AVI ". */
async function aviEnd(size: number, readAt: ReadAt): Promise<ContainerEnd | undefined> {
  const h = Buffer.from(await readAt(0, 12));
  if (h.length < 12 || h.toString('latin1', 0, 4) !== 'RIFF' || h.toString('latin1', 8, 12) !== 'AVI ') return undefined;
  return { container: 'avi', declared: 8 + h.readUInt32LE(4), actual: size };
}

/**
 * The size a file's container declares (MP4/MOV boxes, Matroska/WebM segment, AVI RIFF) against
 * the size it has. `declared > actual` means the file was cut short. Undefined for other formats.
 */
export async function containerEnd(size: number, readAt: ReadAt): Promise<ContainerEnd | undefined> {
  return (await isoEnd(size, readAt)) ?? (await matroskaEnd(size, readAt)) ?? (await aviEnd(size, readAt));
}

/** {@link containerEnd} of a file on disk. */
export async function fileContainerEnd(file: string, size: number): Promise<ContainerEnd | undefined> {
  const fh = await open(file, 'r');
  try {
    return await containerEnd(size, async (position, length) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - position)));
      if (buf.length) await fh.read(buf, 0, buf.length, position);
      return buf;
    });
  } finally {
    await fh.close();
  }
}
