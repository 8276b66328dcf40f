import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../../src/core/context.js';
import { locateMediaTools } from '../../../src/core/media/locate.js';
import { validatePackage } from '../../../src/core/validate/validate.js';
import type { PackageReport } from '../../../src/core/validate/types.js';
import { makeTempDir } from '../../helpers/cli.js';
import { readZip } from '../../helpers/media-course.js';
import { writeFolder, xapiPackage, zipFiles } from './helpers/packages.js';
import { craftedCases, GOOD_ENTRIES } from './helpers/crafted.js';
import { buildZip, type RawEntry } from './helpers/zip-writer.js';

const ctx = createSilentContext();
let tmp: { dir: string; cleanup: () => Promise<void> };
let n = 0;
/** A unique marker: any file named with it outside the temp folder would prove an extraction. */
const MARK = `lessonkit-evil-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-zipsafety-');
});
afterAll(async () => {
  await tmp.cleanup();
});

const GOOD: RawEntry[] = GOOD_ENTRIES;

async function check(zip: Buffer, deep = false): Promise<PackageReport> {
  const name = `crafted-${++n}.zip`;
  await writeFile(path.join(tmp.dir, name), zip);
  return validatePackage({ path: name, cwd: tmp.dir, deep }, ctx);
}
const errorIds = (r: PackageReport) => [...new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId))].sort();

/** Every place an unsafe entry could have landed if anything had been extracted. */
function assertNothingEscaped(): void {
  for (const dir of [tmp.dir, path.dirname(tmp.dir), path.dirname(path.dirname(tmp.dir)), tmpdir(), '/', process.cwd(), path.join(tmp.dir, 'a')]) {
    expect(existsSync(path.join(dir, `${MARK}.txt`))).toBe(false);
    expect(existsSync(path.join(dir, MARK))).toBe(false);
  }
}

describe('crafted unsafe zips: one rule each, nothing extracted', () => {
  const cases = craftedCases(MARK);

  it.each(cases)('%s', async (_name, extra, rule) => {
    const r = await check(buildZip([...GOOD, ...extra]));
    // Each crafted zip is otherwise a valid xAPI package: the only error rule is the one under test
    // (a declared-size bomb also trips the ratio rule, which is the point of both).
    const expected = rule === 'zip.size.declared-too-large' ? ['zip.entry.compression-ratio', rule] : [rule];
    expect(errorIds(r)).toEqual(expected);
    assertNothingEscaped();
  });

  it('folders that differ only by case are not a collision (they merge on extraction)', async () => {
    const r = await check(buildZip([...GOOD, { name: 'Images/', externalAttr: (0o040755 << 16) >>> 0 }, { name: 'images/', externalAttr: (0o040755 << 16) >>> 0 }, { name: 'images/a.png', data: 'x' }]));
    expect(r.findings).toEqual([]);
  });

  it('UTF-8 names without the flag (macOS Archive Utility) are a warning, not an error', async () => {
    const r = await check(buildZip([...GOOD, { name: Buffer.from('caf\u00e9.txt', 'utf8'), data: 'x', flags: 0 }]));
    expect(errorIds(r)).toEqual([]);
    expect(r.findings.map((f) => [f.ruleId, f.severity, f.location?.entry])).toEqual([['zip.entry.non-utf8-name', 'warning', 'caf\u00e9.txt']]);
  });

  it('a corrupt central directory', async () => {
    const broken = await check(buildZip(GOOD, { breakCentralSignature: true }));
    expect(errorIds(broken)).toEqual(['zip.central-directory.corrupt']);
    const miscounted = await check(buildZip(GOOD, { announceCount: 5 }));
    expect(errorIds(miscounted)).toEqual(['zip.central-directory.corrupt']);
    const zip = buildZip(GOOD);
    const truncated = await check(zip.subarray(0, zip.length - 30));
    expect(errorIds(truncated)).toEqual(['zip.central-directory.corrupt']);
    expect(truncated.standard).toBe('unknown');
  });

  it('an empty zip', async () => {
    const r = await check(buildZip([]));
    expect(errorIds(r)).toEqual(['package.descriptor.missing', 'zip.empty']);
  });

  it('the temp folder holds only the crafted zips, and the unsafe names appear only in the findings', async () => {
    const names = await readdir(tmp.dir);
    expect(names.every((f) => /^crafted-\d+\.zip$/.test(f))).toBe(true);
    assertNothingEscaped();
  });
});

describe('zip64 and --deep', () => {
  it('reads zip64 archives', async () => {
    const r = await check(zipFiles(xapiPackage(), { zip64: true }), true);
    expect(r.findings).toEqual([]);
    expect(r.rulesChecked).toContain('zip.entry.crc-mismatch');
  });

  it('a CRC mismatch is found only with --deep, and so is a damaged deflate stream', async () => {
    const zip = buildZip([...GOOD, { name: 'data.bin', data: randomBytes(5000), crc: 0x1234 }]);
    expect((await check(zip)).findings).toEqual([]);
    const deep = await check(zip, true);
    expect(errorIds(deep)).toEqual(['zip.entry.crc-mismatch']);
    expect(deep.findings[0]?.location?.entry).toBe('data.bin');

    const good = buildZip([...GOOD, { name: 'page.html', data: 'hello '.repeat(2000), method: 8 }]);
    const at = good.indexOf(Buffer.from('page.html')) + 'page.html'.length + 10;
    good[at] = good[at]! ^ 0xff;
    const damaged = await check(good, true);
    expect(errorIds(damaged).length).toBe(1);
    expect(['zip.entry.crc-mismatch', 'zip.entry.unreadable']).toContain(errorIds(damaged)[0]);
  });

  it('is read back by an independent unzipper: every entry inflates to its CRC (and unzip -t agrees where installed)', async () => {
    const file = path.join(tmp.dir, `crafted-${++n}.zip`);
    const files = xapiPackage();
    await writeFile(file, zipFiles(files, { zip64: true }));
    const read = await readZip(file);
    expect([...read.keys()].sort()).toEqual(Object.keys(files).sort());
    for (const [name, data] of Object.entries(files)) expect(crc32(read.get(name) ?? Buffer.alloc(0))).toBe(crc32(Buffer.from(data)));
    const unzip = await promisify(execFile)('unzip', ['-t', file]).catch((e: { stdout?: string; code?: string }) => (e.code === 'ENOENT' ? undefined : { stdout: String(e.stdout) }));
    if (unzip) expect(unzip.stdout).toMatch(/No errors detected/);
  });
});

describe('--deep media checks (real ffmpeg output)', () => {
  let media: Record<string, Buffer>;
  beforeAll(async () => {
    const tools = await locateMediaTools({ env: process.env });
    const run = promisify(execFile);
    media = {};
    const base = ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=22050', '-t', '1', '-pix_fmt', 'yuv420p'];
    const variants: Record<string, string[]> = {
      'faststart.mp4': ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-movflags', '+faststart'],
      'moov-at-end.mp4': ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac'],
      'mpeg4-part2.mp4': ['-c:v', 'mpeg4', '-c:a', 'aac', '-movflags', '+faststart'],
      'yuv444.mp4': ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p', '-c:a', 'aac', '-movflags', '+faststart'],
    };
    for (const [name, args] of Object.entries(variants)) {
      const out = path.join(tmp.dir, `media-${name}`);
      await run(tools.ffmpeg.path, [...base, ...args, out]);
      media[name] = await readFile(out);
    }
  });

  const pkg = (name: string, data: Buffer) => buildZip([...GOOD, { name: `media/${name}`, data }]);

  it('H.264/AAC with faststart: no findings', async () => {
    expect((await check(pkg('a.mp4', media['faststart.mp4']!), true)).findings).toEqual([]);
  });

  it('moov after mdat: a faststart warning', async () => {
    const r = await check(pkg('a.mp4', media['moov-at-end.mp4']!), true);
    expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([['media.mp4.not-faststart', 'warning']]);
  });

  it('MPEG-4 Part 2 video: a codec error', async () => {
    const r = await check(pkg('a.mp4', media['mpeg4-part2.mp4']!), true);
    expect(errorIds(r)).toEqual(['media.codec.unsupported']);
    expect(r.findings[0]?.message).toMatch(/mp4v/);
  });

  it('H.264 High 4:4:4 (a screen-recorder setting browsers cannot decode): a codec error', async () => {
    const r = await check(pkg('a.mp4', media['yuv444.mp4']!), true);
    expect(errorIds(r)).toEqual(['media.codec.unsupported']);
    expect(r.findings[0]?.message).toMatch(/High 4:4:4 Predictive/);
  });

  it('a truncated file and a zero duration are caught; without --deep nothing is read', async () => {
    const cut = media['moov-at-end.mp4']!.subarray(0, 3000);
    expect(errorIds(await check(pkg('cut.mp4', cut), true))).toEqual(['media.mp4.malformed']);
    expect((await check(pkg('cut.mp4', cut))).findings).toEqual([]);
    const zero = Buffer.from(media['faststart.mp4']!);
    const mvhd = zero.indexOf(Buffer.from('mvhd'));
    zero.writeUInt32BE(0, mvhd + 4 + 16); // version 0: duration field
    expect(errorIds(await check(pkg('zero.mp4', zero), true))).toEqual(['media.duration.unreadable']);
  });

  it('package folders get the same media checks', async () => {
    const dir = path.join(tmp.dir, 'media-folder');
    await writeFolder(dir, { ...xapiPackage(), 'media/ok.mp4': media['faststart.mp4']!, 'media/late.mp4': media['moov-at-end.mp4']! });
    const r = await validatePackage({ path: dir, cwd: tmp.dir, deep: true }, ctx);
    expect(r.findings.map((f) => [f.ruleId, f.location?.entry])).toEqual([['media.mp4.not-faststart', 'media/late.mp4']]);
    await rm(dir, { recursive: true });
  });

  it('AVI is not playable in browsers', async () => {
    expect(errorIds(await check(pkg('old.avi', Buffer.from('RIFF0000AVI LIST')), true))).toEqual(['media.codec.unsupported']);
  });
});
