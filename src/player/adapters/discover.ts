/**
 * Finding an LMS's JavaScript API object the way the SCORM run-time specs describe: walk up
 * the parent frames of this window, then do the same from `window.opener` (the LMS may open
 * the content in a pop-up). Cross-origin frames throw on access; those are skipped.
 */

/** How many parent frames to climb before giving up (ADL's sample code uses 500 for 2004, 7 for 1.2; one bound serves both). */
const MAX_DEPTH = 500;

/** Returns `win[name]` when it is an object, swallowing cross-origin access errors. */
function readApi<T>(win: Window, name: string): T | undefined {
  try {
    const api = (win as unknown as Record<string, unknown>)[name];
    return api && typeof api === 'object' ? (api as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Searches `start` and its parent frames for `name`. */
function searchFrames<T>(start: Window, name: string): T | undefined {
  let win: Window | null = start;
  for (let depth = 0; win && depth <= MAX_DEPTH; depth += 1) {
    const api = readApi<T>(win, name);
    if (api) return api;
    let parent: Window | null = null;
    try {
      parent = win.parent;
    } catch {
      parent = null;
    }
    if (!parent || parent === win) break;
    win = parent;
  }
  return undefined;
}

/**
 * Finds the API object called `name` (`API` for SCORM 1.2, `API_1484_11` for SCORM 2004):
 * this window and its parents first, then the opener and its parents.
 */
export function findLmsApi<T>(start: Window, name: string): T | undefined {
  const found = searchFrames<T>(start, name);
  if (found) return found;
  let opener: Window | null = null;
  try {
    opener = start.opener as Window | null;
  } catch {
    opener = null;
  }
  return opener ? searchFrames<T>(opener, name) : undefined;
}
