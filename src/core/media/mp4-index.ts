/**
 * Reading an MP4/MOV file's own index (the moov box) in Node: the video track's packet
 * timestamps and keyframes, as ffprobe's packet listing prints them, without starting ffprobe
 * or reading the media data (a packet listing is a pass over every packet of the whole file;
 * this is one read of the index).
 *
 * Only the plain layouts are read (one video track, one sample description, positive
 * composition offsets, at most one edit that covers the whole media); for anything else the
 * reader returns undefined and the caller asks ffprobe, so results never depend on which
 * path was taken (test/unit/media/mp4-index.test.ts compares both on generated files).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { boxHeader, childBoxes, type Box } from './iso-boxes.js';

/**
 * The video packets as ffprobe's packet listing gives them, one column per field (typed arrays:
 * an hour of video is a hundred thousand packets, and an object per packet costs more in
 * garbage collection than reading the index): times in seconds as printed (to the
 * microsecond), keyframe flags as 1/0. Packets are in file (decode) order.
 */
export interface PacketTable {
  pts: Float64Array;
  dts: Float64Array;
  key: Uint8Array;
}

/** The most video samples read from an index (see videoTicks). */
const MAX_SAMPLES = 10_000_000;

/** The largest moov read into memory (a one-hour 60 fps recording's index is a few MB). */
const MAX_MOOV = 64 * 1024 * 1024;

/** The child boxes of `buf[start, end)`; undefined when a size does not fit or bytes are left over (a damaged index). */
function children(buf: Buffer, start: number, end: number): Box[] | undefined {
  const boxes = childBoxes(buf, start, end);
  if (typeof boxes === 'string') return undefined;
  return (boxes.at(-1)?.end ?? start) === end ? boxes : undefined;
}

const find = (boxes: readonly Box[] | undefined, type: string) => boxes?.find((b) => b.type === type);
const all = (boxes: readonly Box[] | undefined, type: string) => boxes?.filter((b) => b.type === type) ?? [];

/**
 * Formats a time the way ffprobe prints it (C's `%f` of `ticks * (1 / timescale)`: the double
 * rounded to six decimals, exact halves to even) and reads it back as a number.
 */
export function ffprobeSeconds(ticks: number, timescale: number): number {
  const d = ticks * (1 / timescale);
  const abs = Math.abs(d);
  const micro = abs * 1e6;
  // Away from a half, the rounded count of microseconds divided by a million is exactly the
  // number the printed text reads back as (both are the double nearest to it).
  let v = Math.round(micro) / 1e6;
  if (Math.abs(micro - Math.floor(micro) - 0.5) < 1e-3) {
    // Near a half the product's rounding matters: round the double itself, like printf. An
    // exact half (k + 0.5) / 10^6 is a double only when it is n / 128 with n odd (1/128 =
    // 0.0078125): printf takes it to even, toFixed away from zero. Anything else, toFixed
    // rounds exactly as printf does.
    const twice = Math.round(abs * 2e6);
    if (twice % 2 === 1 && twice % 15625 === 0 && abs === twice / 15625 / 128) {
      const k = (twice - 1) / 2;
      v = (k % 2 === 0 ? k : k + 1) / 1e6;
    } else {
      v = Number(abs.toFixed(6));
    }
  }
  return d < 0 ? -v : v;
}

/** Reads the header of a version-0/1 full box: `[version, offset of the rest]`. */
const fullBox = (buf: Buffer, b: Box): [number, number] => [buf.readUInt8(b.start), b.start + 4];

/** mvhd/mdhd: the timescale and duration (same layout after the version's times). */
function timescaleOf(buf: Buffer, b: Box | undefined): { timescale: number; duration: number } | undefined {
  if (!b) return undefined;
  const [v, at] = fullBox(buf, b);
  if (v === 1) {
    if (at + 28 > b.end) return undefined;
    return { timescale: buf.readUInt32BE(at + 16), duration: Number(buf.readBigUInt64BE(at + 20)) };
  }
  if (at + 16 > b.end) return undefined;
  return { timescale: buf.readUInt32BE(at + 8), duration: buf.readUInt32BE(at + 12) };
}

/** A track's handler type (`vide`, `soun`...). */
function handlerOf(buf: Buffer, mdia: Box[] | undefined): string | undefined {
  const h = find(mdia, 'hdlr');
  return h && h.start + 12 <= h.end ? buf.toString('latin1', h.start + 8, h.start + 12) : undefined;
}

/** A table box's entry count and the offset of its first entry, or undefined when the box is short. */
function table(buf: Buffer, b: Box, entryBytes: number): [number, number] | undefined {
  if (b.start + 8 > b.end) return undefined;
  const count = buf.readUInt32BE(b.start + 4);
  return b.start + 8 + count * entryBytes <= b.end ? [count, b.start + 8] : undefined;
}

/** The first video track's boxes, or undefined when there is not exactly one video track. */
function videoTrack(buf: Buffer, moov: Box[]): { mdia: Box[]; stbl: Box[]; edts?: Box[] } | undefined {
  let found: { mdia: Box[]; stbl: Box[]; edts?: Box[] } | undefined;
  for (const trak of all(moov, 'trak')) {
    const tb = children(buf, trak.start, trak.end);
    const mdiaBox = find(tb, 'mdia');
    const mdia = mdiaBox && children(buf, mdiaBox.start, mdiaBox.end);
    if (!mdia) return undefined;
    if (handlerOf(buf, mdia) !== 'vide') continue;
    // Two video tracks (a cover picture, a second camera): which one ffprobe lists first is its call.
    if (found) return undefined;
    const minfBox = find(mdia, 'minf');
    const minf = minfBox && children(buf, minfBox.start, minfBox.end);
    const stblBox = find(minf, 'stbl');
    const stbl = stblBox && children(buf, stblBox.start, stblBox.end);
    if (!stbl) return undefined;
    const edtsBox = find(tb, 'edts');
    const edts = edtsBox && children(buf, edtsBox.start, edtsBox.end);
    if (edtsBox && !edts) return undefined;
    found = { mdia, stbl, ...(edts ? { edts } : {}) };
  }
  return found;
}

/**
 * True when every one of the track's `count` samples lies inside the file (ffprobe stops its
 * listing at data it cannot read: a recording whose media data was cut off).
 */
function samplesInside(buf: Buffer, stbl: Box[], stsz: Box, count: number, fileSize: number): boolean {
  const stco = find(stbl, 'stco');
  const co64 = find(stbl, 'co64');
  const stsc = find(stbl, 'stsc');
  const chunks = stco ? table(buf, stco, 4) : co64 ? table(buf, co64, 8) : undefined;
  const runs = stsc && table(buf, stsc, 12);
  const fixed = buf.readUInt32BE(stsz.start + 4);
  if (!chunks || !runs || (fixed === 0 && stsz.start + 12 + count * 4 > stsz.end)) return false;
  let sample = 0;
  for (let r = 0; r < runs[0]; r++) {
    const at = runs[1] + r * 12;
    const firstChunk = buf.readUInt32BE(at) - 1;
    const lastChunk = r + 1 < runs[0] ? buf.readUInt32BE(at + 12) - 1 : chunks[0];
    const perChunk = buf.readUInt32BE(at + 4);
    if (firstChunk < 0 || lastChunk > chunks[0] || lastChunk < firstChunk) return false;
    for (let c = firstChunk; c < lastChunk; c++) {
      let end = stco ? buf.readUInt32BE(chunks[1] + c * 4) : Number(buf.readBigUInt64BE(chunks[1] + c * 8));
      for (let k = 0; k < perChunk && sample < count; k++, sample++) end += fixed || buf.readUInt32BE(stsz.start + 12 + sample * 4);
      if (end > fileSize) return false;
    }
  }
  return sample === count;
}

/**
 * The video packets of an MP4/MOV index (the moov box's content), in file order, with the
 * timestamps and keyframe flags ffprobe's packet listing prints; undefined for any layout this
 * reader does not cover (the caller then runs ffprobe). Pure.
 */
export function moovVideoPackets(buf: Buffer, fileSize = Infinity): PacketTable | undefined {
  return guarded(() => videoPackets(buf, fileSize));
}

/** The video track's decode times, composition offsets and keyframe flags in media ticks, and the edit's shift. */
export interface VideoTicks {
  count: number;
  dts: Float64Array;
  offsets: Float64Array;
  key: Uint8Array;
  shift: number;
  timescale: number;
}

function videoTicks(buf: Buffer, fileSize: number): VideoTicks | undefined {
  const moov = children(buf, 0, buf.length);
  if (!moov || find(moov, 'mvex')) return undefined;
  const movie = timescaleOf(buf, find(moov, 'mvhd'));
  const track = videoTrack(buf, moov);
  if (!movie || !track || movie.timescale === 0) return undefined;
  const media = timescaleOf(buf, find(track.mdia, 'mdhd'));
  if (!media || media.timescale === 0) return undefined;
  const { stbl } = track;
  const stsd = find(stbl, 'stsd');
  const stts = find(stbl, 'stts');
  const stsz = find(stbl, 'stsz');
  const stss = find(stbl, 'stss');
  const ctts = find(stbl, 'ctts');
  // No sync table means "every sample is a keyframe" to some readers and not others; partial
  // sync samples are keyframes to ffmpeg: both rare, both left to ffprobe.
  if (!stsd || !stts || !stsz || !stss || find(stbl, 'stps')) return undefined;
  if (stsd.start + 16 > stsd.end || buf.readUInt32BE(stsd.start + 4) !== 1) return undefined;
  // H.264 only (what the tests compare with ffprobe): for some other codecs ffmpeg runs a parser
  // over the packets, which can set keyframe flags the index does not have.
  if (!['avc1', 'avc3'].includes(buf.toString('latin1', stsd.start + 12, stsd.start + 16))) return undefined;
  if (stsz.start + 12 > stsz.end) return undefined;
  const count = buf.readUInt32BE(stsz.start + 8);
  // Ten million samples is two days of 60 fps video. A count read from a damaged or hostile index
  // could ask for billions (a loop of that length, and arrays of tens of GB): ffprobe answers then.
  if (count === 0 || count > MAX_SAMPLES) return undefined;
  if (fileSize !== Infinity && !samplesInside(buf, stbl, stsz, count, fileSize)) return undefined;
  // Decode times.
  const tt = table(buf, stts, 8);
  if (!tt) return undefined;
  const dts = new Float64Array(count);
  let n = 0;
  let t = 0;
  for (let i = 0; i < tt[0]; i++) {
    const samples = buf.readUInt32BE(tt[1] + i * 8);
    const delta = buf.readUInt32BE(tt[1] + i * 8 + 4);
    // A delta with the top bit set is a negative duration to ffmpeg, which then corrects it; a
    // zero one gives two packets the same time, which demuxers may adjust.
    if (delta >= 0x80000000 || (delta === 0 && n + samples < count) || n + samples > count) return undefined;
    for (let k = 0; k < samples; k++) {
      dts[n++] = t;
      t += delta;
    }
  }
  if (n !== count) return undefined;
  // Composition offsets: positive ones only (negative ones make ffmpeg shift every decode time).
  const offsets = new Float64Array(count);
  if (ctts) {
    const ct = table(buf, ctts, 8);
    if (!ct) return undefined;
    let m = 0;
    for (let i = 0; i < ct[0]; i++) {
      const samples = buf.readUInt32BE(ct[1] + i * 8);
      const offset = buf.readInt32BE(ct[1] + i * 8 + 4);
      if (offset < 0 || offset >= 1 << 28 || m + samples > count) return undefined;
      for (let k = 0; k < samples; k++) offsets[m++] = offset;
    }
    if (m !== count) return undefined;
  }
  // Keyframes: 1-based sample numbers.
  const st = table(buf, stss, 4);
  if (!st || st[0] === 0) return undefined;
  const key = new Uint8Array(count);
  for (let i = 0; i < st[0]; i++) {
    const s = buf.readUInt32BE(st[1] + i * 4);
    if (s < 1 || s > count) return undefined;
    key[s - 1] = 1;
  }
  // The edit list: none, or one edit at normal rate that starts at `shift` in the media and
  // keeps every sample (ffmpeg then counts times from that point). Empty edits (a delayed
  // start), several edits or a trimmed media are left to ffprobe.
  let shift = 0;
  const elst = find(track.edts, 'elst');
  if (track.edts && !elst) return undefined;
  if (elst) {
    const [v, at] = fullBox(buf, elst);
    const entry = v === 1 ? 20 : 12;
    if (at + 4 > elst.end) return undefined;
    const entries = buf.readUInt32BE(at);
    if (entries !== 1 || at + 4 + entry > elst.end) return undefined;
    const e = at + 4;
    const segment = v === 1 ? Number(buf.readBigUInt64BE(e)) : buf.readUInt32BE(e);
    const mediaTime = v === 1 ? Number(buf.readBigInt64BE(e + 8)) : buf.readInt32BE(e + 4);
    const rate = buf.readInt32BE(e + (v === 1 ? 16 : 8));
    // A zero-length edit means "the whole media" to some readers and "nothing" to others.
    if (mediaTime < 0 || rate !== 0x10000 || segment === 0) return undefined;
    // The edit's end in media ticks (its duration is in the movie's timescale).
    const editEnd = mediaTime + (segment * media.timescale) / movie.timescale;
    for (let i = 0; i < count; i++) {
      const cts = (dts[i] ?? 0) + (offsets[i] ?? 0);
      if (cts < mediaTime || cts >= editEnd) return undefined;
    }
    shift = mediaTime;
  }
  return { count, dts, offsets, key, shift, timescale: media.timescale };
}

/** The video packets in seconds, as ffprobe prints them. */
function videoPackets(buf: Buffer, fileSize: number): PacketTable | undefined {
  const t = videoTicks(buf, fileSize);
  return t && packetsOf(t);
}

/** The ticks in seconds, as ffprobe prints them. */
function packetsOf(t: VideoTicks): PacketTable {
  const pts = new Float64Array(t.count);
  const dts = new Float64Array(t.count);
  for (let i = 0; i < t.count; i++) {
    const d = (t.dts[i] ?? 0) - t.shift;
    pts[i] = ffprobeSeconds(d + (t.offsets[i] ?? 0), t.timescale);
    dts[i] = ffprobeSeconds(d, t.timescale);
  }
  return { pts, dts, key: t.key };
}

/** Reads `length` bytes at `position`. */
async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** The content of the file's top-level moov box and the file's size, or undefined (no moov, fragmented, too big, damaged sizes). */
export async function readMoov(file: string): Promise<{ body: Buffer; size: number } | undefined> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    let pos = 0;
    for (let n = 0; n < 10_000 && pos + 8 <= size; n++) {
      const box = boxHeader(await readAt(fh, pos, 16), 0, size - pos);
      if (!box) return undefined;
      const { type, header, size: len } = box;
      if (len < header || pos + len > size) return undefined;
      if (type === 'moof') return undefined;
      if (type === 'moov') {
        if (len - header > MAX_MOOV) return undefined;
        const body = await readAt(fh, pos + header, len - header);
        return body.length === len - header ? { body, size } : undefined;
      }
      pos += len;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/** {@link moovVideoPackets} of a file on disk; undefined when ffprobe should list them. */
export async function readMp4VideoPackets(file: string): Promise<PacketTable | undefined> {
  return (await readMp4Index(file))?.packets;
}

/** The moov of a file on disk and, when it is of a plain layout, its video packets (see {@link moovVideoPackets}). */
export async function readMp4Index(file: string): Promise<{ moov: Buffer; packets?: PacketTable; durations?: Mp4Durations } | undefined> {
  const moov = await readMoov(file);
  if (!moov) return undefined;
  // One pass over the tables serves both.
  const ticks = guarded(() => videoTicks(moov.body, moov.size));
  const packets = ticks && packetsOf(ticks);
  const durations = moovDurations(moov.body, ticks);
  return { moov: moov.body, ...(packets ? { packets } : {}), ...(durations ? { durations } : {}) };
}

/** A written MP4's duration and picture size, as ffprobe's format probe gives them. */
export interface Mp4OutputFacts {
  /** Seconds, to the microsecond. */
  duration: number;
  width: number;
  height: number;
}

/**
 * How an ffprobe build computes an MP4's format duration: `header` = the movie header's (5.x
 * and later), `tracks` = the longest track, each the shorter of its media and its edit (4.x).
 * They differ when the header counts what an edit cuts (ffmpeg 4.x writes AAC priming so).
 */
export type DurationReading = 'header' | 'tracks';

/** The two readings of an MP4's duration, in microseconds. */
export interface Mp4Durations {
  header: number;
  tracks: number;
}

/** A track's single edit: its duration in the movie's timescale and where it starts in the media. */
function singleEdit(buf: Buffer, edts: Box[] | undefined): { segment: number; mediaTime: number } | undefined {
  const elst = find(edts, 'elst');
  if (!elst) return undefined;
  const [v, at] = fullBox(buf, elst);
  const entry = v === 1 ? 20 : 12;
  if (at + 4 + entry > elst.end || buf.readUInt32BE(at) !== 1) return undefined;
  const e = at + 4;
  const segment = v === 1 ? Number(buf.readBigUInt64BE(e)) : buf.readUInt32BE(e);
  const mediaTime = v === 1 ? Number(buf.readBigInt64BE(e + 8)) : buf.readInt32BE(e + 4);
  const rate = buf.readInt32BE(e + (v === 1 ? 16 : 8));
  return mediaTime >= 0 && rate === 0x10000 ? { segment, mediaTime } : undefined;
}

/** Runs a pure reader, turning a size that points past its box (a damaged index) into undefined. */
function guarded<T>(read: () => T | undefined): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}

/**
 * Both readings of an MP4's duration (see {@link DurationReading}), when every track has one
 * edit from its start and the video starts at 0 (so the tracks all start where the file does);
 * else undefined. Pure.
 */
export function moovDurations(buf: Buffer, ticks?: VideoTicks): Mp4Durations | undefined {
  return guarded(() => {
    const moov = children(buf, 0, buf.length);
    if (!moov || find(moov, 'mvex')) return undefined;
    const movie = timescaleOf(buf, find(moov, 'mvhd'));
    if (!movie || movie.timescale === 0 || movie.duration === 0) return undefined;
    // ffmpeg keeps durations in microseconds, rounded to nearest.
    const micros = (ticks: number, timescale: number) => Math.round((ticks * 1e6) / timescale);
    let tracks = 0;
    const traks = all(moov, 'trak');
    for (const trak of traks) {
      const tb = children(buf, trak.start, trak.end);
      const mdiaBox = find(tb, 'mdia');
      const mdia = mdiaBox && children(buf, mdiaBox.start, mdiaBox.end);
      const edtsBox = find(tb, 'edts');
      const edit = edtsBox && singleEdit(buf, children(buf, edtsBox.start, edtsBox.end));
      const media = timescaleOf(buf, find(mdia, 'mdhd'));
      if (!edit || !media || media.timescale === 0) return undefined;
      tracks = Math.max(tracks, Math.min(micros(media.duration, media.timescale), micros(edit.segment, movie.timescale)));
    }
    const v = ticks ?? videoTicks(buf, Infinity);
    let first = Infinity;
    for (let i = 0; v && i < v.count; i++) first = Math.min(first, (v.dts[i] ?? 0) + (v.offsets[i] ?? 0) - v.shift);
    if (!traks.length || first !== 0) return undefined;
    return { header: micros(movie.duration, movie.timescale), tracks };
  });
}

/** How the ffprobe that printed `printed` (seconds) for a file with these durations reads them, when that shows. */
export function durationReading(d: Mp4Durations, printed: number): DurationReading | undefined {
  if (d.header === d.tracks || !Number.isFinite(printed)) return undefined;
  const us = Math.round(printed * 1e6);
  return us === d.header ? 'header' : us === d.tracks ? 'tracks' : undefined;
}

/**
 * The duration and size of an MP4 that lessonkit wrote, from its index, as a format probe by
 * an ffprobe with the given reading prints them: given when both readings agree, or when the
 * reading is known; otherwise undefined (the caller runs ffprobe). Pure.
 */
export function moovOutputFacts(buf: Buffer, reading?: DurationReading): Mp4OutputFacts | undefined {
  return guarded(() => {
    const d = moovDurations(buf);
    if (!d || (d.header !== d.tracks && !reading)) return undefined;
    const moov = children(buf, 0, buf.length);
    const track = moov && videoTrack(buf, moov);
    const stsd = track && find(track.stbl, 'stsd');
    // stsd: version/flags, entry count, then the visual sample entry (8-byte header, 6 reserved,
    // data reference index, 16 bytes of pre-defined and reserved, width, height).
    if (!stsd || stsd.start + 8 + 36 > stsd.end || buf.readUInt32BE(stsd.start + 4) !== 1) return undefined;
    const width = buf.readUInt16BE(stsd.start + 8 + 32);
    const height = buf.readUInt16BE(stsd.start + 8 + 34);
    if (!width || !height) return undefined;
    return { duration: ffprobeSeconds(reading === 'tracks' ? d.tracks : d.header, 1e6), width, height };
  });
}

/** {@link moovOutputFacts} of a file on disk (undefined when it cannot be read that way). */
export async function readMp4OutputFacts(file: string, reading?: DurationReading): Promise<Mp4OutputFacts | undefined> {
  const moov = await readMoov(file).catch(() => undefined);
  return moov && moovOutputFacts(moov.body, reading);
}

/** What each ffprobe (by path) was seen to print for a recording whose two readings differ. */
const readings = new Map<string, DurationReading>();

/** Remembers how `ffprobe` read the duration of an MP4 with these durations (see moovDurations; it printed `printed` seconds). */
export function learnDurationReading(ffprobe: string, durations: Mp4Durations | undefined, printed: number): void {
  const r = durations && durationReading(durations, printed);
  if (r) readings.set(ffprobe, r);
}

/** How `ffprobe` reads MP4 durations, when this process has seen it (see learnDurationReading). */
export function knownDurationReading(ffprobe: string): DurationReading | undefined {
  return readings.get(ffprobe);
}
