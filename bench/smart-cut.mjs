#!/usr/bin/env node
// Smart-cut benchmark (not part of `npm test`):
//
//   npm run build && node bench/smart-cut.mjs [--rounds 3] [--base <checkout>]
//
// Cuts 2 minutes (61.3 s to 181.7 s, neither on a keyframe) out of a generated 5-minute 1080p30
// recording with 8-second GOPs, interleaved round by round:
//   L  lessonkit trim --mode auto --out        (what a user runs: start-up, probe, loudness, parts, join)
//   F  the floor: the same cut in plain ffmpeg, the same commands lessonkit's parts run (same x264
//      settings, the same gain), head, copied middle, tail and audio in parallel, then the join;
//      no start-up, no probe, no loudness scan
//   A  for information, the floor plus the analysis any tool doing this cut needs: the two
//      ffprobe runs (streams, packet list) before the parts, and the loudness scan before the
//      audio encode. F leaves them out, so L/F charges lessonkit for work F does not do.
//   B  with --base a,b: other built checkouts' CLIs (say, main before a change), in the same rounds
// Prints medians of wall and CPU time and the ratio L/F (target: at most 1.15x), and checks once
// that both outputs decode to the same frames (framemd5 of the video stream).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadLine, makeScreenRecording, samples, timeCommand } from './lib.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
// --base a,b: other built checkouts, each timed in the same rounds.
const bases = args.includes('--base') ? args[args.indexOf('--base') + 1].split(',').map((b) => path.resolve(b)) : [];
const bin = path.join(root, 'bin/lessonkit.js');
if (!existsSync(path.join(root, 'dist/cli.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(2);
}
const FFMPEG = require('@ffmpeg-installer/ffmpeg').path;
const SOURCE = path.join(root, 'bench', 'out', 'screen-5min-1080p30-gop8.mp4');
const FROM = 61.3;
const TO = 181.7;
await makeScreenRecording(FFMPEG, SOURCE, 300);

const dist = (m) => import(path.join(root, 'dist', m));
const { probeWithTimeline } = await dist('core/media/probe.js');
const { planCut } = await dist('core/media/cut.js');
const ff = await dist('core/media/ffmpeg.js');
const { createSilentContext } = await dist('core/context.js');
const FFPROBE = require('@ffprobe-installer/ffprobe').path;
// Both tools pinned, for lessonkit as for the floor's probes: without LESSONKIT_FFPROBE the CLI
// would take an ffprobe on PATH (a dynamically linked one starts in 0.1 s, the static one in
// 0.03 s), so the figures would depend on what else the machine has installed.
const env = { LESSONKIT_FFMPEG: FFMPEG, LESSONKIT_FFPROBE: FFPROBE };
const { info, timeline } = await probeWithTimeline({ file: SOURCE, cwd: root, env }, createSilentContext());
const plan = planCut(info, timeline, FROM, TO, 'auto', SOURCE);
if (plan.method !== 'smart') throw new Error(`expected a smart cut, got ${plan.method}`);
const work = await mkdtemp(path.join(tmpdir(), 'lessonkit-bench-smartcut-'));

// The floor's commands, from lessonkit's own argument builders (so the settings are the same).
const times = timeline.frameTimes;
const frameDur = plan.fps.den / plan.fps.num;
const eps = Math.min(0.001, frameDur / 8);
const scan = await run(FFMPEG, ff.loudnessScanArgs(SOURCE, plan.from - eps, plan.frames * frameDur), { maxBuffer: 64 << 20 });
const gainDb = ff.loudnessGain(ff.parseLoudness(scan.stderr));
const part = (name) => path.join(work, name);
const common = { input: SOURCE, profile: info.video.profile ?? 'High', level: info.video.level, color: info.video.color, reorderDelay: timeline.reorderDelay };
const head = ff.smartPartEncodeArgs({ ...common, output: part('head.ts'), seek: times[plan.firstFrame] - eps, frames: plan.copyStart - plan.firstFrame });
const mid = ff.smartPartCopyArgs(SOURCE, part('middle.ts'), times[plan.copyStart], frameDur / 4, plan.copyEnd - plan.copyStart, info.video.bFrames);
const tail = ff.smartPartEncodeArgs({ ...common, output: part('tail.ts'), seek: times[plan.copyEnd], frames: plan.endFrame - plan.copyEnd, fromKeyframe: { quarterFrame: frameDur / 4, bFrames: info.video.bFrames } });
const audio = ff.segmentAudioArgs(SOURCE, part('audio.m4a'), plan.from - eps, plan.frames * frameDur, info.audio.channels, gainDb);
await writeFile(part('parts.txt'), ff.concatList([
  { file: part('head.ts'), duration: (plan.copyStart - plan.firstFrame) * frameDur },
  { file: part('middle.ts'), duration: (plan.copyEnd - plan.copyStart) * frameDur },
  { file: part('tail.ts'), duration: (plan.endFrame - plan.copyEnd) * frameDur },
]));
const join = ff.smartJoinArgs(part('parts.txt'), part('audio.m4a'), part('floor.mp4'), plan.fps);
const q = (a) => `'${String(a).replace(/'/g, `'\\''`)}'`;
const cmd = (a) => [FFMPEG, ...a].map(q).join(' ');
const script = `${cmd(head)} & ${cmd(mid)} & ${cmd(tail)} & ${cmd(audio)} & wait && ${cmd(join)}`;
const probes = [ff.probeFormatArgs(SOURCE), ff.probePacketsArgs(SOURCE)].map((a) => [FFPROBE, ...a].map(q).join(' ') + ' >/dev/null').join(' & ');
const scanCmd = cmd(ff.loudnessScanArgs(SOURCE, plan.from - eps, plan.frames * frameDur)) + ' 2>/dev/null';
const analysed = `${probes} & wait && ${cmd(head)} & ${cmd(mid)} & ${cmd(tail)} & (${scanCmd} && ${cmd(audio)}) & wait && ${cmd(join)}`;

const s = samples();
try {
  const trim = (cli, out) => () => timeCommand(process.execPath, [cli, 'trim', SOURCE, '--from', String(FROM), '--to', String(TO), '--out', part(out), '--mode', 'auto', '--json'], { cwd: work, env });
  const runs = [
    ['lessonkit', 'lessonkit.mp4', trim(bin, 'lessonkit.mp4')],
    ['plain ffmpeg', 'floor.mp4', () => timeCommand('bash', ['-c', script], { cwd: work })],
    ['+ probe and scan', 'floor.mp4', () => timeCommand('bash', ['-c', analysed], { cwd: work })],
    ...bases.map((b, i) => [b, `base${i}.mp4`, trim(path.join(b, 'bin/lessonkit.js'), `base${i}.mp4`)]),
  ];
  for (let r = 0; r < rounds; r++) {
    // The order turns each round, so no command always runs first after the machine's other work.
    const t = {};
    for (let i = 0; i < runs.length; i++) {
      const [name, out, go] = runs[(i + r) % runs.length];
      await rm(part(out), { force: true });
      t[name] = await go();
      s.add(name, t[name]);
    }
    console.error(`round ${r + 1}: ${runs.map(([name]) => `${path.basename(name)} ${t[name].wall.toFixed(2)} s (${t[name].cpu.toFixed(2)} CPU)`).join(' | ')}`);
  }
  const md5 = async (file) => (await run(FFMPEG, ['-v', 'error', '-i', file, '-map', '0:v:0', '-f', 'framemd5', '-'], { maxBuffer: 256 << 20 })).stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(',').pop().trim());
  const [a, b] = [await md5(part('lessonkit.mp4')), await md5(part('floor.mp4'))];
  const same = a.length === b.length && a.every((x, i) => x === b[i]);
  const sameBases = [];
  for (const [i, b] of bases.entries()) {
    const c = await md5(part(`base${i}.mp4`));
    sameBases.push(`; ${path.basename(b)}'s output the same frames: ${c.length === a.length && c.every((x, j) => x === a[j]) ? 'yes' : 'NO'}`);
  }
  console.log(`Smart cut of 2 min out of a 5-min 1080p30 recording (8 s GOPs; ${plan.copyStart - plan.firstFrame + plan.endFrame - plan.copyEnd} frames re-encoded, ${plan.copyEnd - plan.copyStart} copied), medians of ${rounds} rounds (${loadLine()}):`);
  console.log(s.row('lessonkit trim --mode auto', 'lessonkit', 'plain ffmpeg', 1.15));
  console.log(s.row('  (info) the floor + probe and scan', '+ probe and scan', 'plain ffmpeg'));
  console.log(s.row('  (info) lessonkit against that', 'lessonkit', '+ probe and scan'));
  for (const b of bases) console.log(s.row(`  ${path.basename(b)} trim --mode auto`, b, 'plain ffmpeg', 1.15));
  console.log(`outputs frame-identical (framemd5 of ${a.length} frames): ${same ? 'yes' : 'NO'}${sameBases.join('')}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
