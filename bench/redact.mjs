// Benchmark of redaction (not part of `npm test`).
//
//   npm run build && node bench/redact.mjs [--only F|S] [--minutes 20] [--rounds 3] [--base <checkout>]
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
//    ratio (the goal: at most 1.5x wall). Also, in the same rounds, the floors: the cut commands
//    lessonkit ran, replayed in plain ffmpeg for both courses (and once more with the redacted
//    GOPs re-encoded without any filter), whose difference is the least any redaction that
//    re-encodes the GOPs it touches adds to the plain build; --base a,b times other built
//    checkouts' builds in the same rounds.
// Prints the machine's load with the figures: the machine is shared, and CPU time is the steadier
// measure of work.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateRecording, scoreRegions } from '../fixtures/redact/generate.mjs';
import { benchContext, loadLine, samples, timeCommand } from './lib.mjs';

const run = promisify(execFile);
const { bin, opt, ffmpeg: FFMPEG, ffprobe: FFPROBE } = benchContext('core/redact/find.js');
const MINUTES = Number(opt('minutes', 20));
const ROUNDS = Number(opt('rounds', 3));
const ONLY = opt('only', 'FS');
// --base a,b: other built checkouts (say, main before a change), timed in the same rounds.
const BASES = opt('base', '').split(',').filter(Boolean).map((b) => path.resolve(b));
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
    const fresh = async (c) => {
      await rm(path.join(c, '.lessonkit'), { recursive: true, force: true });
      await rm(path.join(c, 'dist'), { recursive: true, force: true });
    };
    // The floors: the cut commands lessonkit runs (taken from `build --debug`), replayed in plain
    // ffmpeg the same way (parts side by side, then the join), for each course. Their difference
    // is the least a redaction that re-encodes the GOPs it touches with ffmpeg and x264 can add to
    // the plain build; "no filter" re-encodes those GOPs without hiding anything (the encode alone).
    const cutScript = async (c, stripFilter) => {
      await fresh(c);
      const r = await timeCommand(process.execPath, [bin, 'build', '--debug'], { cwd: c, env, quiet: false });
      const work = path.join(dir, `floor-${path.basename(c)}${stripFilter ? '-nofilter' : ''}`);
      await mkdir(work, { recursive: true });
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('debug: $ ')).map((l) => l.slice('debug: $ '.length));
      // Temp paths of that build, moved into the floor's own folder.
      const local = (l) => l.replace(/'?\/[^ ']*\/\.smartcut-[^/ ']+\/([^ ']+)'?/g, (_, f) => `'${path.join(work, f)}'`).replace(/'?\/[^ ']*\/\.video\.mp4[^ ']*'?/g, `'${path.join(work, 'out.mp4')}'`);
      const parts = lines.filter((l) => / -f mpegts /.test(l) || / -f mp4 .*audio\.m4a/.test(l)).map(local).map((l) => (stripFilter ? l.replace(/ -vf '[^']*(?:'\\''[^']*)*'/, '') : l));
      const join = lines.filter((l) => / -f concat /.test(l)).map(local);
      if (!parts.length || join.length !== 1) throw new Error(`unexpected cut commands in ${c}: ${lines.join('\n')}`);
      if (stripFilter && parts.some((l) => l.includes('boxblur'))) throw new Error(`the redaction filter is still in: ${parts.join('\n')}`);
      const list = /-i '?([^ ']*parts\.txt)/.exec(join[0])?.[1];
      const names = parts.map((l) => /'([^']*\.ts)'$/.exec(l)?.[1]).filter(Boolean);
      await writeFile(list, names.map((n) => `file '${n}'`).join('\n') + '\n');
      return `${parts.map((l) => `${l} &`).join(' ')} wait && ${join[0]}`;
    };
    const floors = { 'ffmpeg plain': await cutScript(courses.plain, false), 'ffmpeg redacted': await cutScript(courses.redacted, false), 'ffmpeg no filter': await cutScript(courses.redacted, true) };
    const s = samples();
    const runs = [
      ...['plain', 'redacted'].map((name) => [name, async () => (await fresh(courses[name]), timeCommand(process.execPath, [bin, 'build', '-q'], { cwd: courses[name], env }))]),
      ...BASES.flatMap((b) => ['plain', 'redacted'].map((name) => [`${path.basename(b)} ${name}`, async () => (await fresh(courses[name]), timeCommand(process.execPath, [path.join(b, 'bin/lessonkit.js'), 'build', '-q'], { cwd: courses[name], env }))])),
      ...Object.entries(floors).map(([name, script]) => [name, () => timeCommand('bash', ['-c', script], {})]),
    ];
    console.log(`S  before: ${loadLine()}`);
    for (let r = 0; r < ROUNDS; r++) {
      // The order turns each round, so no command always runs right after the machine's other work.
      for (let i = 0; i < runs.length; i++) {
        const [name, go] = runs[(i + r) % runs.length];
        s.add(name, await go());
      }
    }
    console.log(`S  build of a 2-min segment, medians of ${ROUNDS}:`);
    console.log(`   ${s.row('with a 5 s region (3 GOPs)', 'redacted', 'plain', 1.5)}`);
    for (const b of BASES) console.log(`   ${s.row(`  ${path.basename(b)}`, `${path.basename(b)} redacted`, `${path.basename(b)} plain`, 1.5)}`);
    const m = (n) => s.medians(n);
    const extra = (n) => ({ wall: m(n).wall - m('ffmpeg plain').wall, cpu: m(n).cpu - m('ffmpeg plain').cpu });
    for (const [label, n] of [['plain ffmpeg, the same redacted cut', 'ffmpeg redacted'], ['plain ffmpeg, those GOPs re-encoded, no filter', 'ffmpeg no filter']]) {
      const e = extra(n);
      console.log(`   floor: ${label}: ${m(n).wall.toFixed(2)} s / ${m(n).cpu.toFixed(2)} s CPU against its plain cut ${m('ffmpeg plain').wall.toFixed(2)} / ${m('ffmpeg plain').cpu.toFixed(2)}: +${e.wall.toFixed(2)} s wall, +${e.cpu.toFixed(2)} s CPU; the plain build plus that = ${((m('plain').wall + e.wall) / m('plain').wall).toFixed(2)}x the plain build`);
    }
    // Whatever the scheduling, two cores cannot finish the plain build's CPU plus the re-encode's
    // extra CPU in less than half their sum.
    const cores = availableParallelism();
    const bound = (m('plain').cpu + extra('ffmpeg no filter').cpu) / cores;
    console.log(`   lower bound on ${cores} cores: (plain build CPU + the no-filter re-encode's extra CPU) / ${cores} = ${bound.toFixed(2)} s = ${(bound / m('plain').wall).toFixed(2)}x the plain build's wall time, with perfect use of every core`);
    console.log(`   runs: ${JSON.stringify(s.toJSON())}`);
    console.log(`S  after: ${loadLine()}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
