/**
 * Redaction regions: what course.yaml's `redact:` says, resolved to pixels and seconds of one
 * recording, and which frames of a cut they touch. Pure: the course check, the render and
 * `redact find` share these rules.
 */

/** How a region is hidden. */
export type RedactStyle = 'blur' | 'pixelate' | 'box';

/** A box value as written: pixels, or a percentage string such as `"10%"`. */
export type BoxValue = number | string;

/** A region as course.yaml states it (times already parsed to seconds). */
export interface RedactionSpec {
  /** [x, y, width, height] in source pixels or percentages. */
  box: [BoxValue, BoxValue, BoxValue, BoxValue];
  /** Start in the source recording, seconds; absent = its start. */
  from?: number;
  /** End in the source recording, seconds; absent = its end. */
  to?: number;
  style: RedactStyle;
  note?: string;
  /** Where it is written in course.yaml (`['redact', 2]`), for located messages. */
  at: (string | number)[];
}

/** A region in pixels and seconds of one recording, ready for ffmpeg. */
export interface Redaction {
  /** Even pixel rectangle inside the frame (grown outwards to even values: yuv420p chroma is 2x2). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Seconds in the source recording. */
  from: number;
  to: number;
  style: RedactStyle;
}

/** Why a spec does not fit the recording. */
export interface RegionProblem {
  /** Which key is wrong: the box or a time. */
  key: 'box' | 'from' | 'to';
  message: string;
  hint: string;
}

/** One box value in pixels: `"10%"` of `size`, or the number itself. */
export function boxPixels(v: BoxValue, size: number): number {
  if (typeof v === 'number') return v;
  return (Number(v.replace('%', '')) / 100) * size;
}

/**
 * Checks a spec against the recording's upright size and duration: the box must lie inside the
 * frame and have an area, the range must be inside the recording and not empty.
 */
export function regionProblems(spec: RedactionSpec, width: number, height: number, duration: number): RegionProblem[] {
  const out: RegionProblem[] = [];
  const [x, y, w, h] = [boxPixels(spec.box[0], width), boxPixels(spec.box[1], height), boxPixels(spec.box[2], width), boxPixels(spec.box[3], height)];
  if (w <= 0 || h <= 0) {
    out.push({ key: 'box', message: `has no area (width ${round(w)}, height ${round(h)})`, hint: 'give a width and a height above 0: box: [x, y, width, height]' });
  } else if (x + w > width + 0.5 || y + h > height + 0.5) {
    out.push({
      key: 'box',
      message: `reaches outside the ${width}x${height} frame (to x ${round(x + w)}, y ${round(y + h)})`,
      hint: `keep x + width <= ${width} and y + height <= ${height}, or use percentages such as box: ["10%", "5%", "30%", "4%"]`,
    });
  }
  const end = duration;
  if (spec.from !== undefined && spec.from >= end) out.push({ key: 'from', message: `(${round(spec.from)} s) is at or past the end of the recording (${round(end)} s long)`, hint: `start the region before ${round(end)} s` });
  else if (spec.to !== undefined && spec.to > end + 0.5) out.push({ key: 'to', message: `(${round(spec.to)} s) is past the end of the recording (${round(end)} s long)`, hint: `end the region at ${round(end)} s or earlier, or leave out to: for "to the end"` });
  else if (spec.from !== undefined && spec.to !== undefined && spec.to <= spec.from) out.push({ key: 'to', message: `(${round(spec.to)} s) is not after from (${round(spec.from)} s)`, hint: 'make to later than from' });
  return out;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Resolves a spec to an even pixel rectangle inside the frame and a time range (whole recording when open). */
export function resolveRegion(spec: RedactionSpec, width: number, height: number, duration: number): Redaction {
  const x0 = Math.max(0, boxPixels(spec.box[0], width));
  const y0 = Math.max(0, boxPixels(spec.box[1], height));
  const x1 = Math.min(width, x0 + boxPixels(spec.box[2], width));
  const y1 = Math.min(height, y0 + boxPixels(spec.box[3], height));
  // Grown outwards to even edges: hiding a pixel more is safe, a pixel less is a leak.
  const ex0 = 2 * Math.floor(x0 / 2);
  const ey0 = 2 * Math.floor(y0 / 2);
  const ex1 = Math.min(width - (width % 2), 2 * Math.ceil(x1 / 2));
  const ey1 = Math.min(height - (height % 2), 2 * Math.ceil(y1 / 2));
  return { x: ex0, y: ey0, width: Math.max(2, ex1 - ex0), height: Math.max(2, ey1 - ey0), from: spec.from ?? 0, to: spec.to ?? duration, style: spec.style };
}

/**
 * The regions that touch the source range [from, to): a frame shown at t (for one frame
 * duration) is redacted when its display interval meets the region's range.
 */
export function regionsInRange(regions: readonly Redaction[], from: number, to: number, frameDuration: number): Redaction[] {
  return regions.filter((r) => r.to > from - frameDuration && r.from < to);
}

/** Is the frame displayed from `t` (for `frameDuration`) covered by the region's time range? */
export function frameRedacted(r: Pick<Redaction, 'from' | 'to'>, t: number, frameDuration: number): boolean {
  // A quarter frame of slack absorbs the microsecond rounding of probed times.
  return t + frameDuration > r.from + frameDuration / 4 && t <= r.to + frameDuration / 4;
}

/** A run of frames of a smart cut: re-encoded (with `redact` applied) or stream-copied. */
export interface SmartPart {
  /** First source frame and one past the last. */
  first: number;
  end: number;
  encode: boolean;
  /**
   * Source keyframes strictly inside an encoded part (frame indices): a part that joins several
   * GOPs keeps a keyframe where the source had one, so seeking in the lesson stays as fine.
   */
  keyframes?: number[];
}

/**
 * Splits a smart cut into parts: the partial GOPs at both edges are re-encoded as before, and so
 * is every whole GOP in between that holds a redacted frame; the other GOPs are stream-copied.
 * Neighbouring re-encoded runs are one part: one ffmpeg run decodes, blurs and encodes them in
 * a single pass (each run of its own would also decode the GOP before it for nothing, through
 * its accurate seek). `keyframes` are frame indices of the keyframes; `times` the frame times.
 * Without regions the result is the classic head, copied middle, tail.
 */
export function smartParts(
  plan: { firstFrame: number; endFrame: number; copyStart: number; copyEnd: number },
  keyframes: readonly number[],
  times: readonly number[],
  frameDuration: number,
  regions: readonly Pick<Redaction, 'from' | 'to'>[],
): SmartPart[] {
  const parts: SmartPart[] = [];
  const push = (first: number, end: number, encode: boolean) => {
    if (end <= first) return;
    const last = parts[parts.length - 1];
    if (last && last.encode === encode && last.end === first) {
      last.end = end;
      if (encode) (last.keyframes ??= []).push(first);
    } else parts.push({ first, end, encode });
  };
  push(plan.firstFrame, plan.copyStart, true);
  const inner = [...new Set(keyframes.filter((k) => k >= plan.copyStart && k <= plan.copyEnd))].sort((a, b) => a - b);
  if (inner[0] !== plan.copyStart) inner.unshift(plan.copyStart);
  if (inner[inner.length - 1] !== plan.copyEnd) inner.push(plan.copyEnd);
  const redacted = (i: number) => regions.some((r) => frameRedacted(r, times[i] ?? 0, frameDuration));
  for (let g = 0; g + 1 < inner.length; g++) {
    const first = inner[g] ?? 0;
    const end = inner[g + 1] ?? first;
    let touched = false;
    for (let i = first; i < end && !touched; i++) touched = redacted(i);
    push(first, end, touched);
  }
  push(plan.copyEnd, plan.endFrame, true);
  return parts;
}
