/** Target and moveOn names: kept free of zod so the CLI can list them without loading the schema. */

/** Every packaging target lessonkit knows. `scorm2004` is an alias of `scorm2004-4th`. */
export const TARGETS = ['scorm12', 'scorm2004-3rd', 'scorm2004-4th', 'scorm2004', 'xapi', 'cmi5', 'web'] as const;
/** A packaging target as written in course.yaml or `--target`. */
export type TargetName = (typeof TARGETS)[number];

/** cmi5 moveOn values (cmi5 spec section 13.1.4). */
export const MOVE_ON = ['Passed', 'Completed', 'CompletedAndPassed', 'CompletedOrPassed', 'NotApplicable'] as const;

