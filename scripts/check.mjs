// Type-checks (the Node sources with the tests, and the browser player) and lints, the three at
// once: each is one process on one core, so on a 2-core machine running them side by side
// takes about half the time of running them in a row. Output is printed per check, in order,
// once all are done; the exit code is 1 when any of them failed.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const eslint = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin/eslint.js');

const checks = [
  { name: 'typecheck (src, test, bench)', args: [tsc, '-p', 'tsconfig.test.json'] },
  { name: 'typecheck (player)', args: [tsc, '-p', 'src/player/tsconfig.json'] },
  { name: 'lint', args: [eslint, '.'] },
];

function run({ name, args }) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => resolve({ name, code: 1, out: String(e) }));
    child.on('close', (code, signal) => resolve({ name, code: code ?? 1, out: signal ? `${out}\nkilled by ${signal}` : out }));
  });
}

const results = await Promise.all(checks.map(run));
let failed = 0;
for (const r of results) {
  if (r.code === 0) console.log(`ok  ${r.name}`);
  else {
    failed++;
    console.log(`FAIL ${r.name} (exit ${r.code})`);
  }
  if (r.out.trim()) console.log(r.out.trimEnd());
}
process.exit(failed ? 1 : 0);
