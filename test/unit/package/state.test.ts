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
    // It uses the space: compressed first, and only as many ranges dropped as needed to fit.
    expect(text.startsWith('2~')).toBe(true);
    expect(text.length).toBeGreaterThan(4096 - 50);
    const keptRanges = back?.segments.reduce((n, s) => n + (s === true ? 0 : s.length), 0) ?? 0;
    expect(keptRanges).toBeGreaterThan(3000);
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

describe('compact resume data', () => {
  const fp = layoutFingerprint(['big', '1.0.0']);
  /** 300 segments of 15 minutes, each watched in `per` stretches at odd (sub-second) offsets. */
  function fragmented(per: number): Range[][] {
    return Array.from({ length: 300 }, (_, i) => {
      let r: Range[] = [];
      for (let k = 0; k < per; k += 1) {
        const start = Math.floor((k * 900) / per) + (i % 7) + 0.35;
        r = addRange(r, start, start + 900 / per / 2.2);
      }
      return r;
    });
  }

  it.each([
    [3, 1],
    [4, 1],
    [6, 5],
  ])('keeps every one of 30 lessons x 10 segments watched in %i stretches within 4096 characters (%i s quanta)', (per, quantum) => {
    const segments = fragmented(per);
    const state: PlayerState = { lesson: 29, segment: 9, position: 899.9, segments, workbooks: Array.from({ length: 30 }, () => false), quizzes: Array.from({ length: 30 }, (_, i) => (i === 3 ? { attempts: 2, percent: 80 } : undefined)) };
    const text = encodeState(state, fp, 4096);
    expect(text.length).toBeLessThanOrEqual(4096);
    // The readable format would not fit.
    expect(encodeState(state, fp, 1e6).length).toBeGreaterThan(4096 + 2000);
    const back = decodeState(text, fp, 300, 30);
    expect(back?.quizzes?.[3]).toEqual({ attempts: 2, percent: 80 });
    expect(back?.position).toBe(899.9);
    for (let i = 0; i < 300; i += 1) {
      const kept = back?.segments[i] as Range[];
      const original = segments[i] as Range[];
      // Every stretch is still there, inside the one watched, at most one quantum short at each end.
      expect(kept).toHaveLength(per);
      kept.forEach(([a, b], k) => {
        const [oa, ob] = original[k] as Range;
        expect(a).toBeGreaterThanOrEqual(oa);
        expect(b).toBeLessThanOrEqual(ob);
        expect(oa + ob - a - b).toBeLessThanOrEqual(2 * quantum);
      });
    }
  });

  it('round-trips completed markers, untouched segments and ranges', () => {
    const segments: (true | Range[])[] = [true, [], [[0, 12]], [[3.2, 100.9], [200, 410]], true, []];
    const state: PlayerState = { lesson: 1, segment: 2, position: 5, segments, workbooks: [true, false] };
    const text = encodeState({ ...state, segments: [...segments, ...Array.from({ length: 94 }, () => [[1.5, 700.5]] as Range[])] }, fp, 600);
    expect(text.startsWith('2~')).toBe(true);
    const back = decodeState(text, fp, 100, 2);
    expect(back?.segments.slice(0, 6)).toEqual([true, [], [[0, 12]], [[4, 100], [200, 410]], true, []]);
    expect(back?.segments[99]).toEqual([[2, 700]]);
    expect(back?.workbooks).toEqual([true, false]);
    // A damaged stream is ignored, not misread.
    const parts = text.split('~');
    expect(decodeState([...parts.slice(0, 3), `${parts[3]?.[0]}!!`, ...parts.slice(4)].join('~'), fp, 100, 2)).toBeUndefined();
    expect(decodeState([...parts.slice(0, 3), (parts[3] ?? '').slice(0, 5), ...parts.slice(4)].join('~'), fp, 100, 2)).toBeUndefined();
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
