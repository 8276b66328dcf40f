import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import type { OcrLine } from '../../../src/core/ocr/ocr.js';
import { buildMatchers, matchLines, parseTerms } from '../../../src/core/redact/patterns.js';
import { maskText } from '../../../src/core/redact/track.js';

/** A line of words laid out left to right, 10 px a character. */
function line(text: string, y = 100): OcrLine {
  let x = 0;
  const words = text.split(' ').map((w) => {
    const word = { text: w, x0: x, y0: y, x1: x + w.length * 10, y1: y + 20, confidence: 90 };
    x += (w.length + 1) * 10;
    return word;
  });
  return { text, words };
}

describe('patterns', () => {
  const matchers = buildMatchers({ patterns: ['email', 'phone', 'iban', 'card', 'us-ssn', 'us-ein', 'amount'] });
  const kinds = (text: string) => matchLines([line(text)], matchers).map((h) => h.kind);

  it('finds each kind of client data and boxes only the words it spans', () => {
    expect(kinds('Mail jane.miller@example.com now')).toEqual(['email']);
    expect(kinds('Phone +1 (555) 013-2233')).toEqual(['phone']);
    expect(kinds('IBAN DE89 3704 0044 0532 0130 00')).toEqual(['iban']);
    expect(kinds('Card 4111 1111 1111 1111')).toEqual(['card']);
    expect(kinds('SSN 078-05-1120')).toEqual(['us-ssn']);
    expect(kinds('EIN 12-3456789')).toEqual(['us-ein']);
    expect(kinds('Total $1,234.56')).toEqual(['amount']);
    const [hit] = matchLines([line('Mail jane.miller@example.com now')], matchers);
    expect(hit).toMatchObject({ x0: 50, x1: 50 + 23 * 10 });
  });

  it('leaves ordinary screen text alone', () => {
    for (const text of ['Updated 2026-10-01', 'Dashboard Clients Invoices', 'Page 3 of 12', 'Version 1.2.0']) expect(kinds(text)).toEqual([]);
  });

  it('matches listed client names ignoring case and spacing, and the author\'s own expression', () => {
    const m = buildMatchers({ patterns: [], terms: parseTerms('# clients\nOkafor Holdings\n\nDoe & Partners  # main client\n'), regex: 'ACC-\\d{6}' });
    expect(matchLines([line('Client: OKAFOR HOLDINGS ltd ACC-123456')], m).map((h) => h.kind).sort()).toEqual(['regex', 'term']);
  });

  it('refuses unknown patterns and expressions that match nothing or everything, naming the flag', () => {
    expect(() => buildMatchers({ patterns: ['passport'] })).toThrow(UserError);
    expect(() => buildMatchers({ patterns: ['passport'] })).toThrow(/--pattern passport/);
    expect(() => buildMatchers({ regex: '(' })).toThrow(/--pattern-regex/);
    expect(() => buildMatchers({ regex: 'x*' })).toThrow(/empty text/);
  });

  it('masks what it reports, so the report does not re-publish the data', () => {
    expect(maskText('jane.miller@example.com')).toBe('ja*******************om');
    expect(maskText('4111 1111')).toBe('**** ****');
  });
});
