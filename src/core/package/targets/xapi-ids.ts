/**
 * Activity ids of xAPI and cmi5 packages, all derived from the course `iri`. The player's xAPI
 * adapters derive lesson and segment ids the same way (src/player/xapi/ids.ts); keep the two
 * in step.
 */
import { UserError } from '../../../errors.js';
import type { Course } from '../../course/load.js';

/** The course IRI without a trailing slash; a UserError naming course.yaml when it is missing. */
export function courseIri(course: Course, target: 'xapi' | 'cmi5'): string {
  if (!course.iri) {
    throw new UserError(`${course.file}: the ${target} target needs "iri", an absolute IRI that becomes the xAPI activity ids, and course.yaml has none.`, {
      code: 'E_COURSE_SCHEMA',
      hint: `Add a line such as: iri: https://training.example.com/courses/${course.id}  (a URL you control; keep it stable after publishing).`,
    });
  }
  return course.iri.replace(/\/+$/, '');
}

/** The activity id of a lesson. */
export function lessonActivityId(iri: string, lessonId: string): string {
  return `${iri}/lessons/${encodeURIComponent(lessonId)}`;
}

/** The cmi5 AU id (publisher id): one per course, or one per lesson. */
export function auId(iri: string, lessonId?: string): string {
  return lessonId ? `${lessonActivityId(iri, lessonId)}/au` : `${iri}/au`;
}
