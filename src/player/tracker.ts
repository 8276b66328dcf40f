/**
 * Measures the time of a video that was actually played. Seeking never counts: every seek
 * drops the anchor, and the next timeupdate only sets a new one. Between two timeupdates
 * the advance counts only when it is plausible for the wall-clock time that passed at the
 * current playback rate (so a jump the browser did not report as a seek does not count either).
 */
import { addRange, type Range } from './ranges.js';

/** What the tracker reports to the player. */
export interface TrackerEvents {
  /** New watched time [start, end] (seconds) for the current video. */
  onWatched(start: number, end: number): void;
}

/** Attaches a tracker to `video`; returns `reset` (a new source) and `flush` (report the stretch played since the last timeupdate). */
export function trackPlayback(video: HTMLVideoElement, events: TrackerEvents): { reset(): void; flush(): void } {
  let anchor: number | undefined;
  let anchorWall = 0;
  const drop = () => {
    anchor = undefined;
  };
  const advance = () => {
    const now = video.currentTime;
    const wall = performance.now();
    if (video.seeking) {
      anchor = undefined;
      return;
    }
    // Paused or not: a playback that just reached the end reports its last timeupdate while
    // already paused, and that stretch was played. Position changes by seeking never get here.
    if (anchor !== undefined) {
      const delta = now - anchor;
      const allowed = ((wall - anchorWall) / 1000) * Math.max(1, video.playbackRate) * 1.5 + 0.5;
      if (delta > 0 && delta <= allowed) events.onWatched(anchor, now);
    }
    anchor = now;
    anchorWall = wall;
  };
  video.addEventListener('seeking', drop);
  video.addEventListener('emptied', drop);
  video.addEventListener('play', () => {
    anchor = video.currentTime;
    anchorWall = performance.now();
  });
  video.addEventListener('timeupdate', advance);
  video.addEventListener('pause', () => {
    // The last stretch before a pause (or the end) is reported before the anchor goes away.
    if (anchor !== undefined && !video.seeking) {
      const now = video.currentTime;
      const allowed = ((performance.now() - anchorWall) / 1000) * Math.max(1, video.playbackRate) * 1.5 + 0.5;
      if (now > anchor && now - anchor <= allowed) events.onWatched(anchor, now);
    }
    anchor = undefined;
  });
  video.addEventListener('ended', () => {
    if (anchor !== undefined) {
      const end = Number.isFinite(video.duration) ? video.duration : video.currentTime;
      const allowed = ((performance.now() - anchorWall) / 1000) * Math.max(1, video.playbackRate) * 1.5 + 0.5;
      if (end > anchor && end - anchor <= allowed) events.onWatched(anchor, end);
    }
    anchor = undefined;
  });
  return { reset: drop, flush: () => (video.paused ? undefined : advance()) };
}

/** Merges a watched stretch into a segment's ranges (re-exported for the player). */
export function mergeWatched(ranges: Range[], start: number, end: number): Range[] {
  return addRange(ranges, start, end);
}
