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
