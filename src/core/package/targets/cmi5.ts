/**
 * The `cmi5` target: `cmi5.xml` at the root (valid against the cmi5 CourseStructure.xsd,
 * absolute unique IRIs, relative AU URLs) and the player with the cmi5 AU adapter. One AU for
 * the course by default, one per lesson with `--au-per-lesson` (`unitPerLesson`). moveOn and
 * masteryScore come from course.yaml `completion`.
 */
import { UserError } from '../../../errors.js';
import type { Course } from '../../course/load.js';
import { renderTemplate } from '../../templates.js';
import { TOOL_VERSION } from '../version.js';
import type { BundleFile, PackageTarget } from './types.js';
import { auId, courseIri } from './xapi-ids.js';

/** moveOn for the AU(s): course.yaml's, else Completed (what watching the videos earns). */
export function cmi5MoveOn(course: Course): string {
  const moveOn = course.completion.moveOn ?? 'Completed';
  const hasQuiz = course.lessons.some((l) => l.quiz);
  if (!hasQuiz && (moveOn === 'Passed' || moveOn === 'CompletedAndPassed')) {
    throw new UserError(`${course.file}: completion.moveOn is ${moveOn}, but no lesson has a quiz, so a learner could never pass and the AU would never be satisfied.`, {
      code: 'E_COURSE_SCHEMA',
      hint: 'Use moveOn: Completed (or CompletedOrPassed), or add a quiz to a lesson.',
    });
  }
  return moveOn;
}

/** masteryScore as cmi5 writes it: a decimal 0..1 with at most 4 places; '' when none. */
export function cmi5MasteryScore(course: Course): string {
  const m = course.completion.masteryScore;
  return m === undefined ? '' : String(Math.round(m * 100) / 10000);
}

/** cmi5 package: cmi5.xml + the player as a cmi5 AU. */
export const cmi5Target: PackageTarget = {
  name: 'cmi5',
  description: 'cmi5 course package with cmi5.xml; one AU per course (or per lesson), fetch-token launch',
  check(course) {
    courseIri(course, 'cmi5');
    cmi5MoveOn(course);
  },
  async write(input) {
    const { course } = input;
    const iri = courseIri(course, 'cmi5');
    const pages: BundleFile[] = [];
    const aus: { id: string; title: string; description: string; url: string }[] = [];
    if (input.unitPerLesson) {
      for (const lesson of course.lessons) {
        const page = await input.renderLaunchPage({ path: `lessons/${lesson.id}.html`, adapter: 'cmi5', lessonIds: [lesson.id] });
        pages.push(page);
        aus.push({ id: auId(iri, lesson.id), title: lesson.title, description: lesson.objectives.join('; ') || lesson.title, url: page.path });
      }
    } else {
      const page = await input.renderLaunchPage({ path: 'index.html', adapter: 'cmi5' });
      pages.push(page);
      aus.push({ id: auId(iri), title: course.title, description: course.description ?? course.title, url: page.path });
    }
    const xml = await renderTemplate('manifests/cmi5.xml.hbs', {
      toolVersion: TOOL_VERSION,
      courseId: iri,
      language: course.language,
      title: course.title,
      description: course.description ?? course.title,
      moveOn: cmi5MoveOn(course),
      masteryScore: cmi5MasteryScore(course),
      aus,
    });
    return { files: [...pages, { path: 'cmi5.xml', content: xml }], descriptors: [{ path: 'cmi5.xml', schema: 'cmi5' }] };
  },
};
