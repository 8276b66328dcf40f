/**
 * `workday`: Workday Learning. The API is searched in every parent frame and then from the
 * opener's frames, which covers the launch frames where a plain parent search misses it; a
 * launch can record completion when enrollment is not required unless the content reports a
 * status, which the player always does from the first launch (see docs/lms.md#workday).
 */
import { genericProfile } from './generic.js';
import type { LmsProfile } from './types.js';

/** The Workday Learning profile. */
export const workdayProfile: LmsProfile = {
  name: 'workday',
  title: 'Workday Learning',
  summary: 'the generic behaviour; launch in a new window where the API is not found from the frame',
  launch: 'window',
  runtime: { ...genericProfile.runtime },
  manifest: { ...genericProfile.manifest },
  quirks: ['completed-on-launch'],
};
