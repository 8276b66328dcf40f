/**
 * The LMS emulator's settings: which of a real LMS's quirks (docs/lms.md) the preview LMS switches
 * on for `preview --lms NAME`, as data keyed by the profile's quirk names. The behaviour itself is
 * browser code, templates/preview/lms-quirks.js, loaded by the preview panel and by the browser
 * tests' LMS page alike, so what the tests prove is what the preview shows.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LMS_PROFILES, type LmsName, type LmsQuirk } from '../package/lms/index.js';
import { TEMPLATES_DIR } from '../templates.js';

/** What the emulator layer reproduces; every field off unless set. Serialised into the LMS page. */
export interface LmsEmulation {
  /** The profile emulated (`''` for a hand-picked set of quirks). */
  profile: string;
  /** The LMS's name, shown in the panel and in every quirk event. */
  title: string;
  /** Commit and Finish fail (error 101) while the LMS page is unloading the content. */
  commitFailsOnUnload?: boolean;
  /** SCORM 2004: the LMS saves a Commit in the background; a Terminate arriving meanwhile loses both. */
  commitBeforeTerminateLoses?: boolean;
  /** The session expires after this many milliseconds without a Commit; every later call fails. */
  sessionExpiresAfterMs?: number;
  /** `cmi.core.lesson_mode` / `cmi.mode` are never set (empty, error 401). */
  noLessonMode?: boolean;
  /** Any value over 255 characters (other than suspend_data) is refused (error 405 / 406). */
  strict255?: boolean;
  /** SetValue answers true but keeps nothing (a broken bridge). */
  ignoresSetValue?: boolean;
  /** suspend_data is cut silently to this many characters. */
  truncateSuspendData?: number;
  /** SCORM 1.2: an attempt stored as failed reopens in review mode. */
  failedIsFinal?: boolean;
  /** SCORM 2004: unless the last exit was suspend, the next launch is a fresh attempt. */
  newAttemptUnlessSuspended?: boolean;
  /** The content frame's unload handlers never run: nothing the content sends while it unloads arrives. */
  noUnloadEvents?: boolean;
  /** The LMS records the course completed at launch (enrollment not required) unless the content reports a status. */
  completedOnLaunch?: boolean;
  /** SCORM 2004: the LMS marks the SCO completed on exit unless its manifest says the content sets completion. */
  completeOnExitUnlessSetByContent?: boolean;
  /** A key-value store in place of a data model: entry, mode, credit and every `_count` answer an empty string; no call reports an error. */
  partialDataModel?: boolean;
}

/** The emulator settings for a profile's quirk names (what `preview --lms` switches on). */
export function emulationOf(quirks: readonly LmsQuirk[], profile = '', title = 'emulated LMS'): LmsEmulation {
  const e: LmsEmulation = { profile, title };
  for (const q of quirks) {
    if (q === 'commit-fails-on-unload') e.commitFailsOnUnload = true;
    else if (q === 'commit-before-terminate-loses') e.commitBeforeTerminateLoses = true;
    else if (q === 'failed-is-final') e.failedIsFinal = true;
    else if (q === 'session-expires') e.sessionExpiresAfterMs = 30 * 60_000;
    else if (q === 'no-lesson-mode') e.noLessonMode = true;
    else if (q === 'strict-255') e.strict255 = true;
    else if (q === 'no-unload-events') e.noUnloadEvents = true;
    else if (q === 'new-attempt-unless-suspended') e.newAttemptUnlessSuspended = true;
    else if (q === 'truncate-suspend-data') e.truncateSuspendData = 4096;
    else if (q === 'completed-on-launch') e.completedOnLaunch = true;
    else if (q === 'complete-on-exit-unless-set-by-content') e.completeOnExitUnlessSetByContent = true;
    else if (q === 'partial-data-model') e.partialDataModel = true;
  }
  return e;
}

/** The emulator settings of the LMS profile called `name` (already resolved: a known name). */
export function profileEmulation(name: LmsName): LmsEmulation {
  const p = LMS_PROFILES[name];
  return emulationOf(p.quirks, p.name, p.title);
}

/**
 * Whether a SCORM 2004 manifest says the content sets completion itself
 * (`<imsss:deliveryControls completionSetByContent="true">`): without it, SCORM 2004's default
 * lets the LMS mark the SCO completed when it exits, which is what SuccessFactors does.
 */
export function manifestSetsCompletion(manifestXml: string): boolean {
  return /<(?:[\w-]+:)?deliveryControls\b[^>]*\bcompletionSetByContent\s*=\s*["']true["']/.test(manifestXml);
}

/** Reads `imsmanifest.xml` in `root` and answers {@link manifestSetsCompletion} (false without a manifest). */
export async function packageSetsCompletion(root: string): Promise<boolean> {
  const xml = await readFile(path.join(root, 'imsmanifest.xml'), 'utf8').catch(() => '');
  return manifestSetsCompletion(xml);
}

/** The emulator's browser code (served to the preview panel and the tests' LMS page). */
export const LMS_QUIRKS_SCRIPT = path.join(TEMPLATES_DIR, 'preview/lms-quirks.js');
