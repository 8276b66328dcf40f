/**
 * Time links: `[text](#video=<segment-id>&t=<seconds>)` in a workbook or cheat-sheet points at a
 * moment of one of the lesson's videos. The workbook renderer checks and keeps them; the player
 * seeks its video there when the learner follows one. A page opened on its own (no player) has
 * nowhere to go, and the link text says which video and when. No Node imports: the player
 * bundles this file.
 */

/** A parsed time link. */
export interface TimeLink {
  segmentId: string;
  /** Seconds from the segment's start. */
  time: number;
}

const FRAGMENT = /^video=([a-z0-9][a-z0-9-]*)&t=(\d+(?:\.\d+)?)$/;

/** Reads a fragment (with or without `#`) as a time link; undefined when it is not one. */
export function parseTimeLink(fragment: string): TimeLink | undefined {
  let f = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  try {
    f = decodeURIComponent(f);
  } catch {
    return undefined;
  }
  const m = FRAGMENT.exec(f);
  if (!m?.[1] || !m[2]) return undefined;
  return { segmentId: m[1], time: Number(m[2]) };
}

/** The fragment of a time link, `#video=intro&t=12.5`. */
export function timeLinkFragment(link: TimeLink): string {
  return `#video=${link.segmentId}&t=${Math.round(link.time * 10) / 10}`;
}

/** `m:ss` (or `h:mm:ss`) for link text. */
export function formatClock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}
