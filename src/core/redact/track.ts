/**
 * Following what OCR found across sampled frames: a hit stays a track while it is read again
 * (or while nothing changed where it is), and becomes regions with time ranges that cover it
 * from the sample before it was first read to the sample where it was gone. Pure.
 */
import { overlapRatio, type TextHit } from './patterns.js';

/** A pixel box, corners inclusive-exclusive. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface Track {
  kind: string;
  key: string;
  text: string;
  start: number;
  end?: number;
  obs: { t: number; box: Box }[];
  /** What the screen held under the box when it was last read (opaque: the caller compares it). */
  snap?: unknown;
}

/** A region proposed for redaction. Serialisable. */
export interface FoundRegion {
  /** The pattern that found it (`email`, `term`, `regex`...). */
  kind: string;
  /** The text read, partly masked (the report must not re-publish what it hides). */
  sample: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Seconds in the recording. */
  from: number;
  to: number;
}

/** Masks all but the first two and last two characters of each word: enough to recognise it. */
export function maskText(text: string): string {
  return text.replace(/\S+/g, (w) => (w.length <= 4 ? '*'.repeat(w.length) : `${w.slice(0, 2)}${'*'.repeat(w.length - 4)}${w.slice(-2)}`));
}

const union = (a: Box, b: Box): Box => ({ x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) });
const area = (b: Box) => Math.max(0, b.x1 - b.x0) * Math.max(0, b.y1 - b.y0);
const shift = (b: Box, dx: number, dy: number): Box => ({ x0: b.x0 + dx, y0: b.y0 + dy, x1: b.x1 + dx, y1: b.y1 + dy });

/** Follows hits over samples. Feed it every OCR'd sample in time order, then call {@link HitTracker.finish}. */
export class HitTracker {
  private readonly active: Track[] = [];
  private readonly done: Track[] = [];

  /**
   * One sample at time `t` (the previous sample was at `prevT`). A track that was not read
   * again has gone only when `changed(box, snap)` says the pixels under it changed since it was
   * last read (text cannot vanish from pixels that stayed the same; OCR can miss a line).
   * `since(box)` is when that part of the screen started changing (a new hit is covered from
   * then); `snapshot(box)` records what the screen holds under a box.
   */
  update(
    t: number,
    prevT: number,
    hits: readonly TextHit[],
    changed: (box: Box, snap: unknown) => boolean,
    since: (box: Box) => number | undefined,
    snapshot: (box: Box) => unknown,
  ): void {
    const matched = new Set<Track>();
    for (const h of hits) {
      const box: Box = { x0: h.x0, y0: h.y0, x1: h.x1, y1: h.y1 };
      const candidates = this.active.filter((tr) => !matched.has(tr) && tr.kind === h.kind);
      const last = (tr: Track) => tr.obs[tr.obs.length - 1]?.box ?? box;
      const dist = (tr: Track) => Math.abs(last(tr).x0 - box.x0) + Math.abs(last(tr).y0 - box.y0);
      const byKey = candidates.filter((tr) => tr.key === h.key).sort((a, b) => dist(a) - dist(b))[0];
      // OCR may read a character differently from one frame to the next: same place, same kind = same item.
      const byPlace = byKey ?? candidates.find((tr) => overlapRatio(last(tr), box) > 0.5);
      if (byPlace) {
        byPlace.obs.push({ t, box });
        byPlace.snap = snapshot(box);
        matched.add(byPlace);
        continue;
      }
      const tr: Track = { kind: h.kind, key: h.key, text: h.text, start: t === 0 ? 0 : Math.min(prevT, since(box) ?? prevT), obs: [{ t, box }], snap: snapshot(box) };
      this.active.push(tr);
      matched.add(tr);
    }
    for (let i = this.active.length - 1; i >= 0; i--) {
      const tr = this.active[i] as Track;
      if (matched.has(tr)) continue;
      const last = tr.obs[tr.obs.length - 1] as { t: number; box: Box };
      if (changed(last.box, tr.snap)) {
        tr.end = t;
        this.done.push(tr);
        this.active.splice(i, 1);
      }
    }
  }

  /** Ends every open track at `duration` and returns the regions, padded and clamped to the frame. */
  finish(duration: number, width: number, height: number): FoundRegion[] {
    for (const tr of this.active.splice(0)) {
      tr.end = duration;
      this.done.push(tr);
    }
    const out: FoundRegion[] = [];
    for (const tr of this.done) out.push(...trackRegions(tr, width, height));
    out.sort((a, b) => a.from - b.from || a.y - b.y || a.x - b.x);
    return out;
  }
}

function trackRegions(tr: Track, width: number, height: number): FoundRegion[] {
  const end = tr.end ?? tr.start;
  const h = Math.max(...tr.obs.map((o) => o.box.y1 - o.box.y0));
  // Glyph boxes are tight: a margin covers anti-aliasing, descenders and a one-sample drift.
  const pad = Math.max(4, Math.round(h * 0.35));
  const make = (b: Box, from: number, to: number): FoundRegion => {
    const x0 = Math.max(0, Math.floor(b.x0 - pad));
    const y0 = Math.max(0, Math.floor(b.y0 - pad));
    const x1 = Math.min(width, Math.ceil(b.x1 + pad));
    const y1 = Math.min(height, Math.ceil(b.y1 + pad));
    return { kind: tr.kind, sample: maskText(tr.text), x: x0, y: y0, width: x1 - x0, height: y1 - y0, from: round(from), to: round(Math.max(to, from)) };
  };
  const first = tr.obs[0] as { t: number; box: Box };
  const last = tr.obs[tr.obs.length - 1] as { t: number; box: Box };
  // Before its first and after its last reading, moving text went on moving: extrapolate.
  const lead = (a: { t: number; box: Box }, b: { t: number; box: Box }, until: number): Box => {
    const k = b.t !== a.t ? (until - a.t) / (b.t - a.t) : 0;
    return union(a.box, shift(a.box, (b.box.x0 - a.box.x0) * k, (b.box.y0 - a.box.y0) * k));
  };
  const head = tr.obs.length > 1 ? lead(first, tr.obs[1] as { t: number; box: Box }, tr.start) : first.box;
  const tail = tr.obs.length > 1 ? lead(last, tr.obs[tr.obs.length - 2] as { t: number; box: Box }, end) : last.box;
  const all = [head, tail, ...tr.obs.map((o) => o.box)].reduce(union);
  const biggest = Math.max(...tr.obs.map((o) => area(o.box)));
  if (tr.obs.length < 2 || area(all) <= 2 * biggest) return [make(all, tr.start, end)];
  // Moving: between two readings the text is somewhere between the two places.
  const out: FoundRegion[] = [];
  out.push(make(head, tr.start, first.t));
  for (let i = 0; i + 1 < tr.obs.length; i++) {
    const a = tr.obs[i] as { t: number; box: Box };
    const b = tr.obs[i + 1] as { t: number; box: Box };
    out.push(make(union(a.box, b.box), a.t, b.t));
  }
  out.push(make(tail, last.t, end));
  return out.filter((r) => r.to > r.from || r.from === end);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
