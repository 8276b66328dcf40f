/** The HTML launch page of a bundle: the player's shell with its configuration embedded as JSON. */
import path from 'node:path';
import type { Course } from '../course/load.js';
import { genericProfile } from '../package/lms/generic.js';
import type { LmsRuntime } from '../package/lms/types.js';
import type { BundleFile, LaunchPageOptions } from '../package/targets/types.js';
import { TOOL_VERSION } from '../package/version.js';
import { renderTemplate } from '../templates.js';
import type { PlayerConfig, PlayerLesson, PlayerTheme } from './config.js';

/**
 * Renders a launch page. Author text reaches the page only through Handlebars escaping (the
 * title) and `jsonForScript` (the configuration), so a title like `</script><script>` stays text.
 */
export async function renderLaunchPage(course: Course, lessons: PlayerLesson[], options: LaunchPageOptions, theme?: PlayerTheme, lms?: LmsRuntime): Promise<BundleFile> {
  const depth = path.posix.dirname(options.path) === '.' ? 0 : path.posix.dirname(options.path).split('/').length;
  const base = '../'.repeat(depth);
  const selected = options.lessonIds ? lessons.filter((l) => options.lessonIds?.includes(l.id)) : lessons;
  const config: PlayerConfig = {
    adapter: options.adapter,
    base,
    course: {
      id: course.id,
      version: course.version,
      title: course.title,
      language: course.language,
      description: course.description ?? '',
      ...(course.iri ? { iri: course.iri } : {}),
    },
    completion: { watchedPercent: course.completion.watchedPercent, requireWorkbook: course.completion.requireWorkbook },
    lessons: selected,
    ...(theme ? { theme } : {}),
    lms: lms ?? { profile: 'generic', ...genericProfile.runtime },
  };
  const title = options.lessonIds && selected.length === 1 ? `${selected[0]?.title ?? ''} \u2013 ${course.title}` : course.title;
  const html = await renderTemplate('player/index.html.hbs', { language: course.language, title, base, toolVersion: TOOL_VERSION, config });
  return { path: options.path, content: html };
}
