/** Captions: SRT or WebVTT in, cut to a segment and re-timed, WebVTT out. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { pathExists } from '../../utils/fs.js';

/** One caption cue, times in seconds. */
export interface Cue {
  start: number;
  end: number;
  /** Cue text, lines joined with `\n`. */
  text: string;
}

const TIMING = /^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})/;

/** Parses `01:02:03,456` / `02:03.456` into seconds. */
export function parseCueTime(s: string): number {
  const parts = s.replace(',', '.').split(':').map(Number);
  let t = 0;
  for (const p of parts) t = t * 60 + p;
  return t;
}

/** Formats seconds as a WebVTT timestamp `HH:MM:SS.mmm`. */
export function formatVttTime(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
}

/** Parses SRT or WebVTT text into cues (cue settings and styling blocks are dropped). */
export function parseCaptions(text: string): Cue[] {
  const cues: Cue[] = [];
  const blocks = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n');
    const i = lines.findIndex((l) => TIMING.test(l));
    if (i < 0) continue;
    const m = TIMING.exec(lines[i] ?? '');
    if (!m?.[1] || !m[2]) continue;
    const start = parseCueTime(m[1]);
    const end = parseCueTime(m[2]);
    const body = lines.slice(i + 1).join('\n').trim();
    if (end > start && body) cues.push({ start, end, text: body });
  }
  return cues;
}

/** Keeps the cues overlapping [from, to), clipped to it and shifted so `from` is 0. */
export function cutCues(cues: readonly Cue[], from: number, to: number): Cue[] {
  const out: Cue[] = [];
  for (const c of cues) {
    const start = Math.max(c.start, from);
    const end = Math.min(c.end, to);
    // Slivers under 100 ms are a word cut in half at the edge: unreadable, so dropped.
    if (end - start >= 0.1) out.push({ start: start - from, end: end - from, text: c.text });
  }
  return out;
}

/** Escapes cue text for WebVTT: `-->` may not appear and `<`/`&` start markup. */
function escapeCueText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Serialises cues as a WebVTT file. */
export function toWebVtt(cues: readonly Cue[]): string {
  return 'WEBVTT\n\n' + cues.map((c, i) => `${i + 1}\n${formatVttTime(c.start)} --> ${formatVttTime(c.end)}\n${escapeCueText(c.text)}\n`).join('\n');
}

/** Finds captions beside a recording: `talk.srt` or `talk.vtt` next to `talk.mp4`. */
export async function findSidecarCaptions(video: string): Promise<string | undefined> {
  const base = video.slice(0, video.length - path.extname(video).length);
  for (const ext of ['.vtt', '.srt']) if (await pathExists(base + ext)) return base + ext;
  return undefined;
}

/** Reads a captions file, failing with a UserError that names it. */
export async function readCaptions(file: string, shown: string): Promise<Cue[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`Captions file ${shown} does not exist.`, { code: 'E_NOT_FOUND', hint: 'Fix the captions path, or remove it to go without captions.' });
  }
  const cues = parseCaptions(text);
  if (cues.length === 0 && text.trim()) {
    throw new UserError(`Captions file ${shown} has no cues lessonkit can read.`, { code: 'E_INPUT', hint: 'Use SRT (`00:00:01,000 --> 00:00:03,000`) or WebVTT timing lines.' });
  }
  return cues;
}
