import { describe, expect, it } from 'vitest';
import { boxHeader, childBoxes } from '../../../src/core/media/iso-boxes.js';

/** A box with a 32-bit size (or the given size field) around `body`. */
const box = (type: string, body: Buffer, size = 8 + body.length) => Buffer.concat([Buffer.from([size >>> 24, (size >>> 16) & 255, (size >>> 8) & 255, size & 255]), Buffer.from(type, 'latin1'), body]);

describe('boxHeader', () => {
  it('reads 32-bit, 64-bit and to-the-end sizes, and nothing from a cut header', () => {
    expect(boxHeader(box('free', Buffer.alloc(4)), 0, 100)).toEqual({ type: 'free', header: 8, size: 12 });
    const large = Buffer.concat([box('mdat', Buffer.alloc(0), 1), Buffer.from([0, 0, 0, 0, 0, 0, 0, 40])]);
    expect(boxHeader(large, 0, 100)).toEqual({ type: 'mdat', header: 16, size: 40 });
    expect(boxHeader(large.subarray(0, 12), 0, 100)).toBeUndefined();
    expect(boxHeader(box('mdat', Buffer.alloc(0), 0), 0, 77)).toEqual({ type: 'mdat', header: 8, size: 77 });
    expect(boxHeader(Buffer.alloc(5), 0, 100)).toBeUndefined();
  });
});

describe('childBoxes', () => {
  it('lists the children with their content ranges, and says which box claims too much', () => {
    const parent = Buffer.concat([box('mvhd', Buffer.alloc(4)), box('trak', Buffer.alloc(2)), Buffer.alloc(3)]);
    expect(childBoxes(parent, 0, parent.length)).toEqual([
      { type: 'mvhd', start: 8, end: 12 },
      { type: 'trak', start: 20, end: 22 },
    ]);
    const bad = Buffer.concat([box('mvhd', Buffer.alloc(4)), box('trak', Buffer.alloc(2), 50)]);
    expect(childBoxes(bad, 0, bad.length)).toBe('box "trak" at offset 12 claims 50 bytes, past the end of its parent');
  });
});
