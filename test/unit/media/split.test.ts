import { describe, expect, it } from 'vitest';
import { chaptersFromPauses, chooseCuts, pauseCandidates, planSplit, type CutCandidate } from '../../../src/core/media/split.js';

const cand = (time: number, score = 1): CutCandidate => ({ time, pause: { start: time - 0.5, end: time + 0.5 }, keyframe: false, scene: 0, score });

describe('pauseCandidates', () => {
  it('cuts on a keyframe inside the pause, else mid-pause on a frame boundary; ranks by length, keyframe and scene change', () => {
    const c = pauseCandidates([{ start: 10, end: 11.5 }, { start: 20, end: 20.6 }], [0, 11, 24], [{ time: 11, score: 0.5 }], 1 / 30, 60);
    expect(c[0]).toMatchObject({ time: 11, keyframe: true, scene: 0.5 });
    expect(c[1]).toMatchObject({ time: 20.3, keyframe: false, scene: 0 });
    expect(c[0]!.score).toBeGreaterThan(c[1]!.score);
  });
  it('ignores silence at the very start and end', () => {
    expect(pauseCandidates([{ start: 0, end: 2 }, { start: 58, end: 60 }], [], [], 1 / 30, 60)).toEqual([]);
  });
});

describe('chooseCuts', () => {
  it('needs no cut when the recording fits', () => {
    expect(chooseCuts(600, [cand(300)], 60, 900)).toEqual([]);
  });
  it('uses the fewest segments and keeps each within [min, max]', () => {
    const cuts = chooseCuts(2400, [100, 700, 850, 1200, 1500, 1650, 2300].map((t) => cand(t)), 120, 900)!;
    const edges = [0, ...cuts.map((c) => c.time), 2400];
    expect(edges.length - 1).toBe(3);
    for (let i = 1; i < edges.length; i++) {
      expect(edges[i]! - edges[i - 1]!).toBeGreaterThanOrEqual(120);
      expect(edges[i]! - edges[i - 1]!).toBeLessThanOrEqual(900);
    }
  });
  it('looks ahead (not greedy): the longest first segment would leave no valid rest', () => {
    // Greedy takes 880 first; then no candidate lies in [1180, 1780]. The only plan is 700, 1150.
    const cuts = chooseCuts(2000, [cand(700), cand(880), cand(1150)], 300, 900)!;
    expect(cuts.map((c) => c.time)).toEqual([700, 1150]);
  });
  it('prefers even segments, and a better pause when evenness is similar', () => {
    expect(chooseCuts(1000, [cand(300), cand(500), cand(700)], 100, 900)!.map((c) => c.time)).toEqual([500]);
    expect(chooseCuts(1000, [cand(495, 1), cand(505, 3)], 100, 600)!.map((c) => c.time)).toEqual([505]);
  });
  it('returns undefined when no choice fits', () => {
    expect(chooseCuts(1000, [cand(100)], 200, 600)).toBeUndefined();
  });
  it('is deterministic, whatever the input order', () => {
    const list = [300, 480, 520, 700, 760].map((t) => cand(t));
    const a = chooseCuts(1200, list, 100, 500);
    const b = chooseCuts(1200, [...list].reverse(), 100, 500);
    expect(a).toEqual(b);
  });
});

describe('planSplit', () => {
  it('falls back to cuts outside pauses (flagged) when no pause fits the limits', () => {
    const plan = planSplit(100, [{ start: 10, end: 11 }], [0, 25, 50, 75], [], 1 / 30, 20, 40);
    expect(plan.allInPauses).toBe(false);
    for (const s of plan.segments) {
      expect(s.duration).toBeGreaterThanOrEqual(20);
      expect(s.duration).toBeLessThanOrEqual(40);
    }
  });
});

describe('chaptersFromPauses', () => {
  it('marks the best pauses inside each segment, a minute apart and away from its edges, in segment time', () => {
    const segments = [{ from: 0, to: 600, duration: 600 }, { from: 600, to: 660, duration: 60 }];
    const chapters = chaptersFromPauses(segments, [cand(30, 9), cand(200, 2), cand(230, 3), cand(400, 1), cand(590, 9), cand(630, 1)]);
    // 30 and 590 are too near the edges; 200 is too near the better 230.
    expect(chapters[0]).toEqual([{ time: 0, title: 'Part 1' }, { time: 230, title: 'Part 2' }, { time: 400, title: 'Part 3' }]);
    // A one-minute segment: chapters a quarter of it (15 s) apart; 630 is 30 s in.
    expect(chapters[1]).toEqual([{ time: 0, title: 'Part 1' }, { time: 30, title: 'Part 2' }]);
  });
});
