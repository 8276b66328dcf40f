/**
 * `generic`: the default, for an LMS lessonkit knows nothing about. It avoids every quirk it can
 * avoid without knowing the LMS: commits on milestones, every minute while playing and when the
 * page is hidden (never relying on unload); no Commit right before Terminate (Terminate
 * persists); a keep-alive commit after ten quiet minutes; values within 255 characters; resume
 * data within 4096 characters in SCORM 1.2; a read-back check of the first commit.
 */
import type { LmsProfile } from './types.js';

/** The generic profile. */
export const genericProfile: LmsProfile = {
  name: 'generic',
  title: 'Any SCORM LMS',
  summary: 'the safest behaviour for an unknown LMS',
  launch: 'frame',
  runtime: {
    exitWhenComplete: 'normal',
    commitEverySeconds: 60,
    commitOnHide: true,
    commitBeforeTerminate: false,
    failedStatus: 'failed',
    keepAliveSeconds: 600,
    valueLimit: 255,
    stateBudget: { scorm12: 4096, scorm2004: 64000 },
    connectionCheck: true,
    statusOnLaunch: true,
  },
  manifest: { masteryScore: true },
  quirks: [],
};
