import type { Command } from 'commander';
import { formatTime, parseDuration } from '../core/course/time.js';
import type { DraftStepsResult } from '../core/steps/steps.js';
import { UserError } from '../errors.js';
import { displayPath } from '../utils/fs.js';
import { commandEnv } from './shared.js';

/** Flags of `lessonkit steps`. */
interface StepsFlags {
  out?: string;
  max?: string;
  minGap?: string;
  write?: boolean;
  force?: boolean;
  lang?: string;
  ffmpeg?: string;
  ffprobe?: string;
}

/** The human-readable form of a steps result. */
export function renderSteps(r: DraftStepsResult, cwd: string): string {
  const lines = [`${displayPath(r.draft, cwd)}: ${r.steps.length} step${r.steps.length === 1 ? '' : 's'} from ${formatTime(r.scanned)} of video.`];
  r.steps.forEach((s, i) => lines.push(`  ${String(i + 1).padStart(2)}. ${s.segment} ${formatTime(s.time)}  ${s.sentence}${s.title ? `  [${s.title}]` : ''}`));
  if (r.cheatsheet === 'set') lines.push(`Lesson ${r.lesson}: cheatsheet: now points at ${r.draftPath} (course.yaml).`);
  else if (r.cheatsheet === 'kept') lines.push(`Lesson ${r.lesson} already has a cheat-sheet (${r.existingCheatsheet}); it was left as it is and the draft was written beside it. Merge them, or point cheatsheet: at ${r.draftPath}.`);
  else if (r.cheatsheet === undefined) lines.push(`Review the draft against the video, then attach it: lessonkit workbook ${r.lesson} ${r.draftPath} --cheatsheet (or run steps with --write).`);
  return lines.join('\n');
}

function count(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${flag} ${v} is not a whole number of steps.`, { code: 'E_USAGE', hint: `Give 1 or more, such as ${flag} 12.` });
  return n;
}

/** `lessonkit steps <lesson-or-segment>`. */
export function registerSteps(program: Command): void {
  program
    .command('steps')
    .description('draft the task-oriented cheat-sheet from the recording: a still per settled screen change, the narrator\'s words as the instruction')
    .argument('<lesson-or-segment>', 'a lesson id, a segment id, or lesson/segment')
    .option('--out <file>', 'the Markdown draft, inside the course (default workbooks/<lesson>-steps.md; pictures go in the folder of the same name)')
    .option('--max <n>', 'at most this many steps (the largest changes)')
    .option('--min-gap <duration>', 'changes closer than this become one step', '3s')
    .option('--write', "point the lesson's cheatsheet: at the draft (a cheat-sheet already set is kept)")
    .option('--force', 'replace an existing draft and its pictures (your edits to it are lost)')
    .option('--lang <code>', 'OCR language (an installed @tesseract.js-data/<code> package)', 'eng')
    .option('--ffmpeg <path>', 'use this ffmpeg (also LESSONKIT_FFMPEG)')
    .option('--ffprobe <path>', 'use this ffprobe (also LESSONKIT_FFPROBE)')
    .addHelpText('after', '\nExamples:\n  $ lessonkit steps mobile-access\n  $ lessonkit steps mobile-access/enable-mobile --max 8 --write')
    .action(async (target: string, opts: StepsFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      const minGap = opts.minGap !== undefined ? parseDuration(opts.minGap) : undefined;
      if (opts.minGap !== undefined && minGap === undefined) throw new UserError(`--min-gap ${opts.minGap} is not a duration.`, { code: 'E_USAGE', hint: 'Write it as 3s, 1.5s or 0:03.' });
      const max = count('--max', opts.max);
      const { draftSteps } = await import('../core/steps/steps.js');
      const result = await draftSteps(
        {
          target,
          cwd: env.cwd,
          ...(opts.out ? { out: opts.out } : {}),
          ...(max !== undefined ? { max } : {}),
          ...(minGap !== undefined ? { minGap } : {}),
          ...(opts.write ? { write: true } : {}),
          ...(opts.force ? { force: true } : {}),
          ...(opts.lang ? { lang: opts.lang } : {}),
          ffmpeg: opts.ffmpeg,
          ffprobe: opts.ffprobe,
          env: env.env,
        },
        env.ctx,
      );
      env.print(result, (r) => renderSteps(r, env.cwd));
    });
}
