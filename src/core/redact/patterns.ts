/**
 * What counts as client data on screen: named patterns (e-mail, phone, IBAN, card...), the
 * author's own expression, and a list of client names. Matching runs on OCR lines and returns
 * the matched words' boxes. Pure.
 */
import { UserError } from '../../errors.js';
import type { OcrLine } from '../ocr/ocr.js';

/** The built-in pattern names. */
export const PATTERN_NAMES = ['email', 'phone', 'iban', 'card', 'us-ssn', 'us-ein', 'amount'] as const;
/** One built-in pattern name. */
export type PatternName = (typeof PATTERN_NAMES)[number];
/** Used when `--pattern` is not given (amounts are common in UI chrome: opt in with --pattern amount). */
export const DEFAULT_PATTERNS: readonly PatternName[] = ['email', 'phone', 'iban', 'card', 'us-ssn', 'us-ein'];

/** A pattern ready to match: a name for messages and a global expression. */
export interface Matcher {
  /** `email`, `regex`, `term`... */
  kind: string;
  re: RegExp;
  /** Extra check on the matched text (digit counts), when the expression alone over-matches. */
  accept?: (text: string) => boolean;
}

const digits = (s: string) => s.replace(/\D/g, '').length;

const BUILT_IN: Record<PatternName, Omit<Matcher, 'kind'>> = {
  email: { re: /[A-Za-z0-9._%+-]+\s?@\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  // An international or grouped national number: 9 to 15 digits in 2-5 groups, optional +CC and (area).
  phone: {
    re: /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,6}(?:[\s.-]\d{1,6}){1,4}\b/g,
    accept: (t) => {
      const n = digits(t);
      if (n < 9 || n > 15) return false;
      // Dates and card numbers look alike: a phone has a + or ( or at most one 4-digit group run.
      if (/^\d{4}[\s.-]\d{2}[\s.-]\d{2}$/.test(t.trim())) return false;
      if (/^\d{4}(?:[\s-]\d{4}){2,}/.test(t.trim())) return false;
      return true;
    },
  },
  iban: { re: /\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b/g },
  card: { re: /\b\d{4}(?:[\s-]?\d{4}){2}[\s-]?\d{1,7}\b|\b\d{4}[\s-]?\d{6}[\s-]?\d{5}\b/g, accept: (t) => digits(t) >= 13 && digits(t) <= 19 },
  'us-ssn': { re: /\b\d{3}-\d{2}-\d{4}\b/g },
  'us-ein': { re: /\b\d{2}-\d{7}\b/g },
  amount: { re: /(?:[$€£¥]|\b(?:USD|EUR|GBP|CHF)\s?)\s?\d{1,3}(?:[,.'\s]\d{3})*(?:[.,]\d{2})?|\b\d{1,3}(?:[,.'\s]\d{3})*[.,]\d{2}\s?(?:[$€£]|USD|EUR|GBP|CHF)/g },
};

/** Escapes a literal for a RegExp. */
function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Options for {@link buildMatchers}. */
export interface BuildMatchersOptions {
  /** Built-in pattern names (default {@link DEFAULT_PATTERNS}). */
  patterns?: readonly string[];
  /** The author's own expression (JavaScript syntax, matched case-sensitively). */
  regex?: string;
  /** Client names and other terms (one a line in the terms file), matched ignoring case and spacing. */
  terms?: readonly string[];
}

/** Builds the matchers; unknown pattern names and bad expressions are UserErrors naming the flag. */
export function buildMatchers(o: BuildMatchersOptions): Matcher[] {
  const out: Matcher[] = [];
  for (const name of o.patterns ?? DEFAULT_PATTERNS) {
    const p = BUILT_IN[name as PatternName];
    if (!p) throw new UserError(`--pattern ${name} is not a known pattern.`, { code: 'E_USAGE', hint: `Use any of ${PATTERN_NAMES.join(', ')} (comma-separated), or --pattern-regex for your own.` });
    out.push({ kind: name, ...p });
  }
  if (o.regex !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(o.regex, 'g');
    } catch (err) {
      throw new UserError(`--pattern-regex ${JSON.stringify(o.regex)} is not a valid regular expression: ${(err as Error).message}.`, { code: 'E_USAGE', hint: 'Write a JavaScript regular expression, such as --pattern-regex "ACC-\\d{6}".' });
    }
    if (re.test('')) throw new UserError(`--pattern-regex ${JSON.stringify(o.regex)} matches empty text, so it would hide everything.`, { code: 'E_USAGE', hint: 'Make the expression require at least one character.' });
    out.push({ kind: 'regex', re });
  }
  for (const term of o.terms ?? []) {
    const words = term.trim().split(/\s+/).filter(Boolean);
    if (!words.length) continue;
    out.push({ kind: 'term', re: new RegExp(words.map(escapeRe).join('\\s*'), 'gi') });
  }
  return out;
}

/** Reads a terms file's text: one term a line; blank lines and `#` comments ignored. */
export function parseTerms(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

/** A match on one OCR line. */
export interface TextHit {
  kind: string;
  /** The matched text, normalised (spaces removed, lower case): the identity used to follow it across frames. */
  key: string;
  /** The matched text as read. */
  text: string;
  /** Box of the words it spans, in image pixels. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Finds every match in the lines. The line text is the words joined by single spaces, so a
 * match maps back to the words it touches; its box is theirs together.
 */
export function matchLines(lines: readonly OcrLine[], matchers: readonly Matcher[]): TextHit[] {
  const hits: TextHit[] = [];
  for (const line of lines) {
    const starts: number[] = [];
    let text = '';
    for (const w of line.words) {
      if (text) text += ' ';
      starts.push(text.length);
      text += w.text;
    }
    for (const m of matchers) {
      m.re.lastIndex = 0;
      for (let r = m.re.exec(text); r; r = m.re.exec(text)) {
        if (r[0].length === 0) {
          m.re.lastIndex++;
          continue;
        }
        const found = r[0].trim();
        if (m.accept && !m.accept(found)) continue;
        const a = r.index;
        const b = r.index + r[0].length;
        const words = line.words.filter((w, i) => {
          const s = starts[i] ?? 0;
          return s < b && s + w.text.length > a;
        });
        if (!words.length) continue;
        hits.push({
          kind: m.kind,
          key: found.replace(/\s+/g, '').toLowerCase(),
          text: found,
          x0: Math.min(...words.map((w) => w.x0)),
          y0: Math.min(...words.map((w) => w.y0)),
          x1: Math.max(...words.map((w) => w.x1)),
          y1: Math.max(...words.map((w) => w.y1)),
        });
      }
    }
  }
  // One box per place: a card number is not a phone number too.
  const order = (k: string) => ['email', 'iban', 'card', 'us-ssn', 'us-ein', 'phone', 'amount', 'regex', 'term'].indexOf(k);
  hits.sort((p, q) => order(p.kind) - order(q.kind));
  const kept: TextHit[] = [];
  for (const h of hits) {
    const dup = kept.find((k) => overlapRatio(k, h) > 0.5);
    if (dup) {
      dup.x0 = Math.min(dup.x0, h.x0);
      dup.y0 = Math.min(dup.y0, h.y0);
      dup.x1 = Math.max(dup.x1, h.x1);
      dup.y1 = Math.max(dup.y1, h.y1);
    } else kept.push({ ...h });
  }
  return kept;
}

/** Share of the smaller box that the two boxes share. */
export function overlapRatio(a: { x0: number; y0: number; x1: number; y1: number }, b: { x0: number; y0: number; x1: number; y1: number }): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return 0;
  const area = (r: typeof a) => Math.max(1, (r.x1 - r.x0) * (r.y1 - r.y0));
  return (w * h) / Math.min(area(a), area(b));
}
