import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../src/core/context.js';
import { validatePackage } from '../../src/core/validate/validate.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { DEFAULT_COURSE_YAML, makeMediaCourse } from '../helpers/media-course.js';

const TARGETS = ['scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'xapi', 'cmi5'];

describe('packages made by lessonkit build', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let out: string;
  beforeAll(async () => {
    tmp = await makeTempDir('lessonkit-validate-build-');
    const course = path.join(tmp.dir, 'course');
    const yaml = DEFAULT_COURSE_YAML.replace('targets: [scorm12, scorm2004-4th]', `iri: https://training.example.com/courses/demo\ntargets: [${TARGETS.join(', ')}]`);
    await makeMediaCourse(course, { yaml });
    out = path.join(tmp.dir, 'dist');
    const r = await runCli(['build', course, '--out', out, '--cache-dir', path.join(tmp.dir, 'cache')], { cwd: tmp.dir, timeoutMs: 240_000 });
    if (r.code !== 0) throw new Error(`build failed (${r.code}): ${r.stderr}`);
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('every target validates with zero findings, --deep included (media, CRCs)', async () => {
    const zips = (await readdir(out)).filter((f) => f.endsWith('.zip')).sort();
    expect(zips).toHaveLength(TARGETS.length);
    const standards: string[] = [];
    for (const z of zips) {
      const r = await validatePackage({ path: z, cwd: out, deep: true }, createSilentContext());
      expect({ zip: z, findings: r.findings }).toEqual({ zip: z, findings: [] });
      standards.push(r.standard);
    }
    expect(standards.sort()).toEqual(['cmi5', 'scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'xapi']);
  });

  it('the CLI agrees: exit 0 under --deep --strict', async () => {
    const zips = (await readdir(out)).filter((f) => f.endsWith('.zip'));
    const r = await runCli(['validate', ...zips, '--deep', '--strict'], { cwd: out });
    expect(r.stdout).toMatch(/passed: 5 packages, 0 errors, 0 warnings/);
    expect(r.code).toBe(0);
  });
});
