/**
 * probe + trim on the kinds of recordings people have: HEVC, VFR, 4K, odd sizes, no audio,
 * mono 44.1 kHz, MOV/MKV/WebM(VP9), rotation metadata. Every output must be web-ready.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { ffmpeg, probe, sha256, videoFrameTimes, webProfileProblems } from './media-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;

const video = (size: string, rate: number, seconds: number) => ['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${rate}`, '-t', String(seconds)];
const tone = (rate: number, layout: string) => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${rate}`, '-af', `aformat=channel_layouts=${layout}`];
const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
// ultrafast only uses Constrained Baseline tools; the smart-cut cases need a real High profile stream.
const x264high = ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p'];

interface Case {
  name: string;
  file: string;
  make: string[];
  /** What probe must say. */
  probe: Record<string, unknown>;
  /** The trim range and what the output must be. */
  from: number;
  to: number;
  size: [number, number];
  frames: number;
  audio: boolean;
  method: 'smart' | 'encode';
  /** Remux with this rotate tag after encoding. */
  rotate?: number;
}

const cases: Case[] = [
  {
    name: 'HEVC in MP4',
    file: 'hevc.mp4',
    make: [...video('320x240', 30, 3), ...tone(48000, 'stereo'), '-shortest', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-tag:v', 'hvc1', '-c:a', 'aac'],
    probe: { video: { codec: 'hevc' }, smartCut: { possible: false, reasons: expect.arrayContaining(['video codec is hevc, not H.264']) } },
    from: 0.5, to: 2.5, size: [320, 240], frames: 60, audio: true, method: 'encode',
  },
  {
    name: 'variable frame rate (MKV, every third frame dropped)',
    file: 'vfr.mkv',
    make: [...video('320x240', 30, 4), '-vf', "select='not(eq(mod(n\\,3)\\,1))'", '-vsync', 'vfr', ...x264, '-an'],
    probe: { video: { variableFrameRate: true }, smartCut: { possible: false } },
    from: 1, to: 3, size: [320, 240], frames: 60, audio: false, method: 'encode',
  },
  {
    name: '4K is scaled down to 1080p',
    file: '4k.mp4',
    make: [...video('3840x2160', 10, 1.5), ...x264, '-an'],
    probe: { video: { width: 3840, height: 2160 }, smartCut: { possible: false, reasons: expect.arrayContaining(['3840x2160 is larger than 1920x1080']) } },
    from: 0, to: 1, size: [1920, 1080], frames: 10, audio: false, method: 'encode',
  },
  {
    name: 'odd size 1366x767 is padded to even',
    file: 'odd.mkv',
    make: ['-f', 'lavfi', '-i', 'testsrc=size=1366x767:rate=10', '-t', '1.5', '-c:v', 'png', '-an'],
    probe: { video: { width: 1366, height: 767 }, smartCut: { possible: false } },
    from: 0.2, to: 1.2, size: [1366, 768], frames: 10, audio: false, method: 'encode',
  },
  {
    name: 'no audio track (smart cut)',
    file: 'silent.mp4',
    make: [...video('320x240', 25, 5), ...x264high, '-g', '25', '-an'],
    probe: { smartCut: { possible: true } },
    from: 0.6, to: 3.2, size: [320, 240], frames: 65, audio: false, method: 'smart',
  },
  {
    name: 'MOV with mono 44.1 kHz audio',
    file: 'mono.mov',
    make: [...video('320x240', 30, 4), ...tone(44100, 'mono'), '-shortest', ...x264high, '-g', '30', '-c:a', 'aac'],
    probe: { container: 'mov,mp4,m4a,3gp,3g2,mj2', audio: { channels: 1, sampleRate: 44100 }, smartCut: { possible: true } },
    from: 0.5, to: 3.5, size: [320, 240], frames: 90, audio: true, method: 'smart',
  },
  {
    // x264 with B-frames in Matroska: the demuxer's timestamps of the first frames are irregular
    // (0.054 s where 0.067 is due), so lessonkit treats it as variable-rate and transcodes.
    name: 'H.264 in MKV',
    file: 'h264.mkv',
    make: [...video('320x240', 30, 4), ...tone(48000, 'stereo'), '-shortest', '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-g', '30', '-c:a', 'aac'],
    probe: { container: 'matroska,webm', smartCut: { possible: false, reasons: ['frame rate is variable'] } },
    from: 0.4, to: 3.3, size: [320, 240], frames: 87, audio: true, method: 'encode',
  },
  {
    name: 'WebM with VP9 and Opus',
    file: 'vp9.webm',
    make: [...video('320x240', 30, 2), ...tone(48000, 'stereo'), '-shortest', '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-c:a', 'libopus'],
    probe: { video: { codec: 'vp9' }, audio: { codec: 'opus' }, smartCut: { possible: false } },
    from: 0.5, to: 1.5, size: [320, 240], frames: 30, audio: true, method: 'encode',
  },
  {
    name: 'rotation metadata is applied (upright output)',
    file: 'rotated.mp4',
    // This ffmpeg writes the rotate tag only when stream-copying: encode, then remux with the tag.
    make: [...video('320x240', 30, 2), ...x264, '-an'],
    rotate: 90,
    probe: { video: { rotation: 90, displayWidth: 240, displayHeight: 320 }, smartCut: { possible: false } },
    from: 0, to: 1, size: [240, 320], frames: 30, audio: false, method: 'encode',
  },
];

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('lessonkit-media-formats-'));
  for (const c of cases) {
    if (c.rotate === undefined) {
      await ffmpeg([...c.make, path.join(dir, c.file)]);
    } else {
      const plain = path.join(dir, `plain-${c.file}`);
      await ffmpeg([...c.make, plain]);
      await ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', `rotate=${c.rotate}`, path.join(dir, c.file)]);
    }
  }
});

afterAll(async () => cleanup());

describe.each(cases)('$name', (c) => {
  it('probe describes it, trim makes a web-ready file of the exact frames, the source is untouched', async () => {
    const src = path.join(dir, c.file);
    const hash = await sha256(src);
    const p = await runCli(['probe', c.file, '--json'], { cwd: dir });
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject(c.probe);
    const out = c.file.replace(/\.\w+$/, '-out.mp4');
    const t = await runCli(['trim', c.file, '--from', String(c.from), '--to', String(c.to), '--out', out, '--json'], { cwd: dir });
    expect(t.stderr).not.toMatch(/^error/m);
    expect(t.code).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ method: c.method, width: c.size[0], height: c.size[1] });
    const file = path.join(dir, out);
    expect(await webProfileProblems(file, c.audio)).toEqual([]);
    expect(await videoFrameTimes(file)).toHaveLength(c.frames);
    const v = (await probe(file)).streams.find((s) => s.codec_type === 'video');
    expect([v?.width, v?.height]).toEqual(c.size);
    // Rotation is applied to the pixels, so no player rotates the output again.
    expect(v?.side_data_list?.some((d) => d.rotation) ?? false).toBe(false);
    expect(v?.tags?.rotate).toBeUndefined();
    expect(await sha256(src)).toBe(hash);
  });
});
