/**
 * The streaming zip writer writes the same bytes lessonkit's bundles always had: the oracle is
 * archiver (the writer bundles were made with before), driven exactly as the old writeZip drove
 * it, over every kind of entry a bundle holds. Also: the SHA-256 it reports is the file's, and a
 * CRC-32 remembered from an earlier write gives the same bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChecksumMemo, isStored, writeZip, writeZips } from '../../../src/core/package/zip.js';
import { readEntry, readZipDirectory } from '../../../src/core/validate/zip.js';
import type { BundleFile } from '../../../src/core/package/targets/types.js';
import { makeTempDir } from '../../helpers/cli.js';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let files: BundleFile[];

/** What lessonkit's writeZip did with archiver before the streaming writer replaced it. */
async function archiverZip(out: string, list: BundleFile[]): Promise<void> {
  const sorted = [...list].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const written = pipeline(archive, createWriteStream(out));
  for (const f of sorted) {
    const data = { name: f.path, date: new Date(Date.UTC(2000, 0, 1, 0, 0, 0)), mode: 0o644, store: isStored(f) };
    if (f.content !== undefined) archive.append(typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : Buffer.from(f.content), data);
    else archive.append(createReadStream(f.source!), data);
  }
  await Promise.all([archive.finalize(), written]);
}

const sha = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-zip-');
  const src = path.join(tmp.dir, 'src');
  await mkdir(src);
  // A "video" larger than the writer's chunks and buffers, random so nothing compresses.
  await writeFile(path.join(src, 'video.mp4'), randomBytes(3 * 1024 * 1024 + 17));
  await writeFile(path.join(src, 'poster.jpg'), randomBytes(70_000));
  // Prose-like text (random words), where deflate levels differ in their output.
  const words = ['open', 'the', 'client', 'file', 'share', 'a', 'link', 'portal', 'mobile', 'folder', 'tap', 'then', 'settings', 'access'];
  const prose = Array.from(randomBytes(60_000), (b) => words[b % words.length]).join(' ');
  await writeFile(path.join(src, 'workbook.md'), '# Workbook\n\n' + prose);
  await writeFile(path.join(src, 'empty.txt'), '');
  await writeFile(path.join(src, 'empty.mp4'), '');
  await writeFile(path.join(src, 'guide.pdf'), randomBytes(1000));
  files = [
    { path: 'media/intro/one.mp4', source: path.join(src, 'video.mp4') },
    { path: 'media/intro/one.jpg', source: path.join(src, 'poster.jpg') },
    { path: 'workbooks/intro.md', source: path.join(src, 'workbook.md') },
    { path: 'files/empty.txt', source: path.join(src, 'empty.txt') },
    { path: 'media/empty.mp4', source: path.join(src, 'empty.mp4') },
    { path: 'files/guide.pdf', source: path.join(src, 'guide.pdf') },
    { path: 'imsmanifest.xml', content: '<?xml version="1.0"?>\n<manifest>' + '<item/>'.repeat(500) + '</manifest>\n' },
    { path: 'index.html', content: '<!doctype html><title>Cours é</title>' },
    { path: 'player/empty.css', content: '' },
    { path: 'player/logo.png', content: new Uint8Array(randomBytes(5000)) },
    { path: 'player/raw.bin', content: new Uint8Array(randomBytes(3000)), store: true },
    { path: 'captions/café-ünïcode.vtt', content: 'WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n' },
    { path: 'player/app.js', content: Array.from(randomBytes(20_000), (b) => `f${b % 97}(${b});`).join('\n') },
  ];
});
afterAll(() => tmp.cleanup());

describe('writeZip', () => {
  it('writes the bytes archiver wrote for every kind of bundle entry', async () => {
    const before = path.join(tmp.dir, 'archiver.zip');
    const after = path.join(tmp.dir, 'stream.zip');
    await archiverZip(before, files);
    const r = await writeZip(after, files);
    expect(await sha(after)).toBe(await sha(before));
    // What it reports is the file it wrote (hashed on the way out, never read back).
    expect(r).toEqual({ path: after, size: (await stat(after)).size, sha256: await sha(after), entries: files.length });
    expect((await readdir(tmp.dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('gives the same bytes with CRC-32s remembered from an earlier write, in memory or on disk', async () => {
    const dir = path.join(tmp.dir, 'checksums');
    const first = await writeZip(path.join(tmp.dir, 'a.zip'), files, { checksums: createChecksumMemo(dir) });
    // Remembered on disk: a new memo (a later build) reads them back.
    expect((await readdir(dir)).length).toBeGreaterThan(0);
    const later = createChecksumMemo(dir);
    expect(await later.get(path.join(tmp.dir, 'src', 'video.mp4'))).toMatchObject({ size: 3 * 1024 * 1024 + 17 });
    const second = await writeZip(path.join(tmp.dir, 'b.zip'), files, { checksums: later });
    expect(second.sha256).toBe(first.sha256);
  });

  it('a cancelled write leaves no file behind', async () => {
    const controller = new AbortController();
    controller.abort();
    const out = path.join(tmp.dir, 'cancelled', 'c.zip');
    await expect(writeZip(out, files, { signal: controller.signal })).rejects.toThrow(/cancel/i);
    expect(await readdir(path.dirname(out)).catch(() => [])).toEqual([]);
  });

  it('writes the zips of several targets: shared files first, each zip its own after; the same bytes as each zip written alone', async () => {
    const own = new Set(['imsmanifest.xml', 'index.html']);
    const shared = files.filter((f) => !own.has(f.path));
    const manifest = files.find((f) => f.path === 'imsmanifest.xml')!;
    const page = files.find((f) => f.path === 'index.html')!;
    const tails = [[manifest, page], [page], [{ path: 'cmi5.xml', content: '<courseStructure/>' }, page]];
    const dir = path.join(tmp.dir, 'multi');
    const memo = createChecksumMemo();
    const results = await writeZips(shared, tails.map((t, i) => ({ out: path.join(dir, `t${i}.zip`), files: t })), { checksums: memo });
    const bytes = await Promise.all(results.map((r) => readFile(r.path)));
    // Every zip starts with the same bytes: the shared entries, sorted, up to the first own entry.
    const sharedNames = shared.map((f) => f.path).sort();
    for (const [i, r] of results.entries()) {
      expect(r).toEqual({ path: path.join(dir, `t${i}.zip`), size: bytes[i]!.length, sha256: createHash('sha256').update(bytes[i]!).digest('hex'), entries: shared.length + tails[i]!.length });
      const fh = await open(r.path, 'r');
      try {
        const zip = await readZipDirectory(fh);
        expect(zip.problems).toEqual([]);
        expect(zip.entries.map((e) => e.name)).toEqual([...sharedNames, ...tails[i]!.map((f) => f.path).sort()]);
        const firstOwn = zip.entries[shared.length]!.localHeaderOffset;
        expect(bytes[i]!.subarray(0, firstOwn).equals(bytes[0]!.subarray(0, firstOwn))).toBe(true);
        // Each entry holds its file's bytes (the shared video copied by the kernel included).
        const video = zip.entries.find((e) => e.name === 'media/intro/one.mp4')!;
        expect((await readEntry(fh, video)).equals(await readFile(path.join(tmp.dir, 'src', 'video.mp4')))).toBe(true);
        const last = zip.entries.at(-1)!;
        const src = tails[i]!.find((f) => f.path === last.name)!;
        expect((await readEntry(fh, last)).toString('utf8')).toBe(src.content);
      } finally {
        await fh.close();
      }
      // The zip a one-target build writes is the same file: a bundle does not depend on which other targets were built.
      const alone = await writeZips(shared, [{ out: path.join(dir, `alone${i}.zip`), files: tails[i]! }]);
      expect(alone[0]!.sha256).toBe(r.sha256);
    }
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('refuses a path that is both shared and a target file, and leaves nothing behind', async () => {
    const dir = path.join(tmp.dir, 'dup');
    await expect(writeZips(files, [{ out: path.join(dir, 'a.zip'), files: [{ path: 'index.html', content: 'x' }] }])).rejects.toThrow(/index\.html twice/);
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });
});
