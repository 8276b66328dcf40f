import { describe, expect, it } from 'vitest';
import { bandSpans } from '../../../src/core/redact/find.js';

/** A white 640x64 grey image with dark blocks (stand-ins for words) at the given x ranges. */
function line(words: [number, number][]): { data: Uint8Array; width: number; height: number } {
  const width = 640;
  const height = 64;
  const data = new Uint8Array(width * height).fill(245);
  for (const [x0, x1] of words) for (let y = 24; y < 40; y++) data.fill(20, y * width + x0, y * width + x1);
  return { data, width, height };
}
const seedAt = (...cols: number[]) => Array.from({ length: 40 }, (_, c) => cols.includes(c));

describe('redact find: what part of a changed band is read', () => {
  it('reads the whole line of text a change touches, across word gaps, and not the rest of the band', () => {
    // A "line" of three words with 20-30 px gaps (x 100-420), and another line far right (x 520-600).
    const image = line([[100, 180], [200, 300], [330, 420], [520, 600]]);
    // Only the last letters of the first line changed (tile column 25, x 400-416).
    const spans = bandSpans(image, { top: 0, height: 64 }, seedAt(25));
    // From the first word to the last (plus a tile of margin), not the far-right line.
    expect(spans).toEqual([{ left: 80, width: 368 }]);
  });

  it('reads two changed lines as two spans, and a change on blank screen as itself with a margin', () => {
    const image = line([[100, 180], [520, 600]]);
    expect(bandSpans(image, { top: 0, height: 64 }, seedAt(7, 34))).toEqual([
      { left: 80, width: 128 },
      { left: 496, width: 128 },
    ]);
    // Something vanished (the tiles are blank now): its own tiles are still read, with a margin.
    expect(bandSpans(image, { top: 0, height: 64 }, seedAt(20))).toEqual([{ left: 304, width: 48 }]);
    // Within three blank tiles of a word it joins that word.
    expect(bandSpans(image, { top: 0, height: 64 }, seedAt(15))).toEqual([{ left: 80, width: 192 }]);
  });
});
