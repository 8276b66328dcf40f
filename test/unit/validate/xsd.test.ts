import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemaFilesToShip, validateXsd, type SchemaSet } from '../../../src/core/validate/xsd.js';
import { REPO } from '../../helpers/cli.js';

const SAMPLES = path.join(REPO, 'fixtures/samples');
const read = (rel: string) => readFileSync(path.join(SAMPLES, rel), 'utf8');
const xmlIn = (dir: string) => readdirSync(path.join(SAMPLES, dir)).filter((f) => f.endsWith('.xml')).map((f) => `${dir}/${f}`);

const VALID: [string, SchemaSet][] = [
  ...xmlIn('scorm12').map((f): [string, SchemaSet] => [f, 'scorm12']),
  ...xmlIn('scorm2004-3rd').map((f): [string, SchemaSet] => [f, 'scorm2004-3rd']),
  ...xmlIn('scorm2004-4th').map((f): [string, SchemaSet] => [f, 'scorm2004-4th']),
  ...xmlIn('cmi5').map((f): [string, SchemaSet] => [f, 'cmi5']),
];

/** The SCORM 1.2 golf single-SCO manifest with `lines` inserted after line `after` (1-based). */
function golf12With(after: number, ...lines: string[]): string {
  const src = read('scorm12/golf_singlesco_imsmanifest.xml').split('\n');
  src.splice(after, 0, ...lines);
  return src.join('\n');
}

describe('validateXsd', () => {
  it('knows every sample folder', () => {
    expect(VALID.length).toBeGreaterThanOrEqual(10);
  });

  it.each(VALID)('accepts the valid sample %s (%s)', async (file, set) => {
    const r = await validateXsd(read(file), set, path.basename(file));
    expect(r.errors).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('rejects the cmi5 sample that breaks the schema, with its line', async () => {
    const r = await validateXsd(read('cmi5/invalid/207-1-invalid-courseStructure.xml'), 'cmi5', 'cmi5.xml');
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.line).toBe(28);
    expect(r.errors[0]?.message).toMatch(/url.*not expected/);
  });

  it('rejects an unknown element in a manifest and names its line', async () => {
    // Line 34 is </metadata>: the bogus element becomes line 34 and </metadata> moves to 35.
    const xml = golf12With(33, '    <bogus>x</bogus>');
    const r = await validateXsd(xml, 'scorm12', 'imsmanifest.xml');
    expect(r.valid).toBe(false);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.line).toBe(34);
    expect(r.errors[0]?.message).toMatch(/bogus/);
  });

  it('validates adlcp strictly in SCORM 1.2: a wrong scormtype value fails', async () => {
    const xml = read('scorm12/golf_singlesco_imsmanifest.xml').replace('adlcp:scormtype="sco"', 'adlcp:scormtype="SCO-ish"');
    const r = await validateXsd(xml, 'scorm12', 'imsmanifest.xml');
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.line).toBe(53);
    expect(r.errors[0]?.message).toMatch(/scormtype/);
  });

  it('accepts SCORM 1.2 manifests with inline imsmd LOM metadata (as authoring tools write them)', async () => {
    const xml = golf12With(
      33,
      '    <lom xmlns="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1">',
      '      <general><title><langstring xml:lang="en-US">Golf Explained</langstring></title>',
      '        <description><langstring xml:lang="en-US">A course</langstring></description></general>',
      '      <lifecycle><version><langstring>1</langstring></version></lifecycle>',
      '    </lom>',
    );
    const r = await validateXsd(xml, 'scorm12', 'imsmanifest.xml');
    expect(r.errors).toEqual([]);
  });

  it('still rejects an imsmd element that IMS MD 1.2.1 does not define', async () => {
    const xml = golf12With(33, '    <imsmd:notlom xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"/>');
    const r = await validateXsd(xml, 'scorm12', 'imsmanifest.xml');
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.line).toBe(34);
  });

  it('reports a document that is not well-formed with line and column', async () => {
    const xml = golf12With(33, '    <schema>oops</schemaa>');
    const r = await validateXsd(xml, 'scorm12', 'imsmanifest.xml');
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.line).toBe(34);
    expect(r.errors[0]?.column).toBeGreaterThan(1);
    expect(r.errors[0]?.message).toMatch(/mismatch|schemaa/i);
  });

  it('honours an ISO-8859-1 declaration once the text is decoded', async () => {
    const xml = read('scorm12/golf_singlesco_imsmanifest.xml')
      .replace('<?xml version="1.0" standalone="no" ?>', '<?xml version="1.0" encoding="ISO-8859-1" standalone="no" ?>')
      .replace('<title>Golf Explained', '<title>Golf Expliqué');
    const r = await validateXsd('\ufeff' + xml, 'scorm12', 'imsmanifest.xml');
    expect(r.errors).toEqual([]);
  });

  it('never expands entities: a DOCTYPE with an external entity is refused', async () => {
    const xml = read('cmi5/aicc_simple-cmi5.xml').replace(/^(<\?xml[^>]*>)/, '$1\n<!DOCTYPE courseStructure [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>');
    const r = await validateXsd(xml, 'cmi5', 'cmi5.xml');
    expect(r.valid).toBe(false);
    expect(r.errors[0]?.message).toMatch(/entities/);
    expect(JSON.stringify(r)).not.toMatch(/root:/);
  });

  it('leaves optional parts optional: an organizations element without default still passes the schema', async () => {
    const xml = read('scorm2004-4th/LMSTestPackage_API.imsmanifest.xml');
    const bad = xml.replace(/<organizations default="[^"]*"/, '<organizations');
    const r = await validateXsd(bad, 'scorm2004-4th');
    // `default` is optional in the schema: this must still pass (semantic rules catch it instead).
    expect(r.valid).toBe(true);
  });
});

describe('schemaFilesToShip', () => {
  it('ships the offline-variant imscp_v1p1.xsd for 4th Edition, and no driver files', () => {
    const files = schemaFilesToShip('scorm2004-4th');
    const imscp = files.find((f) => f.to === 'imscp_v1p1.xsd');
    expect(imscp?.from).toMatch(/offline-variant[\\/]imscp_v1p1\.xsd$/);
    expect(readFileSync(imscp!.from, 'utf8')).not.toMatch(/schemaLocation="http:\/\/www\.w3\.org\/2001\/xml\.xsd"/);
    expect(files.some((f) => f.to.startsWith('_') || f.to.includes('offline-variant'))).toBe(false);
    expect(files.map((f) => f.to)).toEqual(expect.arrayContaining(['adlcp_v1p3.xsd', 'xml.xsd', 'common/dataTypes.xsd', 'vocab/adlmd_vocabv1p0.xsd']));
    for (const f of files) expect(existsSync(f.from)).toBe(true);
  });

  it('ships the four SCORM 1.2 control files and nothing for cmi5', () => {
    expect(schemaFilesToShip('scorm12').map((f) => f.to).sort()).toEqual(['adlcp_rootv1p2.xsd', 'ims_xml.xsd', 'imscp_rootv1p1p2.xsd', 'imsmd_rootv1p2p1.xsd']);
    expect(schemaFilesToShip('cmi5')).toEqual([]);
    for (const f of schemaFilesToShip('scorm2004-3rd')) expect(existsSync(f.from)).toBe(true);
  });
});

describe('xmllint runner', () => {
  it('the in-thread runner and the library fallback agree (valid, invalid, not well-formed)', async () => {
    const { runXmllint, runXmllintFallback } = await import('../../../src/core/validate/xmllint-runner.js');
    const schema = { fileName: 's.xsd', contents: '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="xs:int"/></xs:schema>' };
    for (const [doc, valid] of [['<a>1</a>', true], ['<a>x</a>', false], ['<a>1</b>', false]] as const) {
      const files = [{ fileName: 'd.xml', contents: doc }, schema];
      const args = ['--schema', 's.xsd', '--noout', 'd.xml'];
      const fast = await runXmllint(files, args);
      const slow = await runXmllintFallback(files, args, 4096);
      // The library reports only valid/invalid, so compare that and the messages, not exact codes.
      expect([fast.exitCode === 0, slow.exitCode === 0]).toEqual([valid, valid]);
      expect([0, 1, 3, 4]).toContain(fast.exitCode);
      expect(fast.stderr.split('\n').filter((l) => l.startsWith('d.xml:'))).toEqual(slow.stderr.split('\n').filter((l) => l.startsWith('d.xml:')));
    }
  });
});
