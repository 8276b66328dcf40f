/**
 * xAPI (Tin Can) package rules. No XSD for tincan.xml exists publicly, so the structure is
 * checked directly: <tincan xmlns="http://projecttincan.com/tincan.xsd"><activities><activity
 * id="IRI" type="..."><launch>index.html</launch></activity></activities></tincan>.
 */
import { isAbsoluteIri } from './cmi5.js';
import { resolveHref, type FileIndex } from './hrefs.js';
import { makeFinding } from './rules.js';
import type { Finding } from './types.js';
import { attr, childrenNamed, type XmlElement } from './xml.js';

/** The tincan.xml namespace (Rustici's launch document). */
export const NS_TINCAN = 'http://projecttincan.com/tincan.xsd';

/** Inputs of {@link checkXapi}. */
export interface XapiCheckInput {
  /** The descriptor's name in the package. */
  entry: string;
  /** Parsed tincan.xml. */
  root: XmlElement;
  /** Package files; undefined for a bare tincan.xml. */
  files?: FileIndex;
}

/** Runs every xAPI rule. */
export function checkXapi(input: XapiCheckInput): Finding[] {
  const { entry, root, files } = input;
  const out: Finding[] = [];
  const loc = (el: XmlElement) => ({ entry, line: el.line, column: el.column });
  if (root.local !== 'tincan') {
    out.push(makeFinding('xapi.descriptor.structure', `the root element is <${root.name}>; tincan.xml starts with <tincan xmlns="${NS_TINCAN}">`, loc(root)));
    return out;
  }
  if (root.uri !== NS_TINCAN) {
    // Some LMSs match elements by local name only; others find nothing. Worth fixing, not fatal.
    out.push(makeFinding('xapi.descriptor.structure', `<tincan> is in namespace "${root.uri || '(none)'}"; declare xmlns="${NS_TINCAN}" so every LMS finds the activities`, loc(root), 'warning'));
  }
  const ns = root.uri;
  const activitiesEl = childrenNamed(root, 'activities', ns)[0];
  const activities = activitiesEl ? childrenNamed(activitiesEl, 'activity', ns) : [];
  if (activities.length === 0) {
    out.push(makeFinding('xapi.descriptor.structure', `no <activities><activity> found; describe the course as an activity with an id and a <launch>`, loc(activitiesEl ?? root)));
    return out;
  }
  const launchers: XmlElement[] = [];
  for (const act of activities) {
    const id = attr(act, 'id');
    if (id === undefined || !isAbsoluteIri(id)) {
      out.push(makeFinding('xapi.activity.id-not-iri', `activity id ${id === undefined ? 'is missing' : `"${id}" is not an absolute IRI`}; use an IRI you control, e.g. https://example.com/courses/my-course`, loc(act)));
    }
    const launch = childrenNamed(act, 'launch', ns)[0];
    if (launch) launchers.push(launch);
  }
  if (launchers.length === 0) {
    out.push(makeFinding('xapi.activity.no-launch', `no activity has a <launch> element, so the LMS cannot start the course; add <launch lang="en-US">index.html</launch> to the course activity`, loc(activitiesEl ?? root)));
  } else if (launchers.length > 1) {
    out.push(makeFinding('xapi.activity.multiple-launch', `${launchers.length} activities have <launch>; LMSs launch only the first (line ${launchers[0]!.line}): keep one`, loc(launchers[1]!)));
  }
  const first = launchers[0];
  if (first && files) {
    const href = first.text.trim();
    const r = resolveHref(href, '');
    if (r.kind === 'problem') out.push(makeFinding('xapi.launch.file-missing', `the launch ${r.message}`, loc(first)));
    else if (r.kind === 'file') {
      const hit = files.lookup(r.path);
      if (hit.status === 'missing' || r.path === '') out.push(makeFinding('xapi.launch.file-missing', `the launch file "${r.path}" is not in the package; add it or fix <launch>`, loc(first)));
      else if (hit.status === 'case') out.push(makeFinding('xapi.launch.file-missing', `the launch file "${r.path}" is "${hit.actual}" in the package; LMS servers are case-sensitive: make the names match`, loc(first)));
    }
  }
  return out;
}
