import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { askText } from '../ui/prompts.js';
import { commandEnv } from './shared.js';

/** `lessonkit lesson add`. */
export function registerLesson(program: Command): void {
  const lesson = program.command('lesson').description('manage the lessons of a course');
  lesson
    .command('add')
    .description('add a lesson with its workbook and cheat-sheet')
    .option('--title <text>', 'lesson title')
    .option('--id <id>', 'lesson id (default: derived from the title)')
    .option('-y, --yes', 'ask nothing; use flags and defaults')
    .addHelpText('after', '\nExample:\n  $ lessonkit lesson add --yes --title "Sharing a client file"')
    .action(async (flags: { title?: string; id?: string; yes?: boolean }, cmd: Command) => {
      const env = commandEnv(cmd);
      const ask = env.interactive && !flags.yes;
      const title = flags.title ?? (ask ? await askText('Lesson title', { required: true }) : undefined);
      if (!title?.trim()) throw new UserError('A lesson title is needed.', { code: 'E_USAGE', hint: 'Pass --title "Lesson title".' });
      const { addLesson } = await import('../core/course/scaffold.js');
      const result = await addLesson({ cwd: env.cwd, dir: '.', title, ...(flags.id ? { id: flags.id } : {}) }, env.ctx);
      env.print(result, (r) => [`Added lesson "${r.id}"`, ...r.created.map((f) => `  + ${f}`)].join('\n'));
    });
}
