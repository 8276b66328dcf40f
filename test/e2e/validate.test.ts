import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../../src/core/validate/rules.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { MANIFEST_2004, scorm2004Package, xapiPackage, zipFiles } from '../unit/validate/helpers/packages.js';
import { craftedCases, GOOD_ENTRIES } from '../unit/validate/helpers/crafted.js';
import { buildZip } from '../unit/validate/helpers/zip-writer.js';

let tmp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  tmp = await makeTempDir('lessonkit-e2e-validate-');
  await writeFile(path.join(tmp.dir, 'good.zip'), zipFiles(scorm2004Package()));
  await writeFile(path.join(tmp.dir, 'warn.zip'), zipFiles({ ...xapiPackage(), 'notes.txt': 'x', 'old/tincan.xml': '<tincan/>' }));
  await writeFile(path.join(tmp.dir, 'unlisted.zip'), zipFiles({ ...scorm2004Package(), 'notes.txt': 'x' }));
  await writeFile(path.join(tmp.dir, 'broken.zip'), zipFiles(scorm2004Package(MANIFEST_2004.replace('identifierref="res_2"', 'identifierref="res_9"'))));
  await writeFile(path.join(tmp.dir, 'nested.zip'), zipFiles(scorm2004Package(), { prefix: 'course/' }));
  await writeFile(path.join(tmp.dir, 'slip.zip'), buildZip([...Object.entries(xapiPackage()).map(([name, data]) => ({ name, data })), { name: '../../lessonkit-e2e-slip.txt', data: 'pwned' }]));
  await writeFile(path.join(tmp.dir, 'notes.pdf'), '%PDF-1.4 not a package');
  // A control character in an entry name ends up in a finding; the JUnit XML must still parse.
  await writeFile(path.join(tmp.dir, 'ctrl.zip'), zipFiles({ ...scorm2004Package(), 'notes\u0001<&>.txt': 'x' }));
});
afterAll(async () => {
  await tmp.cleanup();
});

const run = (...args: string[]) => runCli(['validate', ...args], { cwd: tmp.dir });

describe('lessonkit validate (built CLI)', () => {
  it('exit 0 and a passed summary for a good package', async () => {
    const r = await run('good.zip');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/good\.zip \(SCORM 2004 4th Edition\)/);
    expect(r.stdout).toMatch(/passed: 1 package, 0 errors, 0 warnings/);
  });

  it('exit 1 with rule id, entry and line for a broken package', async () => {
    const r = await run('good.zip', 'broken.zip', 'nested.zip');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error\s+imsmanifest\.xml:\d+:\d+\s+item "item_2" has identifierref="res_9".*scorm\.item\.identifierref-unresolved/);
    expect(r.stdout).toMatch(/course\/imsmanifest\.xml\s+imsmanifest\.xml is in "course\/" instead of the package root.*scorm\.manifest\.not-at-root/);
    expect(r.stdout).toMatch(/failed: 3 packages/);
  });

  it('warnings pass, --strict makes them fail', async () => {
    expect((await run('unlisted.zip')).code).toBe(0);
    const strict = await run('unlisted.zip', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/warning\s+notes\.txt\s+notes\.txt is in the package but no <file href> lists it/);
  });

  it('exit 1 for a zip-slip entry, and nothing is written outside the working folder', async () => {
    const r = await run('slip.zip', '--reporter', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { packages: { findings: { ruleId: string }[] }[] };
    expect(doc.packages[0]!.findings.map((f) => f.ruleId)).toEqual(['zip.entry.path-traversal']);
    for (const dir of [tmp.dir, path.dirname(tmp.dir), path.dirname(path.dirname(tmp.dir))]) {
      await expect(readFile(path.join(dir, 'lessonkit-e2e-slip.txt'))).rejects.toThrow(/ENOENT/);
    }
  });

  it('every crafted unsafe zip: exit 1 with its own rule id, and nothing written outside the working folder', async () => {
    const mark = `lessonkit-e2e-${randomBytes(6).toString('hex')}`;
    const work = path.join(tmp.dir, 'crafted');
    await mkdir(work);
    const cases = craftedCases(mark);
    for (const [i, [, extra]] of cases.entries()) await writeFile(path.join(work, `c${i}.zip`), buildZip([...GOOD_ENTRIES, ...extra]));
    for (const [i, [name, , rule]] of cases.entries()) {
      const r = await runCli(['validate', `c${i}.zip`, '--reporter', 'json'], { cwd: work });
      const ids = (JSON.parse(r.stdout) as { packages: { findings: { ruleId: string; severity: string }[] }[] }).packages[0]!.findings.filter((f) => f.severity === 'error').map((f) => f.ruleId);
      expect({ name, code: r.code, has: ids.includes(rule) }).toEqual({ name, code: 1, has: true });
    }
    expect((await readdir(work)).sort()).toEqual(cases.map((_, i) => `c${i}.zip`).sort());
    for (const dir of [work, tmp.dir, path.dirname(tmp.dir), tmpdir(), '/tmp', 'C:/Windows', path.join(work, 'assets')]) {
      expect(existsSync(path.join(dir, `${mark}.txt`)) || existsSync(path.join(dir, mark))).toBe(false);
    }
  });

  it('--reporter json (and --json) print exactly one document with the stable contract', async () => {
    for (const args of [['--reporter', 'json'], ['--json']]) {
      const r = await run('good.zip', 'broken.zip', ...args);
      expect(r.code).toBe(1);
      const doc = JSON.parse(r.stdout) as Record<string, unknown>;
      expect(Object.keys(doc)).toEqual(['packages', 'summary']);
      const packages = doc.packages as Record<string, unknown>[];
      expect(packages.map((p) => Object.keys(p))).toEqual([
        ['path', 'standard', 'findings'],
        ['path', 'standard', 'findings'],
      ]);
      expect(packages[1]).toMatchObject({ path: 'broken.zip', standard: 'scorm2004-4th' });
      const f = (packages[1]!.findings as Record<string, unknown>[]).find((x) => x.ruleId === 'scorm.item.identifierref-unresolved');
      expect(Object.keys(f!)).toEqual(['ruleId', 'severity', 'message', 'location']);
      expect(f).toMatchObject({ severity: 'error', location: { entry: 'imsmanifest.xml' } });
      expect(doc.summary).toEqual({ errors: (doc.summary as { errors: number }).errors, warnings: 0 });
      expect((doc.summary as { errors: number }).errors).toBeGreaterThan(0);
    }
  });

  it('--reporter junit is accepted by a JUnit XML parser: a suite per package, a case per rule', async () => {
    const r = await run('good.zip', 'broken.zip', 'warn.zip', 'ctrl.zip', '--reporter', 'junit');
    expect(r.code).toBe(1);
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });
    const doc = parser.parse(r.stdout, true) as { testsuites: { testsuite: { name: string; tests: string; failures: string; testcase: { name: string; failure?: { type: string; message: string } }[] }[] } };
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual(['good.zip', 'broken.zip', 'warn.zip', 'ctrl.zip']);
    expect(r.stdout).toContain('notes\\u0001&lt;&amp;&gt;.txt is in the package');
    for (const s of suites) expect(Number(s.tests)).toBe(s.testcase.length);
    expect(suites[0]!.testcase.length).toBeGreaterThan(30);
    expect(suites[0]!.testcase.some((c) => c.failure)).toBe(false);
    const failing = suites[1]!.testcase.filter((c) => c.failure);
    expect(failing.map((c) => c.name)).toContain('scorm.item.identifierref-unresolved');
    expect(Number(suites[1]!.failures)).toBe(failing.length);
    // xapi.descriptor.multiple is an error; the unlisted-file rule does not exist for xAPI.
    expect(suites[2]!.testcase.filter((c) => c.failure).map((c) => c.name)).toEqual(['xapi.descriptor.multiple']);
  });

  it('--reporter github writes workflow-command annotations', async () => {
    const r = await run('broken.zip', '--reporter', 'github');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=broken\.zip,title=scorm\.item\.identifierref-unresolved::imsmanifest\.xml:\d+: item "item_2"/m);
  });

  it('--output-file writes the report atomically and keeps stdout clean', async () => {
    const r = await run('good.zip', 'broken.zip', '--reporter', 'junit', '--output-file', 'reports/validate.xml');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Report written to reports\/validate\.xml/);
    const xml = await readFile(path.join(tmp.dir, 'reports/validate.xml'), 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites/);
    const dir = await run('good.zip', '--output-file', 'reports');
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/Cannot write \S*reports: it is a folder\./);
    await writeFile(path.join(tmp.dir, 'afile'), 'x');
    const under = await run('good.zip', '--output-file', 'afile/r.xml');
    expect(under.code).toBe(2);
    expect(under.stderr).toMatch(/Cannot write \S*afile\/r\.xml: \S*afile is a file, not a folder\./);
  });

  it('--list-rules prints the whole catalogue', async () => {
    const r = await run('--list-rules');
    expect(r.code).toBe(0);
    for (const rule of RULES) expect(r.stdout).toContain(rule.id);
    const json = await run('--list-rules', '--reporter', 'json');
    expect((JSON.parse(json.stdout) as { rules: unknown[] }).rules).toHaveLength(RULES.length);
  });

  it('exit 2 for a missing package, a file that is no package, no argument, or a bad reporter', async () => {
    const missing = await run('nope.zip');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/"nope\.zip": no such file or folder/);
    expect(missing.stderr).not.toMatch(/at .*\.js:\d+/);
    const pdf = await run('notes.pdf');
    expect(pdf.code).toBe(2);
    expect(pdf.stderr).toMatch(/notes\.pdf is not a zip file, a package folder or an XML descriptor/);
    expect((await run()).code).toBe(2);
    const bad = await run('good.zip', '--reporter', 'xml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are pretty, json, junit, github/);
  });
});
