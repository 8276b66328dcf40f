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
//   S  the floor: ffmpeg silencedetect alone over the audio, the exact command lessonkit runs
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
const minutes = String(opt('minutes', '5,20')).split(',').map(Number);
const bin = path.join(root, 'bin/lessonkit.js');
const bases = opt('base', '').split(',').filter(Boolean).map((b) => path.resolve(b));
if (!existsSync(path.join(root, 'dist/cli.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(2);
}
const FFMPEG = require('@ffmpeg-installer/ffmpeg').path;
const env = { LESSONKIT_FFMPEG: FFMPEG, LESSONKIT_FFPROBE: require('@ffprobe-installer/ffprobe').path };
const { silenceDetectArgs } = await import(path.join(root, 'dist/core/media/ffmpeg.js'));

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
    ['silencedetect', () => timeCommand(FFMPEG, silenceDetectArgs(file, -35, 0.5), {})],
    ...bases.map((b) => [b, () => timeCommand(process.execPath, splitArgs(path.join(b, 'bin/lessonkit.js')), { env, quiet: false })]),
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
  lines.push(`  ${(med.wall / (m / 5)).toFixed(2)} s wall per 5 min of recording (target <= 1 s); cuts ${JSON.stringify(cuts)}${expected ? ` ${JSON.stringify(cuts) === JSON.stringify(expected) ? 'same as before' : `DIFFER from before ${JSON.stringify(expected)}`}` : ''}`);
}
console.log(`Split analysis, medians of ${rounds} interleaved rounds (${loadLine()}):`);
for (const l of lines) console.log(l);
