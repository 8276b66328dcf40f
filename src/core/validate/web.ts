/**
 * Web bundles: a package with no LMS descriptor and an `index.html` at its root, such as
 * lessonkit's `web` target, served by any web server. The checks are the ones a browser would
 * trip over: every local `href`/`src` of the page (and every file lessonkit's player
 * configuration names) must be a file of the bundle, spelled with the same letter case.
 */
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { isAbsoluteUrl, joinBase, resolveHref, type FileIndex } from './hrefs.js';
import { makeFinding } from './rules.js';
import type { Finding } from './types.js';

type Element = DefaultTreeAdapterMap['element'];
type ParentNode = DefaultTreeAdapterMap['parentNode'];

/** What {@link checkWeb} needs. */
export interface WebCheckInput {
  /** The page's name in the bundle (`index.html`). */
  entry: string;
  /** The page's bytes. */
  html: Buffer;
  /** Every file of the bundle. */
  files: FileIndex;
}

/** Attributes that load or link a resource, by element (`*`: any element). */
const URL_ATTRS: Record<string, readonly string[]> = {
  a: ['href'],
  area: ['href'],
  link: ['href'],
  script: ['src'],
  img: ['src', 'srcset'],
  source: ['src', 'srcset'],
  track: ['src'],
  audio: ['src'],
  video: ['src', 'poster'],
  iframe: ['src'],
  embed: ['src'],
  object: ['data'],
  input: ['src'],
};

/** The id of the JSON block in which lessonkit's launch page hands the player its configuration. */
const CONFIG_ID = 'lessonkit-config';

/** Checks the page's local references and, when it carries one, lessonkit's player configuration. */
export function checkWeb(input: WebCheckInput): Finding[] {
  const { entry, files } = input;
  const findings: Finding[] = [];
  const html = new TextDecoder('utf-8').decode(input.html);
  const doc = parse(html, { sourceCodeLocationInfo: true });
  // The page's folder; a <base href> inside the bundle moves it, an external one makes every
  // relative reference external.
  let base: string | undefined = entry.includes('/') ? entry.slice(0, entry.lastIndexOf('/') + 1) : '';
  const elements = [...walk(doc)];
  const baseEl = elements.find((el) => el.tagName === 'base' && attr(el, 'href') !== undefined);
  if (baseEl) base = joinBase(base, attr(baseEl, 'href')!.trim());

  const check = (ref: string, from: string, at: { line?: number; column?: number }, root: string | undefined = base): void => {
    const value = ref.trim().replace(/\\/g, '/'); // browsers read \ as / in http(s) URLs
    if (value === '' || value.startsWith('#') || value.startsWith('//') || isAbsoluteUrl(value) || root === undefined) return;
    const loc = { entry, ...at };
    const r = resolveHref(value, root);
    if (r.kind === 'external') return;
    if (r.kind === 'problem') {
      if (r.ruleId === 'leading-slash') {
        findings.push(makeFinding('web.href.leading-slash', `${from} starts with a slash, so it only works when the bundle is served at the root of a web site; make it relative ("${value.replace(/^\/+/, '')}")`, loc));
        checkFile(value.replace(/^\/+/, ''), '', from, loc);
      } else if (r.ruleId === 'outside-package') {
        findings.push(makeFinding('web.href.outside-package', `${from} climbs above the bundle root with ..; keep every file the page uses inside the bundle`, loc));
      } else {
        findings.push(makeFinding('web.href.malformed', `${from} has a malformed percent-escape; encode % as %25`, loc));
      }
      return;
    }
    if (r.path === '' || r.path.endsWith('/')) return; // a folder: the server's index, not a file we can check
    const found = files.lookup(r.path);
    if (found.status === 'case') {
      findings.push(makeFinding('web.href.case-mismatch', `${from} names ${r.path}, but the bundle has ${found.actual}; web servers are case-sensitive: use the exact name`, loc));
    } else if (found.status === 'missing') {
      findings.push(makeFinding('web.file.missing', `${from} names ${r.path}, which is not in the bundle; add the file or fix the reference`, loc));
    }
  };
  const checkFile = (value: string, root: string, from: string, loc: { entry: string; line?: number; column?: number }) => {
    const r = resolveHref(value, root);
    if (r.kind !== 'file' || r.path === '') return;
    if (files.lookup(r.path).status === 'missing') findings.push(makeFinding('web.file.missing', `${from} names ${r.path}, which is not in the bundle; add the file or fix the reference`, loc));
  };

  for (const el of elements) {
    const names = URL_ATTRS[el.tagName];
    if (names) {
      for (const name of names) {
        const value = attr(el, name);
        if (value === undefined) continue;
        const pos = el.sourceCodeLocation?.attrs?.[name];
        const at = pos ? { line: pos.startLine, column: pos.startCol } : {};
        const refs = name === 'srcset' ? srcsetUrls(value) : [value];
        for (const ref of refs) check(ref, `<${el.tagName} ${name}="${ref}">`, at);
      }
    }
    if (el.tagName === 'script' && attr(el, 'id') === CONFIG_ID) checkConfig(el, entry, findings, check);
  }
  return findings;
}

/** Checks lessonkit's player configuration: valid JSON, and every video, poster, caption and material it names is in the bundle. */
function checkConfig(el: Element, entry: string, findings: Finding[], check: (ref: string, from: string, at: { line?: number; column?: number }, root?: string) => void): void {
  const loc = el.sourceCodeLocation;
  const at = loc ? { line: loc.startLine, column: loc.startCol } : {};
  const text = el.childNodes.map((n) => ('value' in n ? n.value : '')).join('');
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (err) {
    findings.push(makeFinding('web.config.invalid', `the player configuration (<script id="${CONFIG_ID}">) is not valid JSON (${(err as Error).message}), so the player cannot start; build the bundle again`, { entry, ...at }));
    return;
  }
  const lessons = (config as { lessons?: unknown } | null)?.lessons;
  if (!Array.isArray(lessons)) {
    findings.push(makeFinding('web.config.invalid', `the player configuration (<script id="${CONFIG_ID}">) has no "lessons" list, so the player has nothing to play; build the bundle again`, { entry, ...at }));
    return;
  }
  // Paths in the configuration are relative to the bundle root, whatever folder the page is in.
  for (const lesson of lessons as unknown[]) {
    const l = (lesson ?? {}) as { id?: unknown; segments?: unknown; materials?: unknown };
    const lessonName = typeof l.id === 'string' ? `lesson "${l.id}"` : 'a lesson';
    for (const seg of Array.isArray(l.segments) ? (l.segments as unknown[]) : []) {
      const s = (seg ?? {}) as Record<string, unknown>;
      const segName = typeof s.id === 'string' ? `segment "${s.id}" in ${lessonName}` : `a segment in ${lessonName}`;
      for (const key of ['video', 'poster', 'captions']) {
        const value = s[key];
        if (typeof value === 'string') check(value, `the player configuration (${key} of ${segName})`, at, '');
      }
    }
    for (const mat of Array.isArray(l.materials) ? (l.materials as unknown[]) : []) {
      const href = ((mat ?? {}) as { href?: unknown }).href;
      if (typeof href === 'string') check(href, `the player configuration (a material of ${lessonName})`, at, '');
    }
  }
}

/** Every element of the document in source order, including those inside <template>. */
function* walk(node: ParentNode): Generator<Element> {
  for (const child of node.childNodes) {
    if (!('tagName' in child)) continue;
    yield child;
    yield* walk(child);
    if (child.tagName === 'template' && 'content' in child) yield* walk((child as DefaultTreeAdapterMap['template']).content);
  }
}

function attr(el: Element, name: string): string | undefined {
  return el.attrs.find((a) => a.name === name)?.value;
}

/**
 * The URLs of a srcset, split the way the HTML standard does: a candidate is a URL (a run of
 * non-space characters; trailing commas end it) and an optional descriptor up to the next comma
 * outside parentheses. A plain split on commas would cut `data:` URLs apart.
 */
export function srcsetUrls(srcset: string): string[] {
  const urls: string[] = [];
  let i = 0;
  while (i < srcset.length) {
    while (i < srcset.length && /[\s,]/.test(srcset[i]!)) i++;
    let url = '';
    while (i < srcset.length && !/\s/.test(srcset[i]!)) url += srcset[i++];
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      let depth = 0;
      for (; i < srcset.length; i++) {
        const ch = srcset[i];
        if (ch === '(') depth++;
        else if (ch === ')') depth = Math.max(0, depth - 1);
        else if (ch === ',' && depth === 0) break;
      }
    }
    if (url) urls.push(url);
  }
  return urls;
}
