/**
 * Lesson materials through `lessonkit build`: rendered into every bundle and listed in the
 * manifests, XSS probes in the course title, a segment title and a workbook escaped in every
 * built file, and a missing workbook image failing the build with file:line before any
 * video is encoded.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, REPO, runCli } from '../helpers/cli.js';
import { makeMediaCourse, readZip } from '../helpers/media-course.js';

const PROBE = `<script>alert('xss')</script><img src=x onerror=alert(1)>`;

const YAML = `id: probe-course
title: "Course ${PROBE}"
iri: https://training.example.com/courses/probe-course
completion:
  masteryScore: 75
lessons:
  - id: intro
    title: "Lesson ${PROBE}"
    segments:
      - id: one
        title: "Segment ${PROBE}"
        source: recordings/rec.mp4
        from: 0
        to: 2
    workbook: workbooks/xss.md
    cheatsheet: workbooks/cheat.md
    attachments: [files/checklist.pdf]
    quiz: quizzes/intro.yaml
targets: [scorm12, scorm2004-4th, xapi, cmi5, web]
`;

describe('lessonkit build with lesson materials', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let course: string;
  beforeAll(async () => {
    tmp = await makeTempDir('lessonkit-materials-');
    course = path.join(tmp.dir, 'course');
    await makeMediaCourse(course, { seconds: 2, yaml: YAML });
    await copyFile(path.join(REPO, 'fixtures/materials/xss-workbook.md'), path.join(course, 'workbooks/xss.md'));
    await mkdir(path.join(course, 'workbooks/img'));
    await copyFile(path.join(REPO, 'fixtures/sample-course/files/mobile-access-checklist.pdf'), path.join(course, 'workbooks/img/not-an-image.pdf'));
    await writeFile(path.join(course, 'workbooks/cheat.md'), '# Keys\n\n| Do | Press |\n|---|---|\n| Open | <kbd>Ctrl</kbd>+<kbd>O</kbd> |\n\nBack to the [workbook](xss.md).\n');
    await mkdir(path.join(course, 'files'));
    await copyFile(path.join(REPO, 'fixtures/sample-course/files/mobile-access-checklist.pdf'), path.join(course, 'files/checklist.pdf'));
    await mkdir(path.join(course, 'quizzes'));
    await writeFile(path.join(course, 'quizzes/intro.yaml'), `questions:\n  - type: single\n    prompt: "Pick ${PROBE}"\n    choices:\n      - { text: "A ${PROBE}", correct: true }\n      - { text: B }\n`);
  });
  afterAll(() => tmp.cleanup());

  it('ships the materials in every target, lists them in the descriptors, and escapes the probes in every file', async () => {
    const out = path.join(tmp.dir, 'out');
    const r = await runCli(['build', course, '--out', out, '--json', '--cache-dir', path.join(tmp.dir, 'cache')], { cwd: tmp.dir });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { bundles: { target: string; path: string }[]; warnings: string[] };
    expect(result.bundles.map((b) => b.target)).toEqual(['scorm12', 'scorm2004-4th', 'xapi', 'cmi5', 'web']);
    // What the sanitizer removed is reported with file:line.
    expect(result.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^workbooks\/xss\.md:3 {2}raw HTML <script> was removed/)]));

    for (const b of result.bundles) {
      const entries = await readZip(b.path);
      for (const name of ['materials/workbooks/xss.html', 'materials/workbooks/cheat.html', 'materials/files/checklist.pdf']) {
        expect(entries.has(name), `${b.target}: ${name}`).toBe(true);
      }
      expect(entries.get('materials/files/checklist.pdf')?.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
      expect(entries.get('materials/workbooks/cheat.html')?.toString('utf8')).toContain('<a href="xss.html">workbook</a>');

      const manifest = entries.get('imsmanifest.xml')?.toString('utf8');
      if (manifest) {
        for (const name of ['materials/workbooks/xss.html', 'materials/workbooks/cheat.html', 'materials/files/checklist.pdf']) expect(manifest).toContain(`<file href="${name}"/>`);
      }
      // The pass mark of the knowledge check (masteryScore 75) in each descriptor's own terms.
      if (b.target === 'scorm12') expect(manifest).toContain('<adlcp:masteryscore>75</adlcp:masteryscore>');
      if (b.target === 'scorm2004-4th') expect(manifest).toMatch(/<imsss:primaryObjective objectiveID="[^"]+" satisfiedByMeasure="true">\s*<imsss:minNormalizedMeasure>0\.75<\/imsss:minNormalizedMeasure>/);
      if (b.target === 'cmi5') expect(entries.get('cmi5.xml')?.toString('utf8')).toContain('masteryScore="0.75"');

      // Scan every text file we wrote (the player's own code aside) for the probes as markup.
      for (const [name, bytes] of entries) {
        if (!/\.(html|xml|json|vtt|css)$/.test(name)) continue;
        const text = bytes.toString('utf8');
        expect(text, `${b.target}: ${name}`).not.toContain("<script>alert('xss')");
        expect(text, `${b.target}: ${name}`).not.toMatch(/<img src=x/i);
        expect(text.toLowerCase(), `${b.target}: ${name}`).not.toContain('javascript:');
      }
      const workbook = entries.get('materials/workbooks/xss.html')?.toString('utf8') ?? '';
      const body = workbook.slice(workbook.indexOf('<body>'));
      expect(body).not.toMatch(/<(script|iframe|form|object|embed|svg|style|math)\b/i);
      expect(body).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
      // The probes in the course and lesson titles appear as text in the workbook page.
      expect(workbook).toContain('Course &lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
      expect(workbook).toContain('Lesson &lt;script&gt;');
      // The launch page embeds the titles as JSON that cannot close its <script> element.
      const launch = [...entries.keys()].find((n) => n.endsWith('.html') && !n.startsWith('materials/'));
      const page = entries.get(launch ?? 'index.html')?.toString('utf8') ?? '';
      expect(page).toContain('Segment \\u003cscript\\u003e');
    }
  });

  it('fails with file:line and exit 2 for a missing workbook image, before encoding any video, and writes no zip', async () => {
    await writeFile(path.join(course, 'workbooks/cheat.md'), '# Keys\n\nSee the screen:\n\n![The Open dialog](img/open-dialog.png)\n');
    const out = path.join(tmp.dir, 'out-missing');
    const cache = path.join(tmp.dir, 'cache-missing');
    const r = await runCli(['build', course, '--out', out, '--cache-dir', cache], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/workbooks\/cheat\.md:5 {2}image "img\/open-dialog\.png" not found \(looked for workbooks\/img\/open-dialog\.png\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    // Nothing was encoded and nothing was written (the cache holds at most the remembered probes).
    expect((await readdir(cache).catch(() => [])).filter((f) => f !== 'probes')).toEqual([]);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('refuses a non-image file shown as an image with file:line', async () => {
    await writeFile(path.join(course, 'workbooks/cheat.md'), '# Keys\n\n![Checklist](img/not-an-image.pdf)\n');
    const r = await runCli(['build', course, '--out', path.join(tmp.dir, 'out-pdf'), '--cache-dir', path.join(tmp.dir, 'cache')], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/workbooks\/cheat\.md:3 {2}image "img\/not-an-image\.pdf" is not a PNG, JPEG, GIF, WebP or SVG image/);
  });
});
