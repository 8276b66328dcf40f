#!/usr/bin/env node
// Split-analysis benchmark (not part of `npm test`):
//
//   npm run build && node bench/split.mjs [--rounds 5] [--minutes 5,20] [--base <checkout>]
//
// --base a,b: also time other built checkouts' CLIs (say, main before a change) in the same
// rounds, so a before/after pair is measured under the same load; their whole split results
// (pauses, scenes, cuts) must equal this checkout's.
// For generated 1080p30 recordings with narration pauses (5 and 20 minutes, 8 s GOPs), in
// interleaved rounds:
//   L  lessonkit split <video> --max 90s --min 30s --dry-run   (start-up, probe, silences, scene scores)
//   S  the floor: ffmpeg silencedetect alone over the audio, the exact command lessonkit ran
//      when the goal was set (pinned here: lessonkit's own silence pass has since dropped the
//      frames after the detector, which the floor must not profit from)
// With --parts, also the parts any analysis that reads the same things must run, each alone, in
// the same rounds: node -e 0, lessonkit's silence pass, its keyframe scene pass and its format
// probe (the ffmpeg/ffprobe command lines from dist/), and their sum: the floor under L.
// Prints medians of wall and CPU time, the ratios L/S (targets: at most 1.3x wall, 2x CPU) and
// the seconds per 5 minutes of recording (target: at most 1 s on a quiet machine), and checks
// that the cut points are the ones lessonkit chose before the analysis was reworked.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLine, makeScreenRecording, samples, timeCommand } from './lib.mjs';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : def);
const rounds = Number(opt('rounds', 5));
const parts = args.includes('--parts');
const minutes = String(opt('minutes', '5,20')).split(',').map(Number);
const bin = path.join(root, 'bin/lessonkit.js');
const bases = opt('base', '').split(',').filter(Boolean).map((b) => path.resolve(b));
if (!existsSync(path.join(root, 'dist/cli.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(2);
}
const FFMPEG = require('@ffmpeg-installer/ffmpeg').path;
const FFPROBE = require('@ffprobe-installer/ffprobe').path;
const env = { LESSONKIT_FFMPEG: FFMPEG, LESSONKIT_FFPROBE: FFPROBE };
const { keyframeSceneArgs, probeFormatArgs, silenceDetectArgs } = await import(path.join(root, 'dist/core/media/ffmpeg.js'));
/** The floor's command line, as lessonkit ran it at 73cdc9a (silenceDetectArgs then). */
const floorArgs = (input) => ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn', '-af', 'silencedetect=noise=-35dB:d=0.5', '-f', 'null', '-'];

/**
 * Cut times lessonkit chose before the analysis was reworked (same recordings, same limits, the
 * pinned npm ffmpeg: another ffmpeg build decodes the AAC slightly differently and may choose a
 * different pause of equal worth).
 */
const BEFORE = {
  5: [73.966667, 149.366667, 221.566667],
  20: [89, 173.433333, 240, 321.166667, 408.566667, 488, 572.366667, 638.566667, 720, 808, 886.766667, 971.166667, 1046.566667, 1118.2],
};

const lines = [];
for (const m of minutes) {
  const file = path.join(root, 'bench', 'out', m === 5 ? 'screen-5min-1080p30-gop8.mp4' : `screen-${m}min-1080p30-gop8.mp4`);
  await makeScreenRecording(FFMPEG, file, m * 60);
  const s = samples();
  let cuts;
  const splitArgs = (cli) => [cli, 'split', file, '--max', '90s', '--min', '30s', '--dry-run', '--json'];
  const runs = [
    ['lessonkit', () => timeCommand(process.execPath, splitArgs(bin), { env, quiet: false })],
    ['silencedetect', () => timeCommand(FFMPEG, floorArgs(file), {})],
    ...bases.map((b) => [b, () => timeCommand(process.execPath, splitArgs(path.join(b, 'bin/lessonkit.js')), { env, quiet: false })]),
    ...(parts
      ? [
          ['node -e 0', () => timeCommand(process.execPath, ['-e', '0'], {})],
          ['silence pass', () => timeCommand(FFMPEG, silenceDetectArgs(file, -35, 0.5), {})],
          ['scene pass', () => timeCommand(FFMPEG, keyframeSceneArgs(file), {})],
          ['format probe', () => timeCommand(FFPROBE, probeFormatArgs(file), {})],
        ]
      : []),
  ];
  for (let r = 0; r < rounds + 1; r++) {
    // The order turns each round: on a busy machine the first command of a round is not the one
    // that always pays for whatever the machine was doing before.
    const t = {};
    for (let i = 0; i < runs.length; i++) {
      const [name, go] = runs[(i + r) % runs.length];
      t[name] = await go();
    }
    const l = t.lessonkit;
    cuts = JSON.parse(l.stdout).plan.cuts.map((c) => c.time);
    for (const b of bases) if (JSON.stringify(JSON.parse(t[b].stdout)) !== JSON.stringify(JSON.parse(l.stdout))) throw new Error(`the split of ${b} and of this checkout differ`);
    if (r === 0) continue; // the first round warms the page cache
    for (const [name] of runs) s.add(name, t[name]);
    console.error(`${m} min, round ${r}: ${runs.map(([name]) => `${path.basename(name)} ${t[name].wall.toFixed(2)} s (${t[name].cpu.toFixed(2)} CPU)`).join(' | ')}`);
  }
  const med = s.medians('lessonkit');
  const expected = BEFORE[m];
  lines.push(s.row(`split --dry-run, ${m} min`, 'lessonkit', 'silencedetect', 1.3));
  for (const b of bases) lines.push(s.row(`  the same, ${path.basename(b)}`, b, 'silencedetect', 1.3));
  if (parts) {
    const floor = s.medians('silencedetect');
    const p = Object.fromEntries(['node -e 0', 'silence pass', 'scene pass', 'format probe'].map((n) => [n, s.medians(n)]));
    const cpu = Object.values(p).reduce((a, x) => a + x.cpu, 0);
    const wall = p['node -e 0'].wall + Math.max(p['silence pass'].wall, p['scene pass'].wall);
    lines.push(`  parts alone: ${Object.entries(p).map(([n, x]) => `${n} ${x.wall.toFixed(3)} / ${x.cpu.toFixed(3)} CPU`).join(', ')}`);
    lines.push(`  their sum ${cpu.toFixed(3)} s CPU = ${(cpu / floor.cpu).toFixed(2)}x silencedetect (the least CPU of this analysis); node -e 0 + the longer pass ${wall.toFixed(3)} s wall = ${(wall / floor.wall).toFixed(2)}x`);
  }
  lines.push(`  ${(med.wall / (m / 5)).toFixed(2)} s wall per 5 min of recording (target <= 1 s); cuts ${JSON.stringify(cuts)}${expected ? ` ${JSON.stringify(cuts) === JSON.stringify(expected) ? 'same as before' : `DIFFER from before ${JSON.stringify(expected)}`}` : ''}`);
}
console.log(`Split analysis, medians of ${rounds} interleaved rounds (${loadLine()}):`);
for (const l of lines) console.log(l);
