#!/usr/bin/env node
// Transcode-path benchmark (not part of `npm test`):
//
//   npm run build && node bench/transcode.mjs [--rounds 3] [--seconds 20] [--only VFR,HEVC] [--base <checkout,...>]
//
// Generates (once, under bench/out) short sources of the kinds that take the transcode path:
// an OBS-like variable-frame-rate MKV, an HEVC 10-bit .mov, 60 fps H.264 and 4K H.264 (scaled
// down to 1080p). For each, interleaved round by round:
//   L  lessonkit trim --mode encode --out     (start-up, probe, loudness scan, encode, output probe)
//   F  the floor: plain ffmpeg running the very command lessonkit's encode runs (same filters,
//      x264 and AAC settings, the same gain), nothing else
//   B  with --base a,b: other built checkouts' CLIs (say, main before a change), in the same rounds
// Prints medians of wall and CPU time and the ratio L/F (target: within 5 %, i.e. at most 1.05x).
// --only keeps the sources whose label contains one of the words.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadLine, samples, timeCommand } from './lib.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : def);
const rounds = opt('rounds', 3);
const seconds = opt('seconds', 20);
const text = (name) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const only = text('only')?.split(',');
const bases = (text('base') ?? '').split(',').filter(Boolean).map((b) => path.resolve(b));
const bin = path.join(root, 'bin/lessonkit.js');
if (!existsSync(path.join(root, 'dist/cli.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(2);
}
const FFMPEG = require('@ffmpeg-installer/ffmpeg').path;
const env = { LESSONKIT_FFMPEG: FFMPEG, LESSONKIT_FFPROBE: require('@ffprobe-installer/ffprobe').path };
const dist = (m) => import(path.join(root, 'dist', m));
const { probeWithTimeline } = await dist('core/media/probe.js');
const { planCut } = await dist('core/media/cut.js');
const ff = await dist('core/media/ffmpeg.js');
const { createSilentContext } = await dist('core/context.js');

const screen = (size, rate) => `testsrc2=size=${size}:rate=${rate}`;
const tone = ['-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=48000'];
const SOURCES = {
  'VFR MKV (OBS-like, 1080p)': {
    file: 'vfr-1080p.mkv',
    // Frames dropped at random while the "screen" is still: variable frame durations.
    make: ['-f', 'lavfi', '-i', screen('1920x1080', 30), ...tone, '-vf', "select='not(eq(mod(n\\,7)\\,3))*not(eq(mod(n\\,11)\\,5))'", '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
  },
  'HEVC 10-bit .mov (1080p)': { file: 'hevc10-1080p.mov', make: ['-f', 'lavfi', '-i', screen('1920x1080', 30), ...tone, '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-tag:v', 'hvc1', '-c:a', 'aac'] },
  '60 fps H.264 (1080p)': { file: 'h264-1080p60.mp4', make: ['-f', 'lavfi', '-i', screen('1920x1080', 60), ...tone, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'] },
  '4K H.264 (scaled to 1080p)': { file: 'h264-2160p.mp4', make: ['-f', 'lavfi', '-i', screen('3840x2160', 30), ...tone, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'] },
};

const outDir = path.join(root, 'bench', 'out');
await mkdir(outDir, { recursive: true });
const work = await mkdtemp(path.join(tmpdir(), 'lessonkit-bench-transcode-'));
const lines = [];
try {
  for (const [label, src] of Object.entries(SOURCES)) {
    if (only && !only.some((w) => label.includes(w))) continue;
    const file = path.join(outDir, src.file.replace(/(\.\w+)$/, `-${seconds}s$1`));
    if (!(await stat(file).then(() => true, () => false))) {
      const tmp = file.replace(/(\.\w+)$/, '.tmp$1');
      // -fps_mode is ffmpeg 5+; the npm ffmpeg (4.x) spells it -vsync.
      const make = src.make.map((a) => (a === '-fps_mode' ? '-vsync' : a));
      await run(FFMPEG, ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...make, '-t', String(seconds), '-shortest', tmp], { maxBuffer: 64 << 20 });
      await rename(tmp, file);
      console.error(`generated ${path.basename(file)}`);
    }
    const from = 1;
    const to = seconds - 1;
    const { info, timeline } = await probeWithTimeline({ file, cwd: root, env }, createSilentContext());
    const plan = planCut(info, timeline, from, to, 'encode', file);
    const frameDur = plan.fps.den / plan.fps.num;
    const eps = Math.min(0.001, frameDur / 8);
    const channels = info.audio?.channels ?? 0;
    const audioFrom = Math.max(0, plan.from - (info.video.variableFrameRate ? 0 : eps));
    const scan = await run(FFMPEG, ff.loudnessScanArgs(file, audioFrom, plan.frames * frameDur), { maxBuffer: 64 << 20 });
    const gainDb = ff.loudnessGain(ff.parseLoudness(scan.stderr));
    const floorOut = path.join(work, 'floor.mp4');
    const floorArgs = ff.transcodeArgs({
      input: file, output: floorOut, seek: Math.max(0, plan.from - (info.video.variableFrameRate ? 0 : eps)), frames: plan.frames, duration: plan.frames * frameDur,
      width: info.video.displayWidth, height: info.video.displayHeight, fps: plan.fps, audioChannels: channels, ...(info.video.color.space ? { colorSpace: info.video.color.space } : {}), gainDb,
    }).map((a) => (a === 'pipe:1' ? '/dev/null' : a));
    const s = samples();
    const out = path.join(work, 'lessonkit.mp4');
    const trimArgs = (cli) => [cli, 'trim', file, '--from', String(from), '--to', String(to), '--mode', 'encode', '--out', out, '--json'];
    const runs = [
      ['lessonkit', () => timeCommand(process.execPath, trimArgs(bin), { cwd: work, env })],
      ['plain ffmpeg', () => timeCommand(FFMPEG, floorArgs, { cwd: work })],
      ...bases.map((b) => [b, () => timeCommand(process.execPath, trimArgs(path.join(b, 'bin/lessonkit.js')), { cwd: work, env })]),
    ];
    for (let r = 0; r < rounds; r++) {
      // The order turns each round, so no command always runs first after the machine's other work.
      const t = {};
      for (let i = 0; i < runs.length; i++) {
        const [name, go] = runs[(i + r) % runs.length];
        await rm(out, { force: true });
        await rm(floorOut, { force: true });
        t[name] = await go();
        s.add(name, t[name]);
      }
      console.error(`${label}, round ${r + 1}: ${runs.map(([name]) => `${path.basename(name)} ${t[name].wall.toFixed(2)} s (${t[name].cpu.toFixed(2)} CPU)`).join(' | ')}`);
    }
    const m = s.medians('lessonkit');
    lines.push(`${s.row(label, 'lessonkit', 'plain ffmpeg', 1.05)}  (${((plan.frames * frameDur) / m.wall).toFixed(2)}x real time)`);
    for (const b of bases) lines.push(s.row(`  ${path.basename(b)}`, b, 'plain ffmpeg', 1.05));
  }
  console.log(`Transcode path, ${seconds - 2} s cut of each source, medians of ${rounds} interleaved rounds (${loadLine()}):`);
  for (const l of lines) console.log(l);
} finally {
  await rm(work, { recursive: true, force: true });
}
