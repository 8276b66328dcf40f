/**
 * cmi5 course-structure rules the XSD cannot express (cmi5 spec sections 13 and 14, and the
 * CATAPULT LMS test suite's "must reject" packages): absolute and unique IRIs, objective
 * references, AU URLs (valid, no launch-parameter names in the query, relative only inside a
 * package and then present), moveOn and masteryScore.
 */
import { isAbsoluteUrl, resolveHref, type FileIndex } from './hrefs.js';
import { makeFinding } from './rules.js';
import type { Finding } from './types.js';
import { attr, childrenNamed, descendants, type XmlElement } from './xml.js';

/** The cmi5 course-structure namespace. */
export const NS_CMI5 = 'https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd';

/** Query names the LMS appends when it launches an AU (cmi5 8.1). */
const LAUNCH_PARAMETERS = ['endpoint', 'fetch', 'actor', 'registration', 'activityId'];
const MOVE_ON = ['Passed', 'Completed', 'CompletedAndPassed', 'CompletedOrPassed', 'NotApplicable'];

/** True when `s` is an absolute IRI: a scheme, a colon, and no whitespace. */
export function isAbsoluteIri(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(s);
}

/** True when the text holds whitespace or a control character (never valid in a URL). */
function hasControlOrSpace(s: string): boolean {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c <= 0x20 || c === 0x7f || /\s/.test(ch)) return true;
  }
  return false;
}

/** Inputs of {@link checkCmi5}. */
export interface Cmi5CheckInput {
  /** The descriptor's name in the package. */
  entry: string;
  /** Parsed cmi5.xml. */
  root: XmlElement;
  /** Package files; undefined for a bare cmi5.xml (imported without a zip). */
  files?: FileIndex;
}

/** Runs every cmi5 rule. */
export function checkCmi5(input: Cmi5CheckInput): Finding[] {
  const { entry, root, files } = input;
  const out: Finding[] = [];
  const loc = (el: XmlElement) => ({ entry, line: el.line, column: el.column });
  const all = [root, ...descendants(root)].filter((el) => el.uri === NS_CMI5);

  // Ids: course, block, au, and objectives declared at the top level.
  const seen = new Map<string, XmlElement>();
  const declaredObjectives = new Set<string>();
  for (const el of all) {
    const isDeclaredObjective = el.local === 'objective' && el.parent?.local === 'objectives' && el.parent.parent === root;
    if (!['course', 'block', 'au'].includes(el.local) && !isDeclaredObjective) continue;
    const id = attr(el, 'id');
    if (id === undefined) continue;
    if (isDeclaredObjective) declaredObjectives.add(id);
    if (!isAbsoluteIri(id)) {
      out.push(makeFinding('cmi5.id.not-absolute-iri', `the ${el.local} id "${id}" is not an absolute IRI; start it with a scheme, e.g. https://${id.replace(/^\/+/, '')}`, loc(el)));
    }
    const first = seen.get(id);
    if (first) out.push(makeFinding('cmi5.id.duplicate', `the ${el.local} id "${id}" is already used by the ${first.local} on line ${first.line}; every course, block, AU and objective needs its own id`, loc(el)));
    else seen.set(id, el);
  }
  for (const el of all) {
    if (el.local !== 'objective' || el.parent?.parent === root) continue;
    const ref = attr(el, 'idref');
    if (ref !== undefined && !declaredObjectives.has(ref)) {
      out.push(makeFinding('cmi5.objective.unresolved', `objective idref "${ref}" names no objective declared in the course's <objectives>; declare it or fix the idref`, loc(el)));
    }
  }

  for (const au of all.filter((el) => el.local === 'au')) {
    const auId = attr(au, 'id') ?? '?';
    const moveOn = attr(au, 'moveOn');
    if (moveOn !== undefined && !MOVE_ON.includes(moveOn)) {
      out.push(makeFinding('cmi5.au.moveon-invalid', `AU "${auId}" has moveOn="${moveOn}"; use one of ${MOVE_ON.join(', ')} (case-sensitive)`, loc(au)));
    }
    const mastery = attr(au, 'masteryScore');
    if (mastery !== undefined) {
      const n = Number(mastery);
      if (mastery.trim() === '' || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(mastery.trim()) || n < 0 || n > 1) {
        out.push(makeFinding('cmi5.au.masteryscore-range', `AU "${auId}" has masteryScore="${mastery}"; it is a decimal from 0 to 1 (0.8 for 80%)`, loc(au)));
      }
    }
    const urlEl = childrenNamed(au, 'url', NS_CMI5)[0];
    if (!urlEl) continue;
    checkAuUrl(urlEl.text.trim(), auId, urlEl);
  }
  return out;

  function checkAuUrl(url: string, auId: string, el: XmlElement): void {
    // A URL reference has no whitespace or control characters, and valid percent-escapes.
    if (url === '' || hasControlOrSpace(url) || /[<>"{}|^`\\]/.test(url) || /%(?![0-9A-Fa-f]{2})/.test(url)) {
      out.push(makeFinding('cmi5.au.url-invalid', `AU "${auId}" has the url "${url}", which is not a valid URL (spaces and similar characters must be percent-encoded)`, loc(el)));
      return;
    }
    let query: URLSearchParams;
    const absolute = isAbsoluteUrl(url);
    try {
      query = new URL(url, 'https://lms.invalid/package/').searchParams;
    } catch {
      out.push(makeFinding('cmi5.au.url-invalid', `AU "${auId}" has the url "${url}", which is not a valid URL`, loc(el)));
      return;
    }
    const clash = LAUNCH_PARAMETERS.filter((p) => query.has(p));
    if (clash.length > 0) {
      out.push(makeFinding('cmi5.au.url-query-conflict', `AU "${auId}" url query uses ${clash.join(', ')}, which the LMS adds at launch; rename the parameter`, loc(el)));
    }
    if (absolute) return;
    if (!files) {
      out.push(makeFinding('cmi5.au.url-relative-without-package', `AU "${auId}" has the relative url "${url}", but this cmi5.xml is not inside a package; use an absolute URL or import it as a zip with the AU's files`, loc(el)));
      return;
    }
    const r = resolveHref(url, '');
    if (r.kind !== 'file') {
      out.push(makeFinding('cmi5.au.launch-file-missing', `AU "${auId}" url ${r.kind === 'problem' ? r.message : 'cannot be resolved'}`, loc(el)));
      return;
    }
    const hit = files.lookup(r.path);
    if (hit.status === 'missing') out.push(makeFinding('cmi5.au.launch-file-missing', `AU "${auId}" launches "${r.path}", which is not in the package; add it or fix the url`, loc(el)));
    else if (hit.status === 'case') out.push(makeFinding('cmi5.au.launch-file-missing', `AU "${auId}" launches "${r.path}", but the package has "${hit.actual}"; LMS servers are case-sensitive: make the names match`, loc(el)));
  }
}
