import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { headingSlug, parseMarkdown, renderParsed, type ParsedMarkdown } from '../../../src/core/workbook/markdown.js';
import { REPO } from '../../helpers/cli.js';

/** Resolves every reference like the bundle does for anything that is not a plain relative path. */
function renderResolvingRelative(parsed: ParsedMarkdown): ReturnType<typeof renderParsed> {
  for (const r of parsed.references) r.resolved = /^[a-z][a-z0-9+.-]*:/i.test(r.url) ? null : r.url;
  return renderParsed(parsed);
}

/** Every tag in an HTML string with its attribute names (a scan of the output, not of the input). */
function tags(html: string): { name: string; attrs: string[] }[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)].map((m) => ({
    name: (m[1] ?? '').toLowerCase(),
    attrs: [...(m[2] ?? '').matchAll(/([^\s=/]+)(?:=("[^"]*"|'[^']*'|[^\s>]+))?/g)].map((a) => (a[1] ?? '').toLowerCase()),
  }));
}

describe('workbook Markdown sanitizing', () => {
  it('renders the XSS probe with no script, event handler, javascript: URL, iframe or form', async () => {
    const source = await readFile(path.join(REPO, 'fixtures/materials/xss-workbook.md'), 'utf8');
    const parsed = parseMarkdown(source);
    const { body, titleHtml } = renderResolvingRelative(parsed);
    const html = `${titleHtml ?? ''}\n${body}`;
    const found = tags(html);
    const names = new Set(found.map((t) => t.name));
    for (const banned of ['script', 'iframe', 'form', 'input', 'button', 'object', 'embed', 'svg', 'style', 'img', 'a', 'details', 'math', 'b']) {
      // input only ever comes from task lists (none in the probe); img/a only from resolved references (all refused here).
      expect(names.has(banned), `<${banned}> in output`).toBe(false);
    }
    expect(found.flatMap((t) => t.attrs).filter((a) => a.startsWith('on'))).toEqual([]);
    expect(html.toLowerCase()).not.toContain('javascript:');
    expect(html.toLowerCase()).not.toContain('vbscript:');
    expect(html).not.toContain('data:text/html');
    expect(html).not.toMatch(/onerror|onload|onclick|onmouseover|ontoggle/i);
    // The allowlisted keyboard tags survive, bare.
    expect(html).toContain('<kbd>Ctrl</kbd>+<kbd>O</kbd>');
    // Every refusal is reported with its line.
    const lines = parsed.problems.map((p) => p.line);
    expect(lines).toContain(3); // <script> block
    expect(lines).toContain(7); // <iframe>
  });

  it('keeps only bare allowlisted inline tags and balances them', () => {
    const { body } = renderResolvingRelative(parseMarkdown('Press <kbd>Ctrl</kbd>+<KBD>S</KBD>, H<sub>2</sub>O, <mark>note</mark><br>next <kbd>open and </sup> <kbd title="x">T</kbd>'));
    expect(body).toContain('<kbd>Ctrl</kbd>+<kbd>S</kbd>');
    expect(body).toContain('H<sub>2</sub>O');
    expect(body).toContain('<mark>note</mark><br>next');
    expect(body.match(/<kbd>/g)?.length).toBe(body.match(/<\/kbd>/g)?.length);
    expect(body).not.toContain('title=');
    expect(body).not.toContain('</sup>');
  });

  it('drops HTML comments silently and reports other raw HTML with its line', () => {
    const parsed = parseMarkdown('# T\n\n<!-- note to self -->\n\nText\n\n<div class="x">\n\nmore <span>inline</span>\n');
    const { body } = renderResolvingRelative(parsed);
    expect(body).not.toContain('note to self');
    expect(body).toContain('more inline');
    expect(parsed.problems.map((p) => [p.line, p.severity])).toEqual([
      [7, 'warning'],
      [9, 'warning'],
    ]);
    expect(parsed.problems[0]?.message).toContain('<div>');
  });

  it('gives headings unique ids, takes the opening h1 as the title and lists the rest', () => {
    const parsed = parseMarkdown('# Opening a file\n\n## Steps\n\n### Step 1\n\n## Steps\n\n## Contents\n');
    const { body, titleHtml } = renderResolvingRelative(parsed);
    expect(parsed.title).toBe('Opening a file');
    expect(titleHtml).toBe('Opening a file');
    expect(body).not.toContain('<h1');
    expect(parsed.headings.map((h) => h.id)).toEqual(['steps', 'step-1', 'steps-2', 'contents']);
    expect(body).toContain('<h2 id="steps-2">Steps</h2>');
    expect(headingSlug('Ärger & Öffnen!')).toBe('arger-offnen');
    expect(headingSlug('lk toc')).toBe('lk-toc');
  });

  it('does not give an author heading an id the page template uses', () => {
    const parsed = parseMarkdown('## lk content\n\n## lk-toc-h\n');
    expect(parsed.headings.map((h) => h.id)).toEqual(['lk-content-2', 'lk-toc-h-2']);
  });

  it('turns task-list items into labelled checkboxes', () => {
    const { body } = renderResolvingRelative(parseMarkdown('- [ ] first\n- [x] done [see](other.md)\n- plain\n'));
    expect(body).toContain('<ul class="task-list">');
    expect(body).toContain('<label class="task"><input type="checkbox" class="task-box"> first</label>');
    expect(body).toContain('<input type="checkbox" class="task-box" checked> done <a href="other.md">see</a></label>');
    expect(body).toContain('<li>plain</li>');
  });

  it('wraps tables in a focusable scroll region and keeps code fences escaped', () => {
    const { body } = renderResolvingRelative(parseMarkdown('| a | b |\n|---|---|\n| 1 | 2 |\n\n```sql" x="y\nSELECT 1 < 2;\n```\n'));
    expect(body).toMatch(/<div class="table-wrap" role="region" tabindex="0" aria-label="Table 1"><table>/);
    expect(body).toContain('<pre><code class="language-sql">SELECT 1 &lt; 2;');
  });

  it('records links and images with the line they are on, including inside tables and after soft breaks', () => {
    const parsed = parseMarkdown('Intro line\nsecond line with [a](a.md)\n\n| x |\n|---|\n| ![i](img/i.png) |\n\n- item\n  ![j](j.png)\n');
    expect(parsed.references.map((r) => [r.kind, r.url, r.line])).toEqual([
      ['link', 'a.md', 2],
      ['image', 'img/i.png', 6],
      ['image', 'j.png', 9],
    ]);
  });

  it('turns a refused link into its text and a refused image into its alt text', () => {
    const parsed = parseMarkdown('[label](javascript:x) ![alt text](http://example.com/a.png) <https://ok.example/>');
    parsed.references[0]!.resolved = null;
    parsed.references[1]!.resolved = null;
    parsed.references[2]!.resolved = 'https://ok.example/';
    parsed.references[2]!.external = true;
    const { body } = renderParsed(parsed);
    expect(body).toBe('<p>label alt text <a href="https://ok.example/" rel="noopener noreferrer">https://ok.example/</a></p>\n');
  });

  it('sizes images and escapes their alt and title', () => {
    const parsed = parseMarkdown('![A "quoted" <alt>](s.png "T<i>")');
    parsed.references[0]!.resolved = 's.png';
    parsed.references[0]!.size = { width: 640, height: 360 };
    const { body } = renderParsed(parsed);
    expect(body).toContain('<img src="s.png" alt="A &quot;quoted&quot; " title="T&lt;i&gt;" width="640" height="360" loading="lazy" decoding="async">');
  });
});
