import type { Command } from 'commander';
import type { CheckRedactionsResult } from '../core/redact/check.js';
import type { FindRedactionsResult } from '../core/redact/find.js';
import { formatTime } from '../core/course/time.js';
import { FindingsError } from '../errors.js';
import { displayPath } from '../utils/fs.js';
import { commandEnv } from './shared.js';

/** Flags shared by `redact find` and `redact check`. */
interface PatternFlags {
  pattern?: string;
  patternRegex?: string;
  terms?: string;
  sample?: string;
  lang?: string;
  ffmpeg?: string;
  ffprobe?: string;
}

/** Flags of `lessonkit redact find`. */
interface FindFlags extends PatternFlags {
  write?: boolean;
  contactSheet?: string;
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

function patternOptions(opts: PatternFlags) {
  const patterns = list(opts.pattern);
  const rate = opts.sample !== undefined ? Number(opts.sample) : undefined;
  return {
    ...(patterns ? { patterns } : {}),
    ...(opts.patternRegex !== undefined ? { patternRegex: opts.patternRegex } : {}),
    ...(opts.terms ? { termsFile: opts.terms } : {}),
    ...(rate !== undefined && Number.isFinite(rate) && rate > 0 ? { sampleRate: Math.min(rate, 30) } : {}),
    ...(opts.lang ? { lang: opts.lang } : {}),
    ffmpeg: opts.ffmpeg,
    ffprobe: opts.ffprobe,
  };
}

const region = (r: { kind: string; sample: string; x: number; y: number; width: number; height: number; from: number; to: number }) =>
  `${formatTime(r.from)} - ${formatTime(r.to)}  ${r.kind.padEnd(6)}  box [${r.x}, ${r.y}, ${r.width}, ${r.height}]  ${r.sample}`;

/** The human-readable form of a find result. */
export function renderFind(r: FindRedactionsResult, cwd: string): string {
  const lines = [`${displayPath(r.recording, cwd)}: ${formatTime(r.duration)}, ${r.width}x${r.height}; ${r.samples} frames sampled, ${r.ocrPasses} OCR passes; ${r.regions.length} region${r.regions.length === 1 ? '' : 's'} found.`];
  for (const g of r.regions) lines.push(`  ${region(g)}`);
  if (r.contactSheet) lines.push(`Contact sheet: ${r.contactSheet.length} PNG file${r.contactSheet.length === 1 ? '' : 's'}${r.contactSheet[0] ? ` in ${displayPath(r.contactSheet[0], cwd).replace(/[^/\\]+$/, '')}` : ''}; check every box before you build.`);
  if (r.written !== undefined) lines.push(`Added ${r.written} region${r.written === 1 ? '' : 's'} to course.yaml (redact:). Review them, then build.`);
  else if (r.regions.length) lines.push('Nothing was written. Review the regions (--contact-sheet DIR draws them), then add them with --write.');
  return lines.join('\n');
}

/** The human-readable form of a check result. */
export function renderCheck(r: CheckRedactionsResult, cwd: string): string {
  const lines: string[] = [];
  for (const f of r.files) {
    if (!f.findings.length) continue;
    lines.push(`${f.name}: ${f.findings.length} legible item${f.findings.length === 1 ? '' : 's'}`);
    for (const g of f.findings) lines.push(`  ${region(g)}`);
  }
  lines.push(
    r.findings
      ? `${displayPath(r.input, cwd)}: ${r.findings} legible item${r.findings === 1 ? '' : 's'} in ${r.files.filter((f) => f.findings.length).length} of ${r.files.length} files.`
      : `${displayPath(r.input, cwd)}: nothing legible found in ${r.files.length} file${r.files.length === 1 ? '' : 's'}.`,
  );
  return lines.join('\n');
}

function addPatternOptions(cmd: Command): Command {
  return cmd
    .option('--pattern <names>', 'comma-separated: email, phone, iban, card, us-ssn, us-ein, amount (default: all but amount)')
    .option('--pattern-regex <re>', 'your own JavaScript regular expression, e.g. "ACC-\\d{6}"')
    .option('--terms <file>', 'client names and other terms, one a line')
    .option('--sample <fps>', 'frames read per second', '2')
    .option('--lang <code>', 'OCR language (an installed @tesseract.js-data/<code> package)', 'eng')
    .option('--ffmpeg <path>', 'use this ffmpeg (also LESSONKIT_FFMPEG)')
    .option('--ffprobe <path>', 'use this ffprobe (also LESSONKIT_FFPROBE)');
}

/** `lessonkit redact find|check`. */
export function registerRedact(program: Command): void {
  const redact = program.command('redact').description('find client data on screen (offline OCR) and check that none is left legible');
  addPatternOptions(
    redact
      .command('find')
      .description('read the text on screen and propose regions to hide (nothing is hidden until you add them)')
      .argument('<recording>', 'the recording (never modified)')
      .option('--write', 'add the regions to course.yaml (redact:), each with a comment naming the pattern')
      .option('--contact-sheet <dir>', 'write one PNG per region with its box drawn, for review'),
  )
    .addHelpText('after', '\nExamples:\n  $ lessonkit redact find recordings/session.mp4 --terms clients.txt --contact-sheet review/\n  $ lessonkit redact find recordings/session.mp4 --pattern email,iban --write')
    .action(async (recording: string, opts: FindFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      const result = await (await import('../core/redact/find.js')).findRedactions(
        { recording, cwd: env.cwd, ...patternOptions(opts), ...(opts.write ? { write: true } : {}), ...(opts.contactSheet ? { contactSheet: opts.contactSheet } : {}), env: env.env },
        env.ctx,
      );
      env.print(result, (r) => renderFind(r, env.cwd));
    });
  addPatternOptions(
    redact
      .command('check')
      .description('OCR a rendered video or bundle; exit 1 if any pattern or listed term is still legible')
      .argument('<recording-or-bundle>', 'a video, a bundle folder or a bundle .zip'),
  )
    .addHelpText('after', '\nExamples:\n  $ lessonkit redact check dist/mobile-client-access-scorm12.zip --terms clients.txt')
    .action(async (input: string, opts: PatternFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      const result = await (await import('../core/redact/check.js')).checkRedactions({ input, cwd: env.cwd, ...patternOptions(opts), env: env.env }, env.ctx);
      env.print(result, (r) => renderCheck(r, env.cwd));
      if (result.findings > 0) throw new FindingsError(`${result.findings} item${result.findings === 1 ? '' : 's'} still legible.`);
    });
}
