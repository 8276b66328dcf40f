/** The LMS profile registry: one file per LMS in this folder, one line per profile below. */
import { UserError } from '../../../errors.js';
import { blackboardProfile } from './blackboard.js';
import { canvasProfile } from './canvas.js';
import { cornerstoneProfile } from './cornerstone.js';
import { doceboProfile } from './docebo.js';
import { genericProfile } from './generic.js';
import { moodleProfile } from './moodle.js';
import { LMS_NAMES, type LmsName } from './names.js';
import { scormCloudProfile } from './scorm-cloud.js';
import { successfactorsProfile } from './successfactors.js';
import type { LmsProfile, LmsRuntime } from './types.js';
import { workdayProfile } from './workday.js';

export { LMS_NAMES, type LmsName } from './names.js';
export type { LmsManifest, LmsProfile, LmsQuirk, LmsRuntime } from './types.js';

/** Every profile, by name. */
export const LMS_PROFILES: Record<LmsName, LmsProfile> = {
  generic: genericProfile,
  moodle: moodleProfile,
  canvas: canvasProfile,
  cornerstone: cornerstoneProfile,
  successfactors: successfactorsProfile,
  workday: workdayProfile,
  docebo: doceboProfile,
  blackboard: blackboardProfile,
  'scorm-cloud': scormCloudProfile,
};

/**
 * The profile called `name` (`generic` when absent). An unknown name is a UserError naming where
 * it came from (`--lms` or course.yaml) and listing the profiles.
 */
export function resolveLmsProfile(name: string | undefined, from: string): LmsProfile {
  const key = (name ?? 'generic').trim().toLowerCase();
  if ((LMS_NAMES as readonly string[]).includes(key)) return LMS_PROFILES[key as LmsName];
  throw new UserError(`Unknown LMS profile "${name ?? ''}" (from ${from}).`, {
    code: 'E_USAGE',
    hint: `Use one of: ${LMS_NAMES.join(', ')} (generic suits any LMS not listed).`,
  });
}

/** The settings the player reads from its configuration. */
export function lmsRuntime(profile: LmsProfile): LmsRuntime {
  return { profile: profile.name, ...profile.runtime };
}
