import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../../src/core/context.js';
import { validatePackage, validatePackages } from '../../../src/core/validate/validate.js';
import type { PackageReport } from '../../../src/core/validate/types.js';
import { UserError } from '../../../src/errors.js';
import { makeTempDir, REPO } from '../../helpers/cli.js';
import { hostileDescriptors } from './helpers/crafted.js';
import { CMI5_XML, cmi5Package, MANIFEST_12, MANIFEST_2004, scorm12Package, scorm2004Package, schemaFiles, TINCAN_XML, webPackage, writeFolder, xapiPackage, zipFiles, type Files } from './helpers/packages.js';
import { buildZip } from './helpers/zip-writer.js';
import { formatReport } from '../../../src/core/validate/reporters.js';
import { RULES } from '../../../src/core/validate/rules.js';

const SAMPLES = path.join(REPO, 'fixtures/samples');
const ctx = createSilentContext();
let tmp: { dir: string; cleanup: () => Promise<void> };
let n = 0;

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-validate-');
});
afterAll(async () => {
  await tmp.cleanup();
});

/** Writes the files as a zip in the temp folder and validates it. */
async function checkZip(files: Files | Buffer, options: { deep?: boolean; prefix?: string } = {}): Promise<PackageReport> {
  const name = `pkg-${++n}.zip`;
  await writeFile(path.join(tmp.dir, name), Buffer.isBuffer(files) ? files : zipFiles(files, { prefix: options.prefix }));
  return validatePackage({ path: name, cwd: tmp.dir, deep: options.deep }, ctx);
}

/** Writes the files as a folder and validates it. */
async function checkFolder(files: Files, options: { deep?: boolean } = {}): Promise<PackageReport> {
  const name = `folder-${++n}`;
  await writeFolder(path.join(tmp.dir, name), files);
  return validatePackage({ path: name, cwd: tmp.dir, deep: options.deep }, ctx);
}

/** Writes a bare descriptor and validates it. */
async function checkBare(fileName: string, text: string | Buffer): Promise<PackageReport> {
  const dir = path.join(tmp.dir, `bare-${++n}`);
  await mkdir(dir);
  await writeFile(path.join(dir, fileName), text);
  return validatePackage({ path: path.join(dir, fileName), cwd: tmp.dir }, ctx);
}

const errorIds = (r: PackageReport) => [...new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId))].sort();
const ids = (r: PackageReport) => [...new Set(r.findings.map((f) => f.ruleId))].sort();
const findingsOf = (r: PackageReport, id: string) => r.findings.filter((f) => f.ruleId === id);
/** 1-based line of the first occurrence of `needle` in `text`. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('good packages pass', () => {
  it.each([
    ['SCORM 2004 4th Ed.', scorm2004Package, 'scorm2004-4th'],
    ['SCORM 1.2 with inline imsmd LOM metadata', scorm12Package, 'scorm12'],
    ['cmi5', cmi5Package, 'cmi5'],
    ['xAPI', xapiPackage, 'xapi'],
  ] as const)('%s: zero findings as a zip and as a folder', async (_name, make, standard) => {
    const z = await checkZip(make());
    expect(z.findings).toEqual([]);
    expect(z.standard).toBe(standard);
    expect(z.input).toBe('zip');
    expect(z.rulesChecked).toContain('zip.entry.path-traversal');
    const f = await checkFolder(make());
    expect(f.findings).toEqual([]);
    expect(f.input).toBe('folder');
  });

  it('reads entries written as "./name" as root files', async () => {
    const r = await checkZip(scorm2004Package(), { prefix: './' });
    expect(r.findings).toEqual([]);
  });

  it('detects SCORM 2004 3rd and 2nd Edition by schemaversion', async () => {
    const third = await checkZip(scorm2004Package(MANIFEST_2004.replace('2004 4th Edition', '2004 3rd Edition')));
    expect(third.standard).toBe('scorm2004-3rd');
    expect(third.findings).toEqual([]);
    const second = await checkZip(scorm2004Package(MANIFEST_2004.replace('2004 4th Edition', 'CAM 1.3')));
    expect(second.standard).toBe('scorm2004-2nd');
    expect(second.findings).toEqual([]);
  });

  it('accepts ISO-8859-1, UTF-8 with BOM and UTF-16 manifests (encoding honoured)', async () => {
    const latin = MANIFEST_12.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace('<title>Opening client files</title>', '<title>Dossiers clients: accès mobile</title>');
    const latinPkg = { ...scorm12Package(), 'imsmanifest.xml': Buffer.from(latin, 'latin1') };
    expect((await checkZip(latinPkg)).findings).toEqual([]);
    const bom = { ...scorm12Package(), 'imsmanifest.xml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MANIFEST_12.replace('Opening client', 'Öffnen'))]) };
    expect((await checkZip(bom)).findings).toEqual([]);
    const utf16 = { ...scorm12Package(), 'imsmanifest.xml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MANIFEST_12.replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le')]) };
    expect((await checkZip(utf16)).findings).toEqual([]);
  });

  it('resolves hrefs after xml:base, percent-decoding and query/fragment stripping', async () => {
    const manifest = MANIFEST_2004.replace('<resources>', '<resources xml:base="content/">').replace(
      '<resource identifier="res_common" type="webcontent" adlcp:scormType="asset">',
      '<resource identifier="res_common" type="webcontent" adlcp:scormType="asset" xml:base="../shared/">',
    ).replace(/<file href="shared\//g, '<file href="');
    const files: Files = {};
    for (const [k, v] of Object.entries(scorm2004Package(manifest))) files[k.startsWith('lesson') ? `content/${k}` : k] = v;
    const r = await checkZip(files);
    expect(r.findings).toEqual([]);
  });
});

describe('official samples', () => {
  const valid = ['scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'cmi5'].flatMap((d) =>
    readdirSync(path.join(SAMPLES, d)).filter((f) => f.endsWith('.xml')).map((f) => `${d}/${f}`),
  );

  it('has every sample folder', () => {
    expect(valid.length).toBe(10);
  });

  it.each(valid)('%s passes with zero findings', async (rel) => {
    const text = readFileSync(path.join(SAMPLES, rel));
    if (rel.startsWith('cmi5/')) {
      // cmi5 samples come inside a package (their AU urls are relative to it).
      const r = await checkZip({ 'cmi5.xml': text, 'index.html': '<!doctype html>' });
      expect(r.findings).toEqual([]);
      expect(r.standard).toBe('cmi5');
    } else {
      const r = await checkBare('imsmanifest.xml', text);
      expect(r.findings).toEqual([]);
      expect(r.standard).toBe(rel.split('/')[0]);
    }
  });

  it.each(['scorm12/golf_singlesco_imsmanifest.xml', 'scorm12/golf_runtimeminimumcalls_imsmanifest.xml', 'scorm2004-3rd/golf_runtimebasiccalls_imsmanifest.xml'])(
    '%s as a whole package (every listed file, official schema files) has zero findings',
    async (rel) => {
      const text = readFileSync(path.join(SAMPLES, rel), 'utf8');
      const files: Files = { 'imsmanifest.xml': text, ...schemaFiles(rel.startsWith('scorm12') ? 'scorm12' : 'scorm2004-3rd') };
      for (const m of text.matchAll(/href="([^"]+)"/g)) files[decodeURIComponent(m[1]!)] = 'x';
      const r = await checkZip(files);
      expect(r.findings).toEqual([]);
    },
  );

  // Each CATAPULT "must reject" package fails with the rule its name describes.
  const invalid: [string, string][] = [
    ['201-1-iris-course-id.xml', 'cmi5.id.not-absolute-iri'],
    ['201-2-iris-block-id.xml', 'cmi5.id.not-absolute-iri'],
    ['201-3-iris-au-id.xml', 'cmi5.id.not-absolute-iri'],
    ['201-4-iris-objective-id.xml', 'cmi5.id.not-absolute-iri'],
    ['204-query-string-conflict-endpoint.xml', 'cmi5.au.url-query-conflict'],
    ['205-1-duplicated-block.xml', 'cmi5.id.duplicate'],
    ['205-2-duplicated-objective.xml', 'cmi5.id.duplicate'],
    ['205-3-duplicated-au.xml', 'cmi5.id.duplicate'],
    ['206-1-invalid-au-url.xml', 'cmi5.au.url-invalid'],
    ['207-1-invalid-courseStructure.xml', 'xml.schema-invalid'],
  ];

  it('covers every sample under cmi5/invalid', () => {
    const all = readdirSync(path.join(SAMPLES, 'cmi5/invalid')).sort();
    expect([...invalid.map(([f]) => f), '202-1-relative-url-no-zip.xml'].sort()).toEqual(all);
  });

  it.each(invalid)('cmi5/invalid/%s, packaged with its AU page, fails with %s', async (file, rule) => {
    const r = await checkZip({ 'cmi5.xml': readFileSync(path.join(SAMPLES, 'cmi5/invalid', file)), 'index.html': '<!doctype html>' });
    expect(errorIds(r)).toContain(rule);
  });

  it('cmi5/invalid/202-1 (relative url imported without a zip) fails bare, and passes once zipped with its page', async () => {
    const text = readFileSync(path.join(SAMPLES, 'cmi5/invalid/202-1-relative-url-no-zip.xml'));
    const bare = await checkBare('cmi5.xml', text);
    expect(errorIds(bare)).toEqual(['cmi5.au.url-relative-without-package']);
    const zipped = await checkZip({ 'cmi5.xml': text, 'index.html': '<!doctype html>' });
    expect(zipped.findings).toEqual([]);
  });
});

describe('broken packages: each caught with its own rule', () => {
  it('a manifest moved into a subfolder', async () => {
    const r = await checkZip(scorm2004Package(), { prefix: 'MyCourse/' });
    expect(errorIds(r)).toEqual(['scorm.manifest.not-at-root']);
    expect(findingsOf(r, 'scorm.manifest.not-at-root')[0]?.message).toMatch(/Zip the contents of "MyCourse\/"/);
    expect(findingsOf(r, 'scorm.manifest.not-at-root')[0]?.location?.entry).toBe('MyCourse/imsmanifest.xml');
    expect(r.standard).toBe('scorm2004-4th');
  });

  it('a missing launch file', async () => {
    const files = scorm2004Package();
    delete files['lesson1/index.html'];
    const r = await checkZip(files);
    expect(errorIds(r)).toEqual(['scorm.file.missing', 'scorm.resource.href-missing']);
    expect(findingsOf(r, 'scorm.resource.href-missing')[0]).toMatchObject({ location: { entry: 'imsmanifest.xml', line: lineOf(MANIFEST_2004, '<resource identifier="res_1"') } });
  });

  it('a duplicate identifier', async () => {
    const r = await checkZip(scorm2004Package(MANIFEST_2004.replace('identifier="item_2"', 'identifier="item_1"')));
    expect(errorIds(r)).toContain('scorm.identifier.duplicate');
    expect(errorIds(r).filter((id) => id !== 'xml.schema-invalid')).toEqual(['scorm.identifier.duplicate']);
    const dup = findingsOf(r, 'scorm.identifier.duplicate')[0];
    expect(dup?.message).toContain(`"item_1" of <item> is already used by the <item> on line ${lineOf(MANIFEST_2004, 'identifier="item_1"')}`);
    expect(dup?.location?.line).toBe(lineOf(MANIFEST_2004, 'identifier="item_2"'));
  });

  it('a wrong scormType', async () => {
    const r = await checkZip(scorm2004Package(MANIFEST_2004.replace('adlcp:scormType="sco" href="lesson1', 'adlcp:scormType="SCO" href="lesson1')));
    expect(errorIds(r)).toContain('scorm.resource.scormtype-invalid');
    // The schema agrees; no other semantic rule fires.
    expect(errorIds(r).filter((id) => id !== 'xml.schema-invalid')).toEqual(['scorm.resource.scormtype-invalid']);
    const r12 = await checkZip(scorm12Package(MANIFEST_12.replace('adlcp:scormtype="sco"', 'adlcp:scormType="sco"')));
    expect(findingsOf(r12, 'scorm.resource.scormtype-invalid')[0]?.message).toMatch(/SCORM 1.2 spells it adlcp:scormtype/);
  });

  it('a broken identifierref', async () => {
    const r = await checkZip(scorm2004Package(MANIFEST_2004.replace('identifierref="res_2"', 'identifierref="res_9"')));
    expect(errorIds(r)).toContain('scorm.item.identifierref-unresolved');
    expect(errorIds(r).filter((id) => id !== 'xml.schema-invalid')).toEqual(['scorm.item.identifierref-unresolved']);
    const dep = await checkZip(scorm2004Package(MANIFEST_2004.replace('<dependency identifierref="res_common"/>\n    </resource>\n    <resource identifier="res_2"', '<dependency identifierref="nope"/>\n    </resource>\n    <resource identifier="res_2"')));
    expect(errorIds(dep)).toEqual(['scorm.item.identifierref-unresolved']);
  });
});

describe('SCORM semantic rules', () => {
  const variant = (from: string, to: string): Files => {
    expect(MANIFEST_2004).toContain(from);
    return scorm2004Package(MANIFEST_2004.replace(from, to));
  };
  const PLAYER = '<file href="shared/player.js"/>';

  it.each([
    ['an href that differs only in case', () => variant(PLAYER, '<file href="shared/Player.js"/>'), ['scorm.href.case-mismatch']],
    ['a backslash href', () => variant(PLAYER, '<file href="shared\\player.js"/>'), ['scorm.href.backslash']],
    ['a leading-slash href', () => variant(PLAYER, '<file href="/shared/player.js"/>'), ['scorm.href.leading-slash']],
    ['an href above the root', () => variant(PLAYER, '<file href="../shared/player.js"/>'), ['scorm.href.outside-package']],
    ['a malformed percent-escape', () => variant(PLAYER, '<file href="shared/pl%zzayer.js"/>'), ['scorm.href.malformed']],
    [
      'xml:base without a trailing slash',
      () => variant('<resource identifier="res_common" type="webcontent" adlcp:scormType="asset">', '<resource identifier="res_common" type="webcontent" adlcp:scormType="asset" xml:base="shared">'),
      ['scorm.file.missing', 'scorm.xml-base.trailing-slash'],
    ],
    ['a default organization that does not exist', () => variant('default="org"', 'default="main"'), ['scorm.organization.default-unresolved']],
    ['a leaf item without identifierref', () => variant('<item identifier="item_2" identifierref="res_2">', '<item identifier="item_2">'), ['scorm.item.leaf-without-resource']],
    [
      'a parent item with identifierref',
      () => variant('<title>Lesson 2</title>', '<title>Lesson 2</title>\n        <item identifier="item_3" identifierref="res_1"><title>3</title></item>'),
      ['scorm.item.parent-with-resource'],
    ],
    ['a launched resource without href', () => variant(' href="lesson1/index.html">', '>'), ['scorm.resource.no-href']],
    [
      'a missing schema file',
      () => {
        const f = scorm2004Package();
        delete f['adlseq_v1p3.xsd'];
        return f;
      },
      ['scorm.schema-file.missing'],
    ],
    ['a missing metadata file', () => variant('<schemaversion>2004 4th Edition</schemaversion>', '<schemaversion>2004 4th Edition</schemaversion>\n    <adlcp:location>metadata/course.xml</adlcp:location>'), ['scorm.metadata.location-missing']],
    [
      'an SCO-only element on an item that launches an asset',
      () =>
        scorm2004Package(
          MANIFEST_2004.replace('<title>Lesson 2</title>', '<title>Lesson 2</title>\n        <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.9"/>').replace(
            'adlcp:scormType="sco" href="lesson2',
            'adlcp:scormType="asset" href="lesson2',
          ),
        ),
      ['scorm.item.sco-only-attribute'],
    ],
    [
      'two objectives writing the same global objective',
      () =>
        variant(
          '<title>Lesson 2</title>',
          `<title>Lesson 2</title>
        <imsss:sequencing><imsss:objectives>
          <imsss:primaryObjective objectiveID="p"><imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/></imsss:primaryObjective>
          <imsss:objective objectiveID="o"><imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/></imsss:objective>
        </imsss:objectives></imsss:sequencing>`,
        ),
      ['scorm.sequencing.duplicate-write-map'],
    ],
    ['an organization without launchable items', () => scorm2004Package(MANIFEST_2004.replace(/<organizations default="org">[\s\S]*<\/organizations>/, '<organizations/>')), ['scorm.package.nothing-to-launch']],
  ] as const)('%s', async (_name, make, expected) => {
    const r = await checkZip(make());
    expect(errorIds(r).filter((id) => id !== 'xml.schema-invalid')).toEqual([...expected]);
  });

  it('warns about files no <file> lists, and names them', async () => {
    const r = await checkZip({ ...scorm2004Package(), 'lesson1/extra.css': 'a{}', '__MACOSX/._index.html': 'x' });
    expect(errorIds(r)).toEqual([]);
    expect(findingsOf(r, 'scorm.file.not-listed').map((f) => f.location?.entry)).toEqual(['__MACOSX/._index.html', 'lesson1/extra.css']);
    expect(findingsOf(r, 'scorm.file.not-listed')[0]?.severity).toBe('warning');
  });

  it('SCORM 1.2: masteryscore range, and softer severities where 1.2 LMSs tolerate it', async () => {
    const bad = await checkZip(scorm12Package(MANIFEST_12.replace('<adlcp:masteryscore>80', '<adlcp:masteryscore>180')));
    expect(errorIds(bad)).toEqual(['scorm.masteryscore.range']);
    const files = scorm12Package();
    delete files['imsmd_rootv1p2p1.xsd'];
    const noSchema = await checkZip(files);
    expect(findingsOf(noSchema, 'scorm.schema-file.missing')).toMatchObject([{ severity: 'warning' }]);
    expect(errorIds(noSchema)).toEqual([]);
  });

  it('reports an unknown schemaversion and a foreign root namespace', async () => {
    const r = await checkZip(scorm2004Package(MANIFEST_2004.replace('2004 4th Edition', '2004 5th Edition')));
    expect(findingsOf(r, 'scorm.schemaversion.unknown')).toMatchObject([{ severity: 'warning', location: { line: lineOf(MANIFEST_2004, '<schemaversion>') } }]);
    const ns = await checkZip(scorm2004Package(MANIFEST_2004.replace('xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"', 'xmlns="http://example.com/cp"')));
    expect(errorIds(ns)).toEqual(['scorm.manifest.namespace']);
    expect(ns.standard).toBe('unknown');
  });

  it('names a descriptor with the wrong letter case', async () => {
    const files = scorm2004Package();
    files['IMSManifest.xml'] = files['imsmanifest.xml']!;
    delete files['imsmanifest.xml'];
    const r = await checkZip(files);
    expect(errorIds(r)).toEqual(['package.descriptor.name-case']);
  });

  it('reports a package with no descriptor at all', async () => {
    // (With an index.html at the root it would be a web bundle: see below.)
    const r = await checkZip({ 'start.html': 'x' });
    expect(errorIds(r)).toEqual(['package.descriptor.missing']);
    expect(r.standard).toBe('unknown');
  });
});

describe('XML safety and well-formedness', () => {
  it('never expands entities: an XXE manifest is reported and the secret stays unread', async () => {
    const secret = path.join(tmp.dir, 'secret.txt');
    await writeFile(secret, 'TOP-SECRET-VALUE');
    const xxe = MANIFEST_2004.replace('<?xml version="1.0" encoding="UTF-8"?>', `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE manifest [ <!ENTITY xxe SYSTEM "file://${secret}"> ]>`).replace('<title>Course</title>', '<title>&xxe;</title>');
    for (const r of [await checkZip(scorm2004Package(xxe)), await checkBare('imsmanifest.xml', xxe)]) {
      expect(errorIds(r)).toEqual(['xml.entity-declaration']);
      expect(findingsOf(r, 'xml.entity-declaration')[0]).toMatchObject({ location: { entry: 'imsmanifest.xml', line: 2 } });
      expect(JSON.stringify(r)).not.toContain('TOP-SECRET-VALUE');
    }
  });

  it('reports a manifest that is not well-formed, with line and column', async () => {
    const r = await checkZip(scorm2004Package(MANIFEST_2004.replace('<title>Lesson 1</title>', '<title>Lesson 1</titel>')));
    expect(errorIds(r)).toEqual(['xml.not-well-formed']);
    expect(findingsOf(r, 'xml.not-well-formed')[0]?.location).toMatchObject({ entry: 'imsmanifest.xml', line: lineOf(MANIFEST_2004, '<title>Lesson 1</title>') });
    expect(findingsOf(r, 'xml.not-well-formed')[0]?.location?.column).toBeGreaterThan(10);
    // Rules that need a parsed manifest did not run, so they are not reported as checked (JUnit).
    expect(r.rulesChecked).toContain('xml.not-well-formed');
    expect(r.rulesChecked).not.toContain('scorm.identifier.duplicate');
    expect(r.rulesChecked).not.toContain('xml.schema-invalid');
    expect(r.standard).toBe('scorm2004-4th');
  });

  it('reports bytes that do not match the declared encoding, with their line', async () => {
    const latin = Buffer.from(MANIFEST_12.replace('<title>Opening client files</title>', '<title>Accès</title>'), 'latin1');
    const r = await checkZip({ ...scorm12Package(), 'imsmanifest.xml': latin });
    expect(errorIds(r)).toEqual(['xml.encoding']);
    expect(findingsOf(r, 'xml.encoding')[0]?.location?.line).toBe(lineOf(MANIFEST_12, '<title>Opening client files</title>'));
  });

  it('reports schema errors with the line', async () => {
    const r = await checkZip(scorm2004Package(MANIFEST_2004.replace('<title>Lesson 1</title>', '<title>Lesson 1</title><colour>red</colour>')));
    expect(errorIds(r)).toEqual(['xml.schema-invalid']);
    expect(findingsOf(r, 'xml.schema-invalid')[0]?.location).toMatchObject({ entry: 'imsmanifest.xml', line: lineOf(MANIFEST_2004, '<title>Lesson 1</title>') });
    expect(findingsOf(r, 'xml.schema-invalid')[0]?.message).toMatch(/Element 'imscp:colour': This element is not expected/);
  });
});

describe('cmi5 and xAPI rules', () => {
  it('cmi5: moveOn, masteryScore, missing launch file', async () => {
    const r = await checkZip(cmi5Package(CMI5_XML.replace('moveOn="CompletedOrPassed" masteryScore="0.8"', 'moveOn="Complete" masteryScore="80"')));
    expect(errorIds(r)).toEqual(['cmi5.au.masteryscore-range', 'cmi5.au.moveon-invalid', 'xml.schema-invalid']);
    const missing = await checkZip({ 'cmi5.xml': CMI5_XML });
    expect(errorIds(missing)).toEqual(['cmi5.au.launch-file-missing']);
  });

  it('cmi5: a nested cmi5.xml is not at the root', async () => {
    const r = await checkZip(cmi5Package(), { prefix: 'course/' });
    expect(errorIds(r)).toEqual(['cmi5.descriptor.not-at-root']);
    expect(r.standard).toBe('cmi5');
  });

  it.each([
    ['no launch', TINCAN_XML.replace('<launch lang="en-US">index_lms.html</launch>', ''), ['xapi.activity.no-launch']],
    ['an activity id that is not an IRI', TINCAN_XML.replace('id="https://example.com/courses/c1/q1"', 'id="q1"'), ['xapi.activity.id-not-iri']],
    ['a missing launch file', TINCAN_XML.replace('>index_lms.html<', '>story.html<'), ['xapi.launch.file-missing']],
    ['a root that is not tincan', '<?xml version="1.0"?><course/>', ['xapi.descriptor.structure']],
  ])('xAPI: %s', async (_name, xml, expected) => {
    const r = await checkZip(xapiPackage(xml));
    expect(errorIds(r)).toEqual(expected);
  });

  it('xAPI: two launchable activities is a warning; a second tincan.xml an error', async () => {
    const two = TINCAN_XML.replace('<name lang="en-US">Question 1</name>', '<name lang="en-US">Question 1</name><launch>index_lms.html</launch>');
    const r = await checkZip(xapiPackage(two));
    expect(findingsOf(r, 'xapi.activity.multiple-launch')).toMatchObject([{ severity: 'warning' }]);
    const dup = await checkZip({ ...xapiPackage(), 'old/tincan.xml': TINCAN_XML });
    expect(errorIds(dup)).toEqual(['xapi.descriptor.multiple']);
  });
});

describe('SCORM 1.2 specifics', () => {
  it('a parent item with identifierref is only a warning in SCORM 1.2', async () => {
    const m = MANIFEST_12.replace('<title>Opening client files</title>\n        <adlcp:masteryscore>', '<title>Opening client files</title>\n        <item identifier="I_child" identifierref="SCO0"><title>c</title></item>\n        <adlcp:masteryscore>');
    expect(m).toContain('I_child');
    const r = await checkZip(scorm12Package(m));
    expect(errorIds(r)).toEqual([]);
    expect(findingsOf(r, 'scorm.item.parent-with-resource')).toMatchObject([{ severity: 'warning' }]);
  });

  it('a SCORM 1.2 manifest in the IMS CP 1.1.3 namespace is SCORM 1.2, with a note that the schema check was skipped', async () => {
    const m = MANIFEST_12.replace('xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"', 'xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"');
    const r = await checkZip(scorm12Package(m));
    expect(r.standard).toBe('scorm12');
    expect(r.findings.map((f) => [f.ruleId, f.severity])).toEqual([['scorm.manifest.namespace', 'info']]);
  });
});

describe('cancellation', () => {
  it('stops a --deep run when the signal fires, and before starting when it already has', async () => {
    const big = zipFiles({ ...xapiPackage(), 'media/big.bin': Buffer.alloc(8 * 1024 * 1024, 7) });
    await writeFile(path.join(tmp.dir, 'big.zip'), big);
    const controller = new AbortController();
    const run = validatePackage({ path: 'big.zip', cwd: tmp.dir, deep: true }, { ...ctx, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toMatchObject({ name: expect.stringMatching(/AbortError|CancelledError/) });
    await expect(validatePackage({ path: 'big.zip', cwd: tmp.dir }, { ...ctx, signal: controller.signal })).rejects.toMatchObject({ name: 'CancelledError' });
  });
});

describe('web bundles (no LMS descriptor, index.html at the root)', () => {
  const webRules = RULES.filter((r) => r.id.startsWith('web.') && r.id !== 'web.index.not-at-root').map((r) => r.id);

  it("lessonkit's web bundle passes as a zip and as a folder, reported as standard web with every web rule checked", async () => {
    const files = await webPackage();
    for (const r of [await checkZip(files), await checkFolder(files)]) {
      expect({ standard: r.standard, findings: r.findings }).toEqual({ standard: 'web', findings: [] });
      expect(r.rulesChecked).toEqual(expect.arrayContaining([...webRules, 'web.index.not-at-root', 'package.descriptor.missing']));
      expect(r.rulesChecked.some((id) => id.startsWith('xml.') || id.startsWith('scorm.'))).toBe(false);
    }
    expect((await checkZip(files)).rulesChecked).toContain('zip.entry.path-traversal');
  });

  it('a file its page loads, or its player configuration names, missing from the zip: web.file.missing at index.html', async () => {
    const { 'player/player.js': _js, 'media/intro/why.vtt': _vtt, ...rest } = await webPackage();
    const r = await checkZip(rest);
    expect(r.standard).toBe('web');
    expect(r.findings.map((f) => [f.ruleId, f.location?.entry, /names (\S+),/.exec(f.message)?.[1]])).toEqual([
      ['web.file.missing', 'index.html', 'media/intro/why.vtt'],
      ['web.file.missing', 'index.html', 'player/player.js'],
    ]);
  });

  it('the same zip-safety rules as every package', async () => {
    const files = await webPackage();
    const zip = buildZip([...Object.entries(files).map(([name, data]) => ({ name, data })), { name: '../../evil.js', data: 'x' }]);
    const r = await checkZip(zip);
    expect(r.standard).toBe('web');
    expect(errorIds(r)).toEqual(['zip.entry.path-traversal']);
  });

  it('index.html only in a subfolder: web.index.not-at-root says to zip the contents of that folder', async () => {
    const r = await checkZip(await webPackage(), { prefix: 'site/' });
    expect(r.findings.map((f) => [f.ruleId, f.location?.entry])).toEqual([['web.index.not-at-root', 'site/index.html']]);
    expect(r.findings[0]!.message).toMatch(/no LMS descriptor .* index\.html is in "site\/", not at the root.*zip the contents of "site\/" so that index\.html is at the top/);
  });

  it('neither a descriptor nor an index.html: still package.descriptor.missing', async () => {
    const r = await checkZip({ 'page.html': '<p>x</p>', 'a/b.txt': 'x' });
    expect({ standard: r.standard, errors: errorIds(r) }).toEqual({ standard: 'unknown', errors: ['package.descriptor.missing'] });
    expect(r.findings[0]!.message).toMatch(/and no index\.html at its root \(a web bundle\)/);
  });

  it('an empty folder says so', async () => {
    await mkdir(path.join(tmp.dir, 'empty-folder'));
    const r = await validatePackage({ path: 'empty-folder', cwd: tmp.dir }, ctx);
    expect(r.findings.map((f) => [f.ruleId, f.message.startsWith('the folder holds no files at all')])).toEqual([['package.descriptor.missing', true]]);
  });

  it('a bare index.html is an input error pointing at its bundle', async () => {
    const dir = path.join(tmp.dir, `bare-web-${++n}`);
    await writeFolder(dir, await webPackage());
    const err = await validatePackage({ path: path.join(path.basename(dir), 'index.html'), cwd: tmp.dir }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(`${path.basename(dir)}/index.html is a web page, not a package.`);
    expect((err as UserError).hint).toMatch(new RegExp(`lessonkit validate ${path.basename(dir)}$`));
  });

  it('every reporter handles the web standard', async () => {
    await writeFile(path.join(tmp.dir, 'web-ok.zip'), zipFiles(await webPackage()));
    const { 'player/player.css': _css, ...rest } = await webPackage();
    await writeFile(path.join(tmp.dir, 'web-bad.zip'), zipFiles(rest));
    const result = await validatePackages({ paths: ['web-ok.zip', 'web-bad.zip'], cwd: tmp.dir }, ctx);
    const paint = { red: (t: string) => t, yellow: (t: string) => t, green: (t: string) => t, cyan: (t: string) => t, dim: (t: string) => t, bold: (t: string) => t };
    expect(formatReport(result, 'pretty', { paint })).toMatch(/^web-ok\.zip \(web bundle, no LMS\)\n {2}ok no findings/);
    const json = JSON.parse(formatReport(result, 'json', { paint })) as { packages: { standard: string; findings: { ruleId: string }[] }[] };
    expect(json.packages.map((p) => [p.standard, p.findings.map((f) => f.ruleId)])).toEqual([['web', []], ['web', ['web.file.missing']]]);
    const junit = formatReport(result, 'junit', { paint });
    expect(junit).toContain('<property name="standard" value="web"/>');
    expect(junit).toMatch(/<testcase classname="web-bad\.zip" name="web\.file\.missing"><failure type="web\.file\.missing"/);
    expect(formatReport(result, 'github', { paint })).toMatch(/^::error file=web-bad\.zip,title=web\.file\.missing::index\.html:\d+: <link href="player\/player\.css"> names player\/player\.css/m);
  });
});

describe('inputs', () => {
  it('folders: symbolic links are reported, not followed', async () => {
    const dir = path.join(tmp.dir, `linked-${++n}`);
    await writeFolder(dir, xapiPackage());
    await symlink('/etc/passwd', path.join(dir, 'passwd'));
    const r = await validatePackage({ path: dir, cwd: tmp.dir }, ctx);
    expect(ids(r)).toEqual(['folder.symlink']);
    expect(findingsOf(r, 'folder.symlink')[0]?.severity).toBe('warning');
  });

  it('a missing path or a file that is no package is a UserError (exit 2), naming it', async () => {
    await expect(validatePackages({ paths: ['nope.zip', 'gone/'], cwd: tmp.dir }, ctx)).rejects.toThrow(/"nope\.zip", "gone\/": no such file or folder/);
    await writeFile(path.join(tmp.dir, 'photo.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));
    const err = await validatePackage({ path: 'photo.jpg', cwd: tmp.dir }, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/photo\.jpg is not a zip file/);
    expect((err as UserError).code).toBe('E_VALIDATE_INPUT');
  });

  it('a descriptor with 200 000 findings on one line is reported in full, not a stack overflow', async () => {
    const huge = hostileDescriptors().find((d) => d.name.startsWith('one 5 MB line'))!;
    const r = await checkBare(huge.file, huge.data);
    expect(r.standard).toBe('scorm2004-4th');
    expect(findingsOf(r, 'scorm.href.leading-slash')).toHaveLength(200_000);
  });

  it('a bare descriptor with a UTF-8 BOM is read like any other', async () => {
    const r = await checkBare('imsmanifest.xml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MANIFEST_2004)]));
    expect({ standard: r.standard, findings: r.findings }).toEqual({ standard: 'scorm2004-4th', findings: [] });
  });

  it('summarises several packages; strict makes warnings fail', async () => {
    await writeFile(path.join(tmp.dir, 'good.zip'), zipFiles(xapiPackage()));
    await writeFile(path.join(tmp.dir, 'warn.zip'), zipFiles({ ...scorm2004Package(), 'extra.txt': 'x' }));
    const loose = await validatePackages({ paths: ['good.zip', 'warn.zip'], cwd: tmp.dir }, ctx);
    expect(loose.summary).toEqual({ errors: 0, warnings: 1 });
    expect(loose.ok).toBe(true);
    const strict = await validatePackages({ paths: ['good.zip', 'warn.zip'], cwd: tmp.dir, strict: true }, ctx);
    expect(strict.ok).toBe(false);
    expect(strict.packages.map((p) => p.path)).toEqual(['good.zip', 'warn.zip']);
  });

  it('never writes anything: the temp folder holds only what the tests put there', async () => {
    const before = (await readdir(tmp.dir)).sort();
    await checkZip(scorm2004Package(), { deep: true });
    const after = (await readdir(tmp.dir)).sort();
    expect(after.length).toBe(before.length + 1);
  });
});
