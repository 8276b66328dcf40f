/**
 * The resume data the player stores through its adapter (SCORM suspend_data, xAPI State API,
 * localStorage), encoded compactly so it always fits the adapter's limit: SCORM 1.2 gives
 * 4096 characters, which a course of 30 lessons x 10 segments must fit.
 *
 * Format (version 1): `1~<fingerprint>~<lesson>.<segment>.<position>~<segments>~<workbooks>`
 * - fingerprint: a hash of the segment ids, so state from a different course layout is ignored;
 * - position: deciseconds in base 36;
 * - segments: one entry per segment in course order, joined by `,`: empty = nothing watched,
 *   `*` = met the watched share, otherwise watched ranges `start-end` in deciseconds base 36,
 *   joined by `.` (starts rounded up, ends down: storage never over-counts watched time);
 * - workbooks: one `0`/`1` per lesson (opened or not);
 * - quizzes (only when a lesson has a knowledge check): one entry per lesson joined by `,`:
 *   empty = not taken, else `<attempts>-<percent x 100>` in base 36;
 * - prefs (only when one differs from the default): `<speed x 100>.<caption size>.<caption
 *   background>` in base 36, after the quizzes part (left empty when there is no quiz), so the
 *   learner's playback speed and caption look follow them across segments and sessions in at
 *   most a dozen characters.
 * When the text would exceed the limit, version 2 (compact) replaces the segments part with one
 * packed bit stream (`<quantum><base64url>`: ranges as exp-Golomb coded gaps and lengths in
 * whole 1, 2 or 5 second quanta, the finest that fits), about a fifth of the text's size. Only
 * when that is still too long are the shortest partial ranges dropped (under-counting, never
 * over-counting), until it fits. DOM-free.
 */
import { addRange, coveredSeconds, type Range } from './ranges.js';

/** The player's progress state for the lessons of one launch page. */
export interface PlayerState {
  /** Index of the current lesson (within the page's lessons). */
  lesson: number;
  /** Index of the current segment within that lesson. */
  segment: number;
  /** Playback position in the current segment, seconds. */
  position: number;
  /** Per segment (flattened in course order): `true` when it met the watched share, else its watched ranges. */
  segments: (true | Range[])[];
  /** Per lesson: the workbook was opened. */
  workbooks: boolean[];
  /** Per lesson: the knowledge check's attempts and last score, when taken. */
  quizzes?: ({ attempts: number; percent: number } | undefined)[];
  /** The learner's player settings, when any differs from the default. */
  prefs?: PlayerPrefs;
}

/** Settings the learner chose in the player. */
export interface PlayerPrefs {
  /** Playback rate, 0.75 to 2. */
  speed: number;
  /** Caption size step: 0 normal, 1 large, 2 larger. */
  captionSize: number;
  /** Caption background step: 0 dark box, 1 solid black, 2 none (outlined text). */
  captionBackground: number;
}

/** The settings before the learner changes any. */
export const DEFAULT_PREFS: PlayerPrefs = { speed: 1, captionSize: 0, captionBackground: 0 };

/** The playback speeds the player offers. */
export const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2] as const;

const VERSION = '1';
/** The compact format's version: the same parts, with the segments as one packed bit stream. */
const COMPACT = '2';

/** A short stable hash (FNV-1a, base 36) of the segment layout. */
export function layoutFingerprint(ids: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const ch of ids.join('/')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

const ds = (seconds: number, round: 'up' | 'down'): string =>
  (round === 'up' ? Math.ceil(seconds * 10 - 1e-6) : Math.floor(seconds * 10 + 1e-6)).toString(36);

function encodeSegment(entry: true | Range[]): string {
  if (entry === true) return '*';
  const parts: string[] = [];
  for (const [a, b] of entry) {
    const s = ds(a, 'up');
    const e = ds(b, 'down');
    if (parseInt(e, 36) > parseInt(s, 36)) parts.push(`${s}-${e}`);
  }
  return parts.join('.');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Quanta (seconds) of the compact format, finest first; the code is the quantum's digit. */
const QUANTA = [1, 2, 5] as const;

/** Exp-Golomb code of order `k`: short for small numbers, bounded growth for large ones. */
function golombBits(n: number, k: number): number {
  return 2 * Math.floor(Math.log2(Math.floor(n / 2 ** k) + 1)) + 1 + k;
}

/** The numbers a segment list turns into at quantum `q`: per segment a flag, then count, gaps and lengths. */
function quantize(segments: (true | Range[])[], q: number): (true | [number, number][])[] {
  return segments.map((entry) => {
    if (entry === true) return true;
    const out: [number, number][] = [];
    for (const [a, b] of entry) {
      // Starts rounded up, ends down: the compact form never over-counts watched time either.
      const s = Math.ceil(a / q - 1e-6);
      const e = Math.floor(b / q + 1e-6);
      if (e > s) out.push([s, e]);
    }
    return out;
  });
}

/**
 * The compact segments part: the quantum digit, then base64url of a bit stream (4 bits for the
 * exp-Golomb order k; per segment 1 = met the share, else 0, the range count (order 0), and per
 * range the gap from the previous end and the length minus one (order k), in quanta).
 */
function packSegments(segments: (true | Range[])[], q: number): string {
  const quantized = quantize(segments, q);
  const numbers: number[] = [];
  for (const entry of quantized) {
    if (entry === true) continue;
    let prev = 0;
    for (const [s, e] of entry) {
      numbers.push(s - prev, e - s - 1);
      prev = e;
    }
  }
  let k = 0;
  let best = Infinity;
  for (let order = 0; order < 16; order += 1) {
    const cost = numbers.reduce((sum, n) => sum + golombBits(n, order), 0);
    if (cost < best) [best, k] = [cost, order];
  }
  const bits: number[] = [];
  const put = (value: number, width: number) => {
    for (let i = width - 1; i >= 0; i -= 1) bits.push(Math.floor(value / 2 ** i) % 2);
  };
  const golomb = (n: number, order: number) => {
    const m = n + 2 ** order;
    const width = Math.floor(Math.log2(m)) + 1;
    put(0, width - order - 1);
    put(m, width);
  };
  put(k, 4);
  for (const entry of quantized) {
    if (entry === true) {
      bits.push(1);
      continue;
    }
    bits.push(0);
    golomb(entry.length, 0);
    let prev = 0;
    for (const [s, e] of entry) {
      golomb(s - prev, k);
      golomb(e - s - 1, k);
      prev = e;
    }
  }
  let out = String(q);
  for (let i = 0; i < bits.length; i += 6) {
    let v = 0;
    for (let j = 0; j < 6; j += 1) v = v * 2 + (bits[i + j] ?? 0);
    out += B64[v];
  }
  return out;
}

/** Reverses {@link packSegments}; undefined when the text is damaged or has another segment count. */
function unpackSegments(text: string, count: number): (true | Range[])[] | undefined {
  const q = Number(text[0]);
  if (!(QUANTA as readonly number[]).includes(q)) return undefined;
  const bits: number[] = [];
  for (const ch of text.slice(1)) {
    const v = B64.indexOf(ch);
    if (v < 0) return undefined;
    for (let j = 5; j >= 0; j -= 1) bits.push((v >> j) & 1);
  }
  let at = 0;
  const get = (width: number): number => {
    let v = 0;
    for (let i = 0; i < width; i += 1) v = v * 2 + (bits[at++] ?? NaN);
    return v;
  };
  const golomb = (order: number): number => {
    let zeros = 0;
    while (bits[at] === 0) {
      zeros += 1;
      at += 1;
    }
    if (at >= bits.length || zeros > 40) return NaN;
    return get(zeros + order + 1) - 2 ** order;
  };
  const k = get(4);
  const out: (true | Range[])[] = [];
  for (let i = 0; i < count; i += 1) {
    const flag = get(1);
    if (flag === 1) {
      out.push(true);
      continue;
    }
    const n = golomb(0);
    if (!Number.isFinite(flag) || !Number.isFinite(n)) return undefined;
    const ranges: Range[] = [];
    let prev = 0;
    for (let r = 0; r < n; r += 1) {
      const s = prev + golomb(k);
      const e = s + golomb(k) + 1;
      if (!Number.isFinite(e)) return undefined;
      ranges.push([s * q, e * q]);
      prev = e;
    }
    out.push(ranges);
  }
  return out;
}

/**
 * Encodes `state` into at most `limit` characters (see the module comment for the format).
 * Readable text first; when that is too long, the compact format at 1, 2 then 5 second
 * quanta; only then are the shortest partial ranges dropped.
 */
export function encodeState(state: PlayerState, fingerprint: string, limit: number): string {
  const segments = state.segments.map((s) => (s === true ? true : s.map((r) => [r[0], r[1]] as Range)));
  const head = `~${fingerprint}~${state.lesson.toString(36)}.${state.segment.toString(36)}.${ds(Math.max(0, state.position), 'down')}~`;
  const quizzes = state.quizzes?.some(Boolean)
    ? `~${state.quizzes.map((q) => (q ? `${q.attempts.toString(36)}-${Math.round(q.percent * 100).toString(36)}` : '')).join(',')}`
    : '';
  const p = state.prefs;
  const prefs = p && (p.speed !== 1 || p.captionSize !== 0 || p.captionBackground !== 0)
    ? `${quizzes || '~'}~${Math.round(p.speed * 100).toString(36)}.${p.captionSize.toString(36)}.${p.captionBackground.toString(36)}`
    : quizzes;
  const tail = `~${state.workbooks.map((w) => (w ? '1' : '0')).join('')}${prefs}`;
  const text = VERSION + head + segments.map(encodeSegment).join(',') + tail;
  if (text.length <= limit) return text;
  for (const q of QUANTA) {
    const packed = COMPACT + head + packSegments(segments, q) + tail;
    if (packed.length <= limit) return packed;
  }
  const coarse = 5;
  for (;;) {
    const packed = COMPACT + head + packSegments(segments, coarse) + tail;
    if (packed.length <= limit) return packed;
    // Drop the shortest partial ranges first (the least watched time lost per character saved).
    const candidates: { seg: number; range: Range; len: number }[] = [];
    segments.forEach((entry, seg) => {
      if (entry !== true) for (const range of entry) candidates.push({ seg, range, len: range[1] - range[0] });
    });
    if (candidates.length === 0) {
      // Only completed markers left and still too long: keep the bookmark, drop the rest.
      return (VERSION + head + tail).slice(0, limit);
    }
    candidates.sort((a, b) => a.len - b.len);
    // About as many ranges as the excess holds at the stream's average cost per range (at least one).
    const perRange = (packed.length * 6) / candidates.length;
    const drop = new Set(candidates.slice(0, Math.max(1, Math.ceil(((packed.length - limit) * 6) / perRange))).map((c) => c.range));
    for (let i = 0; i < segments.length; i += 1) {
      const entry = segments[i];
      if (entry !== undefined && entry !== true) segments[i] = entry.filter((r) => !drop.has(r));
    }
  }
}

/** Decodes text from {@link encodeState}; undefined when it is from another format or course layout. */
export function decodeState(text: string | undefined, fingerprint: string, segmentCount: number, lessonCount: number): PlayerState | undefined {
  if (!text) return undefined;
  const parts = text.split('~');
  if (parts.length < 5 || parts.length > 7 || (parts[0] !== VERSION && parts[0] !== COMPACT) || parts[1] !== fingerprint) return undefined;
  const [lesson, segment, position] = (parts[2] ?? '').split('.').map((v) => parseInt(v, 36));
  const segTexts = (parts[3] ?? '').split(',');
  const packed = parts[0] === COMPACT ? unpackSegments(parts[3] ?? '', segmentCount) : undefined;
  if (parts[0] === COMPACT ? !packed : segTexts.length !== segmentCount) return undefined;
  const segments: (true | Range[])[] = packed ?? segTexts.map((t) => {
    if (t === '*') return true;
    let ranges: Range[] = [];
    for (const r of t ? t.split('.') : []) {
      const [a, b] = r.split('-').map((v) => parseInt(v, 36) / 10);
      if (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b)) ranges = addRange(ranges, a, b);
    }
    return ranges;
  });
  const wb = parts[4] ?? '';
  const workbooks = Array.from({ length: lessonCount }, (_, i) => wb[i] === '1');
  const ok = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n >= 0 ? n : 0);
  const quizTexts = parts[5] ? parts[5].split(',') : undefined;
  const quizzes = quizTexts
    ? Array.from({ length: lessonCount }, (_, i) => {
        const [a, p] = (quizTexts[i] ?? '').split('-').map((v) => parseInt(v, 36));
        return a !== undefined && p !== undefined && Number.isFinite(a) && Number.isFinite(p) && a > 0 ? { attempts: a, percent: Math.min(100, p / 100) } : undefined;
      })
    : undefined;
  const [speed, size, bg] = (parts[6] ?? '').split('.').map((v) => parseInt(v, 36));
  const prefs: PlayerPrefs | undefined = parts[6]
    ? {
        // Out-of-range values (a hand-edited record) fall back to the defaults rather than break playback.
        speed: speed !== undefined && speed >= 75 && speed <= 200 ? speed / 100 : 1,
        captionSize: size !== undefined && size >= 0 && size <= 2 ? size : 0,
        captionBackground: bg !== undefined && bg >= 0 && bg <= 2 ? bg : 0,
      }
    : undefined;
  return { lesson: ok(lesson), segment: ok(segment), position: ok(position) / 10, segments, workbooks, ...(quizzes ? { quizzes } : {}), ...(prefs ? { prefs } : {}) };
}

/** Share of a segment actually watched, 0..1. */
export function watchedShare(entry: true | Range[], duration: number): number {
  if (entry === true) return 1;
  return duration > 0 ? Math.min(1, coveredSeconds(entry) / duration) : 0;
}
