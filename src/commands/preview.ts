import type { Command } from 'commander';
import { FindingsError, UserError } from '../errors.js';
import { openInBrowser } from '../ui/open.js';
import { commandEnv } from './shared.js';
import type { PlayPreviewResult } from '../core/preview/play.js';
import type { PreviewBuildStatus } from '../core/preview/preview.js';

/** Flags of `lessonkit preview`. */
interface PreviewFlags {
  target?: string;
  port?: string;
  open?: boolean;
  watch?: boolean;
  headless?: boolean;
  play?: boolean;
  rate?: string;
  answers?: string;
  browser?: string;
  scoPerLesson?: boolean;
  auPerLesson?: boolean;
  lms?: string;
  cacheDir?: string;
  ffmpeg?: string;
  ffprobe?: string;
}

function parseNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new UserError(`${flag} ${value} is not a number from ${min} to ${max}.`, { code: 'E_USAGE', hint: `Pass ${flag} a number, e.g. ${flag} ${max === 65535 ? '8080' : '16'}.` });
  return n;
}

/** `lessonkit preview [course-or-zip-or-folder]`: a local LMS that shows what the LMS will record. */
export function registerPreview(program: Command): void {
  program
    .command('preview')
    .description('run a course or any package in a local LMS on 127.0.0.1 and see, live, what the LMS records')
    .argument('[input]', 'a course folder, a package zip or an unpacked package folder (default: -C or the current folder)')
    .option('-t, --target <list>', 'targets to build and preview for a course (default: targets in course.yaml)')
    .option('--port <n>', 'port on 127.0.0.1 (default: any free port)')
    .option('--open', 'open the system browser on the preview')
    .option('--watch', 'rebuild when course.yaml, a workbook, quiz, caption or recording changes, and reload the page (the last good build stays served)')
    .option('--headless', 'run in headless Chromium instead of serving (with --play)')
    .option('--play', 'play every video at high speed as a learner would, then print what the LMS recorded; exit 1 when not completed')
    .option('--rate <n>', 'playback rate of --play (default 16)')
    .option('--answers <file>', 'with --play: take the knowledge checks with these answers (YAML or JSON, see docs/preview.md)')
    .option('--browser <path>', 'Chrome/Chromium for --headless (also CHROME_PATH; default: the system browser, else @sparticuz/chromium)')
    .option('--sco-per-lesson', 'one SCO per lesson when building a course')
    .option('--lms <name>', 'build for this LMS profile and switch its known quirks on in the preview LMS (see docs/lms.md)')
    .option('--au-per-lesson', 'cmi5: one AU per lesson (same switch as --sco-per-lesson)')
    .option('--cache-dir <dir>', 'render cache folder (also LESSONKIT_CACHE_DIR)')
    .option('--ffmpeg <path>', 'use this ffmpeg (also LESSONKIT_FFMPEG)')
    .option('--ffprobe <path>', 'use this ffprobe (also LESSONKIT_FFPROBE)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ lessonkit preview --open\n  $ lessonkit preview vendor-course.zip\n  $ lessonkit preview --watch --open --target scorm2004   # while writing the course\n  $ lessonkit preview --headless --play --target scorm12,cmi5 --json   # in CI\n  $ lessonkit preview --headless --play --answers answers.yaml        # take the knowledge checks too\n\nExit codes: 0 ok (with --play: every target completed and none failed), 1 a target did not end completed or failed a knowledge check, 2 usage or input error, 130 stopped with Ctrl-C.',
    )
    .action(async (input: string | undefined, flags: PreviewFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      const cacheDir = flags.cacheDir ?? env.env.LESSONKIT_CACHE_DIR;
      const port = parseNumber(flags.port, '--port', 0, 65535);
      const base = {
        cwd: env.cwd,
        ...(input ? { input } : {}),
        ...(flags.target ? { targets: flags.target.split(',') } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(cacheDir ? { cacheDir } : {}),
        scoPerLesson: Boolean(flags.scoPerLesson || flags.auPerLesson),
        ...(flags.lms ? { lms: flags.lms } : {}),
        ffmpeg: flags.ffmpeg,
        ffprobe: flags.ffprobe,
        env: env.env,
      };
      if (flags.answers !== undefined && !flags.play) throw new UserError('--answers only works with --headless --play.', { code: 'E_USAGE', hint: 'Add --headless --play, or leave out --answers and answer the knowledge checks yourself in the preview.' });
      if (flags.headless || flags.play) {
        if (flags.watch) throw new UserError('--watch cannot be combined with --headless/--play.', { code: 'E_USAGE', hint: 'Use --watch while editing the course in the preview, --headless --play for one unattended run.' });
        if (flags.open) throw new UserError('--open cannot be combined with --headless/--play.', { code: 'E_USAGE', hint: 'Use --open to look at the preview yourself, --headless --play for an unattended run.' });
        const rate = parseNumber(flags.rate, '--rate', 1, 16);
        const { playPreview } = await import('../core/preview/play.js');
        const result = await playPreview({ ...base, ...(rate !== undefined ? { rate } : {}), ...(flags.browser ? { browserPath: flags.browser } : {}), ...(flags.answers !== undefined ? { answers: flags.answers } : {}) }, env.ctx);
        env.print(result, renderPlay);
        if (!result.ok) throw new FindingsError('');
        return;
      }
      const { startPreview } = await import('../core/preview/preview.js');
      const preview = await startPreview({ ...base, ...(flags.watch ? { watch: true } : {}) }, env.ctx);
      preview.on('build', (b: PreviewBuildStatus) => {
        if (b.state === 'ok') env.logger.info(`Rebuilt after a change of ${(b.changed ?? []).join(', ')}: build ${b.id} is served.`);
        else if (b.state === 'error') env.logger.error([`The rebuild failed; build ${b.id} is still served. ${b.message ?? ''}`, ...(b.details ?? []).map((d) => `  ${d}`), ...(b.hint ? [`  fix: ${b.hint}`] : [])].join('\n'));
      });
      try {
        env.print({ url: preview.url, source: preview.source, targets: preview.packages.map((p) => ({ target: p.target, standard: p.description.standard, items: p.description.launchables.length })) }, (r) =>
          [`Preview of ${preview.packages[0]?.description.title ?? r.source.path} at ${r.url}`, ...r.targets.map((t) => `  ${t.target.padEnd(14)} ${t.standard}, ${t.items} item${t.items === 1 ? '' : 's'}`)].join('\n'),
        );
        env.logger.info(`Listening on 127.0.0.1 only.${flags.watch ? ' Watching the course for changes.' : ''} Press Ctrl-C to stop.`);
        if (flags.open) openInBrowser(preview.url, (msg) => env.logger.warn(msg));
        await new Promise<void>((resolve) => {
          const signal = env.ctx.signal;
          if (!signal || signal.aborted) return resolve();
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } finally {
        await preview.close();
      }
    });
}

function renderPlay(r: PlayPreviewResult): string {
  const lines: string[] = [];
  for (const p of r.packages) {
    const success = p.items.some((i) => i.record.success === 'failed') ? ', FAILED' : p.items.length > 0 && p.items.every((i) => i.record.success === 'passed') ? ', passed' : '';
    lines.push(`${p.target.padEnd(14)} ${p.completed ? 'completed' : 'NOT completed'}${success}`);
    for (const i of p.items) {
      const rec = i.record;
      const score = rec.score ? `, score ${rec.score.scaled ?? rec.score.raw}` : '';
      const suspend = rec.suspendData.limit ? `, suspend_data ${rec.suspendData.size}/${rec.suspendData.limit}` : '';
      lines.push(`  ${i.title}: ${rec.completion}, ${rec.success}${score}${rec.totalTime ? `, total time ${rec.totalTime}` : ''}${suspend}`);
      for (const reason of i.reasons) lines.push(`    - ${reason}`);
    }
  }
  return lines.join('\n');
}
