#!/usr/bin/env node
// Start-up benchmark (not part of `npm test`):
//
//   npm run build && node bench/startup.mjs [--rounds 15] [--base <checkout,...>]
//
// --base: also time other built checkouts' `validate` and `--version` (say, main before a change)
// in the same rounds, so a before/after pair sees the same load.
//
// Builds the sample course's scorm12 package once (a tiny package), then, interleaved round by
// round so every command sees the same machine:
//   N  node -e 0                                    (the floor: Node's own start-up)
//   V  lessonkit --version                          (target: at most 1.5x N)
//   A  lessonkit validate <tiny package>.zip        (target: at most 2x N)
//   H  lessonkit --help
//   X  node, then the official-XSD check of the package's imsmanifest.xml alone, as lessonkit runs
//      it (xmllint-wasm): the floor of any validate that checks schemas; A/X is what lessonkit adds
//   C  node, then require('commander') alone: what the CLI framework costs every command but --version
// Prints the medians of wall and CPU time and the ratios against N measured in the same run.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLine, samples, timeCommand } from './lib.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 15;
const bases = (args.includes('--base') ? args[args.indexOf('--base') + 1] : '').split(',').filter(Boolean).map((b) => path.resolve(b));
const bin = path.join(root, 'bin/lessonkit.js');
if (!existsSync(path.join(root, 'dist/cli.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(2);
}
const work = await mkdtemp(path.join(tmpdir(), 'lessonkit-bench-startup-'));
try {
  await cp(path.join(root, 'fixtures/sample-course'), path.join(work, 'course'), { recursive: true });
  await timeCommand(process.execPath, [bin, 'build', '--target', 'scorm12', '--out', path.join(work, 'dist')], { cwd: path.join(work, 'course') });
  const zip = path.join(work, 'dist', (await readdir(path.join(work, 'dist'))).find((f) => f.endsWith('.zip')));
  const manifest = path.join(work, 'imsmanifest.xml');
  await writeFile(manifest, execFileSync('unzip', ['-p', zip, 'imsmanifest.xml']));
  const floor = path.join(work, 'xsd-floor.mjs');
  await writeFile(
    floor,
    `import { readFileSync } from 'node:fs';\nconst { validateXsd } = await import(${JSON.stringify(path.join(root, 'dist/core/validate/xsd.js'))});\nconst r = await validateXsd(readFileSync(${JSON.stringify(manifest)}, 'utf8'), 'scorm12', 'imsmanifest.xml');\nif (!r.valid) process.exit(1);\n`,
  );
  const s = samples();
  const runs = {
    'XSD check alone': [process.execPath, [floor]],
    'node -e 0': [process.execPath, ['-e', '0']],
    'lessonkit --version': [process.execPath, [bin, '--version']],
    'lessonkit validate': [process.execPath, [bin, 'validate', zip]],
    'lessonkit --help': [process.execPath, [bin, '--help']],
    'commander alone': [process.execPath, ['-e', `require(${JSON.stringify(path.join(root, 'node_modules/commander'))})`]],
    ...Object.fromEntries(
      bases.flatMap((b) => [
        [`${path.basename(b)} validate`, [process.execPath, [path.join(b, 'bin/lessonkit.js'), 'validate', zip]]],
        [`${path.basename(b)} --version`, [process.execPath, [path.join(b, 'bin/lessonkit.js'), '--version']]],
      ]),
    ),
  };
  for (let r = 0; r < rounds + 1; r++) {
    for (const [name, [cmd, a]] of Object.entries(runs)) {
      const t = await timeCommand(cmd, a, { cwd: work });
      if (r > 0) s.add(name, t); // the first round warms the page cache
    }
  }
  console.log(`Start-up, medians of ${rounds} interleaved rounds (${loadLine()}):`);
  console.log(s.row('lessonkit --version', 'lessonkit --version', 'node -e 0', 1.5));
  console.log(s.row('lessonkit validate (tiny package)', 'lessonkit validate', 'node -e 0', 2));
  console.log(s.row('lessonkit --help', 'lessonkit --help', 'node -e 0'));
  console.log(s.row('floor: node + XSD check alone', 'XSD check alone', 'node -e 0'));
  console.log(s.row('node + require(commander)', 'commander alone', 'node -e 0'));
  console.log(s.row('lessonkit validate (tiny package)', 'lessonkit validate', 'XSD check alone'));
  for (const b of bases) {
    console.log(s.row(`  ${path.basename(b)} validate`, `${path.basename(b)} validate`, 'node -e 0', 2));
    console.log(s.row(`  ${path.basename(b)} --version`, `${path.basename(b)} --version`, 'node -e 0', 1.5));
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
