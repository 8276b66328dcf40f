/**
 * `docebo`: Docebo. No Docebo-specific quirk is documented publicly; the generic behaviour
 * applies, named so courses can say where they run. See docs/lms.md#docebo.
 */
import { genericProfile } from './generic.js';
import type { LmsProfile } from './types.js';

/** The Docebo profile. */
export const doceboProfile: LmsProfile = {
  name: 'docebo',
  title: 'Docebo',
  summary: 'the generic behaviour (no Docebo-specific quirk is documented)',
  launch: 'frame',
  runtime: { ...genericProfile.runtime },
  manifest: { ...genericProfile.manifest },
  quirks: [],
};
