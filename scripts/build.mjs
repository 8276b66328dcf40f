// Builds what bin/lessonkit.js needs: compiles src/ to dist/ with tsc, then bundles the
// browser player (src/player) into dist/player/ with esbuild when it exists.
// Runs as `prepare`, so a fresh `npm ci` leaves a working CLI.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

/**
 * A fingerprint of everything dist/ is made from: the sources, the compiler settings, this
 * script and the locked tool versions. `--if-stale` (used by `npm test`) skips the build when
 * dist/ was made from exactly these, as it is right after `npm ci` ran `prepare`: the same
 * compile twice costs the suite ten seconds of its five minutes.
 */
function fingerprint() {
  const hash = createHash('sha256');
  const add = (file) => hash.update(path.relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else add(full);
    }
  };
  walk(path.join(root, 'src'));
  for (const f of ['tsconfig.json', 'package-lock.json', 'scripts/build.mjs']) if (existsSync(path.join(root, f))) add(path.join(root, f));
  return hash.digest('hex');
}
const stamp = path.join(root, 'dist/.built');
const wanted = fingerprint();
if (process.argv.includes('--if-stale') && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted) {
  console.log('dist/ is up to date with src/ (build skipped)');
  process.exit(0);
}
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const tsc = require.resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });

const playerEntry = path.join(root, 'src/player/main.ts');
if (existsSync(playerEntry)) {
  const esbuild = await import('esbuild');
  const outdir = path.join(root, 'dist/player');
  mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: { player: playerEntry },
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    outdir,
    legalComments: 'none',
    logLevel: 'warning',
    loader: { '.css': 'css' },
  });
}
// Written last: an interrupted build leaves no stamp, so the next `--if-stale` builds again.
writeFileSync(stamp, `${wanted}\n`);
