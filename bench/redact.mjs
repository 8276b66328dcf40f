// Benchmark of redaction (not part of `npm test`).
//
//   npm run build && node bench/redact.mjs [--only F|S] [--minutes 20] [--rounds 3]
//
// F  `lessonkit redact find` on a 1080p30 recording of --minutes minutes (default 20): wall and
//    CPU time against the recording's length (the goal: wall at most 1x on the 2-core machine),
//    and the share of planted items covered over their whole time on screen / of false regions.
//    The recording is the screen-like test clip of test/e2e/redact.test.ts (fixtures/redact:
//    fake e-mail addresses, phones, IBANs and cards, some moving; 6 s, 30 fps) looped by stream
//    copy: made in seconds, at a real recording's frame rate (decoding is part of the cost), with
//    exact ground truth, and harder than a real lesson (the whole screen changes every 6 s and
//    two items always move). Cached in the OS temp folder, not in the repository.
// S  `lessonkit build` (web) of a 2-minute segment, cold cache, without regions (the smart-cut
//    baseline) and with one 5-second region, alternating: medians of --rounds runs and their
//    ratio (the goal: at most 1.5x wall).
// Prints the machine's load with the figures: the machine is shared, and CPU time is the steadier
// measure of work.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateRecording, scoreRegions } from '../fixtures/redact/generate.mjs';
import { benchContext, loadLine, samples, timeCommand } from './lib.mjs';

const run = promisify(execFile);
const { bin, opt, ffmpeg: FFMPEG, ffprobe: FFPROBE } = benchContext('core/redact/find.js');
const MINUTES = Number(opt('minutes', 20));
const ROUNDS = Number(opt('rounds', 3));
const ONLY = opt('only', 'FS');
const env = { LESSONKIT_FFMPEG: FFMPEG, LESSONKIT_FFPROBE: FFPROBE };

// Inputs are kept between runs (a 20-minute recording is 100 MB); the name says what made them.
const cache = path.join(tmpdir(), 'lessonkit-bench-redact-v1');
await mkdir(cache, { recursive: true });
const clip = path.join(cache, 'clip.mp4');
// The truth is computed anew each run (cheap); the clip is encoded only once.
const truth = generateRecording(FFMPEG, existsSync(clip) ? path.join(cache, 'clip-again.mp4') : clip);
/** The clip looped `times` times (stream copy) into `name`, cached; and the truth with the offsets. */
const loop = async (times, name) => {
  const file = path.join(cache, name);
  if (!existsSync(file)) {
    await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', String(times - 1), '-i', clip, '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', `${file}.tmp`]);
    await rename(`${file}.tmp`, file);
  }
  return { file, truth: Array.from({ length: times }, (_, k) => truth.map((t) => ({ ...t, from: t.from + 6 * k, to: t.to + 6 * k, boxAt: (s) => t.boxAt(s - 6 * k) }))).flat() };
};
const pct = (a, b) => `${a}/${b} = ${((100 * a) / Math.max(1, b)).toFixed(1)} %`;

if (ONLY.includes('F')) {
  const long = await loop(Math.round((MINUTES * 60) / 6), `find-${MINUTES}min.mp4`);
  const seconds = Math.round((MINUTES * 60) / 6) * 6;
  console.log(`F  before: ${loadLine()}`);
  const t = await timeCommand(process.execPath, [bin, 'redact', 'find', long.file, '--json', '-q'], { env, quiet: false });
  const result = JSON.parse(t.stdout);
  const score = scoreRegions(long.truth, result.regions);
  console.log(`F  redact find, ${MINUTES} min 1080p30: ${t.wall.toFixed(1)} s wall = ${(t.wall / seconds).toFixed(2)}x the recording (target <= 1x: ${t.wall <= seconds ? 'met' : 'NOT met'}); ${t.cpu.toFixed(1)} s CPU = ${(t.cpu / seconds).toFixed(2)}x; ${result.samples} frames, ${result.ocrPasses} OCR passes`);
  console.log(`   covered ${pct(score.found, score.planted)}, false regions ${pct(score.falseRegions, score.regions)}`);
  console.log(`F  after: ${loadLine()}`);
}

if (ONLY.includes('S')) {
  const two = await loop(21, 'two-minutes.mp4');
  const dir = await mkdtemp(path.join(tmpdir(), 'lessonkit-bench-redact-'));
  try {
    const course = async (name, redact) => {
      const c = path.join(dir, name);
      await mkdir(path.join(c, 'recordings'), { recursive: true });
      await run('cp', [two.file, path.join(c, 'recordings/session.mp4')]);
      await writeFile(
        path.join(c, 'course.yaml'),
        `id: bench\ntitle: Bench\nlessons:\n  - id: l\n    title: L\n    segments:\n      - id: s\n        title: S\n        source: recordings/session.mp4\n        from: 1\n        to: 121\ntargets: [web]\n${redact ? 'redact:\n  - source: recordings/session.mp4\n    box: [340, 180, 420, 60]\n    from: 60\n    to: 65\n' : ''}`,
      );
      return c;
    };
    const courses = { plain: await course('plain', false), redacted: await course('redacted', true) };
    const s = samples();
    console.log(`S  before: ${loadLine()}`);
    for (let r = 0; r < ROUNDS; r++) {
      for (const name of ['plain', 'redacted']) {
        await rm(path.join(courses[name], '.lessonkit'), { recursive: true, force: true });
        await rm(path.join(courses[name], 'dist'), { recursive: true, force: true });
        s.add(name, await timeCommand(process.execPath, [bin, 'build', '-q'], { cwd: courses[name], env }));
      }
    }
    console.log(`S  build of a 2-min segment, medians of ${ROUNDS}:`);
    console.log(`   ${s.row('with a 5 s region (3 GOPs)', 'redacted', 'plain', 1.5)}`);
    console.log(`   runs: ${JSON.stringify(s.toJSON())}`);
    console.log(`S  after: ${loadLine()}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
