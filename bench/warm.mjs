#!/usr/bin/env node
// Warm-rebuild benchmark (not part of `npm test`):
//
//   npm run build && node bench/warm.mjs [--rounds 3]
//
// The sample course (all six targets), interleaved round by round:
//   C  cold build: a fresh render cache (probe, course check, encode, package)
//   W  warm rebuild of the unchanged course (same cache): nothing to encode or probe
// Every ffmpeg and ffprobe run goes through a wrapper that counts it (target for W: zero of
// each). Prints medians of wall and CPU time and the ratio W/C.
import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLine, samples, timeCommand } from './lib.mjs';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
const bin = path.join(root, 'bin/lessonkit.js');
if (!existsSync(path.join(root, 'dist/cli.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(2);
}
const work = await mkdtemp(path.join(tmpdir(), 'lessonkit-bench-warm-'));
try {
  const course = path.join(work, 'course');
  await cp(path.join(root, 'fixtures/sample-course'), course, { recursive: true });
  const log = path.join(work, 'tools.log');
  const env = {};
  for (const [name, pkg] of [['ffmpeg', '@ffmpeg-installer/ffmpeg'], ['ffprobe', '@ffprobe-installer/ffprobe']]) {
    const wrapper = path.join(work, `${name}.sh`);
    await writeFile(wrapper, `#!/bin/sh\necho ${name} >> '${log}'\nexec '${require(pkg).path}' "$@"\n`);
    await chmod(wrapper, 0o755);
    env[`LESSONKIT_${name.toUpperCase()}`] = wrapper;
  }
  const count = async () => {
    const lines = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    await writeFile(log, '');
    return { ffmpeg: lines.filter((l) => l === 'ffmpeg').length, ffprobe: lines.filter((l) => l === 'ffprobe').length };
  };
  const s = samples();
  let warmRuns = { ffmpeg: 0, ffprobe: 0 };
  let coldRuns;
  for (let r = 0; r < rounds; r++) {
    const cache = path.join(work, `cache-${r}`);
    const build = () => timeCommand(process.execPath, [bin, 'build', '--cache-dir', cache, '--out', path.join(work, `out-${r}`)], { cwd: course, env });
    await count();
    const c = await build();
    coldRuns = await count();
    const w = await build();
    const runs = await count();
    warmRuns = { ffmpeg: Math.max(warmRuns.ffmpeg, runs.ffmpeg), ffprobe: Math.max(warmRuns.ffprobe, runs.ffprobe) };
    s.add('warm', w);
    s.add('cold', c);
    console.error(`round ${r + 1}: cold ${c.wall.toFixed(2)} s (${c.cpu.toFixed(2)} CPU, ${coldRuns.ffmpeg} ffmpeg, ${coldRuns.ffprobe} ffprobe) | warm ${w.wall.toFixed(2)} s (${w.cpu.toFixed(2)} CPU, ${runs.ffmpeg} ffmpeg, ${runs.ffprobe} ffprobe)`);
    await rm(cache, { recursive: true, force: true });
  }
  console.log(`Warm rebuild of the sample course (six targets), medians of ${rounds} interleaved rounds (${loadLine()}):`);
  console.log(s.row('warm rebuild', 'warm', 'cold'));
  console.log(`  tool runs: warm ${warmRuns.ffmpeg} ffmpeg, ${warmRuns.ffprobe} ffprobe (target 0 and 0); cold ${coldRuns.ffmpeg} ffmpeg, ${coldRuns.ffprobe} ffprobe`);
} finally {
  await rm(work, { recursive: true, force: true });
}
