import type { Command } from 'commander';
import type { AttachMaterialResult } from '../core/workbook/attach.js';
import { UserError } from '../errors.js';
import { commandEnv } from './shared.js';

/** Flags of `lessonkit workbook`. */
export interface WorkbookFlags {
  /** Attach as the lesson's cheat-sheet. */
  cheatsheet?: boolean;
  /** Attach as an extra download. */
  attach?: boolean;
}

const KIND_TEXT: Record<AttachMaterialResult['kind'], string> = { workbook: 'workbook', cheatsheet: 'cheat-sheet', attachment: 'download' };

function render(r: AttachMaterialResult): string {
  const lines = [
    r.changed
      ? `Attached ${r.file} to lesson "${r.lesson}" as its ${KIND_TEXT[r.kind]}${r.replaced ? ` (replacing ${r.replaced})` : ''}.`
      : `Lesson "${r.lesson}" already has ${r.file} as its ${KIND_TEXT[r.kind]}; course.yaml is unchanged.`,
  ];
  if (r.mediaType === 'text/markdown' && r.kind !== 'attachment') lines.push('  Rendered to a printable web page at build time.');
  else lines.push(`  Shipped as a download (${r.mediaType}, ${r.sizeLabel}).`);
  if (r.problems.length) {
    lines.push('', `Problems the build will report for ${r.file}:`, ...r.problems.map((p) => `  ${p}`));
  }
  return lines.join('\n');
}

/** `lessonkit workbook <lesson> <file> [--cheatsheet] [--attach]`. */
export function registerWorkbook(program: Command): void {
  program
    .command('workbook')
    .description("attach a workbook, cheat-sheet (--cheatsheet) or download (--attach) to a lesson")
    .argument('<lesson>', 'lesson id (see course.yaml)')
    .argument('<file>', 'a file inside the course folder: Markdown (rendered) or a document such as PDF, DOCX, XLSX (shipped as-is)')
    .option('--cheatsheet', "attach as the lesson's cheat-sheet")
    .option('--attach', 'attach as an extra download (any number per lesson)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ lessonkit workbook mobile-access workbooks/mobile-access.md\n  $ lessonkit workbook mobile-access workbooks/mobile-access-cheatsheet.md --cheatsheet\n  $ lessonkit workbook mobile-access files/checklist.pdf --attach',
    )
    .action(async (lesson: string, file: string, flags: WorkbookFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      if (flags.cheatsheet && flags.attach) {
        throw new UserError('--cheatsheet and --attach cannot be used together.', { code: 'E_USAGE', hint: 'Run the command once per file: --cheatsheet for the cheat-sheet, --attach for each download.' });
      }
      const kind = flags.cheatsheet ? 'cheatsheet' : flags.attach ? 'attachment' : 'workbook';
      // Loaded when the command runs, so `lessonkit --help` does not pay for Markdown and YAML parsing.
      const { attachMaterial } = await import('../core/workbook/attach.js');
      const result = await attachMaterial({ cwd: env.cwd, dir: '.', lesson, file, kind }, env.ctx);
      env.print(result, render);
    });
}
