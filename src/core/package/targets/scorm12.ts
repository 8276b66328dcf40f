/** The `scorm12` target: a SCORM 1.2 content package. */
import { writeScormTarget } from './scorm.js';
import type { PackageTarget } from './types.js';

/** SCORM 1.2: imsmanifest.xml with the IMS CP 1.1.2 / ADL CP schemas, the scorm12 adapter. */
export const scorm12Target: PackageTarget = {
  name: 'scorm12',
  description: 'SCORM 1.2 package (imsmanifest.xml, LMSInitialize/LMSFinish, suspend_data within 4096 characters)',
  write: (input) => writeScormTarget(input, { template: 'scorm12.xml.hbs', schema: 'scorm12', adapter: 'scorm12' }),
};
