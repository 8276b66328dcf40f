import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getRule, makeFinding, RULES, rulesFor } from '../../../src/core/validate/rules.js';
import { REPO } from '../../helpers/cli.js';

describe('rule catalogue', () => {
  it('has unique, well-formed ids and a summary for each rule', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z0-9]+(\.[a-z0-9-]+)+$/);
      expect(r.summary.length).toBeGreaterThan(15);
    }
  });

  it('is documented in docs/validate.md, rule by rule', () => {
    const readme = readFileSync(path.join(REPO, 'docs/validate.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `([a-z0-9.-]+)` \| (error|warning|info) \|/gm)].map((m) => [m[1], m[2]]);
    expect(documented).toEqual(RULES.map((r) => [r.id, r.severity]));
  });

  it('refuses unknown ids, so a typo in a check cannot go unnoticed', () => {
    expect(() => getRule('scorm.nope')).toThrow(/Unknown rule id/);
    expect(makeFinding('zip.empty', 'm', { entry: undefined })).toEqual({ ruleId: 'zip.empty', severity: 'error', message: 'm' });
  });

  it('selects rules by input, standard and depth', () => {
    const zip = rulesFor('zip', 'scorm12', false);
    expect(zip).toContain('zip.entry.symlink');
    expect(zip).toContain('scorm.masteryscore.range');
    expect(zip).not.toContain('cmi5.id.duplicate');
    expect(zip).not.toContain('zip.entry.crc-mismatch');
    expect(rulesFor('zip', 'scorm12', true)).toContain('zip.entry.crc-mismatch');
    const bare = rulesFor('descriptor', 'cmi5', false);
    expect(bare).toContain('cmi5.au.url-relative-without-package');
    expect(bare).not.toContain('cmi5.au.launch-file-missing');
    expect(bare).not.toContain('zip.entry.symlink');
  });
});
