/** lessonkit's programmatic API: the same core functions the CLI calls. */
export { loadCourse, checkCourseText, formatProblems, COURSE_FILE } from './core/course/load.js';
export type { Course, Lesson, Segment, CourseProblem, LoadCourseOptions, LoadCourseResult } from './core/course/load.js';
export { courseSchema, courseJsonSchema, TARGETS } from './core/course/schema.js';
export type { TargetName } from './core/course/schema.js';
export { initCourse, addLesson } from './core/course/scaffold.js';
export type { InitCourseOptions, InitCourseResult, AddLessonOptions, AddLessonResult } from './core/course/scaffold.js';
export { editCourseFile } from './core/course/edit.js';
export { parseTime, parseDuration, formatTime } from './core/course/time.js';
export { runDoctor } from './core/doctor/doctor.js';
export { locateMediaTools, findMediaTools } from './core/media/locate.js';
export { createSilentContext, silentLogger } from './core/context.js';
export type { RunContext, Logger, ProgressEvent } from './core/context.js';
export { UserError, FindingsError, CancelledError } from './errors.js';
export { validateXsd, schemaFilesToShip, SCHEMA_SETS } from './core/validate/xsd.js';
export type { SchemaSet, XsdError, XsdResult } from './core/validate/xsd.js';
