import { describe, expect, it } from 'vitest';
import { cutCues, formatVttTime, parseCaptions, toWebVtt } from '../../../src/core/media/captions.js';

const SRT = '\uFEFF1\r\n00:00:01,000 --> 00:00:04,500\r\nFirst line\r\nsecond line\r\n\r\n2\r\n00:00:06,250 --> 00:00:08,000\r\nAnother\r\n\r\n3\r\n00:01:02,000 --> 00:01:03,000\r\nLast\r\n';
const VTT = 'WEBVTT\n\nNOTE a comment\n\nintro\n00:01.000 --> 00:04.500 align:start\nFirst <b>bold</b>\n\n00:06.250 --> 00:08.000\nAnother\n';

describe('captions', () => {
  it('parses SRT (BOM, CRLF, multi-line cues) and WebVTT (ids, settings, short times)', () => {
    expect(parseCaptions(SRT)).toEqual([
      { start: 1, end: 4.5, text: 'First line\nsecond line' },
      { start: 6.25, end: 8, text: 'Another' },
      { start: 62, end: 63, text: 'Last' },
    ]);
    expect(parseCaptions(VTT).map((c) => [c.start, c.end])).toEqual([[1, 4.5], [6.25, 8]]);
  });
  it('cuts to the segment, clips cues across an edge and re-times them from 0', () => {
    expect(cutCues(parseCaptions(SRT), 3, 7)).toEqual([
      { start: 0, end: 1.5, text: 'First line\nsecond line' },
      { start: 3.25, end: 4, text: 'Another' },
    ]);
    // A sliver under 100 ms at the edge is dropped.
    expect(cutCues(parseCaptions(SRT), 4.45, 6.3)).toEqual([]);
  });
  it('writes WebVTT with escaped text', () => {
    expect(formatVttTime(3723.4567)).toBe('01:02:03.457');
    expect(toWebVtt([{ start: 0, end: 1.5, text: 'a < b & c --> d' }])).toBe('WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\na &lt; b &amp; c --&gt; d\n');
  });
});
