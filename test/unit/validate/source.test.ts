import type * as FsPromises from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSilentContext } from '../../../src/core/context.js';
import { folderSource } from '../../../src/core/validate/source.js';
import { validatePackage, validatePackages } from '../../../src/core/validate/validate.js';
import { UserError } from '../../../src/errors.js';
import { makeTempDir } from '../../helpers/cli.js';
import { scorm2004Package, writeFolder, xapiPackage } from './helpers/packages.js';

// Permission errors cannot be produced with chmod when the tests run as root, so the file
// system answers EACCES for the paths listed here (the e2e test covers real permissions).
const denied = vi.hoisted(() => new Set<string>());
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const check = (p: unknown, op: string) => {
    if (denied.has(String(p))) throw Object.assign(new Error(`EACCES: permission denied, ${op} '${String(p)}'`), { code: 'EACCES' });
  };
  return {
    ...real,
    readdir: (async (p: string, o?: unknown) => (check(p, 'scandir'), real.readdir(p, o as never))) as typeof real.readdir,
    readFile: (async (p: string, o?: unknown) => (check(p, 'open'), real.readFile(p, o as never))) as typeof real.readFile,
    access: (async (p: string, m?: number) => (check(p, 'access'), real.access(p, m))) as typeof real.access,
  };
});

const ctx = createSilentContext();
let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-validate-source-');
});
afterAll(async () => {
  await tmp.cleanup();
});
beforeEach(() => denied.clear());

describe('package folders that cannot be read', () => {
  it('a subfolder that cannot be listed is a finding, and the rest of the package is still checked', async () => {
    const dir = path.join(tmp.dir, 'sub-denied');
    await writeFolder(dir, { ...scorm2004Package(), 'extra/notes.txt': 'x' });
    denied.add(path.join(dir, 'lesson2'));
    const src = await folderSource(dir);
    expect(src.unreadable).toEqual([{ name: 'lesson2', reason: 'permission denied' }]);
    expect(src.files).toContain('extra/notes.txt');
    const r = await validatePackage({ path: 'sub-denied', cwd: tmp.dir }, ctx);
    const unreadable = r.findings.filter((f) => f.ruleId === 'folder.unreadable');
    expect(unreadable).toEqual([expect.objectContaining({ severity: 'error', location: { entry: 'lesson2/' } })]);
    expect(unreadable[0]!.message).toMatch(/lesson2\/ cannot be read \(permission denied\).*fix its permissions/);
    // The manifest was still checked: its files under lesson2/ are unknown, so they are missing.
    expect(r.standard).toBe('scorm2004-4th');
    expect(r.findings.some((f) => f.ruleId === 'scorm.file.missing')).toBe(true);
    expect(r.rulesChecked).toContain('folder.unreadable');
  });

  it('a descriptor that cannot be read is a finding, not a crash', async () => {
    const dir = path.join(tmp.dir, 'descriptor-denied');
    await writeFolder(dir, xapiPackage());
    denied.add(path.join(dir, 'tincan.xml'));
    const r = await validatePackage({ path: dir, cwd: tmp.dir }, ctx);
    expect(r.findings).toEqual([expect.objectContaining({ ruleId: 'folder.unreadable', location: { entry: 'tincan.xml' } })]);
  });

  it('a package folder that cannot be listed at all is an input error (exit 2) naming it', async () => {
    const dir = path.join(tmp.dir, 'all-denied');
    await writeFolder(dir, xapiPackage());
    denied.add(dir);
    const err = await validatePackage({ path: 'all-denied', cwd: tmp.dir }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('all-denied cannot be read: permission denied.');
  });

  it('several inputs: unreadable ones are named together before any package is checked', async () => {
    await writeFolder(path.join(tmp.dir, 'ok'), xapiPackage());
    await writeFolder(path.join(tmp.dir, 'locked'), xapiPackage());
    denied.add(path.join(tmp.dir, 'locked'));
    const progress: string[] = [];
    const err = await validatePackages({ paths: ['ok', 'locked', 'gone'], cwd: tmp.dir }, { ...ctx, onProgress: (p) => progress.push(p.item ?? '') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('"gone": no such file or folder. "locked": permission denied.');
    expect(progress).toEqual([]);
  });
});
