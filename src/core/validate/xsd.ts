/**
 * Offline XML Schema validation against the official SCORM / cmi5 schema sets shipped in
 * `templates/schemas/`. Uses xmllint-wasm (libxml2 2.13 compiled to WebAssembly): the only
 * files it can see are the schema files we preload, so nothing is fetched from the network
 * and no file outside the schema set can be read.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { XMLFileInfo } from 'xmllint-wasm';
import { runXmllint } from './xmllint-runner.js';

/** The schema sets lessonkit ships. */
export type SchemaSet = 'scorm12' | 'scorm2004-3rd' | 'scorm2004-4th' | 'cmi5';

/** One schema-validity or well-formedness problem. */
export interface XsdError {
  /** What libxml2 said, without the file name prefix. */
  message: string;
  /** 1-based line in the validated document, when libxml2 gives one. */
  line?: number;
  /** 1-based column, when known (parser errors only). */
  column?: number;
}

/** The outcome of {@link validateXsd}. */
export interface XsdResult {
  /** True when the document is well-formed and valid against the set. */
  valid: boolean;
  /** Every problem found; empty when valid. */
  errors: XsdError[];
}

/** Every schema set, for iteration. */
export const SCHEMA_SETS: readonly SchemaSet[] = ['scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'cmi5'];

/** The folder holding the schema sets (`templates/schemas/`). */
// Located relative to this module (not via templates.ts, which would load Handlebars for nothing).
export const SCHEMAS_DIR = fileURLToPath(new URL('../../../templates/schemas/', import.meta.url));

/**
 * The driver schema of each set. Drivers import every namespace a descriptor may use, so the
 * strict `##other` wildcards of imscp resolve. SCORM 1.2 uses the lenient-imsmd driver: the
 * official IMS MD 1.2.1 schema does not compile under libxml2 2.13 (non-deterministic content
 * models), and leaving the namespace out would flag every package with inline `imsmd:lom`.
 */
const DRIVERS: Record<SchemaSet, string> = {
  scorm12: '_validate_scorm12_lenient_imsmd.xsd',
  'scorm2004-3rd': '_validate_scorm2004.xsd',
  'scorm2004-4th': '_validate_scorm2004.xsd',
  cmi5: 'CourseStructure.xsd',
};

/** The name the document gets inside xmllint's in-memory file system; cannot clash with a schema file. */
const INPUT_NAME = '__lessonkit_input__.xml';

interface LoadedSet {
  schema: XMLFileInfo;
  preload: XMLFileInfo[];
}

/** Schema files read once per process: validation then only pays for xmllint itself. */
const loaded = new Map<SchemaSet, Promise<LoadedSet>>();

async function loadSet(set: SchemaSet): Promise<LoadedSet> {
  const dir = path.join(SCHEMAS_DIR, set);
  const driver = DRIVERS[set];
  const files = listFilesSync(dir);
  const preload: XMLFileInfo[] = [];
  for (const f of files) {
    // The offline variant is a replacement for shipping, not part of the compile set; README is prose.
    if (f === driver || f.startsWith('offline-variant/') || !/\.(xsd|dtd)$/.test(f)) continue;
    preload.push({ fileName: f, contents: new Uint8Array(await readFile(path.join(dir, f))) });
  }
  return { schema: { fileName: driver, contents: new Uint8Array(await readFile(path.join(dir, driver))) }, preload };
}

function getSet(set: SchemaSet): Promise<LoadedSet> {
  let p = loaded.get(set);
  if (!p) {
    p = loadSet(set);
    // A failed read should not poison the cache for later calls.
    p.catch(() => loaded.delete(set));
    loaded.set(set, p);
  }
  return p;
}

/** libxml2 output lines that are known, harmless quirks of the official schemas (see templates/schemas/README.md). */
const NOISE = [/xml namespace URI cannot be the default namespace/, /Skipping import of schema located at/];

/**
 * Turns xmllint's stderr into errors about the document. Schema-file warnings are dropped;
 * a parser error is followed by a context line and a caret line, which give the column.
 */
function parseOutput(raw: string, fileName: string): XsdError[] {
  const lines = raw.split('\n');
  const errors: XsdError[] = [];
  const prefix = `${INPUT_NAME}:`;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith(prefix)) continue;
    const m = /^(\d+): (.*)$/.exec(line.slice(prefix.length));
    if (!m) continue;
    let message = (m[2] ?? '').replace(/^(Schemas validity error|parser error|namespace error|validity error)\s*:\s*/, '').trim();
    if (NOISE.some((re) => re.test(message))) continue;
    message = message.split(INPUT_NAME).join(fileName);
    const err: XsdError = { message, line: Number(m[1]) };
    // Parser errors: "<context>" then "   ^" under the offending character.
    const caret = lines[i + 2];
    if (caret !== undefined && /^\s*\^\s*$/.test(caret) && !lines[i + 1]?.startsWith(prefix)) {
      err.column = caret.indexOf('^') + 1;
    }
    errors.push(err);
  }
  return errors;
}

/**
 * Normalises the text for xmllint, which reads its input as UTF-8: a BOM is dropped and a
 * non-UTF-8 `encoding` declaration (ISO-8859-1 occurs in real packages) is rewritten, since
 * the caller has already decoded the bytes into a string.
 */
function toUtf8Document(xml: string): string {
  let text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  text = text.replace(/^(<\?xml[^>]*?\sencoding\s*=\s*)(["'])([^"']*)\2/, (all, head: string, q: string, enc: string) =>
    /^utf-?8$/i.test(enc) ? all : `${head}${q}UTF-8${q}`,
  );
  return text;
}

/**
 * Results of this process's recent validations. `build` checks each descriptor it writes, then
 * checks the finished zip with the package validator, which validates the same text again.
 */
const recent = new Map<string, Promise<XsdResult>>();
const RECENT_MAX = 16;

/** Validates XML text against the official schema set, offline (xmllint-wasm, no network, no external entities). */
export async function validateXsd(xml: string, set: SchemaSet, fileName = 'document.xml'): Promise<XsdResult> {
  const key = `${set}\0${fileName}\0${xml}`;
  let result = recent.get(key);
  if (!result) {
    result = validateXsdOnce(xml, set, fileName);
    // A failure (not a finding: the schema set could not be read) is not remembered.
    result.catch(() => recent.delete(key));
    recent.set(key, result);
    if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
  }
  const { valid, errors } = await result;
  // Callers own what they get: copies, so one cannot change another's result.
  return { valid, errors: errors.map((e) => ({ ...e })) };
}

async function validateXsdOnce(xml: string, set: SchemaSet, fileName: string): Promise<XsdResult> {
  const text = toUtf8Document(xml);
  // Entity declarations are refused before libxml2 sees the document: nothing is expanded,
  // nothing is fetched. The package rules report such a DOCTYPE as its own finding.
  const doctype = /<!DOCTYPE[\s\S]*?(\[[\s\S]*?\])?\s*>/i.exec(text);
  if (doctype && /<!ENTITY/i.test(doctype[0])) {
    const line = text.slice(0, doctype.index).split('\n').length;
    return { valid: false, errors: [{ message: `${fileName} declares entities in a DOCTYPE; they are not expanded and the document was not schema-checked`, line }] };
  }
  const { schema, preload } = await getSet(set);
  const run = await runXmllint([{ fileName: INPUT_NAME, contents: text }, schema, ...preload], ['--schema', schema.fileName, '--noout', INPUT_NAME]);
  // Exit 1: not well-formed; 3/4: invalid. Anything else (5: the schema did not compile) is a
  // defect of the shipped schema set, not of the user's document.
  if (![0, 1, 3, 4].includes(run.exitCode)) throw new Error(`xmllint failed on the ${set} schema set (exit ${run.exitCode}): ${run.stderr.trim().split('\n').slice(0, 3).join(' / ')}`);
  const valid = run.exitCode === 0;
  const raw = run.stderr;
  if (valid) return { valid: true, errors: [] };
  const errors = parseOutput(raw, fileName);
  if (errors.length === 0) errors.push({ message: raw.trim().split('\n').filter((l) => l && !NOISE.some((re) => re.test(l)))[0] ?? 'the document is not valid' });
  return { valid: false, errors };
}

/** SCORM 1.2: the four control files the Rustici golf examples and every authoring tool ship. */
const SCORM12_FILES = ['adlcp_rootv1p2.xsd', 'ims_xml.xsd', 'imscp_rootv1p1p2.xsd', 'imsmd_rootv1p2p1.xsd'];

/**
 * Files (absolute `from`) a package of this set must carry, and where (`to`, relative to the
 * package root). For scorm2004-4th the offline-variant imscp_v1p1.xsd is shipped as
 * imscp_v1p1.xsd, so that the package validates offline. Driver files written for this project
 * are never shipped; cmi5 packages carry no schema files.
 */
export function schemaFilesToShip(set: SchemaSet): { from: string; to: string }[] {
  const dir = path.join(SCHEMAS_DIR, set);
  if (set === 'cmi5') return [];
  if (set === 'scorm12') return SCORM12_FILES.map((f) => ({ from: path.join(dir, f), to: f }));
  const out: { from: string; to: string }[] = [];
  for (const rel of listFilesSync(dir)) {
    if (rel.startsWith('_') || rel.startsWith('offline-variant/') || !/\.(xsd|dtd)$/.test(rel)) continue;
    const from = set === 'scorm2004-4th' && rel === 'imscp_v1p1.xsd' ? path.join(dir, 'offline-variant', 'imscp_v1p1.xsd') : path.join(dir, rel);
    out.push({ from, to: rel });
  }
  return out;
}

function listFilesSync(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFilesSync(full, base));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}
