#!/usr/bin/env node
// Packaging benchmark (not part of `npm test`):
//
//   npm run build && node bench/package.mjs [--rounds 3] [--mib 544]
//
// The sample course, rendered once; then its three cached renders are replaced by files of random
// bytes of the same total size as the issue's figure (544 MiB by default), so the build packages
// that much incompressible media without encoding it (warm: the cache's meta.json says what the
// renders are; nothing decodes them). Then, interleaved round by round:
//   1  lessonkit build --target scorm12            (render cache warm: packaging and validation)
//   Z  zip -0 -r of the same files (lessonkit's scorm12 zip unpacked once), Info-ZIP: the floor
//   6  lessonkit build, all six targets
//   Z6 six zip -0 runs
//   C5 five `cp` of the scorm12 zip (coreutils: copy_file_range, or a reflink): with 1, the floor
//      of putting six zips' bytes on this disk, since a bundle holds every video
// The first build after the swap computes each video's CRC-32 once (reported apart, as `first`);
// the rounds after reuse them from the render cache. Prints medians of wall and CPU time and the
// ratios 1/Z (target: at most 1.3x) and 6/1 (target: at most 2x). Before each timed step, `sync`
// (untimed) writes back what the step before left in the page cache, so that no step is throttled
// by another's dirty pages: on a shared disk the writeback of 6 x 544 MiB otherwise decides the wall time.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
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
const mib = opt('mib', 544);
const bin = path.join(root, 'bin/lessonkit.js');
if (!existsSync(path.join(root, 'dist/cli.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(2);
}
const env = { LESSONKIT_FFMPEG: require('@ffmpeg-installer/ffmpeg').path, LESSONKIT_FFPROBE: require('@ffprobe-installer/ffprobe').path };
const work = await mkdtemp(path.join(tmpdir(), 'lessonkit-bench-package-'));
const course = path.join(work, 'course');
const ALL = ['scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'xapi', 'cmi5', 'web'];
try {
  await cp(path.join(root, 'fixtures/sample-course'), course, { recursive: true });
  const build = (targets, out) => timeCommand(process.execPath, [bin, 'build', '--target', targets.join(','), '--out', out, '--json'], { cwd: course, env, quiet: false });
  await build(['scorm12'], path.join(work, 'warmup'));
  // Swap the renders for random bytes of the wanted size (split evenly).
  const media = path.join(course, '.lessonkit/cache/media');
  const entries = (await readdir(media)).filter((e) => !e.startsWith('.'));
  const each = Math.floor((mib * 1024 * 1024) / entries.length);
  for (const e of entries) {
    const fh = await open(path.join(media, e, 'video.mp4'), 'w');
    for (let done = 0; done < each; ) {
      const n = Math.min(16 << 20, each - done);
      await fh.write(randomBytes(n));
      done += n;
    }
    await fh.close();
  }
  const first = await build(['scorm12'], path.join(work, 'first'));
  const zipPath = path.join(work, 'first', (await readdir(path.join(work, 'first'))).find((f) => f.endsWith('.zip')));
  console.error(`scorm12 zip: ${((await stat(zipPath)).size / 1048576).toFixed(0)} MiB; first build after the swap (CRC-32s computed): ${first.wall.toFixed(2)} s, ${first.cpu.toFixed(2)} s CPU`);
  const unpacked = path.join(work, 'unpacked');
  await mkdir(unpacked);
  await run('unzip', ['-q', zipPath, '-d', unpacked]);
  const s = samples();
  const sync = () => run('sync');
  for (let r = 0; r < rounds; r++) {
    const out = path.join(work, `r${r}`);
    await sync();
    const one = await build(['scorm12'], path.join(out, 'one'));
    s.add('build scorm12', one);
    await sync();
    const z = await timeCommand('zip', ['-0', '-r', '-q', path.join(out, 'zip0.zip'), '.'], { cwd: unpacked });
    s.add('zip -0', z);
    await sync();
    const six = await build(ALL, path.join(out, 'six'));
    s.add('build six targets', six);
    await sync();
    const oneZip = path.join(out, 'one', (await readdir(path.join(out, 'one'))).find((f) => f.endsWith('.zip')));
    const c5 = await timeCommand('bash', ['-c', [1, 2, 3, 4, 5].map((i) => `cp '${oneZip}' '${path.join(out, `copy${i}.zip`)}'`).join(' && ')]);
    s.add('five cp', c5);
    // The floor of six zips: one target's build plus five copies of its zip, measured in this round.
    s.add('one + five cp', { wall: one.wall + c5.wall, cpu: one.cpu + c5.cpu });
    await sync();
    const z6 = await timeCommand('bash', ['-c', ALL.map((t) => `zip -0 -r -q ${path.join(out, `six-${t}.zip`)} .`).join(' && ')], { cwd: unpacked });
    s.add('six zip -0', z6);
    console.error(`round ${r + 1}: scorm12 ${one.wall.toFixed(2)} s (${one.cpu.toFixed(2)} CPU) | zip -0 ${z.wall.toFixed(2)} s (${z.cpu.toFixed(2)}) | six targets ${six.wall.toFixed(2)} s (${six.cpu.toFixed(2)}) | five cp ${c5.wall.toFixed(2)} s (${c5.cpu.toFixed(2)}) | six zip -0 ${z6.wall.toFixed(2)} s (${z6.cpu.toFixed(2)})`);
    await rm(out, { recursive: true, force: true });
  }
  console.log(`Packaging ${mib} MiB of cached media, medians of ${rounds} interleaved rounds (${loadLine()}):`);
  console.log(s.row('build --target scorm12', 'build scorm12', 'zip -0', 1.3));
  console.log(s.row('build, all six targets', 'build six targets', 'build scorm12', 2));
  console.log(s.row('build, all six targets', 'build six targets', 'one + five cp'));
  console.log(s.row('build, all six targets', 'build six targets', 'six zip -0'));
  console.log(`  first build after new renders (CRC-32s computed once): ${first.wall.toFixed(2)} s / ${first.cpu.toFixed(2)} s CPU`);
} finally {
  await rm(work, { recursive: true, force: true });
}
