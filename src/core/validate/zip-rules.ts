/**
 * Zip-safety rules, decided from the central directory alone (nothing is extracted): names
 * that escape the root, links, duplicates, case collisions, encryption, methods, name
 * encodings, and the signals of a zip bomb (ratio, declared size, overlapping entries).
 */
import { makeFinding } from './rules.js';
import type { Finding } from './types.js';
import type { ZipDirectory, ZipEntry } from './zip.js';

/** An entry expanding more than this many times... */
const MAX_RATIO = 100;
/** ...to at least this many bytes is treated as a bomb. Text compresses 5-20x; media barely. */
const RATIO_MIN_SIZE = 1024 * 1024;
/** Declared total above this is no course package. */
const MAX_TOTAL = 16 * 1024 ** 3;
/** Findings per rule before the rest are summarised in one line. */
const CAP = 50;

/** Runs every zip-safety rule over the central directory. */
export function checkZipSafety(dir: ZipDirectory): Finding[] {
  const out: Finding[] = [];
  const counts = new Map<string, number>();
  const push = (id: string, message: string, entry?: string, severity?: 'warning') => {
    const n = (counts.get(id) ?? 0) + 1;
    counts.set(id, n);
    if (n <= CAP) out.push(makeFinding(id, message, entry === undefined ? undefined : { entry }, severity));
  };
  for (const p of dir.problems) push('zip.central-directory.corrupt', `the zip is damaged: ${p}; re-create it with a standard zip tool`);
  if (dir.problems.length > 0 && dir.entries.length === 0) return out;
  if (!dir.entries.some((e) => !e.isDirectory)) push('zip.empty', 'the zip holds no files; zip the package folder contents');

  const byName = new Map<string, ZipEntry>();
  const byFolded = new Map<string, ZipEntry>();
  let total = 0;
  for (const e of dir.entries) {
    const n = e.name;
    const shown = JSON.stringify(n);
    if (/^[\\/]/.test(n) || /^[A-Za-z]:/.test(n)) {
      push('zip.entry.absolute-path', `entry ${shown} is an absolute path${/^[A-Za-z]:/.test(n) ? ' with a drive letter' : ''}; an unzipper could write it anywhere on the LMS server. Store paths relative to the package root`, n);
    }
    if (escapesRoot(n)) push('zip.entry.path-traversal', `entry ${shown} climbs out of the package with ".."; an unzipper could overwrite files on the LMS server (zip slip). Remove it`, n);
    if (n.includes('\\')) push('zip.entry.backslash', `entry ${shown} uses backslashes; most unzippers keep them as part of the file name. Re-zip with a tool that writes / (e.g. 7-Zip, Info-ZIP, or lessonkit build)`, n);
    if (n.includes('\u0000')) push('zip.entry.absolute-path', `entry ${JSON.stringify(n.split('\u0000').join('\\0'))} contains a NUL character, which truncates the path in C unzippers; remove it`, n);
    if (e.isSymlink) push('zip.entry.symlink', `entry ${shown} is a symbolic link; extracted, it can point at files outside the package. Replace it with the real file`, n);
    if (e.encrypted) push('zip.entry.encrypted', `entry ${shown} is encrypted; LMSs cannot read it. Zip without a password`, n);
    else if (e.method !== 0 && e.method !== 8) push('zip.entry.unsupported-method', `entry ${shown} uses compression method ${e.method}${methodName(e.method)}; LMS unzippers read only stored (0) and deflate (8). Re-zip with deflate`, n);
    if (e.nameProblem) push('zip.entry.non-utf8-name', `entry ${shown} ${e.nameProblem}; rename it to ASCII or re-zip with a tool that sets the UTF-8 flag`, n, e.nameProblemMinor ? 'warning' : undefined);
    const first = byName.get(n);
    if (first) push('zip.entry.duplicate', `entry ${shown} appears more than once (records ${first.index + 1} and ${e.index + 1}); unzippers keep either one. Remove the duplicate`, n);
    else {
      byName.set(n, e);
      // Folders that differ by case merge harmlessly on extraction; only files overwrite each other.
      const folded = n.normalize('NFC').toLowerCase();
      const other = e.isDirectory ? undefined : byFolded.get(folded);
      if (other) push('zip.entry.case-collision', `entries ${JSON.stringify(other.name)} and ${shown} differ only in letter case; on Windows and macOS one overwrites the other. Rename one`, n);
      else if (!e.isDirectory) byFolded.set(folded, e);
    }
    if (e.uncompressedSize >= RATIO_MIN_SIZE && (e.compressedSize === 0 || e.uncompressedSize / e.compressedSize > MAX_RATIO)) {
      const ratio = e.compressedSize === 0 ? 'infinitely' : `${Math.round(e.uncompressedSize / e.compressedSize)} times`;
      push('zip.entry.compression-ratio', `entry ${shown} expands ${ratio} (${e.compressedSize} -> ${e.uncompressedSize} bytes), a zip-bomb signal; LMSs refuse such packages`, n);
    }
    if (e.uncompressedSize > 0) total += e.uncompressedSize;
  }
  if (total > MAX_TOTAL) push('zip.size.declared-too-large', `the entries declare ${(total / 1024 ** 3).toFixed(1)} GiB uncompressed, more than the 16 GiB any course package needs: a zip-bomb signal`);

  // Overlap: each entry's data must end before the next local header. The estimate ignores
  // the local extra field, so it is a lower bound: a reported overlap is certain.
  const sorted = dir.entries.filter((e) => e.localHeaderOffset >= 0 && e.compressedSize >= 0).sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    const prevEnd = prev.localHeaderOffset + 30 + prev.rawName.length + prev.compressedSize;
    if (cur.localHeaderOffset < prevEnd) {
      push('zip.entry.overlap', `entries ${JSON.stringify(prev.name)} and ${JSON.stringify(cur.name)} share data (offsets ${prev.localHeaderOffset} and ${cur.localHeaderOffset}); overlapping entries are a zip-bomb technique`, cur.name);
    }
  }
  for (const [id, n] of counts) if (n > CAP) out.push(makeFinding(id, `${n - CAP} more entries break this rule (${n} in all)`));
  return out;
}

function escapesRoot(name: string): boolean {
  let depth = 0;
  for (const seg of name.split(/[\\/]/)) {
    if (seg === '..') {
      depth -= 1;
      if (depth < 0) return true;
    } else if (seg !== '' && seg !== '.') depth += 1;
  }
  return false;
}

function methodName(m: number): string {
  const names: Record<number, string> = { 9: ' (deflate64)', 12: ' (bzip2)', 14: ' (LZMA)', 93: ' (zstd)', 95: ' (xz)', 98: ' (PPMd)', 99: ' (AES encryption)' };
  return names[m] ?? '';
}
