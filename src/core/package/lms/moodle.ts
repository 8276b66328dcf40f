/**
 * `moodle`: Moodle's SCORM activity. The content runs in an iframe whose unload handlers do not
 * run reliably, so progress is committed every 30 s while playing (and on visibilitychange); in
 * SCORM 2004 an exit other than `suspend` starts a fresh attempt on the next launch, so the exit
 * stays `suspend` once the course is complete. See docs/lms.md#moodle.
 */
import { genericProfile } from './generic.js';
import type { LmsProfile } from './types.js';

/** The Moodle profile. */
export const moodleProfile: LmsProfile = {
  name: 'moodle',
  title: 'Moodle',
  summary: 'exit stays suspend once complete (SCORM 2004); commits every 30 s while playing',
  launch: 'frame',
  runtime: { ...genericProfile.runtime, exitWhenComplete: 'suspend', commitEverySeconds: 30 },
  manifest: { ...genericProfile.manifest },
  quirks: ['no-unload-events', 'commit-fails-on-unload', 'new-attempt-unless-suspended'],
};
