import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../../src/core/context.js';
import { validatePackage } from '../../../src/core/validate/validate.js';
import { UserError } from '../../../src/errors.js';
import { makeTempDir } from '../../helpers/cli.js';
import { scorm12Package, zipFiles } from './helpers/packages.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-fuzz-');
});
afterAll(async () => {
  await tmp.cleanup();
});

describe('damaged zips never crash the validator', () => {
  it('150 corrupted copies of a good package: findings or a UserError, never an internal error', async () => {
    const good = zipFiles(scorm12Package());
    const outcomes = new Set<string>();
    // A seeded generator (LCG): a failure names its run and reproduces.
    let seed = 20261122;
    const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
    for (let i = 0; i < 150; i++) {
      const bad = Buffer.from(good);
      const flips = 1 + (i % 8);
      for (let k = 0; k < flips; k++) bad[next() % bad.length] = next() & 0xff;
      const file = path.join(tmp.dir, 'bad.zip');
      await writeFile(file, i % 50 === 49 ? bad.subarray(0, bad.length >> 1) : bad);
      try {
        const r = await validatePackage({ path: file, cwd: tmp.dir, deep: true }, createSilentContext());
        outcomes.add(r.findings.length ? 'findings' : 'clean');
      } catch (err) {
        if (!(err instanceof UserError)) throw new Error(`run ${i}: internal error ${(err as Error).stack}`);
        outcomes.add('user-error');
      }
    }
    expect(outcomes.has('findings')).toBe(true);
  });
});
