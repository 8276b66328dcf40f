/**
 * The validation engine shared by `lessonkit validate` and `lessonkit build`: opens a zip,
 * folder or bare descriptor, runs the zip-safety, placement, XML, schema and semantic rules,
 * and (with `deep`) the CRC and media checks. Never extracts, never writes, never fetches.
 */
import { constants as fsConstants } from 'node:fs';
import { access, stat, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import type { RunContext } from '../context.js';
import { throwIfCancelled, UserError } from '../../errors.js';
import { FileIndex } from './hrefs.js';
import type { MediaReader } from './media.js';
import { getRule, makeFinding, rulesFor, type RuleInput } from './rules.js';
import { checkScorm, detectScorm } from './scorm.js';
import { descriptorSource, folderSource, ioReason, openZip, zipSource, type PackageSource } from './source.js';
import type { Finding, PackageReport, Standard, ValidatePackageOptions, ValidatePackagesOptions, ValidatePackagesResult } from './types.js';
import type * as WebChecks from './web.js';
import { parseDescriptor, type XmlElement } from './xml.js';
import { prewarmXmllint } from './xmllint-runner.js';
import { validateXsd } from './xsd.js';
import { entryDataOffset, NotAZipError, readEntry, readZipDirectory, streamEntry } from './zip.js';
import { checkZipSafety } from './zip-rules.js';

type DescriptorKind = 'imsmanifest' | 'cmi5' | 'tincan';
const DESCRIPTOR_FILES: Record<string, DescriptorKind> = { 'imsmanifest.xml': 'imsmanifest', 'cmi5.xml': 'cmi5', 'tincan.xml': 'tincan' };
/** When several descriptors sit at the root, the LMS import screens pick in this order. */
const PRIORITY: DescriptorKind[] = ['cmi5', 'imsmanifest', 'tincan'];
const NOT_AT_ROOT: Record<DescriptorKind, string> = { imsmanifest: 'scorm.manifest.not-at-root', cmi5: 'cmi5.descriptor.not-at-root', tincan: 'xapi.descriptor.not-at-root' };
const MAX_SCHEMA_FINDINGS = 50;
/** The start page of a web bundle; web servers serve exactly this name for a folder. */
const WEB_INDEX = 'index.html';

/** The phases of a run; a rule counts as checked only when its phase ran. */
type Phase = 'zip' | 'placement' | 'descriptor' | 'semantic' | 'deep';

function phaseOf(ruleId: string): Phase {
  const r = getRule(ruleId);
  if (r.deep) return 'deep';
  if (ruleId.startsWith('zip.') || ruleId.startsWith('folder.')) return 'zip';
  if (ruleId.startsWith('package.') || ruleId.endsWith('.not-at-root') || ruleId === 'xapi.descriptor.multiple') return 'placement';
  // Reading and parsing the descriptor; everything after needs a parsed document.
  if (ruleId === 'xml.encoding' || ruleId === 'xml.entity-declaration' || ruleId === 'xml.not-well-formed') return 'descriptor';
  return 'semantic';
}

const baseName = (name: string) => name.split(/[\\/]/).pop() ?? name;

/**
 * Appends in a loop: `push(...items)` passes every item as an argument and overflows the call
 * stack once a package yields a few hundred thousand findings (a manifest listing 200 000
 * missing files did, with a RangeError and exit 3).
 */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

/** Validates one package (zip, folder or bare descriptor). Throws UserError when the input cannot be read at all. */
export async function validatePackage(options: ValidatePackageOptions, ctx: RunContext): Promise<PackageReport> {
  throwIfCancelled(ctx.signal);
  const abs = path.resolve(options.cwd, options.path);
  const source = await openSource(abs, options.path);
  const findings: Finding[] = [];
  const phases = new Set<Phase>();
  let standard: Standard = 'unknown';
  try {
    if (source.zip) {
      phases.add('zip');
      append(findings, checkZipSafety(source.zip.dir));
    }
    if (source.kind === 'folder') {
      phases.add('zip');
      for (const s of source.symlinks) findings.push(makeFinding('folder.symlink', `${s} is a symbolic link; it was not followed. Put the real file in the package`, { entry: s }));
      for (const u of source.unreadable) findings.push(makeFinding('folder.unreadable', `the folder ${u.name}/ cannot be read (${u.reason}), so its files were not checked and would be missing from a zip; fix its permissions`, { entry: `${u.name}/` }));
    }
    const corrupt = source.zip !== undefined && source.zip.dir.entries.length === 0 && source.zip.dir.problems.length > 0;
    if (!corrupt) standard = await checkDescriptor(source, findings, phases, ctx);
    if (options.deep && source.kind !== 'descriptor' && !corrupt) {
      phases.add('deep');
      await deepChecks(source, findings, ctx);
    }
  } finally {
    await source.close();
  }
  const input: RuleInput = source.kind;
  const rulesChecked = rulesFor(input, standard, Boolean(options.deep)).filter((id) => phases.has(phaseOf(id)));
  return { path: options.path, standard, input, findings, rulesChecked };
}

/** Validates several packages in order; unreadable inputs are reported together before any work starts. */
export async function validatePackages(options: ValidatePackagesOptions, ctx: RunContext): Promise<ValidatePackagesResult> {
  if (options.paths.length === 0) throw new UserError('No package given.', { code: 'E_USAGE', hint: 'Pass one or more package zips, package folders or descriptors: lessonkit validate course.zip' });
  const missing: string[] = [];
  const denied: string[] = [];
  for (const p of options.paths) {
    const abs = path.resolve(options.cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch {
      missing.push(p);
      continue;
    }
    // Checked up front too, so one unreadable input among many fails before any report is made.
    try {
      await access(abs, st.isDirectory() ? fsConstants.R_OK | fsConstants.X_OK : fsConstants.R_OK);
    } catch {
      denied.push(p);
    }
  }
  if (missing.length > 0 || denied.length > 0) {
    const list = (ps: string[]) => ps.map((m) => `"${m}"`).join(', ');
    const parts = [missing.length > 0 ? `${list(missing)}: no such file or folder.` : '', denied.length > 0 ? `${list(denied)}: permission denied.` : ''];
    throw new UserError(parts.filter(Boolean).join(' '), {
      code: 'E_VALIDATE_INPUT',
      hint: missing.length > 0 ? 'Pass package zips, package folders or descriptors (imsmanifest.xml, cmi5.xml, tincan.xml) that exist.' : 'Check the permissions of the files and folders you pass.',
    });
  }
  const packages: PackageReport[] = [];
  const many = options.paths.length > 1;
  for (const [i, p] of options.paths.entries()) {
    if (many) ctx.onProgress?.({ phase: 'validate', current: i, total: options.paths.length, item: p });
    packages.push(await validatePackage({ path: p, cwd: options.cwd, deep: options.deep, strict: options.strict }, ctx));
    if (many) ctx.onProgress?.({ phase: 'validate', current: i + 1, total: options.paths.length, item: p, done: true });
  }
  return summarize(packages, Boolean(options.strict));
}

/** Totals and the pass/fail decision for a set of reports. */
export function summarize(packages: PackageReport[], strict: boolean): ValidatePackagesResult {
  let errors = 0;
  let warnings = 0;
  for (const r of packages)
    for (const f of r.findings) {
      if (f.severity === 'error') errors += 1;
      else if (f.severity === 'warning') warnings += 1;
    }
  return { packages, summary: { errors, warnings }, ok: errors === 0 && (!strict || warnings === 0) };
}

async function openSource(abs: string, shown: string): Promise<PackageSource> {
  let st;
  try {
    st = await stat(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${shown}: ${code === 'EACCES' ? 'permission denied' : 'no such file or folder'}.`, {
      code: 'E_VALIDATE_INPUT',
      hint: 'Pass a package zip, a package folder or a descriptor (imsmanifest.xml, cmi5.xml, tincan.xml).',
      cause: err,
    });
  }
  if (st.isDirectory()) {
    try {
      return await folderSource(abs);
    } catch (err) {
      throw new UserError(`${shown} cannot be read: ${ioReason(err)}.`, { code: 'E_VALIDATE_INPUT', hint: 'Check the folder permissions, or pass the package zip instead.', cause: err });
    }
  }
  if (!st.isFile()) throw new UserError(`${shown} is neither a file nor a folder.`, { code: 'E_VALIDATE_INPUT', hint: 'Pass a package zip, a package folder or a descriptor.' });
  if (st.size === 0) {
    throw new UserError(`${shown} is empty (0 bytes), so it is no package.`, { code: 'E_VALIDATE_INPUT', hint: 'The export or download was probably cut short: export the package again.' });
  }
  let fh;
  try {
    fh = await openZip(abs);
  } catch (err) {
    throw new UserError(`${shown} cannot be read: ${ioReason(err)}.`, { code: 'E_VALIDATE_INPUT', hint: 'Check the file permissions.', cause: err });
  }
  const head = Buffer.alloc(64);
  const { bytesRead } = await fh.read(head, 0, 64, 0);
  const start = head.subarray(0, bytesRead).toString('latin1').replace(/^\xef\xbb\xbf|^\xff\xfe|^\xfe\xff/, '').split(String.fromCharCode(0)).join('');
  if (/^\s*</.test(start) && !start.startsWith('PK')) {
    await fh.close();
    if (/\.html?$/i.test(abs)) {
      throw new UserError(`${shown} is a web page, not a package.`, {
        code: 'E_VALIDATE_INPUT',
        hint: `Pass the web bundle it belongs to (its zip, or the folder with index.html at the top): lessonkit validate ${path.dirname(shown) === '.' ? '.' : path.dirname(shown)}`,
      });
    }
    return descriptorSource(abs, path.basename(abs));
  }
  try {
    const dir = await readZipDirectory(fh);
    return zipSource(abs, fh, dir);
  } catch (err) {
    await fh.close();
    if (err instanceof NotAZipError) {
      throw new UserError(`${shown} is not a zip file, a package folder or an XML descriptor (${err.message}).`, {
        code: 'E_VALIDATE_INPUT',
        hint: 'Pass the package zip your authoring tool exported, or the folder it would zip.',
      });
    }
    throw err;
  }
}

/** Finds, reads and checks the descriptor; returns the standard. */
async function checkDescriptor(source: PackageSource, findings: Finding[], phases: Set<Phase>, ctx: RunContext): Promise<Standard> {
  let entry: string;
  let kind: DescriptorKind | undefined;
  if (source.kind === 'descriptor') {
    entry = source.files[0]!;
    kind = DESCRIPTOR_FILES[entry.toLowerCase()];
  } else {
    phases.add('placement');
    const atRoot = source.files.filter((f) => !/[\\/]/.test(f) && DESCRIPTOR_FILES[f.toLowerCase()] !== undefined);
    atRoot.sort((a, b) => PRIORITY.indexOf(DESCRIPTOR_FILES[a.toLowerCase()]!) - PRIORITY.indexOf(DESCRIPTOR_FILES[b.toLowerCase()]!));
    const chosen = atRoot[0];
    if (!chosen) return reportMissingDescriptor(source, findings, phases);
    entry = chosen;
    kind = DESCRIPTOR_FILES[chosen.toLowerCase()]!;
    const others = atRoot.filter((f) => DESCRIPTOR_FILES[f.toLowerCase()] !== kind);
    if (others.length > 0) findings.push(makeFinding('package.descriptor.multiple', `the root also holds ${others.join(', ')}; LMSs import ${chosen} (checked here) and ignore the rest`, { entry: others[0]! }));
    if (chosen !== chosen.toLowerCase()) {
      findings.push(makeFinding('package.descriptor.name-case', `the descriptor is named ${chosen}; LMSs look for ${chosen.toLowerCase()} exactly (servers are case-sensitive). Rename it`, { entry: chosen }));
    }
    if (kind === 'tincan') {
      const all = source.files.filter((f) => baseName(f).toLowerCase() === 'tincan.xml');
      if (all.length > 1) findings.push(makeFinding('xapi.descriptor.multiple', `the package holds ${all.length} tincan.xml files (${all.join(', ')}); an xAPI package has exactly one, at the root`, { entry: all.find((f) => f !== chosen)! }));
    }
  }
  phases.add('descriptor');
  if (kind !== 'tincan') prewarmXmllint();
  let bytes: Buffer;
  try {
    bytes = await source.read(entry);
  } catch (err) {
    findings.push(unreadable(source, entry, err));
    return standardFromKind(kind);
  }
  throwIfCancelled(ctx.signal);
  const parsed = parseDescriptor(bytes);
  if (parsed.problem || !parsed.root) {
    const p = parsed.problem!;
    findings.push(makeFinding(p.ruleId, `${entry} ${p.message}`, { entry, line: p.line, column: p.column }));
    return guessStandard(kind, parsed.text ?? bytes.toString('latin1'));
  }
  const root = parsed.root;
  kind ??= kindFromRoot(root);
  if (!kind) {
    throw new UserError(`${source.absPath} is an XML file but not a package descriptor (its root is <${root.name}>).`, {
      code: 'E_VALIDATE_INPUT',
      hint: 'Pass imsmanifest.xml, cmi5.xml or tincan.xml, or the package zip or folder.',
    });
  }
  phases.add('semantic');
  const files = source.kind === 'descriptor' ? undefined : new FileIndex(source.files);
  const text = parsed.text!;
  if (kind === 'imsmanifest') {
    const det = detectScorm(root, entry);
    append(findings, det.findings);
    if (det.standard === 'unknown') return 'unknown';
    if (det.schemaSet) await schemaCheck(text, det.schemaSet, entry, findings);
    append(findings, checkScorm({ entry, root, standard: det.standard, files, fileList: files ? source.files : undefined }));
    return det.standard;
  }
  if (kind === 'cmi5') {
    await schemaCheck(text, 'cmi5', entry, findings);
    // Each standard's semantic rules load only for a package of that standard (start-up time).
    const { checkCmi5 } = await import('./cmi5.js');
    append(findings, checkCmi5({ entry, root, files }));
    return 'cmi5';
  }
  const { checkXapi } = await import('./xapi.js');
  append(findings, checkXapi({ entry, root, files }));
  return 'xapi';
}

async function schemaCheck(text: string, set: Parameters<typeof validateXsd>[1], entry: string, findings: Finding[]): Promise<void> {
  const r = await validateXsd(text, set, entry);
  for (const e of r.errors.slice(0, MAX_SCHEMA_FINDINGS)) {
    findings.push(makeFinding('xml.schema-invalid', `${entry} breaks the ${set} schema: ${shortenNamespaces(e.message)}`, { entry, line: e.line, column: e.column }));
  }
  if (r.errors.length > MAX_SCHEMA_FINDINGS) findings.push(makeFinding('xml.schema-invalid', `${entry}: ${r.errors.length - MAX_SCHEMA_FINDINGS} more schema errors`, { entry }));
}

/** libxml2 writes `{namespace-uri}name`; the usual prefixes read better and say the same. */
const PREFIXES: Record<string, string> = {
  'http://www.imsglobal.org/xsd/imscp_v1p1': 'imscp',
  'http://www.imsproject.org/xsd/imscp_rootv1p1p2': 'imscp',
  'http://www.adlnet.org/xsd/adlcp_v1p3': 'adlcp',
  'http://www.adlnet.org/xsd/adlcp_rootv1p2': 'adlcp',
  'http://www.adlnet.org/xsd/adlseq_v1p3': 'adlseq',
  'http://www.adlnet.org/xsd/adlnav_v1p3': 'adlnav',
  'http://www.imsglobal.org/xsd/imsss': 'imsss',
  'http://ltsc.ieee.org/xsd/LOM': 'lom',
  'http://www.imsglobal.org/xsd/imsmd_rootv1p2p1': 'imsmd',
  'https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd': 'cmi5',
};

function shortenNamespaces(message: string): string {
  return message.replace(/\{([^}\s]+)\}([\w.-]+)/g, (all, uri: string, local: string) => (PREFIXES[uri] ? `${PREFIXES[uri]}:${local}` : all));
}

/** The finding for a package file that could not be read (a bare descriptor that cannot be read is an input error). */
function unreadable(source: PackageSource, entry: string, err: unknown): Finding {
  if (source.kind === 'folder') return makeFinding('folder.unreadable', `${entry} cannot be read (${ioReason(err)}); fix its permissions`, { entry });
  if (source.kind === 'descriptor') throw new UserError(`${entry} cannot be read: ${ioReason(err)}.`, { code: 'E_VALIDATE_INPUT', hint: 'Check the file permissions.', cause: err });
  return makeFinding('zip.entry.unreadable', `${entry} cannot be read: ${(err as Error).message}`, { entry });
}

const depth = (f: string) => f.split(/[\\/]/).length;

async function reportMissingDescriptor(source: PackageSource, findings: Finding[], phases: Set<Phase>): Promise<Standard> {
  const nested = source.files
    .filter((f) => DESCRIPTOR_FILES[baseName(f).toLowerCase()] !== undefined)
    .sort((a, b) => depth(a) - depth(b) || PRIORITY.indexOf(DESCRIPTOR_FILES[baseName(a).toLowerCase()]!) - PRIORITY.indexOf(DESCRIPTOR_FILES[baseName(b).toLowerCase()]!));
  const hit = nested[0];
  if (!hit) return checkWebBundle(source, findings, phases);
  const kind = DESCRIPTOR_FILES[baseName(hit).toLowerCase()]!;
  const folder = hit.slice(0, hit.length - baseName(hit).length);
  findings.push(
    makeFinding(
      NOT_AT_ROOT[kind],
      `${baseName(hit)} is in "${folder}" instead of the package root, so the LMS finds no course and rejects the import (the classic mistake of zipping the folder rather than its contents). Zip the contents of "${folder}" so that ${baseName(hit)} is at the top`,
      { entry: hit },
    ),
  );
  if (kind !== 'imsmanifest') return standardFromKind(kind);
  // Say which SCORM it would be, so the report reads right once the zip is fixed.
  try {
    const parsed = parseDescriptor(await source.read(hit));
    return parsed.root ? detectScorm(parsed.root, hit).standard : guessStandard(kind, parsed.text ?? '');
  } catch {
    return 'unknown';
  }
}

/** The web-bundle checks load an HTML parser (parse5), which SCORM, xAPI and cmi5 runs never need. */
function loadWebChecks(): Promise<typeof WebChecks> {
  return import('./web.js');
}

/**
 * No LMS descriptor anywhere: a web bundle when index.html is at the root (lessonkit's `web`
 * target, or any static site), checked for the files its page loads; otherwise nothing an LMS
 * or a web server could start.
 */
async function checkWebBundle(source: PackageSource, findings: Finding[], phases: Set<Phase>): Promise<Standard> {
  if (source.files.includes(WEB_INDEX)) {
    phases.add('semantic');
    let html: Buffer;
    try {
      html = await source.read(WEB_INDEX);
    } catch (err) {
      findings.push(unreadable(source, WEB_INDEX, err));
      return 'web';
    }
    append(findings, (await loadWebChecks()).checkWeb({ entry: WEB_INDEX, html, files: new FileIndex(source.files) }));
    return 'web';
  }
  const nested = source.files.filter((f) => baseName(f) === WEB_INDEX).sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1))[0];
  if (nested) {
    const folder = nested.slice(0, nested.length - WEB_INDEX.length);
    findings.push(
      makeFinding(
        'web.index.not-at-root',
        `the package has no LMS descriptor (imsmanifest.xml, cmi5.xml, tincan.xml) and its index.html is in "${folder}", not at the root, so neither an LMS nor a web server finds a start page. For a web bundle, zip the contents of "${folder}" so that index.html is at the top; for an LMS, export the package again with its descriptor`,
        { entry: nested },
      ),
    );
    return 'web';
  }
  const what = source.kind === 'folder' && source.files.length === 0 && source.unreadable.length === 0 ? 'the folder holds no files at all: ' : '';
  findings.push(
    makeFinding(
      'package.descriptor.missing',
      `${what}no imsmanifest.xml (SCORM), cmi5.xml (cmi5) or tincan.xml (xAPI) in the package, and no index.html at its root (a web bundle); export the package again from your authoring tool${what ? ' into this folder' : ''}`,
    ),
  );
  return 'unknown';
}

function kindFromRoot(root: XmlElement): DescriptorKind | undefined {
  if (root.local === 'manifest') return 'imsmanifest';
  if (root.local === 'courseStructure') return 'cmi5';
  if (root.local === 'tincan') return 'tincan';
  return undefined;
}

function standardFromKind(kind: DescriptorKind | undefined): Standard {
  return kind === 'cmi5' ? 'cmi5' : kind === 'tincan' ? 'xapi' : 'unknown';
}

/** For a manifest that does not parse, the text still usually says which SCORM it is. */
function guessStandard(kind: DescriptorKind | undefined, text: string): Standard {
  if (kind !== 'imsmanifest') return standardFromKind(kind);
  if (text.includes('imscp_rootv1p1p2')) return 'scorm12';
  if (text.includes('2004 4th Edition')) return 'scorm2004-4th';
  if (text.includes('2004 3rd Edition')) return 'scorm2004-3rd';
  if (text.includes('CAM 1.3')) return 'scorm2004-2nd';
  return 'unknown';
}

/** `--deep`: CRC-32 of every zip entry, then media headers. */
async function deepChecks(source: PackageSource, findings: Finding[], ctx: RunContext): Promise<void> {
  const { checkMedia, isMediaFile } = await import('./media.js');
  const media: Finding[] = [];
  if (source.zip) {
    const { fh, dir } = source.zip;
    const entries = dir.entries.filter((e) => !e.isDirectory && !e.encrypted && (e.method === 0 || e.method === 8) && e.localHeaderOffset >= 0);
    const total = entries.reduce((n, e) => n + Math.max(0, e.compressedSize), 0);
    let done = 0;
    for (const e of entries) {
      throwIfCancelled(ctx.signal);
      let crc = 0;
      try {
        const produced = await streamEntry(fh, e, (chunk) => (crc = zlib.crc32(chunk, crc)), ctx.signal);
        if (produced !== e.uncompressedSize) {
          findings.push(makeFinding('zip.entry.crc-mismatch', `entry "${e.name}" decompresses to ${produced} bytes but declares ${e.uncompressedSize}; the zip is damaged: re-create it`, { entry: e.name }));
        } else if (crc >>> 0 !== e.crc32 >>> 0) {
          findings.push(makeFinding('zip.entry.crc-mismatch', `entry "${e.name}" has CRC-32 ${hex(crc)} but declares ${hex(e.crc32)}; the file was damaged after zipping: re-create the zip`, { entry: e.name }));
        }
      } catch (err) {
        if (ctx.signal?.aborted) throw err;
        findings.push(makeFinding('zip.entry.unreadable', `entry "${e.name}" cannot be read: ${(err as Error).message}; re-create the zip`, { entry: e.name }));
        continue;
      }
      done += Math.max(0, e.compressedSize);
      ctx.onProgress?.({ phase: 'validate --deep', current: done, total, item: e.name });
      if (isMediaFile(e.name)) append(media, await checkMedia(e.name, await zipMediaReader(source, e)));
    }
  } else {
    for (const f of source.files.filter(isMediaFile)) {
      throwIfCancelled(ctx.signal);
      let fh: FileHandle;
      try {
        fh = await open(path.join(source.absPath, ...f.split('/')), 'r');
      } catch (err) {
        findings.push(makeFinding('folder.unreadable', `${f} cannot be read (${ioReason(err)}); fix its permissions`, { entry: f }));
        continue;
      }
      try {
        const size = (await fh.stat()).size;
        append(media, await checkMedia(f, { size, read: (o, l) => readAt(fh, o, l, size) }));
      } finally {
        await fh.close();
      }
    }
  }
  append(findings, media);
}

async function zipMediaReader(source: PackageSource, e: Parameters<typeof readEntry>[1]): Promise<MediaReader> {
  const fh = source.zip!.fh;
  if (e.method === 0) {
    const start = await entryDataOffset(fh, e);
    return { size: e.uncompressedSize, read: (o, l) => readAt(fh, start + o, Math.min(l, e.uncompressedSize - o), Number.MAX_SAFE_INTEGER) };
  }
  // Media is normally stored; a deflated one is inflated in memory (bounded).
  const data = await readEntry(fh, e, 512 * 1024 * 1024);
  return { size: data.length, read: async (o, l) => data.subarray(o, o + l) };
}

async function readAt(fh: FileHandle, offset: number, length: number, size: number): Promise<Buffer> {
  const len = Math.max(0, Math.min(length, size - offset));
  const buf = Buffer.alloc(len);
  let done = 0;
  while (done < len) {
    const { bytesRead } = await fh.read(buf, done, len - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
