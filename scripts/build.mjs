// Builds what bin/lessonkit.js needs: compiles src/ to dist/ with tsc, then bundles the
// browser player (src/player) into dist/player/ with esbuild when it exists.
// Runs as `prepare`, so a fresh `npm ci` leaves a working CLI.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
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
writeFileSync(path.join(root, 'dist/.built'), new Date(0).toISOString());
