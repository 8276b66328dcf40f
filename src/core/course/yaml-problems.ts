import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
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

/** A parsed YAML document with its syntax problems and a locator for values. */
export interface LocatedDocument {
  doc: Document;
  /** YAML syntax errors, located; when any exist the document should not be used. */
  syntaxProblems: YamlProblem[];
  /** Line and column of a path; the deepest existing node when the path does not exist. */
  locate: Locate;
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
  return { doc, syntaxProblems, locate: (p, key) => at(nodeOffset(doc, p, key)) };
}

/** Formats a path array as `lessons[1].segments[0].to`. */
export function formatPath(p: readonly PropertyKey[]): string {
  let out = '';
  for (const k of p) out += typeof k === 'number' ? `[${k}]` : (out ? '.' : '') + String(k);
  return out || '(root)';
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

/** Options for {@link problemFromZodIssue}. */
export interface ZodIssueWording {
  /** Hint for an unknown key (where the author can look up the valid ones). */
  unknownKeyHint: string;
  /** Wording for a value that matches no member of a union (the file's unions differ). */
  union: (issue: z.core.$ZodIssue, where: string, value: unknown, locate: Locate) => YamlProblem;
}

/** Turns one zod issue into a located problem that names the value and the fix. */
export function problemFromZodIssue(issue: z.core.$ZodIssue, raw: unknown, locate: Locate, wording: ZodIssueWording): YamlProblem {
  const p = issue.path;
  const where = formatPath(p);
  const value = valueAt(raw, p);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const list = issue.keys.map((k) => `'${k}'`).join(', ');
      return { path: where, message: `${where === '(root)' ? 'top level' : where}: unknown key ${list}`, hint: wording.unknownKeyHint, ...locate(p, issue.keys[0]) };
    }
    case 'invalid_type': {
      if (value === undefined) {
        const parent = p.slice(0, -1);
        return { path: where, message: `${where} is missing`, hint: `add ${String(p[p.length - 1])}: to ${formatPath(parent)}`, ...locate(parent) };
      }
      const a = /^[aeiou]/.test(issue.expected) ? 'an' : 'a';
      return { path: where, message: `${where} must be ${issue.expected}, not ${describeValue(value)}`, hint: `write ${where} as ${a} ${issue.expected}`, ...locate(p) };
    }
    case 'invalid_value': {
      const values = issue.values.map(String).join(', ');
      return { path: where, message: `${where} (${describeValue(value)}) is not one of ${values}`, hint: `use one of ${values}`, ...locate(p) };
    }
    case 'invalid_union':
      return wording.union(issue, where, value, locate);
    case 'too_small':
    case 'too_big':
      return { path: where, message: `${where}${typeof value === 'number' ? ` (${value})` : ''}: ${issue.message}`, ...locate(p) };
    default:
      return { path: where, message: `${where} (${describeValue(value)}): ${issue.message}`, ...locate(p) };
  }
}

/** Formats problems as `file:line:col  message (fix: hint)` lines. */
export function formatYamlProblems(file: string, problems: readonly YamlProblem[]): string[] {
  return problems.map((p) => `${file}:${p.line}:${p.column}  ${p.message}${p.hint ? ` (fix: ${p.hint})` : ''}`);
}
