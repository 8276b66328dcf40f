/**
 * `--deep` media checks: would a browser play this file inside the LMS? For MP4-family files
 * the box structure is read directly (top-level boxes by their headers, then the moov box):
 * codecs from the sample descriptions, moov before mdat (faststart), duration from mvhd/mehd.
 * Only headers are read, so a 1 GB video costs a few small reads, not a decode.
 */
import { boxHeader, childBoxes, type Box } from '../media/iso-boxes.js';
import { makeFinding } from './rules.js';
import type { Finding } from './types.js';

/** Random access to one media file (a stored zip entry or a file on disk). */
export interface MediaReader {
  /** Size in bytes. */
  size: number;
  /** Reads `length` bytes at `offset` (may return fewer at the end). */
  read(offset: number, length: number): Promise<Buffer>;
}

const MP4_EXT = /\.(mp4|m4v|m4a|mov)$/i;
/** Containers no current browser plays in a <video> element. */
const UNPLAYABLE_EXT = /\.(avi|wmv|asf|flv|f4v|mpg|mpeg|3gp|3g2|rm|rmvb|wma)$/i;
const GOOD_VIDEO = new Set(['avc1', 'avc3', 'vp08', 'vp09', 'av01']);
const LIMITED_VIDEO = new Set(['hvc1', 'hev1']);
const GOOD_AUDIO = new Set(['mp4a', '.mp3', 'Opus', 'fLaC']);
const MAX_MOOV = 128 * 1024 * 1024;

/** True when `--deep` looks at this file. */
export function isMediaFile(name: string): boolean {
  return MP4_EXT.test(name) || UNPLAYABLE_EXT.test(name);
}

function find(buf: Buffer, parent: Box, path: string[]): Box | undefined {
  let cur: Box | undefined = parent;
  for (const t of path) {
    if (!cur) return undefined;
    const kids = childBoxes(buf, cur.start, cur.end);
    if (typeof kids === 'string') return undefined;
    cur = kids.find((k) => k.type === t);
  }
  return cur;
}

/** H.264 profiles browsers decode: Constrained Baseline/Baseline (66), Main (77), Extended (88), High (100). */
const BROWSER_AVC_PROFILES = new Set([66, 77, 88, 100]);
const AVC_PROFILE_NAMES: Record<number, string> = { 110: 'High 10 (10-bit)', 122: 'High 4:2:2', 244: 'High 4:4:4 Predictive', 44: 'CAVLC 4:4:4 Intra' };

/** AVCProfileIndication from the avcC box of the first sample entry (undefined when absent). */
function avcProfile(moov: Buffer, stsd: Box): number | undefined {
  // stsd payload: version/flags (4), entry count (4), then the sample entry: size, type, and 78
  // bytes of VisualSampleEntry fields before its child boxes.
  const entryStart = stsd.start + 8;
  if (entryStart + 8 > stsd.end) return undefined;
  const entryEnd = Math.min(stsd.end, entryStart + moov.readUInt32BE(entryStart));
  const kids = childBoxes(moov, entryStart + 86, entryEnd);
  if (typeof kids === 'string') return undefined;
  const avcC = kids.find((k) => k.type === 'avcC');
  return avcC && avcC.end - avcC.start >= 2 ? moov[avcC.start + 1] : undefined;
}

/** Checks one media file; `entry` is its package-relative name. */
export async function checkMedia(entry: string, reader: MediaReader): Promise<Finding[]> {
  if (UNPLAYABLE_EXT.test(entry)) {
    return [makeFinding('media.codec.unsupported', `${entry}: browsers do not play this container in a <video> or <audio> element; convert it to MP4 (H.264/AAC)`, { entry })];
  }
  if (!MP4_EXT.test(entry)) return [];
  const out: Finding[] = [];
  const malformed = (why: string) => [makeFinding('media.mp4.malformed', `${entry}: not a readable MP4 (${why}); re-export it as MP4 (H.264/AAC)`, { entry })];
  // Top-level boxes: walk by headers only.
  const top: { type: string; start: number; end: number; headerAt: number }[] = [];
  let at = 0;
  for (let guard = 0; at + 8 <= reader.size && guard < 100_000; guard++) {
    const h = await reader.read(at, 16);
    if (h.length < 8) return malformed(`box header at offset ${at} is cut short`);
    const box = boxHeader(h, 0, reader.size - at);
    const type = h.toString('latin1', 4, 8);
    if (!box) return malformed(`box "${type}" is cut short`);
    if (!/^[\x20-\x7e]{4}$/.test(type)) return malformed(`no box structure at offset ${at}`);
    if (box.size < box.header || at + box.size > reader.size) return malformed(`box "${type}" at offset ${at} claims ${box.size} bytes, past the end of the file`);
    top.push({ type, start: at + box.header, end: at + box.size, headerAt: at });
    at += box.size;
  }
  if (at !== reader.size && at + 8 > reader.size && at < reader.size) return malformed(`${reader.size - at} stray bytes at the end`);
  const moovIndex = top.findIndex((b) => b.type === 'moov');
  const mdatIndex = top.findIndex((b) => b.type === 'mdat');
  if (moovIndex < 0) return malformed('no moov box: the file was not finalised');
  const moovBox = top[moovIndex]!;
  if (mdatIndex >= 0 && mdatIndex < moovIndex) {
    out.push(makeFinding('media.mp4.not-faststart', `${entry}: the moov box comes after the media data, so playback starts only when the whole file has downloaded; re-mux with ffmpeg -movflags +faststart`, { entry }));
  }
  if (moovBox.end - moovBox.start > MAX_MOOV) return [...out, ...malformed('the moov box is larger than any real file needs')];
  const moov = await reader.read(moovBox.start, moovBox.end - moovBox.start);
  const root: Box = { type: 'moov', start: 0, end: moov.length };
  const kids = childBoxes(moov, 0, moov.length);
  if (typeof kids === 'string') return [...out, ...malformed(kids)];

  // Duration: mvhd, or mehd for fragmented files.
  const mvhd = find(moov, root, ['mvhd']);
  let seconds = 0;
  if (mvhd && mvhd.end - mvhd.start >= 20) {
    const v = moov[mvhd.start];
    const timescale = v === 1 ? moov.readUInt32BE(mvhd.start + 20) : moov.readUInt32BE(mvhd.start + 12);
    const duration = v === 1 && mvhd.end - mvhd.start >= 32 ? Number(moov.readBigUInt64BE(mvhd.start + 24)) : moov.readUInt32BE(mvhd.start + 16);
    const mehd = find(moov, root, ['mvex', 'mehd']);
    const fragDuration = mehd ? (moov[mehd.start] === 1 ? Number(moov.readBigUInt64BE(mehd.start + 4)) : moov.readUInt32BE(mehd.start + 4)) : 0;
    if (timescale > 0) seconds = Math.max(duration, fragDuration) / timescale;
  }
  if (!(seconds > 0) || !Number.isFinite(seconds)) {
    out.push(makeFinding('media.duration.unreadable', `${entry}: the duration is ${mvhd ? 'zero' : 'missing (no mvhd box)'}, so players cannot show progress and completion by watched time fails; re-mux the file with ffmpeg`, { entry }));
  }

  // Codecs of every track.
  for (const trak of kids.filter((k) => k.type === 'trak')) {
    const hdlr = find(moov, trak, ['mdia', 'hdlr']);
    const handler = hdlr && hdlr.end - hdlr.start >= 12 ? moov.toString('latin1', hdlr.start + 8, hdlr.start + 12) : '';
    const stsd = find(moov, trak, ['mdia', 'minf', 'stbl', 'stsd']);
    if (!stsd || stsd.end - stsd.start < 16) continue;
    const fourcc = moov.toString('latin1', stsd.start + 12, stsd.start + 16);
    if (handler === 'vide') {
      if (LIMITED_VIDEO.has(fourcc)) {
        out.push(makeFinding('media.codec.unsupported', `${entry}: the video is HEVC (${fourcc}), which many browsers (Firefox, Chrome on older systems) do not play; re-encode as H.264`, { entry }, 'warning'));
      } else if (!GOOD_VIDEO.has(fourcc)) {
        out.push(makeFinding('media.codec.unsupported', `${entry}: the video codec "${fourcc}" does not play in browsers; re-encode as H.264 (ffmpeg -c:v libx264 -pix_fmt yuv420p)`, { entry }));
      }
      const profile = fourcc === 'avc1' || fourcc === 'avc3' ? avcProfile(moov, stsd) : undefined;
      if (profile !== undefined && !BROWSER_AVC_PROFILES.has(profile)) {
        // Screen recorders (OBS "lossless", 4:4:4 or 10-bit settings) write these; browsers show nothing.
        out.push(makeFinding('media.codec.unsupported', `${entry}: the video is H.264 ${AVC_PROFILE_NAMES[profile] ?? `profile ${profile}`}, which browsers do not decode; re-encode as H.264 High 8-bit 4:2:0 (ffmpeg -c:v libx264 -pix_fmt yuv420p)`, { entry }));
      }
    } else if (handler === 'soun' && !GOOD_AUDIO.has(fourcc)) {
      out.push(makeFinding('media.codec.unsupported', `${entry}: the audio codec "${fourcc}" does not play in browsers; re-encode as AAC (ffmpeg -c:a aac)`, { entry }));
    }
  }
  return out;
}
