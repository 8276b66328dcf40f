import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../src/core/context.js';
import { validatePackage } from '../../src/core/validate/validate.js';
import { makeTempDir, runCli } from '../helpers/cli.js';
import { copyShortSampleCourse } from '../helpers/sample-course.js';
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

describe("the README's CI example on lessonkit's own output: lessonkit validate dist/*.zip", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let out: string;
  beforeAll(async () => {
    tmp = await makeTempDir('lessonkit-validate-sample-');
    const course = path.join(tmp.dir, 'course');
    // The sample course with shorter segments: every target and feature, a quarter of the encoding.
    await copyShortSampleCourse(course);
    out = path.join(tmp.dir, 'dist');
    // Every target the sample course declares, the web bundle included.
    const r = await runCli(['build', course, '--out', out, '--cache-dir', path.join(tmp.dir, 'cache')], { cwd: tmp.dir, timeoutMs: 240_000 });
    if (r.code !== 0) throw new Error(`build failed (${r.code}): ${r.stderr}`);
  }, 300_000);
  afterAll(() => tmp.cleanup());

  it('exit 0 on every zip of the sample course, the web bundle reported as standard web', async () => {
    const zips = (await readdir(out)).filter((f) => f.endsWith('.zip')).sort();
    expect(zips.map((z) => z.replace(/^mobile-client-access-1\.0\.0-|\.zip$/g, ''))).toEqual(['cmi5', 'scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'web', 'xapi']);
    const r = await runCli(['validate', ...zips.map((z) => path.join('dist', z))], { cwd: tmp.dir });
    expect(r.stdout).toMatch(/dist\/mobile-client-access-1\.0\.0-web\.zip \(web bundle, no LMS\)\n {2}ok no findings/);
    expect(r.stdout).toMatch(/passed: 6 packages, 0 errors, 0 warnings/);
    expect(r.code).toBe(0);
    const json = await runCli(['validate', ...zips, '--deep', '--strict', '--reporter', 'json'], { cwd: out });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { packages: { path: string; standard: string; findings: unknown[] }[] };
    expect(doc.packages.map((p) => [p.standard, p.findings])).toEqual(['cmi5', 'scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'web', 'xapi'].map((s) => [s, []]));
  });

  it('--list-rules shows the web bundle rules', async () => {
    const r = await runCli(['validate', '--list-rules'], { cwd: tmp.dir });
    for (const id of ['web.index.not-at-root', 'web.file.missing', 'web.href.case-mismatch', 'web.config.invalid']) expect(r.stdout).toMatch(new RegExp(`^${id.replace(/\./g, '\\.')} .*\\(web\\)$`, 'm'));
  });
});
