/**
 * `lessonkit build --target xapi,cmi5` on a copy of the sample course, through the built CLI:
 * two zips, descriptors at the root that point at files inside the zip, cmi5.xml valid against
 * the official XSD (one AU, or one per lesson with --au-per-lesson), and a clear error when
 * the course has no iri.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXsd } from '../../src/core/validate/xsd.js';
import { makeTempDir, REPO, runCli } from '../helpers/cli.js';
import { readZip } from '../helpers/media-course.js';

const IRI = 'https://training.example.com/courses/mobile-client-access';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => ['activity', 'au'].includes(n) });

describe('lessonkit build --target xapi,cmi5', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let course: string;
  beforeAll(async () => {
    tmp = await makeTempDir('lessonkit-e2e-xapi-');
    course = path.join(tmp.dir, 'course');
    await cp(path.join(REPO, 'fixtures/sample-course'), course, { recursive: true });
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });
  const cache = () => path.join(tmp.dir, 'cache');

  it('writes two zips; tincan.xml has one launchable activity with the course IRI; cmi5.xml passes the XSD', { timeout: 120_000 }, async () => {
    const out = path.join(tmp.dir, 'out');
    const r = await runCli(['build', course, '--target', 'xapi,cmi5', '--out', out, '--cache-dir', cache()], { cwd: tmp.dir });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/xapi\s+\S+mobile-client-access-1\.0\.0-xapi\.zip/);
    expect(r.stdout).toMatch(/cmi5\s+\S+mobile-client-access-1\.0\.0-cmi5\.zip.*cmi5\.xml valid against cmi5/);

    const xapi = await readZip(path.join(out, 'mobile-client-access-1.0.0-xapi.zip'));
    const tincan = parser.parse(String(xapi.get('tincan.xml'))) as { tincan: { activities: { activity: { '@id': string; launch?: { '#text': string } }[] } } };
    const launchable = tincan.tincan.activities.activity.filter((a) => a.launch);
    expect(launchable).toHaveLength(1);
    expect(launchable[0]?.['@id']).toBe(IRI);
    expect(xapi.has(String(launchable[0]?.launch?.['#text']))).toBe(true);

    const cmi5 = await readZip(path.join(out, 'mobile-client-access-1.0.0-cmi5.zip'));
    const xml = String(cmi5.get('cmi5.xml'));
    expect(await validateXsd(xml, 'cmi5', 'cmi5.xml')).toEqual({ valid: true, errors: [] });
    const aus = (parser.parse(xml) as { courseStructure: { au: { '@id': string; '@moveOn': string; url: string }[] } }).courseStructure.au;
    expect(aus.map((a) => [a['@id'], a['@moveOn'], a.url])).toEqual([[`${IRI}/au`, 'Completed', 'index.html']]);
    expect(cmi5.has('index.html')).toBe(true);
  });

  it('--au-per-lesson writes one AU per lesson, each URL a page in the zip', { timeout: 120_000 }, async () => {
    const out = path.join(tmp.dir, 'out-per-lesson');
    const r = await runCli(['build', course, '--target', 'cmi5', '--au-per-lesson', '--out', out, '--cache-dir', cache()], { cwd: tmp.dir });
    expect(r.code).toBe(0);
    const cmi5 = await readZip(path.join(out, 'mobile-client-access-1.0.0-cmi5.zip'));
    const xml = String(cmi5.get('cmi5.xml'));
    expect((await validateXsd(xml, 'cmi5', 'cmi5.xml')).valid).toBe(true);
    const aus = (parser.parse(xml) as { courseStructure: { au: { '@id': string; url: string }[] } }).courseStructure.au;
    expect(aus.map((a) => a['@id'])).toEqual([`${IRI}/lessons/mobile-access/au`, `${IRI}/lessons/share-link/au`]);
    for (const au of aus) expect(cmi5.has(au.url)).toBe(true);
  });

  it('a course without iri: exit 2 naming course.yaml and the fix, and no zip', async () => {
    const noIri = path.join(tmp.dir, 'no-iri');
    await cp(course, noIri, { recursive: true });
    const yaml = (await readFile(path.join(noIri, 'course.yaml'), 'utf8')).replace(/^iri:.*\n/m, '').replace(/^targets:.*$/m, 'targets: [scorm12]');
    await writeFile(path.join(noIri, 'course.yaml'), yaml);
    const out = path.join(tmp.dir, 'out-no-iri');
    const r = await runCli(['build', noIri, '--target', 'xapi', '--out', out, '--cache-dir', cache()], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/course\.yaml/);
    expect(r.stderr).toMatch(/iri/);
    expect(r.stderr).toMatch(/iri: https:\/\/training\.example\.com\/courses\/mobile-client-access/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    await expect(readZip(path.join(out, 'mobile-client-access-1.0.0-xapi.zip'))).rejects.toThrow();
  });
});
