import { describe, expect, it } from 'vitest';
import { redactFilter } from '../../../src/core/media/ffmpeg.js';
import { regionProblems, resolveRegion, smartParts, type RedactionSpec } from '../../../src/core/redact/regions.js';

const spec = (box: RedactionSpec['box'], extra: Partial<RedactionSpec> = {}): RedactionSpec => ({ box, style: 'blur', at: ['redact', 0], ...extra });

describe('redaction regions', () => {
  it('resolves percentages and grows odd edges outwards to even pixels', () => {
    expect(resolveRegion(spec(['10%', '50%', '25%', '5%']), 1920, 1080, 60)).toEqual({ x: 192, y: 540, width: 480, height: 54, from: 0, to: 60, style: 'blur' });
    // 101..151 must stay covered: 100..152.
    expect(resolveRegion(spec([101, 11, 50, 21], { from: 2, to: 3 }), 1920, 1080, 60)).toMatchObject({ x: 100, y: 10, width: 52, height: 22, from: 2, to: 3 });
  });

  it('reports a box outside the frame and a range outside the recording', () => {
    expect(regionProblems(spec([1800, 10, 200, 20]), 1920, 1080, 60).map((p) => p.key)).toEqual(['box']);
    expect(regionProblems(spec([0, 0, 0, 20]), 1920, 1080, 60)[0]?.message).toContain('no area');
    expect(regionProblems(spec([0, 0, 10, 10], { from: 61 }), 1920, 1080, 60).map((p) => p.key)).toEqual(['from']);
    expect(regionProblems(spec([0, 0, 10, 10], { to: 75 }), 1920, 1080, 60).map((p) => p.key)).toEqual(['to']);
    expect(regionProblems(spec([0, 0, 10, 10], { from: 5, to: 4 }), 1920, 1080, 60).map((p) => p.key)).toEqual(['to']);
    expect(regionProblems(spec(['90%', '90%', '10%', '10%'], { from: 1, to: 2 }), 1920, 1080, 60)).toEqual([]);
  });

  it('re-encodes only the GOPs holding a redacted frame; the others stay stream-copied', () => {
    // 30 fps, keyframes every 60 frames, a segment of frames 10..590.
    const times = Array.from({ length: 600 }, (_, i) => i / 30);
    const keyframes = [0, 60, 120, 180, 240, 300, 360, 420, 480, 540];
    const plan = { firstFrame: 10, endFrame: 590, copyStart: 60, copyEnd: 540 };
    expect(smartParts(plan, keyframes, times, 1 / 30, [])).toEqual([
      { first: 10, end: 60, encode: true },
      { first: 60, end: 540, encode: false },
      { first: 540, end: 590, encode: true },
    ]);
    // A region from 5.0 s to 6.5 s touches the GOPs starting at frames 120 and 180 only: one
    // encoded part, which keeps the source's keyframe at 180.
    expect(smartParts(plan, keyframes, times, 1 / 30, [{ from: 5, to: 6.5 }])).toEqual([
      { first: 10, end: 60, encode: true },
      { first: 60, end: 120, encode: false },
      { first: 120, end: 240, encode: true, keyframes: [180] },
      { first: 240, end: 540, encode: false },
      { first: 540, end: 590, encode: true },
    ]);
    // A region in the first whole GOP joins the head; one at the end joins the tail.
    expect(smartParts(plan, keyframes, times, 1 / 30, [{ from: 2.5, to: 2.6 }, { from: 17, to: 17.1 }])).toEqual([
      { first: 10, end: 120, encode: true, keyframes: [60] },
      { first: 120, end: 480, encode: false },
      { first: 480, end: 590, encode: true, keyframes: [540] },
    ]);
  });

  it('builds one -vf chain that hides each region only in its time range', () => {
    const f = redactFilter([
      { x: 10, y: 20, width: 100, height: 30, from: 1, to: 2.5, style: 'blur' },
      { x: 0, y: 0, width: 64, height: 32, from: 0, to: 1, style: 'box' },
      { x: 200, y: 100, width: 160, height: 48, from: 3, to: 4, style: 'pixelate' },
    ]);
    expect(f).toContain("crop=100:30:10:20,boxblur=");
    expect(f).toContain("overlay=10:20:enable='between(t,1,2.5)'");
    expect(f).toContain("drawbox=x=0:y=0:w=64:h=32:color=black:t=fill:enable='between(t,0,1)'");
    expect(f).toContain('scale=10:3:flags=area,scale=160:48:flags=neighbor');
    // One unlabelled input and output: the chain can be followed by the web profile's filters.
    expect(f.startsWith('split=3[rm][rc0][rc1];')).toBe(true);
    // One split for every crop, the overlays chained on one frame (no full-frame copy per region).
    expect(f.match(/split=/g)).toHaveLength(1);
  });

  it('pins a yuv420p source format before the split and keeps negative window starts', () => {
    // After a seek onto a keyframe the first frames have negative times: a window clamped at 0
    // would let them through unredacted.
    const f = redactFilter([{ x: 10, y: 20, width: 100, height: 30, from: -0.155435, to: 4.877899, style: 'blur' }], { pixelFormat: 'yuv420p' });
    expect(f.startsWith('format=yuv420p,split=2[rm][rc0];')).toBe(true);
    expect(f).toContain("overlay=10:20:enable='between(t,-0.155435,4.877899)'");
    // Any other source format is left to the negotiation (a 10-bit source is not cut to 8 bits here).
    expect(redactFilter([{ x: 10, y: 20, width: 100, height: 30, from: 0, to: 1, style: 'blur' }], { pixelFormat: 'yuv420p10le' }).startsWith('split=')).toBe(true);
  });
});
