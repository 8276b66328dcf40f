/** Resolving descriptor hrefs to package files, the way an LMS web server will look them up. */

/** How an href resolved. */
export type HrefResolution =
  | { kind: 'external' }
  | { kind: 'file'; path: string }
  | { kind: 'problem'; ruleId: 'backslash' | 'leading-slash' | 'outside-package' | 'malformed'; message: string };

/** True for an absolute URL (`scheme:`), which points outside the package. */
export function isAbsoluteUrl(href: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(href) && !/^[A-Za-z]:[\\/]/.test(href);
}

/**
 * Resolves `href` against `base` (a package-relative folder: '' or 'a/b/'): strips the query
 * and fragment, percent-decodes each segment and normalises `.`/`..`. Percent-decoding happens
 * per segment so an encoded slash (%2F) cannot invent a folder.
 */
export function resolveHref(href: string, base: string): HrefResolution {
  if (href.includes('\\')) return { kind: 'problem', ruleId: 'backslash', message: `"${href}" uses a backslash; use / (LMS web servers treat \\ as part of the name)` };
  if (isAbsoluteUrl(href)) return { kind: 'external' };
  const bare = href.replace(/[?#].*$/s, '');
  if (bare.startsWith('/')) return { kind: 'problem', ruleId: 'leading-slash', message: `"${href}" starts with a slash, so it points at the LMS server root, not into the package; remove the leading /` };
  const segments: string[] = base.split('/').filter(Boolean);
  for (const raw of bare.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { kind: 'problem', ruleId: 'malformed', message: `"${href}" has a malformed percent-escape; encode % as %25` };
    }
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (segments.length === 0) return { kind: 'problem', ruleId: 'outside-package', message: `"${href}" climbs above the package root with ..; keep every file inside the package` };
      segments.pop();
      continue;
    }
    segments.push(seg);
  }
  return { kind: 'file', path: segments.join('/') };
}

/** Joins an xml:base value onto a base folder. Returns undefined when the base is absolute (an external location). */
export function joinBase(base: string, xmlBase: string | undefined): string | undefined {
  if (xmlBase === undefined || xmlBase === '') return base;
  if (isAbsoluteUrl(xmlBase)) return undefined;
  const r = resolveHref(xmlBase.endsWith('/') ? xmlBase : `${xmlBase}/`, base);
  if (r.kind !== 'file') return base;
  return r.path ? `${r.path}/` : '';
}

/** Fast exact and case-insensitive lookup of package files. */
export class FileIndex {
  private readonly exact: Set<string>;
  private readonly folded = new Map<string, string>();
  /** Builds the index over package-relative file names. */
  constructor(files: Iterable<string>) {
    this.exact = new Set(files);
    for (const f of this.exact) {
      const k = f.normalize('NFC').toLowerCase();
      if (!this.folded.has(k)) this.folded.set(k, f);
    }
  }
  /** `found`, `missing`, or the file that matches only when letter case is ignored. */
  lookup(p: string): { status: 'found' } | { status: 'missing' } | { status: 'case'; actual: string } {
    if (this.exact.has(p) || this.exact.has(p.normalize('NFC')) || this.exact.has(p.normalize('NFD'))) return { status: 'found' };
    const other = this.folded.get(p.normalize('NFC').toLowerCase());
    return other ? { status: 'case', actual: other } : { status: 'missing' };
  }
}
