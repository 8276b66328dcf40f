/**
 * `cornerstone`: Cornerstone OnDemand. Commit fails while the page unloads (so progress is
 * committed on visibilitychange and every 30 s, never left to unload); a SCORM 2004 Commit right
 * before Terminate loses data (so there is none); a SCORM 1.2 course stored as `failed` cannot be
 * retaken (so a failed knowledge check is reported `incomplete`, and the manifest carries no
 * masteryscore that would let the LMS set `failed` itself). See docs/lms.md#cornerstone.
 */
import { genericProfile } from './generic.js';
import type { LmsProfile } from './types.js';

/** The Cornerstone OnDemand profile. */
export const cornerstoneProfile: LmsProfile = {
  name: 'cornerstone',
  title: 'Cornerstone OnDemand',
  summary: 'no Commit right before Terminate; a failed quiz is reported incomplete (no masteryscore) so the course can be retaken',
  launch: 'window',
  runtime: { ...genericProfile.runtime, commitEverySeconds: 30, commitBeforeTerminate: false, failedStatus: 'incomplete' },
  manifest: { ...genericProfile.manifest, masteryScore: false },
  quirks: ['commit-fails-on-unload', 'commit-before-terminate-loses', 'failed-is-final'],
};
