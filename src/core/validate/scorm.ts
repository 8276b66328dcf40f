/**
 * SCORM rules the schemas cannot express (identifiers, references, files, xml:base, ranges),
 * from the SCORM CAM books and ADL's test-suite rule catalogue, plus standard detection by
 * namespace and <schemaversion>.
 */
import { joinBase, resolveHref, isAbsoluteUrl, type FileIndex } from './hrefs.js';
import { makeFinding } from './rules.js';
import type { Finding, Standard } from './types.js';
import { attr, childrenNamed, descendants, type XmlElement } from './xml.js';
import type { SchemaSet } from './xsd.js';

/** IMS CP namespace used by SCORM 1.2 manifests. */
export const NS_CP12 = 'http://www.imsproject.org/xsd/imscp_rootv1p1p2';
/** IMS CP 1.1.3/1.1.4 namespace used by SCORM 2004 manifests. */
export const NS_CP2004 = 'http://www.imsglobal.org/xsd/imscp_v1p1';
const NS_ADLCP12 = 'http://www.adlnet.org/xsd/adlcp_rootv1p2';
const NS_ADLCP2004 = 'http://www.adlnet.org/xsd/adlcp_v1p3';
const NS_IMSSS = 'http://www.imsglobal.org/xsd/imsss';
const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const NS_XML = 'http://www.w3.org/XML/1998/namespace';

/** What detection concluded about a manifest. */
export interface ScormDetection {
  /** The standard. */
  standard: Standard;
  /** The schema set to validate against; undefined when no official set fits. */
  schemaSet?: SchemaSet;
  /** Findings from detection (unknown schemaversion, foreign namespace). */
  findings: Finding[];
}

/** Decides SCORM 1.2 / 2004 2nd / 3rd / 4th from the root namespace and <schemaversion>. */
export function detectScorm(root: XmlElement, entry: string): ScormDetection {
  const at = { entry, line: root.line, column: root.column };
  if (root.local !== 'manifest' || (root.uri !== NS_CP12 && root.uri !== NS_CP2004)) {
    return {
      standard: 'unknown',
      findings: [
        makeFinding(
          'scorm.manifest.namespace',
          `the root element is <${root.name}> in namespace "${root.uri || '(none)'}"; a SCORM manifest is <manifest xmlns="${NS_CP12}"> (SCORM 1.2) or <manifest xmlns="${NS_CP2004}"> (SCORM 2004)`,
          at,
        ),
      ],
    };
  }
  const version = schemaVersionOf(root);
  const versionText = version?.text.trim() ?? '';
  const vAt = version ? { entry, line: version.line, column: version.column } : at;
  if (root.uri === NS_CP12) return { standard: 'scorm12', schemaSet: 'scorm12', findings: [] };
  const usesAdlcp12 = [root, ...descendants(root)].some((el) => el.attrs.some((a) => a.uri === NS_ADLCP12) || el.uri === NS_ADLCP12);
  if (versionText === '1.2' || usesAdlcp12) {
    return {
      standard: 'scorm12',
      findings: [
        makeFinding(
          'scorm.manifest.namespace',
          `a SCORM 1.2 manifest in the IMS CP 1.1.3 namespace (${NS_CP2004}); LMSs accept it, but no official schema set covers this mix, so the schema check was skipped`,
          at,
          'info',
        ),
      ],
    };
  }
  switch (versionText) {
    case '2004 4th Edition':
      return { standard: 'scorm2004-4th', schemaSet: 'scorm2004-4th', findings: [] };
    case '2004 3rd Edition':
      return { standard: 'scorm2004-3rd', schemaSet: 'scorm2004-3rd', findings: [] };
    case 'CAM 1.3':
    case '2004 2nd Edition':
      // No 2nd Edition schema set is published; the 3rd Edition set is its compatible successor.
      return { standard: 'scorm2004-2nd', schemaSet: 'scorm2004-3rd', findings: [] };
    default:
      return {
        standard: 'scorm2004-4th',
        schemaSet: 'scorm2004-4th',
        findings: [
          makeFinding(
            'scorm.schemaversion.unknown',
            version
              ? `<schemaversion>${versionText}</schemaversion> is not a SCORM 2004 version; use "2004 4th Edition" (or "2004 3rd Edition", "CAM 1.3"). Checked as 4th Edition`
              : `<metadata><schemaversion> is missing; add <schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion>. Checked as 4th Edition`,
            vAt,
          ),
        ],
      };
  }
}

function schemaVersionOf(root: XmlElement): XmlElement | undefined {
  const md = root.children.find((c) => c.local === 'metadata' && c.uri === root.uri);
  return md?.children.find((c) => c.local === 'schemaversion' && c.uri === root.uri);
}

/** What the SCORM rules need to know about the package. */
export interface ScormCheckInput {
  /** The descriptor's name in the package. */
  entry: string;
  /** Parsed manifest. */
  root: XmlElement;
  /** Detected standard (scorm12 or a 2004 edition). */
  standard: Standard;
  /** Package files; undefined for a bare descriptor (file rules are skipped). */
  files?: FileIndex;
  /** All package file names (for the not-listed rule). */
  fileList?: string[];
}

/** Caps repetitive findings per rule so a 5000-file package gives a readable report. */
const MAX_NOT_LISTED = 10;

/** Runs every SCORM semantic rule. */
export function checkScorm(input: ScormCheckInput): Finding[] {
  const { entry, root, standard, files } = input;
  const cp = root.uri;
  const is12 = standard === 'scorm12';
  const adlcp = is12 ? NS_ADLCP12 : NS_ADLCP2004;
  const out: Finding[] = [];
  const loc = (el: XmlElement) => ({ entry, line: el.line, column: el.column });
  const all = [root, ...descendants(root)];

  // Identifiers: unique across manifest, organizations, items and resources.
  const ids = new Map<string, XmlElement>();
  const resources = new Map<string, XmlElement>();
  const manifests = new Set<string>();
  for (const el of all) {
    if (el.uri !== cp || !['manifest', 'organization', 'item', 'resource'].includes(el.local)) continue;
    const id = attr(el, 'identifier');
    if (id === undefined) continue;
    const first = ids.get(id);
    if (first) {
      out.push(makeFinding('scorm.identifier.duplicate', `identifier "${id}" of <${el.local}> is already used by the <${first.local}> on line ${first.line}; identifiers must be unique in the manifest`, loc(el)));
    } else ids.set(id, el);
    if (el.local === 'resource' && !resources.has(id)) resources.set(id, el);
    if (el.local === 'manifest') manifests.add(id);
  }

  // Organizations and the default.
  const orgsEl = childrenNamed(root, 'organizations', cp)[0];
  const orgs = orgsEl ? childrenNamed(orgsEl, 'organization', cp) : [];
  const def = orgsEl ? attr(orgsEl, 'default') : undefined;
  if (orgsEl && def !== undefined && !orgs.some((o) => attr(o, 'identifier') === def)) {
    const known = orgs.map((o) => attr(o, 'identifier')).filter(Boolean);
    out.push(makeFinding('scorm.organization.default-unresolved', `<organizations default="${def}"> names no organization${known.length ? ` (organizations: ${known.join(', ')})` : ''}; set default to an organization identifier`, loc(orgsEl)));
  }

  // Items: references, leaf/parent, SCO-only attributes.
  let launchable = 0;
  const referenced = new Set<string>();
  const walkItems = (parent: XmlElement) => {
    for (const item of childrenNamed(parent, 'item', cp)) {
      const kids = childrenNamed(item, 'item', cp);
      const ref = attr(item, 'identifierref');
      const title = attr(item, 'identifier') ?? '(no identifier)';
      if (kids.length === 0 && ref === undefined) {
        out.push(makeFinding('scorm.item.leaf-without-resource', `item "${title}" has no children and no identifierref, so the LMS has nothing to launch; add identifierref="<resource identifier>"`, loc(item)));
      }
      if (kids.length > 0 && ref !== undefined) {
        out.push(
          makeFinding(
            'scorm.item.parent-with-resource',
            `item "${title}" has child items and also identifierref="${ref}"; only leaf items may launch content: move the reference to a child item`,
            loc(item),
            is12 ? 'warning' : undefined,
          ),
        );
      }
      let scoRef = false;
      if (ref !== undefined) {
        const res = resources.get(ref);
        if (!res && !manifests.has(ref)) {
          out.push(makeFinding('scorm.item.identifierref-unresolved', `item "${title}" has identifierref="${ref}", but no resource has that identifier; fix the reference or add the resource`, loc(item)));
        } else if (res) {
          referenced.add(ref);
          if (attr(res, 'href') !== undefined) launchable += 1;
          scoRef = scormTypeOf(res, adlcp, is12)?.toLowerCase() === 'sco';
        }
      }
      if (!is12 && !scoRef) {
        for (const child of item.children) {
          if (child.uri === NS_ADLCP2004 && ['completionThreshold', 'dataFromLMS', 'timeLimitAction'].includes(child.local)) {
            out.push(makeFinding('scorm.item.sco-only-attribute', `item "${title}" has <adlcp:${child.local}> but does not launch a SCO; remove it or point the item at a SCO`, loc(child)));
          }
        }
      }
      if (is12) {
        for (const ms of childrenNamed(item, 'masteryscore', NS_ADLCP12)) {
          const v = ms.text.trim();
          const n = Number(v);
          if (v === '' || !Number.isFinite(n) || n < 0 || n > 100) {
            out.push(makeFinding('scorm.masteryscore.range', `item "${title}" has <adlcp:masteryscore>${v}</adlcp:masteryscore>; it must be a number from 0 to 100`, loc(ms)));
          }
        }
      } else {
        checkWriteMaps(item, title, entry, out);
      }
      walkItems(item);
    }
  };
  for (const org of orgs) walkItems(org);

  // Resource dependencies resolve too.
  for (const el of all) {
    if (el.local !== 'dependency' || el.uri !== cp) continue;
    const ref = attr(el, 'identifierref');
    if (ref !== undefined && !resources.has(ref)) {
      const owner = el.parent ? attr(el.parent, 'identifier') : undefined;
      out.push(makeFinding('scorm.item.identifierref-unresolved', `resource "${owner ?? '?'}" depends on identifierref="${ref}", but no resource has that identifier`, loc(el)));
    }
  }

  // scormtype / scormType on resources.
  for (const [id, res] of resources) {
    const expected = is12 ? 'scormtype' : 'scormType';
    const wrongCase = res.attrs.find((a) => a.local.toLowerCase() === 'scormtype' && a.local !== expected);
    const value = scormTypeOf(res, adlcp, is12);
    if (wrongCase && value === undefined) {
      out.push(makeFinding('scorm.resource.scormtype-invalid', `resource "${id}" has ${wrongCase.name}; ${is12 ? 'SCORM 1.2 spells it adlcp:scormtype' : 'SCORM 2004 spells it adlcp:scormType'} (attribute names are case-sensitive)`, loc(res)));
    } else if (value !== undefined && value !== 'sco' && value !== 'asset') {
      out.push(makeFinding('scorm.resource.scormtype-invalid', `resource "${id}" has ${expected}="${value}"; use "sco" (it talks to the LMS) or "asset", in lowercase`, loc(res)));
    } else if (value === undefined && referenced.has(id)) {
      out.push(makeFinding('scorm.resource.scormtype-invalid', `resource "${id}" is launched by an item but has no adlcp:${expected}; add adlcp:${expected}="sco" (or "asset")`, loc(res)));
    }
    if (referenced.has(id) && attr(res, 'href') === undefined) {
      out.push(makeFinding('scorm.resource.no-href', `resource "${id}" is launched by an item but has no href; set href to its launch page`, loc(res)));
    }
  }

  if (orgs.length === 0 || launchable === 0) {
    out.push(makeFinding('scorm.package.nothing-to-launch', `no item launches a resource with an href, so the LMS shows an empty course; add an <organization> whose <item identifierref> points at a SCO or asset`, loc(orgsEl ?? root)));
  }

  // xml:base values and every href.
  for (const el of all) {
    const base = el.attrs.find((a) => a.local === 'base' && a.uri === NS_XML);
    if (base && !isAbsoluteUrl(base.value) && base.value !== '' && !base.value.endsWith('/')) {
      out.push(makeFinding('scorm.xml-base.trailing-slash', `xml:base="${base.value}" on <${el.local}> must end with / (otherwise its last segment is dropped when hrefs are resolved)`, loc(el)));
    }
  }
  const listed = new Set<string>([entry]);
  const rootBase = joinBase('', attrXmlBase(root));
  const resourcesEl = childrenNamed(root, 'resources', cp)[0];
  const resourcesBase = rootBase === undefined ? undefined : joinBase(rootBase, resourcesEl ? attrXmlBase(resourcesEl) : undefined);
  for (const res of resources.values()) {
    const id = attr(res, 'identifier') ?? '?';
    const base = resourcesBase === undefined ? undefined : joinBase(resourcesBase, attrXmlBase(res));
    const href = attr(res, 'href');
    if (href !== undefined) checkHref(href, base, res, 'scorm.resource.href-missing', `resource "${id}" launches`);
    for (const file of childrenNamed(res, 'file', cp)) {
      const fh = attr(file, 'href');
      if (fh !== undefined) checkHref(fh, base, file, 'scorm.file.missing', `resource "${id}" lists the file`);
    }
  }
  // External metadata (adlcp:location) anywhere in the manifest.
  for (const el of all) {
    if (el.local !== 'location' || el.uri !== adlcp) continue;
    let base: string | undefined = rootBase;
    const owner = ancestorResource(el, cp);
    if (owner && resourcesBase !== undefined) base = joinBase(resourcesBase, attrXmlBase(owner));
    checkHref(el.text.trim(), base, el, 'scorm.metadata.location-missing', 'the metadata reference names');
  }
  // Schema files named by xsi:schemaLocation must sit at the root.
  const schemaLocation = root.attrs.find((a) => a.local === 'schemaLocation' && a.uri === NS_XSI)?.value;
  if (schemaLocation) {
    const parts = schemaLocation.trim().split(/\s+/);
    for (let i = 1; i < parts.length; i += 2) {
      const loc2 = parts[i]!;
      if (isAbsoluteUrl(loc2)) continue;
      const r = resolveHref(loc2, '');
      if (r.kind !== 'file') continue;
      listed.add(r.path);
      if (!files) continue;
      const hit = files.lookup(r.path);
      if (hit.status !== 'found') {
        out.push(
          makeFinding(
            'scorm.schema-file.missing',
            hit.status === 'case'
              ? `xsi:schemaLocation names ${loc2}, but the package has ${hit.actual} (letter case differs)`
              : `xsi:schemaLocation names ${loc2}, which is not at the package root; add the schema file (lessonkit ships the official set) or remove it from schemaLocation`,
            loc(root),
            is12 ? 'warning' : undefined,
          ),
        );
      }
    }
  }

  // Files present but never listed.
  if (files && input.fileList) {
    // Schema files (the control set at the root and the LOM folders beside it) are read by the
    // LMS's parser, never launched, and no tool lists them.
    const unlisted = input.fileList.filter((f) => !listed.has(f) && !listedNormalized(listed, f) && !/\.(xsd|dtd)$/i.test(f));
    for (const f of unlisted.slice(0, MAX_NOT_LISTED)) {
      out.push(makeFinding('scorm.file.not-listed', `${f} is in the package but no <file href> lists it; list it in its resource (LMSs that copy only listed files will drop it)`, { entry: f }));
    }
    if (unlisted.length > MAX_NOT_LISTED) {
      out.push(makeFinding('scorm.file.not-listed', `${unlisted.length - MAX_NOT_LISTED} more files are in the package but not listed in any <file href> (${unlisted.length} in all)`, { entry }));
    }
  }
  return out;

  function checkHref(href: string, base: string | undefined, el: XmlElement, missingRule: string, what: string): void {
    if (base === undefined) return; // under an absolute xml:base: hosted elsewhere
    const r = resolveHref(href, base);
    if (r.kind === 'external') return;
    if (r.kind === 'problem') {
      out.push(makeFinding(`scorm.href.${r.ruleId}`, `${what} ${r.message}`, loc(el)));
      return;
    }
    listed.add(r.path);
    if (!files) return;
    if (r.path === '') {
      out.push(makeFinding(missingRule, `${what} an empty href; name a file of the package`, loc(el)));
      return;
    }
    const hit = files.lookup(r.path);
    if (hit.status === 'case') {
      listed.add(hit.actual);
      out.push(makeFinding('scorm.href.case-mismatch', `${what} "${r.path}", but the package has "${hit.actual}"; LMS servers are case-sensitive: make the names match exactly`, loc(el)));
    } else if (hit.status === 'missing') {
      out.push(makeFinding(missingRule, `${what} "${r.path}"${href !== r.path ? ` (from href="${href}")` : ''}, which is not in the package; add the file or fix the href`, loc(el)));
    }
  }
}

function listedNormalized(listed: Set<string>, f: string): boolean {
  return listed.has(f.normalize('NFC')) || listed.has(f.normalize('NFD'));
}

function attrXmlBase(el: XmlElement): string | undefined {
  return el.attrs.find((a) => a.local === 'base' && a.uri === NS_XML)?.value;
}

function ancestorResource(el: XmlElement, cp: string): XmlElement | undefined {
  for (let p = el.parent; p; p = p.parent) if (p.local === 'resource' && p.uri === cp) return p;
  return undefined;
}

function scormTypeOf(res: XmlElement, adlcp: string, is12: boolean): string | undefined {
  return attr(res, is12 ? 'scormtype' : 'scormType', adlcp);
}

/** imsss:mapInfo: an activity may write each global objective's status (or measure) once. */
function checkWriteMaps(item: XmlElement, title: string, entry: string, out: Finding[]): void {
  const seq = childrenNamed(item, 'sequencing', NS_IMSSS)[0];
  const objectives = seq ? childrenNamed(seq, 'objectives', NS_IMSSS)[0] : undefined;
  if (!objectives) return;
  const writes = new Map<string, number>();
  for (const obj of objectives.children) {
    for (const map of childrenNamed(obj, 'mapInfo', NS_IMSSS)) {
      const target = attr(map, 'targetObjectiveID');
      if (!target) continue;
      for (const kind of ['writeSatisfiedStatus', 'writeNormalizedMeasure']) {
        if (attr(map, kind) !== 'true') continue;
        const key = `${target}\u0000${kind}`;
        const n = (writes.get(key) ?? 0) + 1;
        writes.set(key, n);
        if (n === 2) {
          out.push(makeFinding('scorm.sequencing.duplicate-write-map', `item "${title}" has two objectives with ${kind}="true" for global objective "${target}"; only one may write it`, { entry, line: map.line, column: map.column }));
        }
      }
    }
  }
}
