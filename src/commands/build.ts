import type { Command } from 'commander';
import { displayPath } from '../utils/fs.js';
import { formatBytes } from '../utils/format.js';
import { commandEnv } from './shared.js';

/** Flags of `lessonkit build`. */
interface BuildFlags {
  target?: string;
  out?: string;
  scoPerLesson?: boolean;
  auPerLesson?: boolean;
  cacheDir?: string;
  ffmpeg?: string;
  ffprobe?: string;
  strict?: boolean;
  lms?: string;
}

/** `lessonkit build [course]`: render, package and validate. */
export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('render the media and the player, write one zip per target, and validate each descriptor')
    .argument('[course]', 'the course folder (default: -C or the current folder)')
    .option('-t, --target <list>', 'comma-separated targets: scorm12, scorm2004-3rd, scorm2004-4th (scorm2004), xapi, cmi5, web (default: targets in course.yaml)')
    .option('-o, --out <dir>', 'where the zips go (default: <course>/dist)')
    .option('--sco-per-lesson', 'one SCO per lesson instead of one per course (SCORM 2004: the learner can choose lessons)')
    .option('--au-per-lesson', 'cmi5: one AU per lesson instead of one per course (same switch as --sco-per-lesson)')
    .option('--cache-dir <dir>', 'render cache folder (also LESSONKIT_CACHE_DIR; default: <course>/.lessonkit/cache)')
    .option('--ffmpeg <path>', 'use this ffmpeg (also LESSONKIT_FFMPEG)')
    .option('--ffprobe <path>', 'use this ffprobe (also LESSONKIT_FFPROBE)')
    .option('--lms <name>', 'the LMS the packages are for: generic (default), moodle, canvas, cornerstone, successfactors, workday, docebo, blackboard, scorm-cloud (overrides lms: in course.yaml; see docs/lms.md)')
    .option('--strict', 'fail (exit 1) on any warning, before anything is encoded or written')
    .addHelpText('after', '\nExamples:\n  $ lessonkit build\n  $ lessonkit build my-course --target scorm12,scorm2004-4th --out bundles --json\n  $ lessonkit build --strict        # in CI: warnings fail the build')
    .action(async (course: string | undefined, flags: BuildFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      const cacheDir = flags.cacheDir ?? env.env.LESSONKIT_CACHE_DIR;
      const result = await (await import('../core/package/build.js')).buildCourse(
        {
          cwd: env.cwd,
          dir: course ?? '.',
          ...(flags.target ? { targets: flags.target.split(',') } : {}),
          ...(flags.out ? { out: flags.out } : {}),
          ...(cacheDir ? { cacheDir } : {}),
          scoPerLesson: Boolean(flags.scoPerLesson || flags.auPerLesson),
          ffmpeg: flags.ffmpeg,
          ffprobe: flags.ffprobe,
          strict: Boolean(flags.strict),
          ...(flags.lms ? { lms: flags.lms } : {}),
          env: env.env,
        },
        env.ctx,
      );
      for (const b of result.bundles) for (const f of b.findings) env.logger.warn(`${b.target}: ${f.ruleId}  ${f.location?.entry ?? ''}  ${f.message}`);
      env.print(result, (r) =>
        [
          `Built ${r.course.id} ${r.course.version} (${r.media.segments} segment${r.media.segments === 1 ? '' : 's'}, ${r.media.cached} from the cache):`,
          ...r.bundles.map((b) => `  ${b.target.padEnd(14)} ${displayPath(b.path, process.cwd())}  ${formatBytes(b.size)}${b.validated.length ? `  (${b.validated.map((v) => `${v.path} valid against ${v.schema}`).join(', ')})` : ''}`),
        ].join('\n'),
      );
    });
}
