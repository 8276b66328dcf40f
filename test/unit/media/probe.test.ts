import { describe, expect, it } from 'vitest';
import { analysePackets, formatCodecLevel, normalizeRotation, parseRational, rateFromFrameDuration, smartCutBlockers } from '../../../src/core/media/probe.js';

/** Packet CSV lines (pts,dts,duration,flags) for `n` frames at `fps` with a keyframe every `gop` and B-frame delay `delay`. */
function packets(n: number, fps: number, gop: number, delay = 0, drop?: (i: number) => boolean): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (drop?.(i)) continue;
    const pts = i / fps;
    lines.push(`${pts.toFixed(6)},${(pts - delay / fps).toFixed(6)},${(1 / fps).toFixed(6)},${i % gop === 0 ? 'K_' : '__'}`);
  }
  return lines.join('\n');
}

describe('analysePackets', () => {
  it('finds frames, keyframes, the frame interval and the B-frame delay', () => {
    const a = analysePackets(packets(90, 30, 30, 2));
    expect(a.frameTimes).toHaveLength(90);
    expect(a.keyframeTimes).toEqual([0, 1, 2]);
    expect(a.medianDelta).toBeCloseTo(1 / 30, 5);
    expect(a.variable).toBe(false);
    expect(a.reorderDelay).toBe(2);
  });
  it('tolerates millisecond-rounded timestamps but flags real variable frame rates', () => {
    const ms = Array.from({ length: 60 }, (_, i) => `${(Math.round((i / 30) * 1000) / 1000).toFixed(3)},N/A,,${i % 30 ? '__' : 'K_'}`).join('\n');
    expect(analysePackets(ms).variable).toBe(false);
    expect(analysePackets(packets(90, 30, 30, 0, (i) => i % 3 === 1)).variable).toBe(true);
  });
});

describe('rates and rotation', () => {
  it('recognises NTSC rates and rounds others', () => {
    expect(rateFromFrameDuration(1001 / 30000)).toEqual({ num: 30000, den: 1001 });
    expect(rateFromFrameDuration(1 / 15)).toEqual({ num: 15, den: 1 });
    expect(parseRational('0/0')).toBeUndefined();
    expect(parseRational('25/1')).toEqual({ num: 25, den: 1 });
  });
  it('normalises rotations', () => {
    expect(normalizeRotation(-90)).toBe(270);
    expect(normalizeRotation(450)).toBe(90);
    expect(normalizeRotation(0)).toBe(0);
  });
});

describe('smartCutBlockers', () => {
  const ok = { codec: 'h264', profile: 'High', level: 40, pixelFormat: 'yuv420p', width: 1920, height: 1080, displayWidth: 1920, displayHeight: 1080, rotation: 0, frameRate: { num: 30, den: 1 }, fps: 30, variableFrameRate: false, color: {}, bFrames: true, keyframes: 10, reorderDelay: 2 };
  it('accepts a web-compatible H.264 stream', () => {
    expect(smartCutBlockers(ok)).toEqual([]);
  });
  it('names every reason a stream must be transcoded', () => {
    expect(smartCutBlockers({ ...ok, codec: 'hevc' })).toEqual(['video codec is hevc, not H.264']);
    expect(smartCutBlockers({ ...ok, profile: 'Main' })).toEqual(['H.264 profile is Main; the web profile is High']);
    expect(smartCutBlockers({ ...ok, pixelFormat: 'yuv444p', variableFrameRate: true, width: 2560, height: 1441, rotation: 90, keyframes: 1, reorderDelay: 3 })).toEqual([
      'pixel format is yuv444p, not yuv420p',
      'frame rate is variable',
      '2560x1441 is larger than 1920x1080',
      '2560x1441 has an odd dimension',
      'rotated 90 degrees in the container (needs to be applied)',
      'fewer than two keyframes',
      'B-frame reorder delay of 3 frames (at most 2 can be matched)',
    ]);
  });
});

describe('formatCodecLevel', () => {
  it('names H.264 levels from 10 x level and HEVC levels from 30 x level', () => {
    expect(formatCodecLevel('h264', 40)).toBe('4.0');
    expect(formatCodecLevel('h264', 31)).toBe('3.1');
    expect(formatCodecLevel('h264', 9)).toBe('1b');
    // HEVC's general_level_idc: 153 is level 5.1, not "15.3".
    expect(formatCodecLevel('hevc', 153)).toBe('5.1');
    expect(formatCodecLevel('hevc', 120)).toBe('4.0');
    expect(formatCodecLevel('hevc', 93)).toBe('3.1');
    expect(formatCodecLevel('av1', 13)).toBe('5.1');
    expect(formatCodecLevel('av1', 8)).toBe('4.0');
  });
  it('says nothing rather than something wrong', () => {
    expect(formatCodecLevel('h264', 0)).toBeUndefined();
    expect(formatCodecLevel('vp8', 3)).toBeUndefined();
    expect(formatCodecLevel('hevc', 100)).toBeUndefined();
    expect(formatCodecLevel('av1', 31)).toBeUndefined();
  });
});
