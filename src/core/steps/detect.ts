/**
 * Settled-change detection: where the screen changes and then stays put (a new page, a dialog,
 * a menu, a filled form). It works on small grey frames (about 160 pixels wide, a few a second),
 * so a 15-minute 1080p segment costs little more than decoding it. Pure: frames in, steps out.
 */

/** A settled change found in the frames. */
export interface DetectedChange {
  /** When the change began (seconds from the first frame): the first frame that moved. */
  time: number;
  /** A moment inside the settled screen, for the still. */
  stillAt: number;
  /** The changed area's bounding box, in analysis pixels. */
  box: { x: number; y: number; width: number; height: number };
  /** Share of the frame that changed (0-1). */
  area: number;
  /** The first settled screen (the starting point), not a change. */
  initial?: boolean;
}

/** Tuning of {@link ChangeDetector}. */
export interface DetectOptions {
  /** Analysis frame size. */
  width: number;
  height: number;
  /** Frames a second fed to the detector. */
  fps: number;
  /** Seconds the screen must stay still to count as settled (default 1). */
  settle?: number;
  /** Smallest changed share of the frame that makes a step (default 0.002 = 0.2 %). */
  minArea?: number;
}

/** A pixel differs when its grey level moves by more than this (compression noise stays under it). */
const PIXEL_LEVEL = 20;
/** Blocks of BLOCK x BLOCK pixels: a block counts when at least BLOCK_MIN of its pixels differ (drops lone noisy pixels). */
const BLOCK = 4;
const BLOCK_MIN = 3;
/** A frame is "still" when fewer than this share of its pixels moved since the previous frame: a moving cursor stays under it. */
const MOTION_SHARE = 0.0025;

/** The changed blocks of two frames: count of changed pixels (in changed blocks) and their bounding box. */
export function changedArea(a: Uint8Array, b: Uint8Array, width: number, height: number): { pixels: number; box?: { x: number; y: number; width: number; height: number } } {
  const cols = Math.ceil(width / BLOCK);
  const rows = Math.ceil(height / BLOCK);
  const counts = new Uint16Array(cols * rows);
  for (let y = 0; y < height; y++) {
    const base = y * width;
    const row = ((y / BLOCK) | 0) * cols;
    for (let x = 0; x < width; x++) {
      const d = (a[base + x] ?? 0) - (b[base + x] ?? 0);
      if (d > PIXEL_LEVEL || d < -PIXEL_LEVEL) counts[row + ((x / BLOCK) | 0)]! += 1;
    }
  }
  let pixels = 0;
  let x0 = cols;
  let y0 = rows;
  let x1 = -1;
  let y1 = -1;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const n = counts[r * cols + c] ?? 0;
      if (n < BLOCK_MIN) continue;
      pixels += n;
      if (c < x0) x0 = c;
      if (c > x1) x1 = c;
      if (r < y0) y0 = r;
      if (r > y1) y1 = r;
    }
  if (x1 < 0) return { pixels: 0 };
  const bx = x0 * BLOCK;
  const by = y0 * BLOCK;
  return { pixels, box: { x: bx, y: by, width: Math.min(width, (x1 + 1) * BLOCK) - bx, height: Math.min(height, (y1 + 1) * BLOCK) - by } };
}

/** Pixels that moved between consecutive frames (no block filter: any motion keeps the screen unsettled). */
function motionPixels(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d > PIXEL_LEVEL || d < -PIXEL_LEVEL) n++;
  }
  return n;
}

/**
 * Feeds frames one at a time ({@link push}); {@link finish} returns the settled changes. A step
 * is a screen that stayed still for `settle` seconds and differs from the previous step's screen
 * by at least `minArea` of the frame; small changes that do not reach it add up until they do
 * (a form filled field by field becomes one step).
 */
export class ChangeDetector {
  private readonly size: number;
  private readonly settleFrames: number;
  private readonly minPixels: number;
  private readonly motionMax: number;
  private prev?: Uint8Array;
  /** The screen of the last step. */
  private reference?: Uint8Array;
  /** First frame of the current still run, and its index. */
  private runStart?: Uint8Array;
  private runIndex = 0;
  private runLength = 0;
  /** The run was already judged (settled and compared). */
  private judged = false;
  /** First frame that moved since the last settled screen. */
  private motionSince: number | undefined;
  private readonly found: DetectedChange[] = [];
  /** Inside a long still run: the frame looked at a second ago, and when small changes began. */
  private checkpoint?: Uint8Array;
  private checkpointIndex = 0;
  private smallSince: number | undefined;

  constructor(private readonly o: DetectOptions) {
    this.size = o.width * o.height;
    this.settleFrames = Math.max(2, Math.round((o.settle ?? 1) * o.fps));
    this.minPixels = Math.max(12, Math.round((o.minArea ?? 0.002) * this.size));
    this.motionMax = Math.max(4, Math.round(MOTION_SHARE * this.size));
  }

  /** Adds the next frame (`index` counts from 0 at `fps`). The buffer may be reused by the caller. */
  push(frame: Uint8Array, index: number): void {
    const cur = new Uint8Array(frame);
    const prev = this.prev;
    this.prev = cur;
    const still = prev !== undefined && motionPixels(prev, cur) <= this.motionMax;
    if (!still) {
      if (prev !== undefined && this.motionSince === undefined) this.motionSince = index;
      this.runStart = cur;
      this.runIndex = index;
      this.runLength = 1;
      this.judged = false;
      return;
    }
    this.runLength++;
    if (!this.judged) {
      if (this.runLength < this.settleFrames) return;
      this.judged = true;
      this.checkpoint = cur;
      this.checkpointIndex = index;
      this.settled(this.runStart ?? cur, this.runIndex);
      return;
    }
    // Changes too small to break the still run (typing, a ticked box) are looked at once a
    // second: when they add up to a step and the last second changed nothing more, it is one.
    if (index - this.checkpointIndex < this.settleFrames || !this.reference || !this.checkpoint) return;
    const sinceStep = changedArea(this.reference, cur, this.o.width, this.o.height);
    const lastSecond = changedArea(this.checkpoint, cur, this.o.width, this.o.height).pixels;
    if (sinceStep.pixels > 0 && this.smallSince === undefined) this.smallSince = this.checkpointIndex;
    if (sinceStep.box && sinceStep.pixels >= this.minPixels && lastSecond < this.minPixels) {
      this.reference = cur;
      this.found.push({ time: (this.smallSince ?? this.checkpointIndex) / this.o.fps, stillAt: index / this.o.fps, box: sinceStep.box, area: (sinceStep.box.width * sinceStep.box.height) / this.size });
      this.smallSince = undefined;
    }
    this.checkpoint = cur;
    this.checkpointIndex = index;
  }

  private settled(screen: Uint8Array, index: number): void {
    const fps = this.o.fps;
    const stillAt = (index + this.settleFrames / 2) / fps;
    if (!this.reference) {
      this.reference = screen;
      this.motionSince = undefined;
      this.found.push({ time: index / fps, stillAt, box: { x: 0, y: 0, width: this.o.width, height: this.o.height }, area: 1, initial: true });
      return;
    }
    const diff = changedArea(this.reference, screen, this.o.width, this.o.height);
    if (diff.pixels < this.minPixels || !diff.box) {
      // Motion that came to nothing new (a scroll and back, a hover): the next change starts afresh.
      this.motionSince = undefined;
      return;
    }
    this.reference = screen;
    this.smallSince = undefined;
    const began = this.motionSince ?? index;
    this.motionSince = undefined;
    this.found.push({ time: began / fps, stillAt, box: diff.box, area: (diff.box.width * diff.box.height) / this.size });
  }

  /** The settled changes, in time order. */
  finish(): DetectedChange[] {
    return [...this.found];
  }
}

/**
 * Joins changes closer than `minGap` seconds (a menu opened, then an item picked) into the
 * earlier one's time with the later screen and both areas; then keeps the `max` largest changes
 * (the starting screen always stays). Pure.
 */
export function thinChanges(changes: readonly DetectedChange[], minGap: number, max?: number): DetectedChange[] {
  const out: DetectedChange[] = [];
  for (const c of changes) {
    const last = out[out.length - 1];
    if (last && !last.initial && c.time - last.time < minGap) {
      const x0 = Math.min(last.box.x, c.box.x);
      const y0 = Math.min(last.box.y, c.box.y);
      const x1 = Math.max(last.box.x + last.box.width, c.box.x + c.box.width);
      const y1 = Math.max(last.box.y + last.box.height, c.box.y + c.box.height);
      out[out.length - 1] = { time: last.time, stillAt: c.stillAt, box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, area: Math.max(last.area, c.area) };
      continue;
    }
    out.push({ ...c });
  }
  return max === undefined ? out : keepLargest(out, max, (c) => c);
}

/** Keeps the `max` items with the largest changes, in their order; the starting screen always stays. Pure. */
export function keepLargest<T>(items: readonly T[], max: number, change: (item: T) => DetectedChange): T[] {
  if (items.length <= max) return [...items];
  const keep = new Set(
    items
      .map((item, i) => ({ c: change(item), i }))
      .sort((a, b) => Number(Boolean(b.c.initial)) - Number(Boolean(a.c.initial)) || b.c.area - a.c.area || a.i - b.i)
      .slice(0, Math.max(0, max))
      .map((x) => x.i),
  );
  return items.filter((_, i) => keep.has(i));
}
