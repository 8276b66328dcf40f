import { describe, expect, it } from 'vitest';
import { ChangeDetector, changedArea, keepLargest, thinChanges, type DetectedChange } from '../../../src/core/steps/detect.js';

const W = 160;
const H = 90;

/** A frame: light grey, with filled rectangles. */
function frame(rects: { x: number; y: number; w: number; h: number; v?: number }[]): Uint8Array {
  const f = new Uint8Array(W * H).fill(230);
  for (const r of rects) for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) f[y * W + x] = r.v ?? 40;
  return f;
}

/** Runs frames at 8 fps: `screenAt(t)` gives the screen, plus a cursor that never rests. */
function detect(seconds: number, screenAt: (t: number) => { x: number; y: number; w: number; h: number; v?: number }[]): DetectedChange[] {
  const d = new ChangeDetector({ width: W, height: H, fps: 8 });
  for (let i = 0; i < seconds * 8; i++) {
    const t = i / 8;
    const cursor = { x: (i * 3) % 150, y: 60, w: 2, h: 3, v: 0 };
    d.push(frame([...screenAt(t), cursor]), i);
  }
  return d.finish();
}

describe('ChangeDetector', () => {
  it('finds the starting screen and each settled change at its time, not the moving cursor', () => {
    const found = detect(12, (t) => [t < 4 ? { x: 10, y: 5, w: 60, h: 10 } : { x: 10, y: 5, w: 90, h: 10 }, ...(t >= 8 ? [{ x: 90, y: 30, w: 50, h: 40, v: 255 }] : [])]);
    expect(found.map((c) => c.time)).toEqual([0, 4, 8]);
    expect(found[0]?.initial).toBe(true);
    // The dialog's box, in analysis pixels, holds the rectangle drawn.
    const box = found[2]?.box;
    expect(box && box.x <= 90 && box.y <= 30 && box.x + box.width >= 140 && box.y + box.height >= 70).toBe(true);
    expect(found[2]?.stillAt).toBeGreaterThan(8);
    expect(found[2]?.stillAt).toBeLessThan(9.1);
  });

  it('does not count a change that never settles for a second, nor one that comes back to the same screen', () => {
    // Blinks on for 0.5 s every second: never still long enough.
    const blinking = detect(6, (t) => (t >= 2 && t % 1 < 0.5 ? [{ x: 40, y: 40, w: 40, h: 30 }] : []));
    expect(blinking.map((c) => c.time)).toEqual([0]);
    // A hover that opens and closes before settling, then the same screen: no step.
    const back = detect(6, (t) => (t >= 2 && t < 2.4 ? [{ x: 40, y: 40, w: 40, h: 30 }] : []));
    expect(back.map((c) => c.time)).toEqual([0]);
  });

  it('adds small changes up until they make a step (a form filled field by field)', () => {
    const fields = (t: number) => Array.from({ length: Math.min(6, Math.floor(t / 1.5)) }, (_, k) => ({ x: 20 + k * 20, y: 50, w: 3, h: 3 }));
    const found = detect(14, fields);
    expect(found.length).toBeGreaterThan(1);
    expect(found.length).toBeLessThan(6);
  });
});

describe('changedArea, thinChanges and keepLargest', () => {
  it('ignores a lone noisy pixel and boxes a real change', () => {
    const a = frame([]);
    expect(changedArea(a, frame([{ x: 5, y: 5, w: 1, h: 1 }]), W, H).pixels).toBe(0);
    expect(changedArea(a, frame([{ x: 20, y: 20, w: 8, h: 8 }]), W, H).box).toEqual({ x: 20, y: 20, width: 8, height: 8 });
  });

  it('joins changes closer than the gap and keeps the largest ones with the starting screen', () => {
    const c = (time: number, area: number, initial = false): DetectedChange => ({ time, stillAt: time + 0.5, box: { x: time, y: 0, width: 10, height: 10 }, area, ...(initial ? { initial } : {}) });
    const thin = thinChanges([c(0, 1, true), c(4, 0.1), c(5, 0.2), c(10, 0.05)], 3);
    expect(thin.map((x) => [x.time, x.stillAt, x.area])).toEqual([[0, 0.5, 1], [4, 5.5, 0.2], [10, 10.5, 0.05]]);
    expect(keepLargest([c(0, 0.01, true), c(4, 0.1), c(8, 0.5), c(12, 0.3)], 2, (x) => x).map((x) => x.time)).toEqual([0, 8]);
  });
});
