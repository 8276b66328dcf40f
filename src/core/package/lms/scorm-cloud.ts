/**
 * `scorm-cloud`: Rustici's SCORM Cloud, the reference many vendors test against. It follows the
 * standards closely, so the generic behaviour applies. See docs/lms.md#scorm-cloud.
 */
import { genericProfile } from './generic.js';
import type { LmsProfile } from './types.js';

/** The SCORM Cloud profile. */
export const scormCloudProfile: LmsProfile = {
  name: 'scorm-cloud',
  title: 'SCORM Cloud',
  summary: 'the generic behaviour (SCORM Cloud follows the standard closely)',
  launch: 'frame',
  runtime: { ...genericProfile.runtime },
  manifest: { ...genericProfile.manifest },
  quirks: [],
};
