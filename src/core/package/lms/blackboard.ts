/**
 * `blackboard`: Blackboard Learn (SCORM Engine building block). The generic behaviour with more
 * frequent commits. See docs/lms.md#blackboard.
 */
import { genericProfile } from './generic.js';
import type { LmsProfile } from './types.js';

/** The Blackboard Learn profile. */
export const blackboardProfile: LmsProfile = {
  name: 'blackboard',
  title: 'Blackboard Learn',
  summary: 'commits every 30 s (the SCORM engine frame may go away without unload events)',
  launch: 'frame',
  runtime: { ...genericProfile.runtime, commitEverySeconds: 30 },
  manifest: { ...genericProfile.manifest },
  quirks: [],
};
