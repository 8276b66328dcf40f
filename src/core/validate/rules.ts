/**
 * The rule catalogue of `lessonkit validate`. Every finding names one of these ids; the ids
 * are a stable contract (CI pipelines filter and baseline on them), so never rename one.
 */
import type { Finding, FindingLocation, Severity, Standard } from './types.js';

/** What kind of input a rule applies to. */
export type RuleInput = 'zip' | 'folder' | 'descriptor';

/** One rule of the catalogue. */
export interface RuleDef {
  /** Stable id. */
  id: string;
  /** Default severity (a few rules lower it for one standard; the message then says why). */
  severity: Severity;
  /** What the rule checks, one line (printed by `--list-rules`). */
  summary: string;
  /** Standards it applies to; `all` includes packages whose standard is unknown. */
  standards: readonly Standard[] | 'all';
  /** Inputs it applies to. */
  inputs: readonly RuleInput[];
  /** Only checked with `--deep`. */
  deep?: boolean;
}

const SCORM: readonly Standard[] = ['scorm12', 'scorm2004-2nd', 'scorm2004-3rd', 'scorm2004-4th'];
const SCORM2004: readonly Standard[] = ['scorm2004-2nd', 'scorm2004-3rd', 'scorm2004-4th'];
const ZIP: readonly RuleInput[] = ['zip'];
const PKG: readonly RuleInput[] = ['zip', 'folder'];
const ANY: readonly RuleInput[] = ['zip', 'folder', 'descriptor'];

const rule = (id: string, severity: Severity, summary: string, standards: RuleDef['standards'], inputs: readonly RuleInput[], deep = false): RuleDef =>
  deep ? { id, severity, summary, standards, inputs, deep } : { id, severity, summary, standards, inputs };

/** Every rule, in the order `--list-rules` prints them. */
export const RULES: readonly RuleDef[] = [
  // Zip safety: read from the central directory only, nothing is extracted.
  rule('zip.central-directory.corrupt', 'error', 'The zip central directory is readable and consistent (end record, signatures, counts, offsets inside the file)', 'all', ZIP),
  rule('zip.empty', 'error', 'The zip holds at least one file', 'all', ZIP),
  rule('zip.entry.path-traversal', 'error', 'No entry name leaves the package root with ../ segments', 'all', ZIP),
  rule('zip.entry.absolute-path', 'error', 'No entry name is absolute (leading /) or starts with a drive letter (C:)', 'all', ZIP),
  rule('zip.entry.backslash', 'error', 'No entry name uses backslashes as separators (Windows zippers that write them break every other unzipper)', 'all', ZIP),
  rule('zip.entry.symlink', 'error', 'No entry is a symbolic link', 'all', ZIP),
  rule('zip.entry.duplicate', 'error', 'No entry name appears twice', 'all', ZIP),
  rule('zip.entry.case-collision', 'error', 'No two entry names differ only by letter case (one overwrites the other on Windows and macOS)', 'all', ZIP),
  rule('zip.entry.encrypted', 'error', 'No entry is encrypted (LMSs cannot read encrypted entries)', 'all', ZIP),
  rule('zip.entry.unsupported-method', 'error', 'Entries are stored or deflated (the only methods every LMS unzipper reads)', 'all', ZIP),
  rule('zip.entry.non-utf8-name', 'error', 'Entry names with non-ASCII characters are UTF-8 and carry the UTF-8 flag (UTF-8 without the flag is a warning)', 'all', ZIP),
  rule('zip.entry.compression-ratio', 'error', 'No entry expands more than 100 times (and to 1 MiB or more): a zip-bomb signal', 'all', ZIP),
  rule('zip.entry.overlap', 'error', 'Entries do not share or overlap their data (a zip-bomb technique)', 'all', ZIP),
  rule('zip.size.declared-too-large', 'error', 'The declared uncompressed size of the package is at most 16 GiB', 'all', ZIP),
  rule('zip.entry.crc-mismatch', 'error', 'Every entry decompresses to its declared size and CRC-32', 'all', ZIP, true),
  rule('zip.entry.unreadable', 'error', 'Every entry has a valid local header matching the central directory and decompresses without error', 'all', ZIP, true),
  rule('folder.symlink', 'warning', 'A package folder holds no symbolic links (they are not followed)', 'all', ['folder']),
  rule('folder.unreadable', 'error', 'Every subfolder and checked file of a package folder can be read (permissions)', 'all', ['folder']),

  // Descriptor placement and XML.
  rule('package.descriptor.missing', 'error', 'The package has imsmanifest.xml (SCORM), cmi5.xml (cmi5) or tincan.xml (xAPI), or is a web bundle with index.html at its root', 'all', PKG),
  rule('package.descriptor.name-case', 'error', 'The descriptor name is lowercase (imsmanifest.xml, not IMSManifest.xml): LMS servers are case-sensitive', 'all', PKG),
  rule('package.descriptor.multiple', 'info', 'Only one kind of descriptor is at the root (others are ignored by the LMS)', 'all', PKG),
  rule('scorm.manifest.not-at-root', 'error', 'imsmanifest.xml is at the package root, not in a subfolder', SCORM, PKG),
  rule('cmi5.descriptor.not-at-root', 'error', 'cmi5.xml is at the package root, not in a subfolder', ['cmi5'], PKG),
  rule('xapi.descriptor.not-at-root', 'error', 'tincan.xml is at the package root, not in a subfolder', ['xapi'], PKG),
  rule('xml.encoding', 'error', 'The descriptor decodes with its declared encoding (UTF-8, UTF-16 with BOM, ISO-8859-1, windows-1252)', 'all', ANY),
  rule('xml.entity-declaration', 'error', 'The descriptor declares no entities in a DOCTYPE (XXE): they are never expanded', 'all', ANY),
  rule('xml.not-well-formed', 'error', 'The descriptor is well-formed XML', 'all', ANY),
  rule('xml.schema-invalid', 'error', 'The descriptor is valid against the official schema set chosen by schemaversion (offline)', ['scorm12', 'scorm2004-2nd', 'scorm2004-3rd', 'scorm2004-4th', 'cmi5'], ANY),

  // SCORM semantics the schemas cannot express.
  rule('scorm.manifest.namespace', 'error', 'The manifest root is <manifest> in the IMS CP namespace of SCORM 1.2 or SCORM 2004', SCORM, ANY),
  rule('scorm.schemaversion.unknown', 'warning', '<schemaversion> names a SCORM version (1.2, CAM 1.3, 2004 3rd Edition, 2004 4th Edition)', SCORM, ANY),
  rule('scorm.identifier.duplicate', 'error', 'Manifest, organization, item and resource identifiers are unique', SCORM, ANY),
  rule('scorm.organization.default-unresolved', 'error', 'organizations/@default names an organization of the manifest', SCORM, ANY),
  rule('scorm.item.identifierref-unresolved', 'error', 'Every identifierref (items, resource dependencies) names a resource of the manifest', SCORM, ANY),
  rule('scorm.item.leaf-without-resource', 'error', 'Every leaf item references a resource (identifierref)', SCORM, ANY),
  rule('scorm.item.parent-with-resource', 'error', 'Items with children do not reference a resource (a warning in SCORM 1.2)', SCORM, ANY),
  rule('scorm.item.sco-only-attribute', 'error', 'completionThreshold, dataFromLMS and timeLimitAction appear only on items that launch a SCO', SCORM2004, ANY),
  rule('scorm.resource.scormtype-invalid', 'error', 'Resources launched by items have adlcp:scormtype (1.2) / adlcp:scormType (2004) "sco" or "asset", spelled exactly', SCORM, ANY),
  rule('scorm.resource.no-href', 'error', 'Resources launched by items have an href', SCORM, ANY),
  rule('scorm.resource.href-missing', 'error', 'The launch file (resource href) is in the package', SCORM, PKG),
  rule('scorm.file.missing', 'error', 'Every <file href> is in the package', SCORM, PKG),
  rule('scorm.href.case-mismatch', 'error', 'hrefs match file names including letter case (LMS servers are case-sensitive)', SCORM, PKG),
  rule('scorm.href.backslash', 'error', 'hrefs use / and never a backslash', SCORM, ANY),
  rule('scorm.href.leading-slash', 'error', 'hrefs are relative: no leading slash', SCORM, ANY),
  rule('scorm.href.outside-package', 'error', 'hrefs (after xml:base) stay inside the package', SCORM, ANY),
  rule('scorm.href.malformed', 'error', 'hrefs are valid URI references (percent-encoding is well-formed)', SCORM, ANY),
  rule('scorm.xml-base.trailing-slash', 'error', 'xml:base values end with /', SCORM, ANY),
  rule('scorm.masteryscore.range', 'error', 'adlcp:masteryscore is a number from 0 to 100', ['scorm12'], ANY),
  rule('scorm.metadata.location-missing', 'error', 'External metadata files (adlcp:location) are in the package', SCORM, PKG),
  rule('scorm.schema-file.missing', 'error', 'Schema files named in xsi:schemaLocation are at the package root (a warning in SCORM 1.2)', SCORM, PKG),
  rule('scorm.sequencing.duplicate-write-map', 'error', 'An activity writes each global objective at most once per status (imsss:mapInfo)', SCORM2004, ANY),
  rule('scorm.package.nothing-to-launch', 'error', 'At least one item launches a resource (an organization with a SCO or asset)', SCORM, ANY),
  rule('scorm.file.not-listed', 'warning', 'Every file in the package is listed in a <file> element', SCORM, PKG),

  // cmi5.
  rule('cmi5.id.not-absolute-iri', 'error', 'Course, block, AU and objective ids are absolute IRIs (scheme:...)', ['cmi5'], ANY),
  rule('cmi5.id.duplicate', 'error', 'Course, block, AU and objective ids are unique', ['cmi5'], ANY),
  rule('cmi5.objective.unresolved', 'error', 'Every objective idref names an objective declared in <objectives>', ['cmi5'], ANY),
  rule('cmi5.au.url-invalid', 'error', 'Every AU url is a valid URL reference (no spaces, valid percent-encoding)', ['cmi5'], ANY),
  rule('cmi5.au.url-relative-without-package', 'error', 'A cmi5.xml imported on its own (no zip) uses absolute AU URLs', ['cmi5'], ['descriptor']),
  rule('cmi5.au.url-query-conflict', 'error', 'AU url queries do not use the launch parameter names endpoint, fetch, actor, registration, activityId', ['cmi5'], ANY),
  rule('cmi5.au.launch-file-missing', 'error', 'A relative AU url names a file in the package', ['cmi5'], PKG),
  rule('cmi5.au.moveon-invalid', 'error', 'moveOn is Passed, Completed, CompletedAndPassed, CompletedOrPassed or NotApplicable', ['cmi5'], ANY),
  rule('cmi5.au.masteryscore-range', 'error', 'masteryScore is a decimal from 0 to 1', ['cmi5'], ANY),

  // xAPI (tincan.xml has no public XSD: structural checks).
  rule('xapi.descriptor.structure', 'error', 'tincan.xml is <tincan> in the http://projecttincan.com/tincan.xsd namespace with <activities>', ['xapi'], ANY),
  rule('xapi.descriptor.multiple', 'error', 'The package holds exactly one tincan.xml', ['xapi'], PKG),
  rule('xapi.activity.id-not-iri', 'error', 'Every activity id is an absolute IRI', ['xapi'], ANY),
  rule('xapi.activity.no-launch', 'error', 'One activity has a <launch> element', ['xapi'], ANY),
  rule('xapi.activity.multiple-launch', 'warning', 'Only one activity has a <launch> element (LMSs launch the first)', ['xapi'], ANY),
  rule('xapi.launch.file-missing', 'error', 'The relative launch file is in the package', ['xapi'], PKG),

  // Web bundles (no LMS descriptor, index.html at the root), such as lessonkit's web target.
  rule('web.index.not-at-root', 'error', 'A package with no LMS descriptor has index.html at its root, not only in a subfolder', ['web'], PKG),
  rule('web.file.missing', 'error', 'Every local href/src of the root index.html, and every file the lessonkit player configuration names, is in the bundle', ['web'], PKG),
  rule('web.href.case-mismatch', 'error', 'Local references match file names including letter case (web servers are case-sensitive)', ['web'], PKG),
  rule('web.href.outside-package', 'error', 'Local references stay inside the bundle (no ../ above its root)', ['web'], PKG),
  rule('web.href.leading-slash', 'warning', 'Local references are relative (a leading slash works only when the bundle is served at the root of a site)', ['web'], PKG),
  rule('web.href.malformed', 'error', 'Local references are valid URI references (percent-encoding is well-formed)', ['web'], PKG),
  rule('web.config.invalid', 'error', "The lessonkit player configuration in index.html, when there is one, is valid JSON with a lessons list", ['web'], PKG),

  // Media, with --deep.
  rule('media.mp4.malformed', 'error', 'MP4/M4A/M4V files have a readable box structure with a moov box', 'all', PKG, true),
  rule('media.codec.unsupported', 'error', 'Video is H.264 8-bit 4:2:0 (Baseline/Main/High) or VP8/VP9/AV1, audio AAC, MP3 or Opus: what every browser plays (HEVC is a warning)', 'all', PKG, true),
  rule('media.mp4.not-faststart', 'warning', 'moov comes before mdat (faststart), so playback starts before the whole file is downloaded', 'all', PKG, true),
  rule('media.duration.unreadable', 'error', 'The media duration is readable and greater than zero', 'all', PKG, true),
];

const BY_ID = new Map(RULES.map((r) => [r.id, r]));

/** The rule with this id; throws for an unknown id (a bug in lessonkit). */
export function getRule(id: string): RuleDef {
  const r = BY_ID.get(id);
  if (!r) throw new Error(`Unknown rule id ${id}`);
  return r;
}

/** Creates a finding for rule `id` with its catalogue severity unless `severity` overrides it. */
export function makeFinding(id: string, message: string, location?: FindingLocation, severity?: Severity): Finding {
  const r = getRule(id);
  const f: Finding = { ruleId: r.id, severity: severity ?? r.severity, message };
  if (location && Object.values(location).some((v) => v !== undefined)) {
    const loc: FindingLocation = {};
    if (location.entry !== undefined) loc.entry = location.entry;
    if (location.line !== undefined) loc.line = location.line;
    if (location.column !== undefined) loc.column = location.column;
    f.location = loc;
  }
  return f;
}

/** The rules checked for an input of this kind and standard. */
export function rulesFor(input: RuleInput, standard: Standard, deep: boolean): string[] {
  return RULES.filter((r) => r.inputs.includes(input) && (r.standards === 'all' || r.standards.includes(standard)) && (deep || !r.deep)).map((r) => r.id);
}
