/** LMS profile names: kept free of the profiles themselves so course.yaml's schema and the CLI can list them cheaply. */

/** Every LMS profile lessonkit ships (`lms:` in course.yaml, `--lms`). `generic` is the default. */
export const LMS_NAMES = ['generic', 'moodle', 'canvas', 'cornerstone', 'successfactors', 'workday', 'docebo', 'blackboard', 'scorm-cloud'] as const;
/** An LMS profile name. */
export type LmsName = (typeof LMS_NAMES)[number];
