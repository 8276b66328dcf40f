import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, fingerprintFile, makeStagingDir, publishEntry, readCacheEntry } from '../../../src/core/media/cache.js';
import { makeTempDir } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await makeTempDir('lessonkit-cache-unit-')));
afterEach(async () => cleanup());

describe('fingerprintFile', () => {
  it('depends on content, not on name or time', async () => {
    const a = path.join(dir, 'a.bin');
    const b = path.join(dir, 'b.bin');
    const data = Buffer.alloc(5 * 1024 * 1024, 7);
    await writeFile(a, data);
    await writeFile(b, data);
    expect(await fingerprintFile(a)).toBe(await fingerprintFile(b));
    // A change in the first MiB (a re-export rewrites the header) changes the fingerprint.
    data[1000] = 8;
    await writeFile(b, data);
    expect(await fingerprintFile(b)).not.toBe(await fingerprintFile(a));
  });
  it('hashes small files completely', async () => {
    const a = path.join(dir, 'small.bin');
    await writeFile(a, 'x'.repeat(100));
    const before = await fingerprintFile(a);
    await writeFile(a, 'x'.repeat(99) + 'y');
    expect(await fingerprintFile(a)).not.toBe(before);
  });
});

describe('cache entries', () => {
  it('keys are stable and sensitive to every part', () => {
    expect(cacheKey(['web-2', 'abc', { from: 1 }])).toBe(cacheKey(['web-2', 'abc', { from: 1 }]));
    expect(cacheKey(['web-2', 'abc', { from: 1 }])).not.toBe(cacheKey(['web-2', 'abc', { from: 2 }]));
    expect(cacheKey(['x'])).toMatch(/^[0-9a-f]{32}$/);
  });
  it('publishes a staging folder with one rename; a second publisher of the same key is dropped', async () => {
    const root = path.join(dir, 'media');
    await mkdir(root);
    const entry = path.join(root, 'k');
    const first = await makeStagingDir(root, 'k');
    const second = await makeStagingDir(root, 'k');
    expect(first).not.toBe(second);
    await writeFile(path.join(first, 'meta.json'), '{"n":1}');
    await writeFile(path.join(second, 'meta.json'), '{"n":2}');
    expect(await readCacheEntry(entry)).toBeUndefined();
    await publishEntry(first, entry);
    await publishEntry(second, entry);
    expect(await readCacheEntry(entry)).toEqual({ n: 1 });
    expect(await readdir(root)).toEqual(['k']);
    expect(await readFile(path.join(entry, 'meta.json'), 'utf8')).toBe('{"n":1}');
  });
});
