/**
 * The `xapi` target: the player with the xAPI adapter and a `tincan.xml` at the root that
 * declares one launchable activity, the course (Rustici's launch convention), plus the lessons
 * as non-launchable module activities so an LMS can show their names.
 */
import { renderTemplate } from '../../templates.js';
import { TOOL_VERSION } from '../version.js';
import type { PackageTarget } from './types.js';
import { courseIri, lessonActivityId } from './xapi-ids.js';

/** xAPI (Tin Can) package: tincan.xml + player reporting statements to the launching LRS. */
export const xapiTarget: PackageTarget = {
  name: 'xapi',
  description: 'xAPI (Tin Can) package with tincan.xml; statements and resume through the launching LRS',
  check(course) {
    courseIri(course, 'xapi');
  },
  async write(input) {
    const { course } = input;
    const iri = courseIri(course, 'xapi');
    const page = await input.renderLaunchPage({ path: 'index.html', adapter: 'xapi' });
    const xml = await renderTemplate('manifests/tincan.xml.hbs', {
      toolVersion: TOOL_VERSION,
      courseId: iri,
      language: course.language,
      title: course.title,
      description: course.description ?? course.title,
      launch: page.path,
      lessons: course.lessons.map((l) => ({ id: lessonActivityId(iri, l.id), title: l.title, description: l.objectives.join('; ') || l.title })),
    });
    return { files: [page, { path: 'tincan.xml', content: xml }], descriptors: [{ path: 'tincan.xml' }] };
  },
};
