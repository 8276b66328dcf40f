import { describe, expect, it } from 'vitest';
import { imperative, instruction, mdText, pairCues, renderDraft } from '../../../src/core/steps/draft.js';
import { parseTimeLink, timeLinkFragment } from '../../../src/core/steps/time-link.js';
import { parseMarkdown } from '../../../src/core/workbook/markdown.js';

describe('the words of a steps draft', () => {
  it('turns speech into one imperative sentence', () => {
    expect(imperative("Now I click Save, and we're done. Then more.")).toBe("Click Save, and we're done.");
    expect(imperative("So, let's open the Reports page")).toBe('Open the Reports page.');
    expect(imperative("Finally, we'll choose Export")).toBe('Choose Export.');
    expect(imperative('Acme Bakery holds the trial balance.')).toBe('Acme Bakery holds the trial balance.');
  });

  it('pairs each step with the cues spoken from a second before it to a second before the next', () => {
    const cues = [
      { start: 0.2, end: 3, text: 'a' },
      { start: 3.5, end: 6.5, text: 'b' },
      { start: 5, end: 7, text: 'c' },
      { start: 13.5, end: 20, text: 'd' },
    ];
    expect(pairCues([0, 4, 8, 14], cues).map((cs) => cs.map((c) => c.text))).toEqual([['a'], ['b', 'c'], [], ['d']]);
  });

  it('says "Open <title>" for a new page and "Click <text>" for a part of it when nobody speaks', () => {
    expect(instruction({ spoken: [], title: 'Invoices', regionText: '', page: true }, false)).toBe('Open Invoices.');
    expect(instruction({ spoken: [], title: 'Invoices', regionText: 'New invoice', page: false }, false)).toBe('Click New invoice.');
    expect(instruction({ spoken: ['Now press Save.'], title: 'Invoices', regionText: 'x', page: false }, false)).toBe('Press Save.');
  });

  it('writes Markdown where OCR and caption text stay text, with a time link per step', () => {
    const md = renderDraft({
      lessonTitle: 'Portal [beta]',
      generatedFrom: 'rec.mp4 (tour)',
      steps: [{ segmentId: 'tour', segmentTitle: 'Tour', time: 64.25, title: 'Files <b>', regionText: '[x](javascript:alert(1))', spoken: [], page: false, image: 'portal steps/step-01.webp' }],
    });
    const parsed = parseMarkdown(md);
    expect(parsed.title).toBe('Portal [beta]: step by step');
    expect(parsed.problems).toEqual([]);
    expect(parsed.references.map((r) => [r.kind, r.url])).toEqual([
      ['image', 'portal%20steps/step-01.webp'],
      ['link', '#video=tour&t=64.3'],
    ]);
    expect(md).toContain('at 1:04](#video=tour&t=64.3)');
    expect(mdText('1. <b>')).toBe('1\\. \\<b\\>');
  });

  it('reads and writes time links', () => {
    expect(parseTimeLink('#video=enable-mobile&t=5.25')).toEqual({ segmentId: 'enable-mobile', time: 5.25 });
    expect(parseTimeLink('video=x&t=abc')).toBeUndefined();
    expect(parseTimeLink('#steps')).toBeUndefined();
    expect(timeLinkFragment({ segmentId: 'intro', time: 12.04 })).toBe('#video=intro&t=12');
  });
});
