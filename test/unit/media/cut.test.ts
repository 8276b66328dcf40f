import { describe, expect, it } from 'vitest';
import { planCut } from '../../../src/core/media/cut.js';
import type { MediaInfo, MediaTimeline } from '../../../src/core/media/probe.js';

function source(opts: { fps?: number; seconds?: number; gop?: number; smart?: boolean; vfr?: boolean } = {}): { info: MediaInfo; timeline: MediaTimeline } {
  const fps = opts.fps ?? 30;
  const n = Math.round((opts.seconds ?? 10) * fps);
  const gop = opts.gop ?? 60;
  const frameTimes = Array.from({ length: n }, (_, i) => Math.round((i / fps) * 1e6) / 1e6);
  const info = {
    file: '/rec.mp4', size: 1, container: 'mov', duration: n / fps,
    video: { codec: 'h264', profile: 'High', level: 40, pixelFormat: 'yuv420p', width: 640, height: 360, displayWidth: 640, displayHeight: 360, rotation: 0, frameRate: { num: fps, den: 1 }, fps, variableFrameRate: Boolean(opts.vfr), frames: n, keyframeInterval: { max: gop / fps, average: gop / fps }, color: {}, bFrames: true },
    smartCut: { possible: opts.smart ?? true, reasons: opts.smart === false ? ['video codec is hevc, not H.264'] : [] },
    needsSplit: false,
  } satisfies MediaInfo;
  return { info, timeline: { frameTimes, keyframeTimes: frameTimes.filter((_, i) => i % gop === 0), reorderDelay: 2 } };
}

describe('planCut', () => {
  it('plans a smart cut: head up to the next keyframe, whole GOPs copied, tail from the last keyframe', () => {
    const { info, timeline } = source();
    expect(planCut(info, timeline, 0.9, 6.3, 'auto', 'rec.mp4')).toMatchObject({ method: 'smart', firstFrame: 27, endFrame: 189, frames: 162, copyStart: 60, copyEnd: 180, from: 0.9 });
  });
  it('takes the frames in [from, to): a time between frames starts at the next one', () => {
    const { info, timeline } = source();
    const p = planCut(info, timeline, 1.01, 2.0, 'encode', 'rec.mp4');
    expect(p).toMatchObject({ method: 'encode', firstFrame: 31, frames: 29 });
  });
  it('absorbs microsecond rounding of frame times', () => {
    const { info, timeline } = source();
    expect(planCut(info, timeline, 2.0666669, 3, 'encode', 'rec.mp4').firstFrame).toBe(62);
    expect(planCut(info, timeline, 2.066666, 3, 'encode', 'rec.mp4').firstFrame).toBe(62);
  });
  it('transcodes when no whole GOP lies inside, or the source cannot be copied', () => {
    const { info, timeline } = source();
    expect(planCut(info, timeline, 2.5, 3.5, 'auto', 'rec.mp4')).toMatchObject({ method: 'encode', reason: 'the range holds no whole GOP to copy' });
    const hevc = source({ smart: false });
    expect(planCut(hevc.info, hevc.timeline, 0, 5, 'auto', 'rec.mp4')).toMatchObject({ method: 'encode', reason: 'video codec is hevc, not H.264' });
  });
  it('copy mode starts at the keyframe at or before --from', () => {
    const { info, timeline } = source();
    expect(planCut(info, timeline, 2.5, 5, 'copy', 'rec.mp4')).toMatchObject({ method: 'copy', from: 2, to: 5 });
    expect(planCut(info, timeline, 4, 5, 'copy', 'rec.mp4')).toMatchObject({ from: 4 });
  });
  it('counts output frames at the nominal rate for variable-rate sources', () => {
    const { info, timeline } = source({ vfr: true });
    expect(planCut(info, timeline, 1.25, 3.25, 'auto', 'rec.mp4')).toMatchObject({ method: 'encode', frames: 60, from: 1.25 });
  });
  it('rejects ranges that are empty, reversed or beyond the end, naming the values', () => {
    const { info, timeline } = source();
    expect(() => planCut(info, timeline, 5, 5, 'auto', 'rec.mp4')).toThrow('--from 5s is not before --to 5s.');
    expect(() => planCut(info, timeline, 11, 12, 'auto', 'rec.mp4')).toThrow('--from 11s is beyond the end of rec.mp4 (10s long).');
    expect(() => planCut(info, timeline, 1, 10.5, 'auto', 'rec.mp4')).toThrow('--to 10.5s is beyond the end of rec.mp4 (10s long).');
    // Half a frame past the end means "to the end".
    expect(planCut(info, timeline, 8, 10.01, 'auto', 'rec.mp4')).toMatchObject({ endFrame: 300 });
  });
});
