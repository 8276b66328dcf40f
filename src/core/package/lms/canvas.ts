/**
 * `canvas`: Canvas, where SCORM packages run through an LTI tool (a SCORM-to-LTI bridge) that
 * hosts the content in a frame it may remove without unload events: frequent commits, and the
 * exit stays `suspend` so a relaunch finds the learner's data. See docs/lms.md#canvas.
 */
import { genericProfile } from './generic.js';
import type { LmsProfile } from './types.js';

/** The Canvas (SCORM through LTI) profile. */
export const canvasProfile: LmsProfile = {
  name: 'canvas',
  title: 'Canvas (SCORM through LTI)',
  summary: 'commits every 30 s: the SCORM-to-LTI bridge may close the frame without unload events',
  launch: 'frame',
  runtime: { ...genericProfile.runtime, commitEverySeconds: 30, exitWhenComplete: 'suspend' },
  manifest: { ...genericProfile.manifest },
  quirks: ['no-unload-events'],
};
