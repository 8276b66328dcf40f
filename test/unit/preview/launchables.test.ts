/** What the preview offers to launch from real descriptors (the sample manifests). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeCmi5, describeScorm } from '../../../src/core/preview/launchables.js';
import { parseDescriptor } from '../../../src/core/validate/xml.js';
import { REPO } from '../../helpers/cli.js';

async function root(file: string) {
  const parsed = parseDescriptor(await readFile(path.join(REPO, 'fixtures/samples', file)));
  if (!parsed.root) throw new Error(`cannot parse ${file}`);
  return parsed.root;
}

describe('describePackage', () => {
  it('lists the one SCO of a SCORM 1.2 single-SCO manifest', async () => {
    const d = describeScorm(await root('scorm12/golf_singlesco_imsmanifest.xml'));
    expect(d.standard).toBe('scorm12');
    expect(d.launchables).toEqual([{ id: 'item_1', title: 'Golf Explained', href: 'shared/launchpage.html', organization: 'Golf Explained - CP Single SCO', scormType: 'sco' }]);
  });

  it('lists every SCO of a multi-SCO SCORM 1.2 manifest, nested items included', async () => {
    const d = describeScorm(await root('scorm12/golf_runtimeminimumcalls_imsmanifest.xml'));
    expect(d.launchables.length).toBeGreaterThan(10);
    expect(d.launchables.map((l) => l.href)).toContain('Playing/Playing.html');
    expect(new Set(d.launchables.map((l) => l.id)).size).toBe(d.launchables.length);
  });

  it('SCORM 2004: applies xml:base and item parameters, and marks assets', async () => {
    const d = describeScorm(await root('scorm2004-4th/LMSTestPackage_API.imsmanifest.xml'));
    expect(d.standard).toBe('scorm2004');
    expect(d.launchables.map((l) => [l.id, l.href, l.scormType])).toEqual([
      ['activity_1', 'resources/AssetLaunchTest.htm?tc=API&act=1', 'asset'],
      ['activity_2', 'resources/APIRTETest1.htm?tc=API&act=2', 'sco'],
      ['activity_3', 'resources/APIRTETest2.htm?tc=API&act=3', 'sco'],
    ]);
  });

  it('cmi5: every AU with its moveOn and masteryScore', async () => {
    const d = describeCmi5(await root('cmi5/catapult_masteryscore_framed_cmi5.xml'));
    expect(d.standard).toBe('cmi5');
    expect(d.launchables.length).toBeGreaterThan(0);
    for (const au of d.launchables) {
      expect(au.publisherId).toMatch(/^https?:|^urn:/);
      expect(au.moveOn).toBeTruthy();
    }
    expect(d.launchables.some((au) => au.masteryScore !== undefined)).toBe(true);
  });
});
