import path from 'node:path';
import type { Command } from 'commander';
import { EXPORT_REPORTERS, type ExportReporterName } from '../core/export/report.js';
import { FindingsError, UserError } from '../errors.js';
import { displayPath, writeFileAtomic } from '../utils/fs.js';
import { commandEnv } from './shared.js';

/** Flags of `lessonkit export`. */
interface ExportFlags {
  target?: string;
  out?: string;
  concurrency?: string;
  shard?: string;
  force?: boolean;
  dryRun?: boolean;
  reporter: ExportReporterName;
  outputFile?: string;
  cacheDir?: string;
  scoPerLesson?: boolean;
  lms?: string;
  ffmpeg?: string;
  ffprobe?: string;
}

/** `lessonkit export [paths...]`: builds every course of a workspace, incrementally. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('build every course found under the paths for each target: in parallel, incremental, resumable, shardable')
    .argument('[paths...]', 'folders to search for course.yaml files (default: the current folder)')
    .option('-t, --target <list>', "comma-separated targets for every course (default: each course's targets)")
    .option('-o, --out <dir>', 'output folder: <out>/<course-id>/<id>-<version>-<target>.zip and <out>/export.json (default: dist)')
    .option('--concurrency <n>', 'courses built at once (default: one per core; encodes get half as many)')
    .option('--shard <i/n>', 'build only part i of n (a CI matrix); the parts together are the whole export')
    .option('--force', 'rebuild everything, even what has not changed')
    .option('--dry-run', 'list what would be built and why, build nothing')
    .addOption(program.createOption('--reporter <name>', 'report format (pretty goes to stderr)').choices([...EXPORT_REPORTERS]).default('pretty'))
    .option('--output-file <file>', 'write the report to this file')
    .option('--cache-dir <dir>', 'render cache shared by all courses (also LESSONKIT_CACHE_DIR; default: .lessonkit/cache)')
    .option('--sco-per-lesson', 'one SCO (cmi5: AU) per lesson')
    .option('--lms <name>', 'the LMS the packages are for: generic (default), moodle, canvas, cornerstone, successfactors, workday, docebo, blackboard, scorm-cloud (overrides lms: in course.yaml; see docs/lms.md)')
    .option('--ffmpeg <path>', 'use this ffmpeg (also LESSONKIT_FFMPEG)')
    .option('--ffprobe <path>', 'use this ffprobe (also LESSONKIT_FFPROBE)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ lessonkit export courses/ --out exports\n  $ lessonkit export --target scorm12,cmi5 --dry-run\n  $ lessonkit export --shard 2/4 --reporter junit --output-file reports/export.xml\n\nExit codes: 0 every item built or unchanged, 1 an item failed (the others are still built), 2 usage error, 130 cancelled.',
    )
    .action(async (paths: string[], flags: ExportFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      const reporter: ExportReporterName = env.json ? 'json' : flags.reporter;
      let concurrency: number | undefined;
      if (flags.concurrency !== undefined) {
        concurrency = Number(flags.concurrency);
        if (!Number.isInteger(concurrency) || concurrency < 1) throw new UserError(`--concurrency "${flags.concurrency}" is not a whole number of 1 or more.`, { code: 'E_USAGE', hint: 'Give --concurrency 2, for example, or leave it out for one course per core.' });
      }
      const { exportCourses } = await import('../core/export/export.js');
      const { parseShard } = await import('../core/export/shard.js');
      const { formatExportReport, formatExportPretty } = await import('../core/export/report.js');
      const cacheDir = flags.cacheDir ?? env.env.LESSONKIT_CACHE_DIR;
      const result = await exportCourses(
        {
          cwd: env.cwd,
          paths,
          ...(flags.target ? { targets: flags.target.split(',') } : {}),
          ...(flags.out ? { out: flags.out } : {}),
          ...(cacheDir ? { cacheDir } : {}),
          ...(concurrency ? { concurrency } : {}),
          ...(flags.shard ? { shard: parseShard(flags.shard) } : {}),
          force: Boolean(flags.force),
          dryRun: Boolean(flags.dryRun),
          scoPerLesson: Boolean(flags.scoPerLesson),
          ...(flags.lms ? { lms: flags.lms } : {}),
          ...(flags.ffmpeg ? { ffmpeg: flags.ffmpeg } : {}),
          ...(flags.ffprobe ? { ffprobe: flags.ffprobe } : {}),
          env: env.env,
        },
        env.ctx,
      );
      // stdout: the report when one was asked for there (--json: exactly that one document).
      const toStdout = !flags.outputFile && reporter !== 'pretty';
      env.print(result, (r) => (toStdout ? formatExportReport(r, reporter) : ''));
      if (!env.json) process.stderr.write(formatExportPretty(result) + '\n');
      if (flags.outputFile) {
        const file = path.resolve(env.cwd, flags.outputFile);
        try {
          await writeFileAtomic(file, formatExportReport(result, reporter));
        } catch (err) {
          throw new UserError(`Cannot write the report to ${displayPath(file, env.cwd)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, { code: 'E_USAGE', hint: 'Pass --output-file a file path in a folder you can write to.', cause: err });
        }
      }
      if (result.summary.failed > 0) throw new FindingsError('', undefined);
    });
}
