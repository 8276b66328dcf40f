import { describe, expect, it } from 'vitest';
import { addRange, coveredSeconds, type Range } from '../../../src/player/ranges.js';
import { decodeState, encodeState, layoutFingerprint, type PlayerState } from '../../../src/player/state.js';
import { formatIsoDuration, formatScorm12Time } from '../../../src/player/adapters/scorm-time.js';

describe('watched ranges', () => {
  it('merges overlapping and touching ranges and counts each second once', () => {
    let r: Range[] = [];
    r = addRange(r, 10, 20);
    r = addRange(r, 0, 5);
    r = addRange(r, 15, 30);
    r = addRange(r, 5, 6);
    expect(r).toEqual([
      [0, 6],
      [10, 30],
    ]);
    expect(coveredSeconds(r)).toBe(26);
  });
});

describe('resume state encoding', () => {
  const fp = layoutFingerprint(['a/b', 'a/c']);

  it('round-trips position, completed segments, partial ranges and workbooks', () => {
    const state: PlayerState = { lesson: 1, segment: 2, position: 73.45, segments: [true, [[0, 12.34], [40.05, 50]], []], workbooks: [true, false] };
    const text = encodeState(state, fp, 4096);
    const back = decodeState(text, fp, 3, 2);
    expect(back?.lesson).toBe(1);
    expect(back?.segment).toBe(2);
    expect(back?.position).toBeCloseTo(73.4, 5);
    expect(back?.segments[0]).toBe(true);
    // Starts round up and ends round down to 0.1 s: stored time never exceeds watched time.
    expect(back?.segments[1]).toEqual([
      [0, 12.3],
      [40.1, 50],
    ]);
    expect(back?.segments[2]).toEqual([]);
    expect(back?.workbooks).toEqual([true, false]);
  });

  it('ignores state written for another course layout or format', () => {
    const text = encodeState({ lesson: 0, segment: 0, position: 5, segments: [true], workbooks: [false] }, fp, 4096);
    expect(decodeState(text, layoutFingerprint(['other']), 1, 1)).toBeUndefined();
    expect(decodeState(text, fp, 2, 1)).toBeUndefined();
    expect(decodeState('garbage', fp, 1, 1)).toBeUndefined();
  });

  it('fits SCORM 1.2 suspend_data for 30 lessons x 10 segments even with fragmented viewing', () => {
    const lessons = 30;
    const perLesson = 10;
    const segments: Range[][] = [];
    // Worst case: every 15-minute segment watched in 40 scattered stretches.
    for (let i = 0; i < lessons * perLesson; i += 1) {
      let r: Range[] = [];
      for (let k = 0; k < 40; k += 1) r = addRange(r, k * 22 + (i % 7), k * 22 + 10 + (i % 7));
      segments.push(r);
    }
    const state: PlayerState = { lesson: 29, segment: 9, position: 899.9, segments, workbooks: Array.from({ length: lessons }, (_, i) => i % 2 === 0) };
    const text = encodeState(state, fp, 4096);
    expect(text.length).toBeLessThanOrEqual(4096);
    const back = decodeState(text, fp, lessons * perLesson, lessons);
    expect(back).toBeDefined();
    expect(back?.lesson).toBe(29);
    expect(back?.segment).toBe(9);
    // It uses the space: only as many ranges are dropped as needed to fit.
    expect(text.length).toBeGreaterThan(4096 - 50);
    const keptRanges = back?.segments.reduce((n, s) => n + (s === true ? 0 : s.length), 0) ?? 0;
    expect(keptRanges).toBeGreaterThan(400);
    // Trimming drops ranges (under-counts), never invents watched time.
    for (let i = 0; i < segments.length; i += 1) {
      const kept = back?.segments[i];
      expect(kept).not.toBe(true);
      expect(coveredSeconds(kept as Range[])).toBeLessThanOrEqual(coveredSeconds(segments[i] as Range[]));
    }
    // A course where everything was watched stays far below the limit.
    const done = encodeState({ ...state, segments: segments.map(() => true as const) }, fp, 4096);
    expect(done.length).toBeLessThan(1000);
    expect(decodeState(done, fp, lessons * perLesson, lessons)?.segments.every((s) => s === true)).toBe(true);
  });
});

describe('SCORM session time formats', () => {
  it('SCORM 1.2 HHHH:MM:SS.SS', () => {
    expect(formatScorm12Time(0)).toBe('0000:00:00.00');
    expect(formatScorm12Time(3_723_456)).toBe('0001:02:03.46');
    expect(formatScorm12Time(3_723_456)).toMatch(/^\d{4}:\d{2}:\d{2}\.\d{2}$/);
  });
  it('SCORM 2004 ISO 8601 durations', () => {
    expect(formatIsoDuration(0)).toBe('PT0S');
    expect(formatIsoDuration(3_723_450)).toBe('PT1H2M3.45S');
    expect(formatIsoDuration(61_000)).toBe('PT1M1S');
  });
});
