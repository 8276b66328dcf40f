import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXsd } from '../../src/core/validate/xsd.js';
import { BIN, makeTempDir, runCli } from '../helpers/cli.js';
import { makeMediaCourse, readZip } from '../helpers/media-course.js';

const ALL = 'scorm12,scorm2004-3rd,scorm2004-4th,web';

describe('lessonkit build', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let course: string;
  beforeAll(async () => {
    tmp = await makeTempDir('lessonkit-build-');
    course = path.join(tmp.dir, 'course');
    await makeMediaCourse(course);
  });
  afterAll(() => tmp.cleanup());

  it('writes one zip per target whose descriptor passes the official schema set, and --json lists path, size and sha256', async () => {
    const out = path.join(tmp.dir, 'out1');
    const r = await runCli(['build', course, '--target', ALL, '--out', out, '--json', '--cache-dir', path.join(tmp.dir, 'cache1')], { cwd: tmp.dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { bundles: { target: string; path: string; size: number; sha256: string }[] };
    expect(result.bundles.map((b) => b.target)).toEqual(['scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'web']);
    expect((await readdir(out)).sort()).toEqual([
      'demo-course-1.0.0-scorm12.zip',
      'demo-course-1.0.0-scorm2004-3rd.zip',
      'demo-course-1.0.0-scorm2004-4th.zip',
      'demo-course-1.0.0-web.zip',
    ]);
    for (const b of result.bundles) {
      const bytes = await readFile(b.path);
      expect(b.size).toBe(bytes.length);
      expect(b.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      // The validate engine checked the zip too, and found nothing to warn about.
      expect((b as { findings?: unknown[] }).findings).toEqual([]);
      const entries = await readZip(b.path);
      expect(entries.has('index.html')).toBe(true);
      expect(entries.has('player/player.js')).toBe(true);
      expect(entries.has('media/intro/one.mp4')).toBe(true);
      expect(entries.has('media/intro/one.vtt')).toBe(true);
      const html = entries.get('index.html')?.toString('utf8') ?? '';
      expect(html).toContain('<html lang="en-GB">');
      // Author text never becomes markup: the only <script> elements are the player's own two.
      expect(html.match(/<script/g)?.length).toBe(2);
      if (b.target === 'web') {
        expect(entries.has('imsmanifest.xml')).toBe(false);
        continue;
      }
      const manifest = entries.get('imsmanifest.xml')?.toString('utf8') ?? '';
      const set = b.target as 'scorm12' | 'scorm2004-3rd' | 'scorm2004-4th';
      expect(await validateXsd(manifest, set, 'imsmanifest.xml')).toEqual({ valid: true, errors: [] });
      // Every file of the package is listed, except the manifest and the schema files beside it.
      const listed = [...manifest.matchAll(/<file href="([^"]+)"/g)].map((m) => m[1]);
      const content = [...entries.keys()].filter((n) => n !== 'imsmanifest.xml' && !/\.(xsd|dtd)$/.test(n));
      expect(listed.sort()).toEqual(content.sort());
      expect(manifest).toContain('Demo &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
      expect(manifest).toMatch(/language>en-GB</);
      if (set === 'scorm2004-4th') {
        expect(manifest).toContain('<schemaversion>2004 4th Edition</schemaversion>');
        // The offline variant of imscp_v1p1.xsd: it imports xml.xsd locally.
        expect(entries.get('imscp_v1p1.xsd')?.toString('utf8')).toMatch(/<xsd:import namespace = "http:\/\/www.w3.org\/XML\/1998\/namespace" schemaLocation = "xml.xsd"\/>/);
      }
      if (set === 'scorm12') expect([...entries.keys()]).toEqual(expect.arrayContaining(['imscp_rootv1p1p2.xsd', 'adlcp_rootv1p2.xsd', 'ims_xml.xsd', 'imsmd_rootv1p2p1.xsd']));
    }
  });

  it('builds byte-identical zips twice, even with a fresh render cache', async () => {
    const a = path.join(tmp.dir, 'det-a');
    const b = path.join(tmp.dir, 'det-b');
    const r1 = await runCli(['build', course, '--target', 'scorm12,web', '--out', a, '--cache-dir', path.join(tmp.dir, 'cache-a')], { cwd: tmp.dir });
    const r2 = await runCli(['build', course, '--target', 'scorm12,web', '--out', b, '--cache-dir', path.join(tmp.dir, 'cache-b')], { cwd: tmp.dir });
    expect(r1.code).toBe(0);
    expect(r2.code).toBe(0);
    for (const name of ['demo-course-1.0.0-scorm12.zip', 'demo-course-1.0.0-web.zip']) {
      const x = await readFile(path.join(a, name));
      const y = await readFile(path.join(b, name));
      expect(x.equals(y)).toBe(true);
    }
    // And again from the warm cache.
    const r3 = await runCli(['build', course, '--target', 'scorm12', '--out', b, '--cache-dir', path.join(tmp.dir, 'cache-a')], { cwd: tmp.dir });
    expect(r3.code).toBe(0);
    expect(r3.stdout).toContain('3 from the cache');
    expect((await readFile(path.join(a, 'demo-course-1.0.0-scorm12.zip'))).equals(await readFile(path.join(b, 'demo-course-1.0.0-scorm12.zip')))).toBe(true);
  });

  it('--sco-per-lesson writes one SCO per lesson that still passes the schemas', async () => {
    const out = path.join(tmp.dir, 'per-lesson');
    const r = await runCli(['build', course, '--target', 'scorm12,scorm2004-4th', '--sco-per-lesson', '--out', out, '--cache-dir', path.join(tmp.dir, 'cache1')], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    for (const [target, set] of [['scorm12', 'scorm12'], ['scorm2004-4th', 'scorm2004-4th']] as const) {
      const entries = await readZip(path.join(out, `demo-course-1.0.0-${target}.zip`));
      const manifest = entries.get('imsmanifest.xml')?.toString('utf8') ?? '';
      expect((await validateXsd(manifest, set)).errors).toEqual([]);
      expect(manifest.match(/scorm[tT]ype="sco"/g)?.length).toBe(2);
      expect(entries.has('lessons/intro.html')).toBe(true);
      expect(entries.has('lessons/second.html')).toBe(true);
      expect(entries.get('lessons/intro.html')?.toString('utf8')).toContain('href="../player/player.css"');
      if (set === 'scorm2004-4th') expect(manifest).toContain('<imsss:controlMode choice="true" flow="true"/>');
    }
  });

  it('refuses an unknown target with exit 2 and the list of targets', async () => {
    const r = await runCli(['build', course, '--target', 'scorm3000', '--out', path.join(tmp.dir, 'never')], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('scorm3000');
    expect(r.stderr).toContain('scorm12');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('SIGINT mid-build (while zipping) exits 130 and leaves no zip or temporary file in the output folder', async () => {
    const slow = path.join(tmp.dir, 'slow-course');
    await makeMediaCourse(slow, {
      seconds: 2,
      yaml: 'id: slow\ntitle: Slow\nlessons:\n  - id: a\n    title: A\n    attachments: [files/data.bin]\n    segments:\n      - {id: s0, title: S0, source: recordings/rec.mp4, from: 0, to: 2}\n',
    });
    // A large attachment that deflates slowly keeps the zip step busy long enough to interrupt it.
    await mkdir(path.join(slow, 'files'));
    await writeFile(path.join(slow, 'files/data.bin'), randomBytes(12 * 1024 * 1024));
    const out = path.join(tmp.dir, 'sigint-out');
    await mkdir(out);
    const child = spawn(process.execPath, [BIN, 'build', slow, '--target', 'scorm12,web', '--out', out], { env: { ...process.env, NO_COLOR: '1', CI: '1' }, cwd: tmp.dir });
    let stderr = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // The first zip is finished (as a temporary file) and the second is being written.
      if (!sent && /package scorm12 done/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toContain('Cancelled.');
    expect(await readdir(out)).toEqual([]);
    const cacheLeft = await readdir(path.join(slow, '.lessonkit/cache'), { recursive: true });
    expect(cacheLeft.filter((f) => String(f).includes('.tmp'))).toEqual([]);
  });
});
