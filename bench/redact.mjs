// Benchmark of redaction (not part of `npm test`).
//
//   npm run build && node bench/redact.mjs [--minutes 20] [--rounds 3] [--keep]
//
// Generates the screen-like 1080p test clip of test/e2e/redact.test.ts (fixtures/redact:
// fake e-mail addresses, phones, IBANs and cards, some moving, 6 s) and loops it by stream copy
// into longer recordings. Then:
//   F  `lessonkit redact find` on a recording of --minutes minutes: wall time against the
//      recording's length (the goal: at most 1x), and the share of planted items covered over
//      their whole time on screen / of false regions, over every repeat of the clip;
//   S  `lessonkit build` (web) of a 2-minute segment, cold cache, without regions (the smart-cut
//      baseline) and with one 5-second region: medians of --rounds runs and their ratio (the
//      goal: at most 1.5x).
// Prints the machine's load (`uptime`) with the figures: the machine is shared.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateRecording, scoreRegions } from '../fixtures/redact/generate.mjs';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const MINUTES = opt('minutes', 20);
const ROUNDS = opt('rounds', 3);
const KEEP = args.includes('--keep');
const bin = path.join(root, 'bin/lessonkit.js');
if (!existsSync(path.join(root, 'dist/core/redact/find.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(2);
}
const FFMPEG = process.env.LESSONKIT_FFMPEG ?? require('@ffmpeg-installer/ffmpeg').path;
const FFPROBE = process.env.LESSONKIT_FFPROBE ?? require('@ffprobe-installer/ffprobe').path;
const env = { ...process.env, LESSONKIT_FFMPEG: FFMPEG, LESSONKIT_FFPROBE: FFPROBE, NO_COLOR: '1', CI: '1' };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => execFileSync('uptime').toString().trim();

const dir = await mkdtemp(path.join(tmpdir(), 'lessonkit-bench-redact-'));
try {
  const clip = path.join(dir, 'clip.mp4');
  const truth = generateRecording(FFMPEG, clip);
  /** Loops the 6 s clip `times` times (stream copy) and repeats the truth with the offsets. */
  const loop = async (times, file) => {
    await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', String(times - 1), '-i', clip, '-c', 'copy', '-movflags', '+faststart', file]);
    return Array.from({ length: times }, (_, k) => truth.map((t) => ({ ...t, from: t.from + 6 * k, to: t.to + 6 * k, boxAt: (s) => t.boxAt(s - 6 * k) }))).flat();
  };

  // F: find on a long recording.
  const long = path.join(dir, 'long.mp4');
  const longTruth = await loop(Math.round((MINUTES * 60) / 6), long);
  console.log(`load before F: ${load()}`);
  const t0 = Date.now();
  const found = await run(process.execPath, [bin, 'redact', 'find', long, '--json', '-q'], { env, maxBuffer: 256 * 1024 * 1024 });
  const findSeconds = (Date.now() - t0) / 1000;
  const result = JSON.parse(found.stdout);
  const score = scoreRegions(longTruth, result.regions);
  console.log(`F  redact find, ${MINUTES} min 1080p: ${findSeconds.toFixed(1)} s = ${(findSeconds / (MINUTES * 60)).toFixed(2)}x the recording; ${result.samples} frames, ${result.ocrPasses} OCR passes`);
  console.log(`   covered ${score.found}/${score.planted} = ${((100 * score.found) / score.planted).toFixed(1)} %, false regions ${score.falseRegions}/${score.regions} = ${((100 * score.falseRegions) / Math.max(1, score.regions)).toFixed(1)} %`);
  console.log(`load after F: ${load()}`);

  // S: smart cut of a 2-minute segment with and without a 5-second region.
  const two = path.join(dir, 'two.mp4');
  await loop(21, two);
  const course = async (name, redact) => {
    const c = path.join(dir, name);
    await mkdir(path.join(c, 'recordings'), { recursive: true });
    await run('cp', [two, path.join(c, 'recordings/session.mp4')]);
    await writeFile(
      path.join(c, 'course.yaml'),
      `id: bench\ntitle: Bench\nlessons:\n  - id: l\n    title: L\n    segments:\n      - id: s\n        title: S\n        source: recordings/session.mp4\n        from: 1\n        to: 121\ntargets: [web]\n${redact ? 'redact:\n  - source: recordings/session.mp4\n    box: [340, 180, 420, 60]\n    from: 60\n    to: 65\n' : ''}`,
    );
    return c;
  };
  const plain = await course('plain', false);
  const redacted = await course('redacted', true);
  const times = { plain: [], redacted: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, c] of [['plain', plain], ['redacted', redacted]]) {
      await rm(path.join(c, '.lessonkit'), { recursive: true, force: true });
      await rm(path.join(c, 'dist'), { recursive: true, force: true });
      const s = Date.now();
      await run(process.execPath, [bin, 'build', '-q'], { cwd: c, env });
      times[name].push((Date.now() - s) / 1000);
    }
  }
  const p = median(times.plain);
  const q = median(times.redacted);
  console.log(`S  build of a 2-min segment: without regions ${p.toFixed(2)} s, with a 5 s region ${q.toFixed(2)} s (medians of ${ROUNDS}); ratio ${(q / p).toFixed(2)}x`);
  console.log(`   runs: plain ${times.plain.map((x) => x.toFixed(2)).join(' ')}; redacted ${times.redacted.map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`load after S: ${load()}`);
} finally {
  if (KEEP) console.log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}
