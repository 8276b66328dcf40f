/**
 * Reads the intrinsic size of the images a workbook shows, from the file headers, so the
 * HTML carries width/height: the page does not jump while images load and prints at a sane
 * size. PNG, JPEG, GIF, WebP and SVG; anything else returns undefined (shown unsized).
 */
import { SaxesParser } from 'saxes';

/** Width and height in CSS pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** The size of an image from its bytes; undefined when the format is unknown or damaged. */
export function readImageSize(bytes: Uint8Array): ImageSize | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') {
    return positive(b.readUInt32BE(16), b.readUInt32BE(20));
  }
  if (b.length >= 10 && (b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a')) {
    return positive(b.readUInt16LE(6), b.readUInt16LE(8));
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpegSize(b);
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return webpSize(b);
  const head = b.toString('utf8', 0, Math.min(b.length, 4096)).trimStart();
  if (head.startsWith('<')) return svgSize(b.toString('utf8'));
  return undefined;
}

function positive(width: number, height: number): ImageSize | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}

function jpegSize(b: Buffer): ImageSize | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    // Markers without a length field.
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) are not frames.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return positive(b.readUInt16BE(i + 7), b.readUInt16BE(i + 5));
    }
    i += 2 + len;
  }
  return undefined;
}

function webpSize(b: Buffer): ImageSize | undefined {
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8 ' && b.length >= 30) return positive(b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
  if (chunk === 'VP8L' && b.length >= 25) {
    const bits = b.readUInt32LE(21);
    return positive((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X' && b.length >= 30) {
    return positive(1 + b.readUIntLE(24, 3), 1 + b.readUIntLE(27, 3));
  }
  return undefined;
}

/** CSS pixels per unit for absolute SVG lengths. */
const UNITS: Record<string, number> = { '': 1, px: 1, pt: 4 / 3, pc: 16, in: 96, cm: 96 / 2.54, mm: 96 / 25.4 };

function svgLength(value: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(px|pt|pc|in|cm|mm)?\s*$/.exec(value ?? '');
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? ''] ?? 1));
}

function svgSize(text: string): ImageSize | undefined {
  // saxes never fetches external entities or DTDs: it only reads the root element's attributes.
  const parser = new SaxesParser({ position: false });
  let attrs: Record<string, string> | undefined;
  parser.on('opentag', (tag) => {
    if (!attrs) attrs = Object.fromEntries(Object.entries(tag.attributes).map(([k, v]) => [k, String(v)]));
  });
  try {
    parser.write(text).close();
  } catch {
    if (!attrs) return undefined;
  }
  if (!attrs) return undefined;
  const width = svgLength(attrs.width);
  const height = svgLength(attrs.height);
  if (width && height) return { width, height };
  const box = (attrs.viewBox ?? '').trim().split(/[\s,]+/).map(Number);
  if (box.length === 4 && box.every(Number.isFinite) && (box[2] ?? 0) > 0 && (box[3] ?? 0) > 0) {
    const [, , bw = 0, bh = 0] = box;
    if (width) return { width, height: Math.round((width * bh) / bw) };
    if (height) return { width: Math.round((height * bw) / bh), height };
    return { width: Math.round(bw), height: Math.round(bh) };
  }
  return undefined;
}
