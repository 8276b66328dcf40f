/** What a file's first bytes and its container's sizes say, before ffprobe is asked. */
import { describe, expect, it } from 'vitest';
import { containerEnd, sniffNotMedia, type ReadAt } from '../../../src/core/media/sniff.js';
import { truncationProblem } from '../../../src/core/media/probe.js';

const b = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

describe('sniffNotMedia', () => {
  it.each([
    ['PNG', b([0x89], 'PNG\r\n\x1a\n', [0, 0, 0, 13], 'IHDR'), 'a PNG image'],
    ['JPEG', b([0xff, 0xd8, 0xff, 0xe0], 'JFIF'), 'a JPEG image'],
    ['GIF', b('GIF89a', [1, 0, 1, 0]), 'a GIF image'],
    ['PDF', b('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), 'a PDF document'],
    ['a .docx', b('PK\x03\x04', [20, 0, 6, 0], '[Content_Types].xml', [0x8d, 0x92, 0, 0, 1, 2], 'PK\x03\x04', [20, 0], 'word/document.xml'), 'a Word document (.docx)'],
    ['a plain zip', b('PK\x03\x04', [20, 0], 'recording.mp4'), 'a ZIP archive'],
    ['HTML', b('\n  <!DOCTYPE html>\n<html><head><title>Download</title>'), 'an HTML page'],
    ['SRT captions', b('1\n00:00:00,200 --> 00:00:01,000\nHello\n'), 'an SRT captions file'],
    ['text', b('Meeting notes\n- open the portal\n'), 'a text file'],
    ['a HEIC photo', b([0, 0, 0, 24], 'ftypheic', [0, 0, 0, 0], 'mif1heic'), 'a HEIC image'],
  ])('%s', (_name, head, what) => {
    expect(sniffNotMedia(head, head.length + 1000)?.what).toBe(what);
  });
  it('an empty file', () => {
    expect(sniffNotMedia(Buffer.alloc(0), 0)?.what).toBe('empty (0 bytes)');
  });
  it('leaves recordings to ffprobe', () => {
    expect(sniffNotMedia(b([0, 0, 0, 32], 'ftypisom', [0, 0, 2, 0], 'isomiso2avc1mp41', [0, 0, 0, 8], 'free'), 1e6)).toBeUndefined();
    expect(sniffNotMedia(b([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]), 1e6)).toBeUndefined();
    expect(sniffNotMedia(b('RIFF', [0, 0, 1, 0], 'AVI LIST'), 1e6)).toBeUndefined();
    expect(sniffNotMedia(b([0x47, 0x40, 0x00, 0x10, 0x00, 0x00, 0xb0, 0x0d]), 1e6)).toBeUndefined();
    // Y4M: a text header line, then raw pixels.
    expect(sniffNotMedia(b('YUV4MPEG2 W320 H240 F30:1 Ip A1:1 C420jpeg\nFRAME\n'), 1e6)).toBeUndefined();
  });
});

/** A ReadAt over an in-memory file. */
const reader = (file: Buffer): ReadAt => async (pos, len) => file.subarray(pos, pos + len);
const box = (type: string, size: number, body = 0) => b([(size >>> 24) & 255, (size >>> 16) & 255, (size >>> 8) & 255, size & 255], type, Array.from({ length: body }, () => 0));

describe('containerEnd', () => {
  it('MP4: a complete file, one whose mdat runs past the end, and one without its index', async () => {
    const ftyp = box('ftyp', 16, 8);
    const complete = Buffer.concat([ftyp, box('moov', 40, 32), box('mdat', 108, 100)]);
    expect(await containerEnd(complete.length, reader(complete))).toEqual({ container: 'mp4', declared: complete.length, actual: complete.length, hasIndex: true });
    // moov first (faststart), mdat cut: the file stops 60 bytes early.
    const cut = complete.subarray(0, complete.length - 60);
    expect(await containerEnd(cut.length, reader(cut))).toMatchObject({ declared: complete.length, actual: cut.length, hasIndex: true });
    // moov last (no faststart), cut inside mdat: the index never arrives.
    const noIndex = Buffer.concat([ftyp, box('mdat', 108, 100), box('moov', 40, 32)]).subarray(0, 80);
    expect(await containerEnd(noIndex.length, reader(noIndex))).toMatchObject({ declared: 16 + 108, actual: 80, hasIndex: false });
  });
  it('Matroska: the Segment size against the file size (unknown size promises nothing)', async () => {
    const header = b([0x1a, 0x45, 0xdf, 0xa3, 0x84], [0x42, 0x86, 0x81, 0x01]);
    const segment = (size: number[]) => Buffer.concat([header, b([0x18, 0x53, 0x80, 0x67], size), Buffer.alloc(100)]);
    const short = segment([0x40 | 0x01, 0x00]); // 2-byte size: 256 bytes of content, 100 present
    expect(await containerEnd(short.length, reader(short))).toMatchObject({ container: 'matroska', declared: 9 + 4 + 2 + 256, actual: short.length });
    const live = segment([0xff]);
    expect(await containerEnd(live.length, reader(live))).toMatchObject({ declared: live.length, actual: live.length });
  });
  it('AVI: the RIFF size', async () => {
    const avi = Buffer.concat([b('RIFF', [0xe8, 0x03, 0, 0], 'AVI '), Buffer.alloc(500)]);
    expect(await containerEnd(avi.length, reader(avi))).toEqual({ container: 'avi', declared: 1008, actual: avi.length });
  });
  it('says nothing about formats without declared sizes', async () => {
    const ts = Buffer.alloc(188 * 4, 0x47);
    expect(await containerEnd(ts.length, reader(ts))).toBeUndefined();
  });
});

describe('truncationProblem', () => {
  it('says where the file ends against what its header promises', () => {
    const p = truncationProblem('talk.mp4', { container: 'mp4', declared: 2_000_000, actual: 400_000, hasIndex: true }, { endsAt: 18.24, header: 20.02 });
    expect(p).toEqual({
      kind: 'truncated',
      message: 'talk.mp4 ends at 18.2 s but its header says 20.0 s; it was probably cut short while copying or recording.',
      hint: 'Copy it again from the original (this copy is 400 kB; its container says at least 2 MB), or export the recording again.',
    });
  });
  it('explains an MP4 whose index is missing, cut short or never written', () => {
    expect(truncationProblem('a.mp4', { container: 'mp4', declared: 2_000_000, actual: 400_000, hasIndex: false })?.message).toMatch(/^a\.mp4 is incomplete: it ends before the index a player needs/);
    expect(truncationProblem('b.mp4', { container: 'mp4', declared: 400_000, actual: 400_000, hasIndex: false })?.message).toMatch(/^b\.mp4 was never finished/);
    expect(truncationProblem('c.mp4', { container: 'mp4', declared: 400_000, actual: 400_000, hasIndex: true })).toBeUndefined();
  });
});
