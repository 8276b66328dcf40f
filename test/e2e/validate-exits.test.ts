/**
 * "Every command exits when its work is done, on every input": the built CLI's `validate`
 * on each hostile, crafted or broken package must print its verdict and exit by itself
 * (1 findings, 2 unusable input), never hang until a CI timeout kills it, never crash (3).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, existsSync } from 'node:fs';
import { access, chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, makeTempDir } from '../helpers/cli.js';
import { craftedCases, GOOD_ENTRIES, hostileDescriptors } from '../unit/validate/helpers/crafted.js';
import { MANIFEST_2004, scorm2004Package, webPackage, writeFolder, xapiPackage, zipFiles, type Files } from '../unit/validate/helpers/packages.js';
import { buildZip, type RawEntry } from '../unit/validate/helpers/zip-writer.js';

/** Far above the second or two a run takes under load; the old code hung here for ever. */
const LIMIT_MS = 20_000;

interface BoundedRun {
  /** Exit code, or null when the process was killed. */
  code: number | null;
  /** The signal that ended it (SIGKILL: the time limit), or null when it exited by itself. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI and kills it after LIMIT_MS, reporting whether it had to. */
function runBounded(args: string[], cwd: string): Promise<BoundedRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '1' };
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, timeout: LIMIT_MS, killSignal: 'SIGKILL', stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** One input and what a user must see. */
interface Case {
  name: string;
  /** Path relative to the temp folder, plus flags. */
  args: string[];
  /** The rule id the JSON report must carry when the exit code is 1. */
  rule?: string;
}

/** What to write in the temp folder: a zip or other file (bytes), or a folder (files). */
type Input = { bytes: () => Buffer | string | Promise<Buffer> } | { folder: Files | (() => Promise<Files>) };

// index_lms.html as in the xAPI base, so that the duplicate and case-collision cases collide here too.
const SCORM_ENTRIES: RawEntry[] = Object.entries({ ...scorm2004Package(), 'index_lms.html': 'x' }).map(([name, data]) => ({ name, data, method: 8 }));
const INPUTS = new Map<string, Input>();
const CASES: Case[] = [];

for (const [i, d] of hostileDescriptors().entries()) {
  INPUTS.set(`d${i}.zip`, { bytes: () => zipFiles({ [d.file]: d.data }) });
  INPUTS.set(`d${i}-folder`, { folder: { [d.file]: d.data } });
  INPUTS.set(`d${i}-bare`, { folder: { [d.file]: d.data } });
  CASES.push({ name: `${d.name} (zip)`, args: [`d${i}.zip`], rule: d.rule });
  CASES.push({ name: `${d.name} (folder)`, args: [`d${i}-folder`], rule: d.rule });
  // A bare empty file is not recognisably XML (exit 2 says so); every other one gets its finding.
  CASES.push({ name: `${d.name} (bare descriptor)`, args: [`d${i}-bare/${d.file}`], rule: d.rule });
}
const mark = `lessonkit-exits-${randomBytes(6).toString('hex')}`;
for (const [i, [name, extra, rule]] of craftedCases(mark).entries()) {
  // xAPI packages never load xmllint; SCORM packages do (its old worker thread once kept the process alive).
  INPUTS.set(`x${i}.zip`, { bytes: () => buildZip([...GOOD_ENTRIES, ...extra]) });
  INPUTS.set(`s${i}.zip`, { bytes: () => buildZip([...SCORM_ENTRIES, ...extra]) });
  CASES.push({ name: `${name} (xAPI zip)`, args: [`x${i}.zip`], rule });
  CASES.push({ name: `${name} (SCORM zip)`, args: [`s${i}.zip`], rule });
}
// Bombs aimed at the descriptor itself: too big to read, or lying about its size.
const spaces = () => Buffer.alloc(80 * 1024 * 1024, 0x20);
INPUTS.set('bomb-descriptor.zip', { bytes: () => buildZip([{ name: 'imsmanifest.xml', data: Buffer.concat([Buffer.from(MANIFEST_2004), spaces()]), method: 8 }]) });
INPUTS.set('bomb-lying.zip', { bytes: () => buildZip([{ name: 'imsmanifest.xml', data: Buffer.concat([Buffer.from('<?xml version="1.0"?><manifest>'), spaces()]), method: 8, uncompressedSize: 100 }]) });
for (const deep of [[], ['--deep']]) {
  CASES.push({ name: `descriptor that inflates to 80 MB ${deep.join('')}`, args: ['bomb-descriptor.zip', ...deep], rule: 'zip.entry.compression-ratio' });
  CASES.push({ name: `descriptor that declares 100 bytes and inflates to 80 MB ${deep.join('')}`, args: ['bomb-lying.zip', ...deep], rule: 'zip.entry.unreadable' });
}
// Broken zips and inputs that are no package at all.
INPUTS.set('truncated.zip', { bytes: () => zipFiles(scorm2004Package()).subarray(0, 3000) });
INPUTS.set('cd-broken.zip', { bytes: () => buildZip(SCORM_ENTRIES, { breakCentralSignature: true }) });
INPUTS.set('no-entries.zip', { bytes: () => buildZip([]) });
INPUTS.set('empty.zip', { bytes: () => '' });
INPUTS.set('text.zip', { bytes: () => 'this is a text file with a .zip name\n' });
INPUTS.set('empty-folder', { folder: {} });
// Web bundles (no descriptor): a file missing, index.html only in a subfolder, the page on its own.
INPUTS.set('web-missing.zip', { bytes: async () => zipFiles(Object.fromEntries(Object.entries(await webPackage()).filter(([n]) => n !== 'player/player.js'))) });
INPUTS.set('web-nested.zip', { bytes: async () => zipFiles(await webPackage(), { prefix: 'site/' }) });
INPUTS.set('web-folder', { folder: webPackage });
CASES.push(
  { name: 'web bundle missing its player', args: ['web-missing.zip'], rule: 'web.file.missing' },
  { name: 'web bundle zipped with its folder', args: ['web-nested.zip'], rule: 'web.index.not-at-root' },
  { name: "a web bundle's index.html on its own", args: ['web-folder/index.html'] },
);
CASES.push(
  { name: 'zip cut short', args: ['truncated.zip'], rule: 'zip.central-directory.corrupt' },
  { name: 'zip cut short --deep', args: ['truncated.zip', '--deep'], rule: 'zip.central-directory.corrupt' },
  { name: 'central directory with a bad signature', args: ['cd-broken.zip'], rule: 'zip.central-directory.corrupt' },
  { name: 'zip with no entries', args: ['no-entries.zip'], rule: 'zip.empty' },
  { name: '0-byte .zip', args: ['empty.zip'] },
  { name: 'text file named .zip', args: ['text.zip'] },
  { name: 'empty folder', args: ['empty-folder'], rule: 'package.descriptor.missing' },
  { name: 'path that does not exist', args: ['nope.zip'] },
);

let tmp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-e2e-exits-');
  for (const [name, input] of INPUTS) {
    const full = path.join(tmp.dir, name);
    if ('folder' in input) {
      await mkdir(full);
      await writeFolder(full, typeof input.folder === 'function' ? await input.folder() : input.folder);
    } else await writeFile(full, await input.bytes());
  }
}, 120_000);
afterAll(async () => {
  await tmp.cleanup();
});

describe('lessonkit validate exits by itself on every hostile input (built CLI)', () => {
  // One process per input: an early return for one package must not be hidden by a full run for another.
  it.each(CASES)('$name: exits with 1 or 2 within the time limit, without a stack', async (c) => {
    const r = await runBounded(['validate', ...c.args, '--reporter', 'json'], tmp.dir);
    expect(r.signal, `killed after ${LIMIT_MS} ms; stdout so far: ${r.stdout.slice(0, 300)}`).toBeNull();
    expect([1, 2], `exit ${r.code}: ${r.stderr.slice(0, 400)}`).toContain(r.code);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at .+:\d+:\d+/);
    if (r.code === 1 && c.rule) {
      const doc = JSON.parse(r.stdout) as { packages: { findings: { ruleId: string }[] }[] };
      expect(doc.packages[0]!.findings.map((f) => f.ruleId)).toContain(c.rule);
    }
    if (r.code === 2) expect(r.stderr).toMatch(/^error: .+\n\s+fix: /);
  }, LIMIT_MS + 10_000);

  it('nothing a crafted entry names was written outside the temp folder', () => {
    for (const dir of [tmp.dir, path.dirname(tmp.dir), '/tmp']) expect(existsSync(path.join(dir, `${mark}.txt`)) || existsSync(path.join(dir, mark))).toBe(false);
  });
});

describe('lessonkit validate on inputs that are no package or cannot be read (built CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = path.join(tmp.dir, 'inputs');
    await mkdir(dir);
  });
  afterAll(async () => {
    // chmod 000 folders cannot be removed by a non-root cleanup otherwise.
    for (const p of ['locked.zip', 'pkg/locked']) await chmod(path.join(dir, p), 0o755).catch(() => {});
  });

  /** Whether chmod 000 really stops this process from reading (not when running as root). */
  async function permissionsBlock(p: string): Promise<boolean> {
    try {
      await access(p, fsConstants.R_OK);
      return false;
    } catch {
      return true;
    }
  }

  it('a zip nobody may read: exit 2 "permission denied" (as root, where chmod does not block, it is checked like any zip)', async () => {
    await writeFile(path.join(dir, 'locked.zip'), zipFiles(xapiPackage()));
    await chmod(path.join(dir, 'locked.zip'), 0o000);
    const r = await runBounded(['validate', 'locked.zip'], dir);
    expect(r.signal).toBeNull();
    if (await permissionsBlock(path.join(dir, 'locked.zip'))) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: "locked\.zip": permission denied\.\n\s+fix: Check the permissions/);
    } else {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/passed: 1 package/);
    }
  });

  it('a package folder with a subfolder nobody may read: exit 1 folder.unreadable, no stack (as root: checked like any folder)', async () => {
    await writeFolder(path.join(dir, 'pkg'), { ...xapiPackage(), 'locked/notes.txt': 'x' });
    await chmod(path.join(dir, 'pkg/locked'), 0o000);
    const r = await runBounded(['validate', 'pkg'], dir);
    expect(r.signal).toBeNull();
    expect(r.stderr).not.toMatch(/internal error/);
    if (await permissionsBlock(path.join(dir, 'pkg/locked'))) {
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/locked\/ cannot be read \(permission denied\).*folder\.unreadable/);
    } else {
      expect(r.code).toBe(0);
    }
  });

  it('a 0-byte zip says it is empty; a bare descriptor with a BOM passes; XML that is no descriptor is exit 2', async () => {
    await writeFile(path.join(dir, 'zero.zip'), '');
    await writeFile(path.join(dir, 'imsmanifest.xml'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MANIFEST_2004)]));
    await writeFile(path.join(dir, 'page.xml'), '<?xml version="1.0"?><html><body/></html>');
    const zero = await runBounded(['validate', 'zero.zip'], dir);
    expect([zero.code, zero.stderr]).toEqual([2, expect.stringMatching(/^error: zero\.zip is empty \(0 bytes\), so it is no package\.\n\s+fix: .*export the package again/)]);
    const bom = await runBounded(['validate', 'imsmanifest.xml'], dir);
    expect([bom.code, bom.stdout]).toEqual([0, expect.stringMatching(/imsmanifest\.xml \(SCORM 2004 4th Edition\)/)]);
    const page = await runBounded(['validate', 'page.xml'], dir);
    expect([page.code, page.stderr]).toEqual([2, expect.stringMatching(/is an XML file but not a package descriptor \(its root is <html>\)/)]);
  });
});
