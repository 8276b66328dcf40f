import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { formatGithub, formatJson, formatJunit, formatPretty, formatRuleList } from '../../../src/core/validate/reporters.js';
import type { ValidatePackagesResult } from '../../../src/core/validate/types.js';

const plain = { red: (s: string) => s, yellow: (s: string) => s, green: (s: string) => s, cyan: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s };
const tagged = { red: (s: string) => `<r>${s}</r>`, yellow: (s: string) => `<y>${s}</y>`, green: (s: string) => `<g>${s}</g>`, cyan: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s };

const result: ValidatePackagesResult = {
  ok: false,
  summary: { errors: 2, warnings: 1 },
  packages: [
    { path: 'dist/a.zip', input: 'zip', standard: 'scorm12', rulesChecked: ['zip.entry.symlink', 'scorm.file.missing', 'scorm.file.not-listed'], findings: [
      { ruleId: 'scorm.file.missing', severity: 'error', message: 'resource "r" lists the file "x, y: 100%.js"\nwhich is missing', location: { entry: 'imsmanifest.xml', line: 12, column: 5 } },
      { ruleId: 'scorm.file.not-listed', severity: 'warning', message: 'extra.txt is not listed', location: { entry: 'extra.txt' } },
    ] },
    { path: 'build/course', input: 'folder', standard: 'cmi5', rulesChecked: ['cmi5.id.duplicate'], findings: [
      { ruleId: 'cmi5.id.duplicate', severity: 'error', message: 'the au id "a" is used twice', location: { entry: 'cmi5.xml', line: 9, column: 3 } },
    ] },
    { path: 'ok.zip', input: 'zip', standard: 'xapi', rulesChecked: ['xapi.activity.no-launch'], findings: [] },
  ],
};

describe('reporters', () => {
  it('pretty: grouped by package, coloured by severity, one summary line', () => {
    const text = formatPretty(result, tagged);
    expect(text).toContain('dist/a.zip (SCORM 1.2)');
    expect(text).toContain('<r>error  </r> imsmanifest.xml:12:5  resource "r"');
    expect(text).toContain('<y>warning</y> extra.txt  extra.txt is not listed');
    expect(text).toContain('<g>ok</g> no findings, 1 rule checked');
    expect(text.trim().split('\n').at(-1)).toBe('<r>failed</r>: 3 packages, 2 errors, 1 warning (2 with errors)');
  });

  it('json: only the contract fields, location always present', () => {
    const doc = JSON.parse(formatJson(result));
    expect(doc.summary).toEqual({ errors: 2, warnings: 1 });
    expect(doc.packages[0]).toEqual({ path: 'dist/a.zip', standard: 'scorm12', findings: expect.any(Array) });
    expect(doc.packages[2].findings).toEqual([]);
    expect(doc.packages[0].findings[1]).toEqual({ ruleId: 'scorm.file.not-listed', severity: 'warning', message: 'extra.txt is not listed', location: { entry: 'extra.txt' } });
  });

  it('junit: valid XML, a case per rule, failures for errors (and warnings under strict)', () => {
    const parse = (xml: string) => {
      expect(XMLValidator.validate(xml)).toBe(true);
      return new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => ['testsuite', 'testcase'].includes(n) }).parse(xml) as {
        testsuites: { tests: string; failures: string; testsuite: { name: string; failures: string; testcase: { name: string; failure?: unknown; 'system-out'?: string }[] }[] };
      };
    };
    const loose = parse(formatJunit(result));
    expect(loose.testsuites.tests).toBe('5');
    expect(loose.testsuites.failures).toBe('2');
    const a = loose.testsuites.testsuite[0]!;
    expect(a.testcase.map((c) => [c.name, Boolean(c.failure)])).toEqual([
      ['zip.entry.symlink', false],
      ['scorm.file.missing', true],
      ['scorm.file.not-listed', false],
    ]);
    expect(a.testcase[2]!['system-out']).toContain('warning: extra.txt: extra.txt is not listed');
    const strict = parse(formatJunit(result, true));
    expect(strict.testsuites.failures).toBe('3');
  });

  it('github: workflow commands with escaped properties and data; zip entries named in the message', () => {
    const lines = formatGithub(result).split('\n');
    expect(lines[0]).toBe('::error file=dist/a.zip,title=scorm.file.missing::imsmanifest.xml:12: resource "r" lists the file "x, y: 100%25.js"%0Awhich is missing');
    expect(lines[1]).toBe('::warning file=dist/a.zip,title=scorm.file.not-listed::extra.txt: extra.txt is not listed');
    expect(lines[2]).toBe('::error file=build/course/cmi5.xml,line=9,col=3,title=cmi5.id.duplicate::the au id "a" is used twice');
    expect(lines.at(-1)).toBe('lessonkit validate: 3 packages, 2 errors, 1 warning');
  });

  it('rule list: one line per rule with severity and scope', () => {
    const text = formatRuleList(plain);
    expect(text.split('\n').find((l) => l.startsWith('zip.entry.crc-mismatch'))).toMatch(/error .*\[--deep\]\s+\(all\)$/);
    expect(text.split('\n').find((l) => l.startsWith('scorm.file.not-listed'))).toMatch(/warning .*\(scorm12,scorm2004-2nd,scorm2004-3rd,scorm2004-4th\)$/);
  });
});
