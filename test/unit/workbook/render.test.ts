import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSilentContext } from '../../../src/core/context.js';
import { loadCourse } from '../../../src/core/course/load.js';
import { renderMaterials, type RenderMaterialsResult } from '../../../src/core/workbook/render.js';
import { UserError } from '../../../src/errors.js';
import { makeTempDir, REPO } from '../../helpers/cli.js';

/** A real (tiny, grey) PNG of the given size. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = (crcTable[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const raw = Buffer.alloc((width + 1) * height, 0x80);
  for (let y = 0; y < height; y++) raw[y * (width + 1)] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const COURSE = (lesson: string) => `id: demo
title: "Demo <script>alert('course')</script>"
lessons:
  - id: intro
    title: "Intro <img src=x onerror=alert(1)>"
${lesson}
`;

describe('renderMaterials', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    await mkdir(path.join(dir, 'workbooks/img'), { recursive: true });
    await mkdir(path.join(dir, 'files'), { recursive: true });
  });
  afterEach(() => cleanup());

  const write = (rel: string, content: string | Buffer) => writeFile(path.join(dir, rel), content);
  const render = async (): Promise<RenderMaterialsResult> => {
    const { course } = await loadCourse({ dir, cwd: dir });
    return renderMaterials({ course }, createSilentContext());
  };
  const page = (r: RenderMaterialsResult, p: string) => {
    const f = r.files.find((x) => x.pathInBundle === p);
    expect(f, `${p} in ${r.files.map((x) => x.pathInBundle).join(', ')}`).toBeDefined();
    return String(f?.content);
  };

  it('renders a workbook page with title, contents, sized bundled image, print CSS and escaped course text', async () => {
    await write('course.yaml', COURSE('    workbook: workbooks/intro.md\n    cheatsheet: workbooks/cheat.md\n    attachments: [files/checklist.pdf, files/data.xlsx]'));
    await write('workbooks/intro.md', '# Opening a file\n\n## Steps\n\n![The Open dialog](img/open.png)\n\n## Check\n\n- [ ] done\n\nSee the [cheat-sheet](cheat.md#keys) and the [checklist](../files/checklist.pdf).\n');
    await write('workbooks/cheat.md', '# Keys\n\n## Keys\n\n| Do | Press |\n|---|---|\n| Open | <kbd>Ctrl</kbd>+<kbd>O</kbd> |\n');
    await write('workbooks/img/open.png', png(321, 123));
    await write('files/checklist.pdf', '%PDF-1.4\n%fake but sized\n');
    await write('files/data.xlsx', Buffer.alloc(2048, 1));
    const r = await render();

    expect(r.files.map((f) => [f.pathInBundle, f.kind, f.mediaType])).toEqual([
      ['materials/files/checklist.pdf', 'attachment', 'application/pdf'],
      ['materials/files/data.xlsx', 'attachment', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ['materials/workbooks/cheat.html', 'cheatsheet', 'text/html'],
      ['materials/workbooks/img/open.png', 'asset', 'image/png'],
      ['materials/workbooks/intro.html', 'workbook', 'text/html'],
    ]);
    const html = page(r, 'materials/workbooks/intro.html');
    expect(html).toMatch(/^<!doctype html>\n<html lang="en-US">/);
    expect(html).toContain('<h1>Opening a file</h1>');
    expect(html).toContain('<nav class="lk-toc" aria-labelledby="lk-toc-h">');
    expect(html).toContain('<a href="#steps">Steps</a>');
    expect(html).toContain('<img src="img/open.png" alt="The Open dialog" width="321" height="123"');
    expect(html).toContain('<a href="cheat.html#keys">cheat-sheet</a>');
    expect(html).toContain('<a href="../files/checklist.pdf">checklist</a>');
    expect(html).toContain('@media print');
    expect(html).toContain('@page');
    expect(html).toContain('http-equiv="Content-Security-Policy" content="default-src &#x27;none&#x27;; img-src');
    // Course and lesson titles are the author's text: escaped.
    expect(html).toContain('Demo &lt;script&gt;alert(&#x27;course&#x27;)&lt;/script&gt;');
    expect(html).toContain('Intro &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).not.toMatch(/<script|<img src=x/);

    const intro = r.lessons[0];
    expect(intro?.lessonId).toBe('intro');
    expect(intro?.materials.map((m) => [m.kind, m.label, m.href, m.typeLabel, m.size])).toEqual([
      ['workbook', 'Opening a file', 'materials/workbooks/intro.html', 'Web page', Buffer.byteLength(html)],
      ['cheatsheet', 'Keys', 'materials/workbooks/cheat.html', 'Web page', expect.any(Number)],
      ['attachment', 'checklist.pdf', 'materials/files/checklist.pdf', 'PDF', 25],
      ['attachment', 'data.xlsx', 'materials/files/data.xlsx', 'Excel workbook', 2048],
    ]);
    expect(intro?.materials[3]?.sizeLabel).toBe('2 kB');
    expect(r.warnings).toEqual([]);
  });

  it('fails with file:line for a missing image and a missing linked file, listing both at once', async () => {
    await write('course.yaml', COURSE('    workbook: workbooks/intro.md'));
    await write('workbooks/intro.md', '# Title\n\nText\n\n![Screen](img/nope.png)\n\nAnd [the form](../files/form.pdf).\n');
    const err = await render().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    const u = err as UserError;
    expect(u.code).toBe('E_WORKBOOK');
    expect(u.exitCode).toBe(2);
    expect(u.details).toEqual([
      expect.stringMatching(/^workbooks\/intro\.md:5 {2}image "img\/nope\.png" not found \(looked for workbooks\/img\/nope\.png\)/),
      expect.stringMatching(/^workbooks\/intro\.md:7 {2}link "\.\.\/files\/form\.pdf" not found/),
    ]);
  });

  it('builds the XSS probe workbook with none of the probes in the page, reporting what it removed', async () => {
    await write('course.yaml', COURSE('    workbook: workbooks/xss.md'));
    await copyFile(path.join(REPO, 'fixtures/materials/xss-workbook.md'), path.join(dir, 'workbooks/xss.md'));
    const r = await render();
    const html = page(r, 'materials/workbooks/xss.html');
    const body = html.slice(html.indexOf('<body>'));
    expect(body).not.toMatch(/<(script|iframe|form|object|embed|svg|style|math|details|input)\b/i);
    expect(body).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html.toLowerCase()).not.toContain('javascript:');
    expect(html.toLowerCase()).not.toContain('vbscript:');
    expect(html).not.toContain('data:text/html');
    expect(html).not.toContain('data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ');
    // Only our own <style> in <head>, no script anywhere.
    expect(html.match(/<style>/g)).toHaveLength(1);
    expect(html).not.toContain('<script');
    expect(r.warnings.length).toBeGreaterThanOrEqual(10);
    expect(r.warnings.some((w) => /^workbooks\/xss\.md:11 {2}link to a javascript: URL was removed/.test(w))).toBe(true);
  });

  it('embeds SVG images instead of shipping them, and refuses active content as downloads or links', async () => {
    await write('course.yaml', COURSE('    workbook: workbooks/intro.md\n    attachments: [files/page.html]'));
    await write('workbooks/intro.md', '# T\n\n![Diagram](img/d.svg)\n\n[page](../files/page.html)\n');
    await write('workbooks/img/d.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><script>alert(1)</script></svg>');
    await write('files/page.html', '<script>alert(1)</script>');
    const err = (await render().catch((e: unknown) => e)) as UserError;
    expect(err.details).toEqual([
      expect.stringMatching(/^course\.yaml {2}lessons\[intro\]\.attachments \("files\/page\.html"\) is a web page, which would run as a page/),
      expect.stringMatching(/^workbooks\/intro\.md:5 {2}link to "\.\.\/files\/page\.html": a web page would run as a page/),
    ]);
    await write('course.yaml', COURSE('    workbook: workbooks/intro.md'));
    await write('workbooks/intro.md', '# T\n\n![Diagram](img/d.svg)\n');
    const r = await render();
    const html = page(r, 'materials/workbooks/intro.html');
    expect(html).toMatch(/<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="Diagram" width="40" height="20"/);
    expect(r.files.some((f) => f.pathInBundle.endsWith('.svg'))).toBe(false);
  });

  it('renders a linked Markdown file that is not a lesson material as its own page, once', async () => {
    await write('course.yaml', COURSE('    workbook: workbooks/intro.md\n    cheatsheet: workbooks/cheat.md'));
    await write('workbooks/intro.md', '# Intro\n\n[glossary](more/glossary.md) [self](#top) [cheat](cheat.md)\n');
    await write('workbooks/cheat.md', '# Cheat\n\n[glossary](more/glossary.md)\n');
    await mkdir(path.join(dir, 'workbooks/more'));
    await write('workbooks/more/glossary.md', '# Glossary\n\n[back](../intro.md)\n');
    const r = await render();
    expect(r.files.map((f) => f.pathInBundle)).toEqual(['materials/workbooks/cheat.html', 'materials/workbooks/intro.html', 'materials/workbooks/more/glossary.html']);
    expect(page(r, 'materials/workbooks/more/glossary.html')).toContain('<a href="../intro.html">back</a>');
    expect(page(r, 'materials/workbooks/intro.html')).toContain('<a href="more/glossary.html">glossary</a> <a href="#top">self</a> <a href="cheat.html">cheat</a>');
    expect(r.warnings).toEqual([expect.stringMatching(/^workbooks\/intro\.md:3 {2}link to #top: there is no heading/)]);
  });

  it('warns about an image without alt text, with its line', async () => {
    await write('course.yaml', COURSE('    workbook: workbooks/intro.md'));
    await write('workbooks/intro.md', '# T\n\n![](img/a.png)\n');
    await write('workbooks/img/a.png', png(2, 2));
    const r = await render();
    expect(r.warnings).toEqual([expect.stringMatching(/^workbooks\/intro\.md:3 {2}image "img\/a\.png" has no alt text/)]);
  });

  it('refuses links that leave the course folder and absolute paths', async () => {
    await write('course.yaml', COURSE('    workbook: workbooks/intro.md'));
    await write('workbooks/intro.md', '# T\n\n[out](../../etc/passwd)\n\n[abs](/etc/passwd)\n');
    const err = (await render().catch((e: unknown) => e)) as UserError;
    expect(err.details).toEqual([
      expect.stringMatching(/^workbooks\/intro\.md:3 {2}link "\.\.\/\.\.\/etc\/passwd" points outside the course folder/),
      expect.stringMatching(/^workbooks\/intro\.md:5 {2}link "\/etc\/passwd" is an absolute path/),
    ]);
  });

  it('ships a non-Markdown workbook as a download and loads the lesson quiz with the course pass mark', async () => {
    await write('course.yaml', COURSE('    workbook: files/Workbook Final (v2).docx\n    quiz: quiz.yaml').replace('lessons:', 'completion:\n  masteryScore: 75\nlessons:'));
    await write('files/Workbook Final (v2).docx', Buffer.alloc(10));
    await write('quiz.yaml', 'questions:\n  - type: true-false\n    prompt: Yes?\n    answer: true\n');
    const r = await render();
    expect(r.files).toEqual([{ pathInBundle: 'materials/files/Workbook-Final-v2-.docx', absPath: path.join(dir, 'files/Workbook Final (v2).docx'), mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', size: 10, kind: 'workbook' }]);
    expect(r.lessons[0]?.materials[0]).toMatchObject({ kind: 'workbook', label: 'Workbook Final (v2).docx', typeLabel: 'Word document' });
    expect(r.lessons[0]?.quiz).toMatchObject({ source: 'quiz.yaml', passMark: 75, passMarkFromCourse: true, questions: [{ id: 'q1', type: 'true-false', answer: true }] });
  });

  it('reports quiz problems with the build, located in the quiz file', async () => {
    await write('course.yaml', COURSE('    quiz: quiz.yaml'));
    await write('quiz.yaml', 'questions:\n  - type: single\n    prompt: Pick\n    choices:\n      - text: A\n      - text: B\n');
    const err = (await render().catch((e: unknown) => e)) as UserError;
    expect(err.code).toBe('E_WORKBOOK');
    expect(err.details.join('\n')).toMatch(/quiz\.yaml:5:7 {2}questions\[0\] is a single-choice question with 0 right answers/);
  });

  it('gives the same output for the same input (deterministic bundles)', async () => {
    await write('course.yaml', COURSE('    workbook: workbooks/intro.md'));
    await write('workbooks/intro.md', '# T\n\n| a |\n|---|\n| b |\n\n| c |\n|---|\n| d |\n');
    const a = await render();
    const b = await render();
    expect(a).toEqual(b);
    expect(page(a, 'materials/workbooks/intro.html')).toContain('aria-label="Table 2"');
    expect(await readFile(path.join(dir, 'workbooks/intro.md'), 'utf8')).toBe('# T\n\n| a |\n|---|\n| b |\n\n| c |\n|---|\n| d |\n');
  });
});
