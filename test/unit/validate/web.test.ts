import { describe, expect, it } from 'vitest';
import { FileIndex } from '../../../src/core/validate/hrefs.js';
import { checkWeb, srcsetUrls } from '../../../src/core/validate/web.js';
import type { Finding } from '../../../src/core/validate/types.js';
import { webPackage } from './helpers/packages.js';

const run = (html: string, files: string[]) => checkWeb({ entry: 'index.html', html: Buffer.from(html), files: new FileIndex(['index.html', ...files]) });
/** Rule, line, and the file a finding names (or the start of its message). */
const brief = (fs: Finding[]) => fs.map((f) => [f.ruleId, f.location?.line ?? null, / names (.+?),? (?:which|but) /.exec(f.message)?.[1] ?? f.message.slice(0, 40)]);

describe('checkWeb: the page', () => {
  it("passes lessonkit's own launch page when every file it names is there", async () => {
    const files = await webPackage();
    expect(checkWeb({ entry: 'index.html', html: Buffer.from(files['index.html']!), files: new FileIndex(Object.keys(files)) })).toEqual([]);
  });

  it('checks every loading attribute, with the line, and ignores external URLs, fragments and data: URLs', () => {
    const html = [
      '<!doctype html><html><head>',
      '<link rel="stylesheet" href="css/site.css?v=2"><link rel="preconnect" href="https://cdn.example.com">',
      '<script src="js/app.js#x"></script><script src="//cdn.example.com/lib.js"></script>',
      '</head><body>',
      '<img src="img/logo.png" srcset="img/logo@2x.png 2x, data:image/png;base64,AAAA 3x">',
      '<video src="media/a.mp4" poster="media/a.jpg"><track src="media/a.vtt"><source src="media/a.webm"></video>',
      '<a href="#top">top</a><a href="mailto:x@example.com">m</a><a href="docs/my%20notes.pdf">notes</a><a href="">self</a>',
      '<template><img src="img/later.png"></template>',
      '<iframe src="embed/page.html"></iframe><object data="obj/file.svg"></object>',
      '</body></html>',
    ].join('\n');
    const all = ['css/site.css', 'js/app.js', 'img/logo.png', 'img/logo@2x.png', 'media/a.mp4', 'media/a.jpg', 'media/a.vtt', 'media/a.webm', 'docs/my notes.pdf', 'img/later.png', 'embed/page.html', 'obj/file.svg'];
    expect(run(html, all)).toEqual([]);
    // Each file, removed on its own, is reported once, on its own line.
    const lines: Record<string, number> = { 'css/site.css': 2, 'js/app.js': 3, 'img/logo.png': 5, 'img/logo@2x.png': 5, 'media/a.mp4': 6, 'media/a.jpg': 6, 'media/a.vtt': 6, 'media/a.webm': 6, 'docs/my notes.pdf': 7, 'img/later.png': 8, 'embed/page.html': 9, 'obj/file.svg': 9 };
    for (const file of all) {
      const fs = run(html, all.filter((f) => f !== file));
      expect(brief(fs)).toEqual([['web.file.missing', lines[file], file]]);
      expect(fs[0]!.message).toMatch(/which is not in the bundle; add the file or fix the reference/);
      expect(fs[0]!.location?.column).toBeGreaterThan(0);
    }
  });

  it('letter case, .. above the root, a leading slash and a malformed escape each get their rule', () => {
    const html = '<img src="IMG/Logo.png"><a href="../other/index.html">x</a><script src="/js/app.js"></script><a href="100%.html">p</a>';
    const fs = run(html, ['img/logo.png', 'js/app.js']);
    expect(fs.map((f) => [f.ruleId, f.severity])).toEqual([
      ['web.href.case-mismatch', 'error'],
      ['web.href.outside-package', 'error'],
      ['web.href.leading-slash', 'warning'],
      ['web.href.malformed', 'error'],
    ]);
    expect(fs[0]!.message).toMatch(/names IMG\/Logo\.png, but the bundle has img\/logo\.png; web servers are case-sensitive/);
    expect(fs[2]!.message).toMatch(/only works when the bundle is served at the root of a web site; make it relative \("js\/app\.js"\)/);
    // A root-absolute reference to a file that is not there is also missing.
    expect(run('<script src="/js/gone.js"></script>', []).map((f) => f.ruleId)).toEqual(['web.href.leading-slash', 'web.file.missing']);
  });

  it('resolves against <base href> inside the bundle, and skips relative references under an external base', () => {
    expect(run('<base href="site/"><img src="a.png">', ['site/a.png'])).toEqual([]);
    expect(brief(run('<base href="site/"><img src="a.png">', ['a.png']))).toEqual([['web.file.missing', 1, 'site/a.png']]);
    expect(run('<base href="https://cdn.example.com/"><img src="a.png">', [])).toEqual([]);
  });

  it('a page in a subfolder resolves its references from there', () => {
    const fs = checkWeb({ entry: 'app/index.html', html: Buffer.from('<img src="../img/a.png"><img src="b.png">'), files: new FileIndex(['app/index.html', 'img/a.png']) });
    expect(brief(fs)).toEqual([['web.file.missing', 1, 'app/b.png']]);
  });
});

describe("checkWeb: lessonkit's player configuration", () => {
  const page = (config: string) => `<!doctype html><title>t</title>\n<script type="application/json" id="lessonkit-config">${config}</script>`;

  it('every video, poster, caption and material it names must be in the bundle (paths from the bundle root)', async () => {
    const files = await webPackage();
    const names = Object.keys(files);
    for (const gone of ['media/intro/why.mp4', 'media/intro/why.jpg', 'media/intro/why.vtt', 'materials/workbooks/intro.html']) {
      const fs = checkWeb({ entry: 'index.html', html: Buffer.from(files['index.html']!), files: new FileIndex(names.filter((n) => n !== gone)) });
      expect(fs.map((f) => [f.ruleId, f.location?.entry])).toEqual([['web.file.missing', 'index.html']]);
      expect(fs[0]!.message).toContain(`names ${gone}, which is not in the bundle`);
      expect(fs[0]!.message).toMatch(/^the player configuration \((video|poster|captions) of segment "why" in lesson "intro"|^the player configuration \(a material of lesson "intro"\)/);
    }
  });

  it('a configuration that is not JSON, or has no lessons list, is web.config.invalid with its line', () => {
    const bad = run(page('{"lessons": [}'), []);
    expect(brief(bad)).toEqual([['web.config.invalid', 2, expect.stringMatching(/^the player configuration/)]]);
    expect(bad[0]!.message).toMatch(/is not valid JSON .*build the bundle again/);
    expect(run(page('{"adapter":"web"}'), []).map((f) => [f.ruleId, /no "lessons" list/.test(f.message)])).toEqual([['web.config.invalid', true]]);
    expect(run(page('{"lessons":[{"id":"l","segments":[{"id":"s","video":"v.mp4"}],"materials":[null]}]}'), ['v.mp4'])).toEqual([]);
  });
});

describe('srcsetUrls', () => {
  it('splits candidates as the HTML standard does, keeping commas inside data: URLs', () => {
    expect(srcsetUrls('a.png 1x, b.png 2x')).toEqual(['a.png', 'b.png']);
    expect(srcsetUrls('a.png 1x,b.png 2x')).toEqual(['a.png', 'b.png']);
    // A comma inside the URL run belongs to the URL (the standard's rule, not a separator).
    expect(srcsetUrls('a.png,b.png 2x')).toEqual(['a.png,b.png']);
    expect(srcsetUrls('data:image/png;base64,AAAA 1x, c.png 480w')).toEqual(['data:image/png;base64,AAAA', 'c.png']);
    expect(srcsetUrls('  ')).toEqual([]);
  });
});
