/** The `scorm2004-3rd` and `scorm2004-4th` targets: SCORM 2004 content packages. */
import { writeScormTarget } from './scorm.js';
import type { PackageTarget } from './types.js';

/** SCORM 2004 3rd Edition. */
export const scorm2004ThirdTarget: PackageTarget = {
  name: 'scorm2004-3rd',
  description: 'SCORM 2004 3rd Edition package (objectives per lesson, progress_measure)',
  write: (input) =>
    writeScormTarget(input, { template: 'scorm2004.xml.hbs', schema: 'scorm2004-3rd', adapter: 'scorm2004', schemaVersion: '2004 3rd Edition' }),
};

/** SCORM 2004 4th Edition (also `scorm2004`). */
export const scorm2004FourthTarget: PackageTarget = {
  name: 'scorm2004-4th',
  description: 'SCORM 2004 4th Edition package (objectives per lesson, progress_measure)',
  write: (input) =>
    writeScormTarget(input, { template: 'scorm2004.xml.hbs', schema: 'scorm2004-4th', adapter: 'scorm2004', schemaVersion: '2004 4th Edition' }),
};
