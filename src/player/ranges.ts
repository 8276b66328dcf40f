/** Watched time as a sorted list of disjoint [start, end] ranges in seconds. DOM-free. */

/** A watched range [start, end] in seconds, start < end. */
export type Range = [number, number];

/** Adds [start, end] to sorted disjoint `ranges`, merging overlaps and touching ranges; returns a new list. */
export function addRange(ranges: readonly Range[], start: number, end: number): Range[] {
  if (!(end > start)) return ranges.slice();
  const out: Range[] = [];
  let s = start;
  let e = end;
  let placed = false;
  for (const [a, b] of ranges) {
    if (b < s) out.push([a, b]);
    else if (a > e) {
      if (!placed) {
        out.push([s, e]);
        placed = true;
      }
      out.push([a, b]);
    } else {
      s = Math.min(s, a);
      e = Math.max(e, b);
    }
  }
  if (!placed) out.push([s, e]);
  return out;
}

/** Total seconds covered by `ranges`. */
export function coveredSeconds(ranges: readonly Range[]): number {
  let total = 0;
  for (const [a, b] of ranges) total += b - a;
  return total;
}
