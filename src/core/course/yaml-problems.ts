import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';

/** A problem in an author's YAML file (course.yaml, a quiz), with where it is and how to fix it. */
export interface YamlProblem {
  /** Path of the value, e.g. `lessons[1].segments[0].to`. */
  path: string;
  /** What is wrong, naming the value. */
  message: string;
  /** How to fix it. */
  hint?: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

/** Finds the line and column of the value at a path (or of `key` inside it). */
export type Locate = (p: readonly PropertyKey[], key?: string) => { line: number; column: number };

/** The text of a scalar exactly as the author typed it (`1.0`, not the number 1), or undefined. */
export type SourceOf = (p: readonly PropertyKey[]) => string | undefined;

/** A parsed YAML document with its syntax problems and a locator for values. */
export interface LocatedDocument {
  doc: Document;
  /** YAML syntax errors, located; when any exist the document should not be used. */
  syntaxProblems: YamlProblem[];
  /** Line and column of a path; the deepest existing node when the path does not exist. */
  locate: Locate;
  /** The author's text of the scalar at a path. */
  sourceOf: SourceOf;
}

/** Parses YAML text keeping positions, so every later problem can name its line and column. */
export function parseLocated(text: string): LocatedDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, keepSourceTokens: true, prettyErrors: false });
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { line: pos.line, column: pos.col };
  };
  const syntaxProblems = doc.errors.map((e) => ({
    path: '(yaml)',
    message: `YAML syntax: ${e.message.split('\n')[0]}`,
    hint: 'check indentation and quoting on that line',
    ...at(e.pos[0]),
  }));
  const sourceOf: SourceOf = (p) => {
    const node = nodeAt(doc, p);
    if (!isScalar(node) || !node.range) return undefined;
    return text.slice(node.range[0], node.range[1]).trim() || undefined;
  };
  return { doc, syntaxProblems, locate: (p, key) => at(nodeOffset(doc, p, key)), sourceOf };
}

/** Formats a path array as `lessons[1].segments[0].to`. */
export function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : (out ? '.' : '') + String(k);
  return out || '(root)';
}

function nodeAt(doc: Document, p: readonly PropertyKey[]): unknown {
  let node: unknown = doc.contents;
  for (const k of p) {
    if (isMap(node)) node = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === k)?.value;
    else if (isSeq(node) && typeof k === 'number') node = node.items[k];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

function nodeOffset(doc: Document, p: readonly PropertyKey[], key?: string): number | undefined {
  // Walk down as far as the path exists; point at the deepest node found.
  let node: unknown = doc.contents;
  let offset = (doc.contents as YamlNode | null)?.range?.[0];
  for (const k of p) {
    if (isMap(node)) {
      const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === k);
      if (!pair) break;
      node = pair.value;
      offset = ((pair.value as YamlNode | null)?.range ?? (pair.key as YamlNode | null)?.range)?.[0] ?? offset;
    } else if (isSeq(node) && typeof k === 'number') {
      const item = node.items[k];
      if (item === undefined) break;
      node = item;
      offset = (item as YamlNode).range?.[0] ?? offset;
    } else break;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === key);
    offset = (pair?.key as YamlNode | undefined)?.range?.[0] ?? offset;
  }
  return offset;
}

/** The plain value at a path of `doc.toJS()` output, or undefined. */
export function valueAt(raw: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** A value as an author would recognise it in a message: strings quoted, containers named. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

/** What an issue is about, for field-specific wording. */
export interface IssueSubject {
  /** The zod issue. */
  issue: z.core.$ZodIssue;
  /** The path as `lessons[0].segments[1].to`. */
  where: string;
  /** The value as YAML read it (undefined when the key is absent). */
  value: unknown;
  /** The author's text of the value, when it is a scalar. */
  source?: string;
  locate: Locate;
}

/** How one file's schema issues are worded. */
export interface ZodIssueWording {
  /** Where the author can read about the file's keys (said with an unknown key). */
  reference: string;
  /**
   * Wording for one field (time values, ids, versions...), tried before the generic wording;
   * undefined falls back to it. Every problem it returns must say the fix.
   */
  field?: (subject: IssueSubject) => YamlProblem | undefined;
  /** Wording for a value that matches no member of a union (the file's unions differ). */
  union: (subject: IssueSubject) => YamlProblem;
}

/** What {@link problemsFromZodIssues} needs besides the issues. */
export interface ZodIssueSource {
  /** The schema the value was checked against (to list valid keys and re-check a quoted value). */
  schema: z.ZodType;
  /** `doc.toJS()` of the file. */
  raw: unknown;
  /** The parsed file. */
  located: Pick<LocatedDocument, 'locate' | 'sourceOf'>;
}

/** Turns a schema's issues into located problems that each say what is wrong and how to fix it. */
export function problemsFromZodIssues(issues: readonly z.core.$ZodIssue[], src: ZodIssueSource, wording: ZodIssueWording): YamlProblem[] {
  return issues.map((issue) => problemFromZodIssue(issue, src, wording, true));
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value lines)',
};

/** What a YAML value is, in words: `the number 1`, `true`, `a list`. */
function valueKind(v: unknown): string {
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `the text ${JSON.stringify(v)}`;
}

/** How to write `value` at `p`: `version: "1.0"` for a key, `- "1.0"` for a list item. */
export function writeAs(p: readonly PropertyKey[], value: string): string {
  const last = p[p.length - 1];
  return typeof last === 'string' ? `${last}: ${value}` : `- ${value}`;
}

/** The plain-text form of a number, for messages (`100`, `0.5`). */
const num = (n: unknown) => (typeof n === 'bigint' ? String(n) : String(n));

function problemFromZodIssue(issue: z.core.$ZodIssue, src: ZodIssueSource, wording: ZodIssueWording, recheck: boolean): YamlProblem {
  const p = issue.path;
  const where = formatPath(p);
  const value = valueAt(src.raw, p);
  const source = value !== undefined && value !== null && typeof value !== 'object' ? src.located.sourceOf(p) : undefined;
  const locate = src.located.locate;
  const subject: IssueSubject = { issue, where, value, ...(source !== undefined ? { source } : {}), locate };
  const specific = wording.field?.(subject);
  if (specific) return specific;
  const key = String(p[p.length - 1] ?? '');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const list = issue.keys.map((k) => `'${k}'`).join(', ');
      const known = keysAt(src.schema, p, src.raw);
      const guess = issue.keys.length === 1 && issue.keys[0] ? closest(issue.keys[0], known) : undefined;
      const hint = guess
        ? `did you mean '${guess}'? Rename it, or remove it`
        : known.length
          ? `remove it; the keys allowed here are ${known.join(', ')} (${wording.reference})`
          : `remove it (${wording.reference})`;
      return { path: where, message: `${where === '(root)' ? 'top level' : where}: unknown key ${list}`, hint, ...locate(p, issue.keys[0]) };
    }
    case 'invalid_type': {
      const want = TYPE_NAMES[issue.expected] ?? issue.expected;
      if (value === undefined) {
        const parent = p.slice(0, -1);
        return { path: where, message: `${where} is missing`, hint: `add ${key}: to ${formatPath(parent)} (${want})`, ...locate(parent) };
      }
      if (value === null) {
        return { path: where, message: `${where} is empty`, hint: `write ${want} after "${key}:"`, ...locate(p) };
      }
      if (issue.expected === 'string' && source !== undefined && (typeof value === 'number' || typeof value === 'boolean')) {
        // YAML turned what the author meant as text into a number or boolean (`version: 1.0`).
        const quoted = writeAs(p, JSON.stringify(source));
        let hint = `put it in quotes: ${quoted}`;
        if (recheck) {
          const then = recheckAs(src, wording, p, source);
          if (then?.hint) hint += `; and ${then.hint}`;
        }
        return { path: where, message: `${where} must be text, but YAML reads ${source} as ${valueKind(value)}`, hint, ...locate(p) };
      }
      if (issue.expected === 'int' && typeof value === 'number') {
        return { path: where, message: `${where} (${value}) must be a whole number`, hint: `write ${writeAs(p, String(Math.round(value)))}`, ...locate(p) };
      }
      if (issue.expected === 'number' && typeof value === 'string' && Number.isFinite(Number.parseFloat(value))) {
        return { path: where, message: `${where} must be a number, not the text ${JSON.stringify(value)}`, hint: `write the number without quotes or units: ${writeAs(p, String(Number.parseFloat(value)))}`, ...locate(p) };
      }
      if (issue.expected === 'array' && (typeof value === 'string' || typeof value === 'number')) {
        return { path: where, message: `${where} must be a list, not ${valueKind(value)}`, hint: `write it as a list: ${writeAs(p, `[${source ?? String(value)}]`)}`, ...locate(p) };
      }
      if (issue.expected === 'boolean' && typeof value === 'string') {
        return { path: where, message: `${where} must be true or false, not the text ${JSON.stringify(value)}`, hint: `write ${writeAs(p, 'true')} or ${writeAs(p, 'false')}, without quotes`, ...locate(p) };
      }
      return { path: where, message: `${where} must be ${want}, not ${valueKind(value)}`, hint: `write ${where} as ${want}`, ...locate(p) };
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const guess = typeof value === 'string' ? closest(value, values) : undefined;
      return { path: where, message: `${where} (${describeValue(value)}) is not one of ${values.join(', ')}`, hint: guess ? `did you mean ${guess}? Use one of ${values.join(', ')}` : `use one of ${values.join(', ')}`, ...locate(p) };
    }
    case 'invalid_union':
      return wording.union(subject);
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = num(small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum);
      const inclusive = issue.inclusive !== false;
      if (issue.origin === 'string') {
        if (small && Number(bound) <= 1) return { path: where, message: `${where} is empty`, hint: `write some text after "${key}:"`, ...locate(p) };
        const n = typeof value === 'string' ? value.length : 0;
        return { path: where, message: `${where} is ${n} characters long; ${small ? `at least ${bound} are needed` : `at most ${bound} are allowed`}`, hint: small ? 'write more' : `shorten it to ${bound} characters or fewer`, ...locate(p) };
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        const n = Array.isArray(value) ? value.length : 0;
        if (small && n === 0) return { path: where, message: `${where} is an empty list`, hint: `add at least ${bound} item${bound === '1' ? '' : 's'} to ${key}`, ...locate(p) };
        const items = (k: number) => `${k} item${k === 1 ? '' : 's'}`;
        return { path: where, message: `${where} has ${items(n)}; ${small ? `at least ${bound} are needed` : `at most ${bound} are allowed`}`, hint: small ? `add ${Number(bound) - n} more to ${key}` : `remove ${n - Number(bound)} from ${key}`, ...locate(p) };
      }
      const limit = small ? (inclusive ? `at least ${bound}` : `more than ${bound}`) : inclusive ? `at most ${bound}` : `less than ${bound}`;
      return { path: where, message: `${where} (${describeValue(value)}) is ${small ? 'too small' : 'too large'}: it must be ${limit}`, hint: `write a number that is ${limit}`, ...locate(p) };
    }
    case 'invalid_format': {
      // The schemas give their formats a message that explains them; zod's own says nothing useful.
      const explained = !/^Invalid/.test(issue.message);
      return { path: where, message: `${where} (${describeValue(value)}) is not in the right form`, hint: explained ? issue.message : `check ${where} against the ${wording.reference}`, ...locate(p) };
    }
    default:
      return { path: where, message: `${where} (${describeValue(value)}) is not valid: ${issue.message}`, hint: `check ${where} against the ${wording.reference}`, ...locate(p) };
  }
}

/** The problem the value would have as the text `text` (after the author quotes it), if any. */
function recheckAs(src: ZodIssueSource, wording: ZodIssueWording, p: readonly PropertyKey[], text: string): YamlProblem | undefined {
  const copy = structuredClone(src.raw) as Record<PropertyKey, unknown>;
  let parent: unknown = copy;
  for (const k of p.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown>)[k];
  const last = p[p.length - 1];
  if (parent === null || typeof parent !== 'object' || last === undefined) return undefined;
  (parent as Record<PropertyKey, unknown>)[last] = text;
  const r = src.schema.safeParse(copy);
  const same = r.success ? undefined : r.error.issues.find((i) => formatPath(i.path) === formatPath(p));
  return same ? problemFromZodIssue(same, { ...src, raw: copy }, wording, false) : undefined;
}

/** The keys a mapping at `p` may have, from the schema (empty when unknown). */
export function keysAt(schema: z.ZodType, p: readonly PropertyKey[], raw: unknown): string[] {
  let s: unknown = schema;
  const def = (x: unknown) => (x as { _zod?: { def?: Record<string, unknown> } } | undefined)?._zod?.def;
  const unwrap = (x: unknown): unknown => {
    for (let d = def(x); d && ['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch', 'pipe'].includes(String(d.type)); d = def(x)) x = d.innerType ?? d.in;
    return x;
  };
  const pick = (x: unknown, at: readonly PropertyKey[]): unknown => {
    const d = def(x);
    if (d?.type !== 'union') return x;
    // A discriminated union: the option whose literal matches the value's discriminator.
    const disc = d.discriminator as string | undefined;
    const options = (d.options as unknown[]) ?? [];
    const v = disc ? valueAt(raw, [...at, disc]) : undefined;
    return options.find((o) => ((def((def(o)?.shape as Record<string, unknown> | undefined)?.[disc ?? '']))?.values as unknown[] | undefined)?.includes(v)) ?? options[0];
  };
  s = pick(unwrap(s), []);
  for (let i = 0; i < p.length; i++) {
    const k = p[i];
    const d = def(s);
    if (d?.type === 'object' && typeof k === 'string') s = (d.shape as Record<string, unknown>)[k];
    else if (d?.type === 'array' && typeof k === 'number') s = d.element;
    else return [];
    s = pick(unwrap(s), p.slice(0, i + 1));
  }
  const d = def(s);
  return d?.type === 'object' ? Object.keys(d.shape as Record<string, unknown>) : [];
}

/** The candidate closest to `word` in spelling (at most a third of its letters off), if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** Formats problems as `file:line:col  message (fix: hint)` lines. */
export function formatYamlProblems(file: string, problems: readonly YamlProblem[]): string[] {
  return problems.map((p) => `${file}:${p.line}:${p.column}  ${p.message}${p.hint ? ` (fix: ${p.hint})` : ''}`);
}
