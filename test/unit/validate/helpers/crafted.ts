/** The crafted unsafe zips of the zip-safety rules, shared by the unit and end-to-end tests. */
import { xapiPackage } from './packages.js';
import type { RawEntry } from './zip-writer.js';

/** A valid xAPI package as zip entries: each crafted zip is this plus one unsafe part. */
export const GOOD_ENTRIES: RawEntry[] = Object.entries(xapiPackage()).map(([name, data]) => ({ name, data, method: 8 }));

/** [name, extra entries, the rule that must report it]; `mark` makes every unsafe path unique. */
export function craftedCases(mark: string): [string, RawEntry[], string][] {
  return [
    ['path traversal', [{ name: `../../${mark}.txt`, data: 'pwned' }], 'zip.entry.path-traversal'],
    ['absolute path', [{ name: `/tmp/${mark}.txt`, data: 'pwned' }], 'zip.entry.absolute-path'],
    ['drive letter', [{ name: `C:/Windows/${mark}.txt`, data: 'pwned' }], 'zip.entry.absolute-path'],
    ['backslash separators', [{ name: `assets\\${mark}.txt`, data: 'x' }], 'zip.entry.backslash'],
    ['symbolic link', [{ name: mark, data: '/etc/passwd', externalAttr: (0o120777 << 16) >>> 0 }], 'zip.entry.symlink'],
    ['duplicate name', [{ name: 'index_lms.html', data: 'second copy' }], 'zip.entry.duplicate'],
    ['case collision', [{ name: 'INDEX_LMS.html', data: 'x' }], 'zip.entry.case-collision'],
    ['encrypted entry', [{ name: `${mark}.txt`, data: 'ciphertext', flags: 0x1 }], 'zip.entry.encrypted'],
    ['strong encryption', [{ name: `${mark}.txt`, data: 'ciphertext', flags: 0x41 }], 'zip.entry.encrypted'],
    ['unsupported method', [{ name: `${mark}.txt`, data: 'BZh9', method: 12 }], 'zip.entry.unsupported-method'],
    ['non-UTF-8 name without the flag', [{ name: Buffer.from(`caf\xe9-${mark}.txt`, 'latin1'), data: 'x', flags: 0 }], 'zip.entry.non-utf8-name'],
    ['invalid UTF-8 with the flag', [{ name: Buffer.from([0x61, 0xff, 0xfe, 0x2e, 0x74]), data: 'x', flags: 0x800 }], 'zip.entry.non-utf8-name'],
    ['compression-ratio bomb', [{ name: `${mark}.txt`, data: Buffer.alloc(8 * 1024 * 1024), method: 8 }], 'zip.entry.compression-ratio'],
    [
      'declared-size bomb',
      [{ name: `${mark}.txt`, data: 'x', method: 8, uncompressedSize: 0xfffffffe }, ...Array.from({ length: 4 }, (_, i): RawEntry => ({ name: `big${i}.bin`, data: 'x', method: 8, uncompressedSize: 0xfffffffe }))],
      'zip.size.declared-too-large',
    ],
    ['overlapping entries', [{ name: `${mark}-a.txt`, data: 'shared data' }, { name: `${mark}-b.txt`, data: 'shared data', shareDataOf: 2 }], 'zip.entry.overlap'],
  ];
}

/** One hostile or broken descriptor: what it is, its file name, its bytes, the rule that must report it. */
export interface HostileDescriptor {
  /** Test label. */
  name: string;
  /** imsmanifest.xml, cmi5.xml or tincan.xml. */
  file: string;
  /** The descriptor's bytes. */
  data: string | Buffer;
  /** The rule that must report it. */
  rule: string;
}

const SCORM_HEAD = '<manifest identifier="x" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>';

/**
 * Descriptors built to attack the parser (entities), confuse it (broken or mis-encoded XML) or
 * overwhelm the checks (one line with 200 000 bad hrefs: more findings than a spread
 * argument list holds). Each must end in a finding and a prompt exit, never a hang or a crash.
 */
export function hostileDescriptors(): HostileDescriptor[] {
  const laughs = ['<!ENTITY lol0 "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`)].join('');
  // Absolute hrefs are findings even for a bare descriptor (missing files would not be).
  const many = Array.from({ length: 200_000 }, (_, i) => `<file href="/f/${i}.html"/>`).join('');
  return [
    { name: 'DOCTYPE with an external entity (XXE)', file: 'imsmanifest.xml', data: `<?xml version="1.0"?>\n<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${SCORM_HEAD}<organizations/><resources/>&xxe;</manifest>`, rule: 'xml.entity-declaration' },
    { name: 'billion laughs (nested internal entities)', file: 'imsmanifest.xml', data: `<?xml version="1.0"?>\n<!DOCTYPE manifest [${laughs}]>\n<manifest identifier="&lol9;"/>`, rule: 'xml.entity-declaration' },
    { name: 'external parameter entity', file: 'imsmanifest.xml', data: `<?xml version="1.0"?>\n<!DOCTYPE manifest [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>\n${SCORM_HEAD}<organizations/><resources/></manifest>`, rule: 'xml.entity-declaration' },
    { name: 'cmi5.xml with an external entity', file: 'cmi5.xml', data: `<?xml version="1.0"?>\n<!DOCTYPE courseStructure [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">&x;</courseStructure>`, rule: 'xml.entity-declaration' },
    { name: 'tincan.xml with an external entity', file: 'tincan.xml', data: `<?xml version="1.0"?>\n<!DOCTYPE tincan [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n<tincan xmlns="http://projecttincan.com/tincan.xsd">&x;</tincan>`, rule: 'xml.entity-declaration' },
    { name: 'manifest that is not well-formed', file: 'imsmanifest.xml', data: `<?xml version="1.0"?>\n${SCORM_HEAD}<organizations><resources/></manifest>`, rule: 'xml.not-well-formed' },
    { name: 'cmi5.xml cut short', file: 'cmi5.xml', data: '<?xml version="1.0"?>\n<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"><course id="https://e', rule: 'xml.not-well-formed' },
    { name: 'empty manifest (0 bytes)', file: 'imsmanifest.xml', data: '', rule: 'xml.not-well-formed' },
    { name: 'ISO-8859-1 bytes declared as UTF-8', file: 'imsmanifest.xml', data: Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${SCORM_HEAD}<organizations/><resources/><!-- caf\xe9 --></manifest>`, 'latin1'), rule: 'xml.encoding' },
    { name: 'manifest in no known namespace', file: 'imsmanifest.xml', data: '<?xml version="1.0"?>\n<manifest identifier="x"><organizations/><resources/></manifest>', rule: 'scorm.manifest.namespace' },
    {
      name: 'one 5 MB line with 200 000 absolute hrefs',
      file: 'imsmanifest.xml',
      data: `<?xml version="1.0"?>${SCORM_HEAD}<organizations default="o"><organization identifier="o"><title>t</title><item identifier="i" identifierref="r"><title>t</title></item></organization></organizations><resources><resource identifier="r" type="webcontent" adlcp:scormType="asset" href="f/0.html" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">${many}</resource></resources></manifest>`,
      rule: 'scorm.href.leading-slash',
    },
  ];
}
