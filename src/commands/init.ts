import type { Command } from 'commander';
import { slugify } from '../core/course/slug.js';
import { TARGETS } from '../core/course/targets.js';
import { UserError } from '../errors.js';
import { askChoices, askText, type PromptStreams } from '../ui/prompts.js';
import { commandEnv } from './shared.js';

/** Flags of `lessonkit init`. */
export interface InitFlags {
  title?: string;
  id?: string;
  author?: string;
  org?: string;
  language?: string;
  lesson?: string;
  targets?: string;
  iri?: string;
  yes?: boolean;
  force?: boolean;
}

/** Collects the init answers: flag, else prompt (when interactive), else default. */
export async function collectInitAnswers(flags: InitFlags, interactive: boolean, streams: PromptStreams = {}) {
  const { assertId, parseTargets } = await import('../core/course/scaffold.js');
  const ask = interactive && !flags.yes;
  const title = flags.title ?? (ask ? await askText('Course title', { required: true }, streams) : undefined);
  if (!title?.trim()) throw new UserError('A course title is needed.', { code: 'E_USAGE', hint: 'Pass --title "Your course title" (prompts are off with --yes, without a terminal, or in CI).' });
  const id =
    flags.id ??
    (ask
      ? await askText('Course id (used in package identifiers)', { default: slugify(title), validate: (v) => (/^[a-z0-9][a-z0-9-]*$/.test(v) ? true : 'Lowercase letters, digits and dashes.') }, streams)
      : slugify(title));
  assertId(id, '--id');
  const author = flags.author ?? (ask ? await askText('Your name, as learners should see it', {}, streams) : undefined);
  const org = flags.org ?? (ask ? await askText('Your organization (optional)', {}, streams) : undefined);
  const language =
    flags.language ??
    (ask ? await askText('Language of the course (BCP 47, e.g. en-US, de-DE)', { default: 'en-US', validate: (v) => (/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(v) ? true : 'A tag such as en-US.') }, streams) : 'en-US');
  const lessonTitle = flags.lesson ?? (ask ? await askText('Title of the first lesson', { default: 'Introduction' }, streams) : 'Introduction');
  let targets = flags.targets ? parseTargets(flags.targets) : undefined;
  if (!targets && ask) {
    const picked = await askChoices(
      'Which LMS packages do you need? (space to select, enter to confirm)',
      TARGETS.filter((t) => t !== 'scorm2004').map((t) => ({ value: t, name: t, checked: t === 'scorm12' || t === 'scorm2004-4th' })),
      streams,
    );
    targets = parseTargets(picked.join(','));
  }
  let iri = flags.iri;
  if (!iri && ask && targets?.some((t) => t === 'xapi' || t === 'cmi5')) {
    iri = await askText('Base IRI for xAPI/cmi5 activity ids', { default: `https://training.example.com/courses/${id}`, validate: (v) => (/^[a-z][a-z0-9+.-]*:\S+$/i.test(v) ? true : 'An absolute IRI such as https://...') }, streams);
  }
  return { title, id, author, org, language, lessonTitle, targets, iri };
}

/** `lessonkit init [dir]`. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a course: course.yaml, recordings/, a workbook and cheat-sheet')
    .argument('[dir]', 'folder for the course (created if needed)', '.')
    .option('--title <text>', 'course title')
    .option('--id <id>', 'course id (default: derived from the title)')
    .option('--author <name>', "author's name")
    .option('--org <name>', "author's organization")
    .option('--language <tag>', 'course language, BCP 47 (default en-US)')
    .option('--lesson <title>', 'title of the first lesson (default "Introduction")')
    .option('--targets <list>', `comma-separated targets: ${TARGETS.join(', ')}`)
    .option('--iri <iri>', 'base IRI for xAPI/cmi5 activity ids')
    .option('-y, --yes', 'ask nothing; use flags and defaults')
    .option('--force', 'replace an existing course.yaml (other files are kept)')
    .addHelpText('after', '\nExample:\n  $ lessonkit init my-course --yes --title "Mobile access" --author "Jane Doe" --targets scorm12,scorm2004-4th')
    .action(async (dir: string, flags: InitFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      const answers = await collectInitAnswers(flags, env.interactive);
      const { initCourse } = await import('../core/course/scaffold.js');
      const result = await initCourse(
        {
          cwd: env.cwd,
          dir,
          title: answers.title,
          id: answers.id,
          ...(answers.author ? { author: answers.author } : {}),
          ...(answers.org ? { org: answers.org } : {}),
          language: answers.language,
          lessonTitle: answers.lessonTitle,
          ...(answers.targets ? { targets: answers.targets } : {}),
          ...(answers.iri ? { iri: answers.iri } : {}),
          force: Boolean(flags.force),
        },
        env.ctx,
      );
      env.print(result, (r) =>
        [
          `Created course "${r.id}" in ${r.dir}`,
          ...r.created.map((f) => `  + ${f}`),
          ...r.kept.map((f) => `  = ${f} (kept)`),
          '',
          'Next: put your recording in recordings/, then',
          '  lessonkit probe recordings/<file>.mp4',
          '  lessonkit split recordings/<file>.mp4 --max 15m --lesson <lesson-id>',
        ].join('\n'),
      );
    });
}
