/**
 * What an LMS can launch from a package folder: every SCO (or asset) of every SCORM
 * organisation, every cmi5 AU, the xAPI launch activity, or a plain web page. Read from the
 * descriptor with the validator's safe XML reader (no entities, no network).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { joinBase, resolveHref } from '../validate/hrefs.js';
import { NS_CP12 } from '../validate/scorm.js';
import { attr, parseDescriptor, type XmlElement } from '../validate/xml.js';

/** The runtime a package needs. */
export type PreviewStandard = 'scorm12' | 'scorm2004' | 'xapi' | 'cmi5' | 'web';

/** One thing the learner can launch. */
export interface Launchable {
  /** Stable id inside the package (item identifier, AU id, `course`). */
  id: string;
  /** What the LMS shows for it. */
  title: string;
  /** Launch path relative to the package root, with its query (parameters) if any. */
  href: string;
  /** SCORM: the organisation it belongs to. */
  organization?: string;
  /** SCORM: `sco` (talks to the API) or `asset`. */
  scormType?: 'sco' | 'asset';
  /** cmi5: the AU id (publisher id). */
  publisherId?: string;
  /** cmi5: moveOn. */
  moveOn?: string;
  /** cmi5: masteryScore (0..1). */
  masteryScore?: number;
  /** cmi5: launchParameters. */
  launchParameters?: string;
  /** xAPI: the activity id. */
  activityId?: string;
}

/** A package as the preview sees it. */
export interface PackageDescription {
  /** Its runtime. */
  standard: PreviewStandard;
  /** Course title from the descriptor. */
  title: string;
  /** Course id (manifest identifier, cmi5 course id, xAPI activity id). */
  courseId: string;
  /** Launchable items in descriptor order. */
  launchables: Launchable[];
}

const exists = (file: string) =>
  stat(file).then(
    (s) => s.isFile(),
    () => false,
  );

/** Reads the package in `root` (imsmanifest.xml, cmi5.xml, tincan.xml or index.html at its root). */
export async function describePackage(root: string, label = root): Promise<PackageDescription> {
  if (await exists(path.join(root, 'imsmanifest.xml'))) return describeScorm(await parse(path.join(root, 'imsmanifest.xml'), label));
  if (await exists(path.join(root, 'cmi5.xml'))) return describeCmi5(await parse(path.join(root, 'cmi5.xml'), label));
  if (await exists(path.join(root, 'tincan.xml'))) return describeXapi(await parse(path.join(root, 'tincan.xml'), label));
  if (await exists(path.join(root, 'index.html'))) return { standard: 'web', title: path.basename(label), courseId: 'web', launchables: [{ id: 'index', title: 'index.html', href: 'index.html' }] };
  throw new UserError(`${label} holds no imsmanifest.xml, cmi5.xml, tincan.xml or index.html at its root, so there is nothing to preview.`, {
    code: 'E_INPUT',
    hint: 'Pass a course folder (with course.yaml), a package zip, or an unpacked package folder.',
  });
}

async function parse(file: string, label: string): Promise<XmlElement> {
  const parsed = parseDescriptor(await readFile(file));
  if (!parsed.root) {
    throw new UserError(`${label}: ${path.basename(file)} cannot be read: ${parsed.problem?.message ?? 'not well-formed'}.`, { code: 'E_INPUT', hint: `Run \`lessonkit validate ${label}\` for every problem.` });
  }
  return parsed.root;
}

function childrenLocal(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local);
}

function titleOf(el: XmlElement): string {
  return childrenLocal(el, 'title')[0]?.text.trim() ?? '';
}

function xmlBase(el: XmlElement | undefined): string | undefined {
  return el ? attr(el, 'base', 'http://www.w3.org/XML/1998/namespace') : undefined;
}

/** SCORM: every item with a resource, of the default organisation first, then the others. */
export function describeScorm(root: XmlElement): PackageDescription {
  const standard: PreviewStandard = root.uri === NS_CP12 ? 'scorm12' : 'scorm2004';
  const orgsEl = childrenLocal(root, 'organizations')[0];
  const resourcesEl = childrenLocal(root, 'resources')[0];
  const rootBase = joinBase('', xmlBase(root)) ?? '';
  const resBase = joinBase(rootBase, xmlBase(resourcesEl)) ?? rootBase;
  const resources = new Map<string, XmlElement>();
  for (const r of resourcesEl ? childrenLocal(resourcesEl, 'resource') : []) {
    const id = attr(r, 'identifier');
    if (id) resources.set(id, r);
  }
  const orgs = orgsEl ? childrenLocal(orgsEl, 'organization') : [];
  const def = orgsEl ? attr(orgsEl, 'default') : undefined;
  orgs.sort((a, b) => Number(attr(b, 'identifier') === def) - Number(attr(a, 'identifier') === def));
  const launchables: Launchable[] = [];
  const walk = (item: XmlElement, org: string) => {
    const ref = attr(item, 'identifierref');
    const res = ref ? resources.get(ref) : undefined;
    const href = res ? attr(res, 'href') : undefined;
    if (res && href) {
      const base = joinBase(resBase, xmlBase(res)) ?? resBase;
      const resolved = resolveHref(href, base);
      if (resolved.kind === 'file') {
        const query = href.includes('?') ? href.slice(href.indexOf('?')) : '';
        const params = (attr(item, 'parameters') ?? '').replace(/^[?&]/, '');
        const joined = params ? `${query ? `${query}&` : '?'}${params}` : query;
        const type = (attr(res, 'scormtype', 'http://www.adlnet.org/xsd/adlcp_rootv1p2') ?? attr(res, 'scormType', 'http://www.adlnet.org/xsd/adlcp_v1p3') ?? 'sco').toLowerCase();
        launchables.push({ id: attr(item, 'identifier') ?? ref ?? `item-${launchables.length + 1}`, title: titleOf(item) || ref || 'Untitled', href: `${resolved.path}${joined}`, organization: org, scormType: type === 'asset' ? 'asset' : 'sco' });
      }
    }
    for (const child of childrenLocal(item, 'item')) walk(child, org);
  };
  for (const org of orgs) for (const item of childrenLocal(org, 'item')) walk(item, titleOf(org) || attr(org, 'identifier') || '');
  const firstOrg = orgs[0];
  return { standard, title: (firstOrg && titleOf(firstOrg)) || attr(root, 'identifier') || 'SCORM package', courseId: attr(root, 'identifier') ?? 'manifest', launchables };
}

function langText(el: XmlElement | undefined): string {
  if (!el) return '';
  const strings = childrenLocal(el, 'langstring');
  return (strings[0]?.text ?? el.text).trim();
}

/** cmi5: every AU, at any depth of blocks. */
export function describeCmi5(root: XmlElement): PackageDescription {
  const course = childrenLocal(root, 'course')[0];
  const launchables: Launchable[] = [];
  const walk = (el: XmlElement) => {
    for (const child of el.children) {
      if (child.local === 'au') {
        const id = attr(child, 'id') ?? `au-${launchables.length + 1}`;
        const url = childrenLocal(child, 'url')[0]?.text.trim() ?? '';
        const mastery = attr(child, 'masteryScore');
        const params = childrenLocal(child, 'launchParameters')[0]?.text;
        launchables.push({
          id,
          title: langText(childrenLocal(child, 'title')[0]) || id,
          href: url,
          publisherId: id,
          moveOn: attr(child, 'moveOn') ?? 'NotApplicable',
          ...(mastery !== undefined ? { masteryScore: Number(mastery) } : {}),
          ...(params !== undefined ? { launchParameters: params } : {}),
        });
      } else if (child.local === 'block') {
        walk(child);
      }
    }
  };
  walk(root);
  const courseId = (course && attr(course, 'id')) ?? 'cmi5-course';
  return { standard: 'cmi5', title: langText(course && childrenLocal(course, 'title')[0]) || courseId, courseId, launchables };
}

/** xAPI (tincan.xml): the activities with a launch element. */
export function describeXapi(root: XmlElement): PackageDescription {
  const activities = childrenLocal(root, 'activities')[0];
  const launchables: Launchable[] = [];
  for (const a of activities ? childrenLocal(activities, 'activity') : []) {
    const launch = childrenLocal(a, 'launch')[0]?.text.trim();
    const id = attr(a, 'id');
    if (!launch || !id) continue;
    launchables.push({ id, title: childrenLocal(a, 'name')[0]?.text.trim() || id, href: launch, activityId: id });
  }
  const first = launchables[0];
  return { standard: 'xapi', title: first?.title ?? 'xAPI package', courseId: first?.activityId ?? 'xapi', launchables };
}
