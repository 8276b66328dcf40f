/**
 * `successfactors`: SAP SuccessFactors Learning. Its session expires after 30 minutes without
 * traffic, so a keep-alive commit goes out after 5 quiet minutes; its wrapper can mark SCORM 2004
 * content complete on exit unless the manifest says the content sets completion, which every
 * lessonkit SCORM 2004 manifest does (`completionSetByContent`), and the player reports
 * `incomplete` from the first launch. See docs/lms.md#successfactors.
 */
import { genericProfile } from './generic.js';
import type { LmsProfile } from './types.js';

/** The SAP SuccessFactors Learning profile. */
export const successfactorsProfile: LmsProfile = {
  name: 'successfactors',
  title: 'SAP SuccessFactors Learning',
  summary: 'a keep-alive commit every 5 minutes of silence (the session expires after 30)',
  launch: 'window',
  runtime: { ...genericProfile.runtime, keepAliveSeconds: 300 },
  manifest: { ...genericProfile.manifest },
  quirks: ['session-expires', 'complete-on-exit-unless-set-by-content'],
};
