/**
 * Descriptor parsing for the rules: bytes -> text (honouring BOM and the declared encoding)
 * -> a small namespace-aware element tree with line:column positions. saxes never fetches
 * anything and never expands entities beyond the five predefined ones; a DOCTYPE that declares
 * entities is reported (XXE) and the document is not interpreted further.
 */
import { createRequire } from 'node:module';
import type * as Saxes from 'saxes';
import type { SaxesTagNS } from 'saxes';

// saxes is CommonJS: an ESM import of it runs Node's CommonJS export scanner over its 70 kB of
// source first, which cost more than loading the module (about 12 ms of every `validate`).
const { SaxesParser } = createRequire(import.meta.url)('saxes') as typeof Saxes;

/** One attribute, namespace-resolved. */
export interface XmlAttr {
  /** Qualified name as written. */
  name: string;
  /** Local name. */
  local: string;
  /** Namespace URI ('' for none). */
  uri: string;
  /** Value with entities resolved. */
  value: string;
}

/** One element of the tree. */
export interface XmlElement {
  /** Qualified name as written. */
  name: string;
  /** Local name. */
  local: string;
  /** Namespace URI ('' for none). */
  uri: string;
  /** Attributes by qualified name. */
  attrs: XmlAttr[];
  /** Child elements in order. */
  children: XmlElement[];
  /** Concatenated text content directly inside this element. */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
  /** 1-based column of the `<` of the start tag. */
  column: number;
  /** Parent element (undefined for the root). */
  parent?: XmlElement;
}

/** A position-tagged problem found while decoding or parsing. */
export interface XmlProblem {
  /** Rule: `xml.encoding`, `xml.entity-declaration` or `xml.not-well-formed`. */
  ruleId: 'xml.encoding' | 'xml.entity-declaration' | 'xml.not-well-formed';
  /** What is wrong and what to do. */
  message: string;
  /** 1-based line. */
  line?: number;
  /** 1-based column. */
  column?: number;
}

/** The outcome of {@link parseDescriptor}. */
export interface ParsedXml {
  /** The decoded text (for the schema check); undefined when decoding failed. */
  text?: string;
  /** The root element when the document is well-formed. */
  root?: XmlElement;
  /** Decoding or parsing problems (at most one: the first fatal one). */
  problem?: XmlProblem;
}

/** Reads the encoding from the XML declaration (ASCII-compatible encodings only). */
function declaredEncoding(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 200).toString('latin1');
  const m = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  return m?.[1];
}

function lineCol(bytes: Buffer, offset: number): { line: number; column: number } {
  const before = bytes.subarray(0, offset).toString('latin1');
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

/** Decodes descriptor bytes: BOM first, then the declared encoding, else UTF-8 (strict). */
export function decodeXml(bytes: Buffer): { text: string } | { problem: XmlProblem } {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decodeWith('utf-8', bytes.subarray(3), bytes, 3);
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return decodeWith('utf-16le', bytes.subarray(2), bytes, 2);
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return decodeWith('utf-16be', bytes.subarray(2), bytes, 2);
  const declared = declaredEncoding(bytes);
  if (!declared || /^utf-?8$/i.test(declared)) return decodeWith('utf-8', bytes, bytes, 0, declared);
  if (/^utf-?16/i.test(declared)) {
    return { problem: { ruleId: 'xml.encoding', message: `declares encoding "${declared}" but has no byte-order mark, so its bytes cannot be read as UTF-16; save it as UTF-8`, line: 1 } };
  }
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(declared.toLowerCase(), { fatal: true });
  } catch {
    return { problem: { ruleId: 'xml.encoding', message: `declares encoding "${declared}", which LMS XML parsers do not support; save it as UTF-8 and declare encoding="UTF-8"`, line: 1 } };
  }
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    return { problem: { ruleId: 'xml.encoding', message: `has bytes that are not valid ${declared}; save it as UTF-8 and declare encoding="UTF-8"`, line: 1 } };
  }
}

function decodeWith(encoding: string, body: Buffer, whole: Buffer, bomLength: number, declared?: string): { text: string } | { problem: XmlProblem } {
  try {
    return { text: new TextDecoder(encoding, { fatal: true }).decode(body) };
  } catch {
    const offset = encoding === 'utf-8' ? firstInvalidUtf8(body) : 0;
    const pos = lineCol(whole, bomLength + offset);
    const hint = declared ? `it declares ${declared}` : 'XML without an encoding declaration must be UTF-8';
    return { problem: { ruleId: 'xml.encoding', message: `has bytes that are not valid ${encoding.toUpperCase()} (${hint}); it was probably saved as ISO-8859-1 or windows-1252: declare that encoding or save it as UTF-8`, ...pos } };
  }
}

/** Offset of the first byte that starts an invalid UTF-8 sequence (linear scan). */
function firstInvalidUtf8(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return 0;
}

/** Decodes and parses a descriptor. Never throws on bad input. */
export function parseDescriptor(bytes: Buffer): ParsedXml {
  const decoded = decodeXml(bytes);
  if ('problem' in decoded) return { problem: decoded.problem };
  const text = decoded.text;
  const parser = new SaxesParser({ xmlns: true, position: true });
  let root: XmlElement | undefined;
  const stack: XmlElement[] = [];
  let problem: XmlProblem | undefined;
  let start = { line: 1, column: 1 };
  parser.on('error', (err) => {
    if (problem) return;
    const m = /^(?:[^:]*:)?(\d+):(\d+): (.*)$/s.exec(err.message);
    problem = m
      ? { ruleId: 'xml.not-well-formed', message: `is not well-formed XML: ${m[3]}`, line: Number(m[1]), column: Number(m[2]) }
      : { ruleId: 'xml.not-well-formed', message: `is not well-formed XML: ${err.message}`, line: parser.line, column: parser.column };
  });
  parser.on('doctype', (doctype) => {
    if (problem) return;
    if (/<!ENTITY/i.test(doctype)) {
      const name = /<!ENTITY\s+%?\s*([^\s>]+)/i.exec(doctype)?.[1] ?? '';
      problem = {
        ruleId: 'xml.entity-declaration',
        message: `declares the entity "${name}" in a DOCTYPE; entities can read files or URLs on the LMS server (XXE) and were not expanded: remove the DOCTYPE`,
        line: parser.line,
      };
    }
  });
  parser.on('opentagstart', (tag) => {
    start = { line: parser.line, column: Math.max(1, parser.column - tag.name.length) };
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    const el: XmlElement = {
      name: tag.name,
      local: tag.local,
      uri: tag.uri,
      attrs: Object.values(tag.attributes).map((a) => ({ name: a.name, local: a.local, uri: a.uri, value: a.value })),
      children: [],
      text: '',
      line: start.line,
      column: start.column,
    };
    const parent = stack[stack.length - 1];
    if (parent) {
      el.parent = parent;
      parent.children.push(el);
    } else if (!root) root = el;
    stack.push(el);
  });
  parser.on('text', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('cdata', (t) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  try {
    parser.write(text).close();
  } catch (err) {
    // saxes reports through the error handler; anything thrown is still a parse failure.
    problem ??= { ruleId: 'xml.not-well-formed', message: `is not well-formed XML: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (problem) return { text, problem };
  return { text, root };
}

/** The attribute with this local name (and namespace, when given). */
export function attr(el: XmlElement, local: string, uri?: string): string | undefined {
  return el.attrs.find((a) => a.local === local && (uri === undefined ? a.uri === '' : a.uri === uri))?.value;
}

/** Child elements with this local name in this namespace. */
export function childrenNamed(el: XmlElement, local: string, uri: string): XmlElement[] {
  return el.children.filter((c) => c.local === local && c.uri === uri);
}

/** Every descendant (depth-first, document order). */
export function* descendants(el: XmlElement): Generator<XmlElement> {
  for (const c of el.children) {
    yield c;
    yield* descendants(c);
  }
}
