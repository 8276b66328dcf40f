import path from 'node:path';
import type { Command } from 'commander';
import { formatReport, formatRuleList, REPORTERS, type ReporterName } from '../core/validate/reporters.js';
import { RULES } from '../core/validate/rules.js';
import { FindingsError, UserError } from '../errors.js';
import { printResult } from '../ui/output.js';
import { displayPath, writeFileAtomic } from '../utils/fs.js';
import { commandEnv } from './shared.js';

/** Flags of `lessonkit validate`. */
interface ValidateFlags {
  reporter: ReporterName;
  outputFile?: string;
  deep?: boolean;
  strict?: boolean;
  listRules?: boolean;
}

/** `lessonkit validate <zip-or-folder...>`: checks packages from any tool (and web bundles), offline. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check SCORM 1.2/2004, xAPI and cmi5 packages and web bundles (zips, folders or descriptors), offline')
    .argument('[packages...]', 'package zips, package folders, or imsmanifest.xml / cmi5.xml / tincan.xml files')
    .addOption(program.createOption('--reporter <name>', 'output format').choices([...REPORTERS]).default('pretty'))
    .option('--output-file <file>', 'write the report to this file instead of stdout')
    .option('--deep', 'also read every entry (CRC-32) and check media: H.264/AAC, faststart, duration')
    .option('--strict', 'warnings fail the run too (exit 1)')
    .option('--list-rules', 'print the rule catalogue and exit')
    .addHelpText(
      'after',
      '\nExamples:\n  $ lessonkit validate dist/*.zip\n  $ lessonkit validate course.zip --reporter junit --output-file reports/validate.xml\n  $ lessonkit validate build/ --deep --strict\n\nExit codes: 0 no errors (warnings allowed unless --strict), 1 errors found, 2 usage or unreadable input.',
    )
    .action(async (packages: string[], flags: ValidateFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      const c = env.logger.c;
      const paint = { red: c.red, yellow: c.yellow, green: c.green, cyan: c.cyan, dim: c.dim, bold: c.bold };
      // --json is the global switch for one JSON document; it means the json reporter here.
      const reporter: ReporterName = env.json ? 'json' : flags.reporter;
      if (flags.listRules) {
        printResult(reporter === 'json' ? JSON.stringify({ rules: RULES }, null, 2) : formatRuleList(paint), false, (t) => t);
        return;
      }
      if (packages.length === 0) {
        throw new UserError('No package given.', { code: 'E_USAGE', hint: 'Pass one or more package zips or folders: lessonkit validate course.zip (or --list-rules).' });
      }
      // Loaded on use: other commands should not pay for the validator's modules at start-up.
      // The schema checker's WebAssembly compiles on V8's background threads while the engine's
      // modules load on this one (most packages are SCORM or cmi5 and need it; an xAPI package
      // spends that background compile for nothing).
      const [{ validatePackages }] = await Promise.all([import('../core/validate/validate.js'), import('../core/validate/xmllint-runner.js').then((m) => m.prewarmXmllint())]);
      const result = await validatePackages({ paths: packages, cwd: env.cwd, deep: flags.deep, strict: flags.strict }, env.ctx);
      const text = formatReport(result, reporter, { paint: flags.outputFile ? noPaint : paint, strict: flags.strict });
      if (flags.outputFile) {
        const file = path.resolve(env.cwd, flags.outputFile);
        try {
          await writeFileAtomic(file, text.endsWith('\n') ? text : text + '\n');
        } catch (err) {
          // writeFileAtomic names the path and the fix for file-system faults; anything else is unexpected.
          if (err instanceof UserError) throw err;
          throw new UserError(`Cannot write the report to ${displayPath(file, env.cwd)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, {
            code: 'E_USAGE',
            hint: 'Pass --output-file a file path in a folder you can write to.',
            cause: err,
          });
        }
        env.logger.info(`Report written to ${displayPath(file, env.cwd)}: ${result.summary.errors} errors, ${result.summary.warnings} warnings.`);
      } else {
        // Every reporter's text is the whole result (the json reporter's is the CI contract).
        printResult(text, false, (t) => t);
      }
      if (!result.ok) {
        const why = result.summary.errors > 0 ? `${result.summary.errors} error(s)` : `${result.summary.warnings} warning(s) under --strict`;
        throw new FindingsError(reporter === 'pretty' && !flags.outputFile ? '' : `Validation failed: ${why}.`);
      }
    });
}

const id = (s: string) => s;
const noPaint = { red: id, yellow: id, green: id, cyan: id, dim: id, bold: id };
