/**
 * The lessonkit command-line program: builds the commander program, runs it, and is the one
 * place that turns errors into exit codes (0 ok, 1 findings, 2 usage/input, 3 internal, 130 cancelled).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import type { Command, CommanderError } from 'commander';
import type * as Errors from './errors.js';
import type { createLogger } from './ui/logger.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * commander is CommonJS. An ESM import of it runs Node's CommonJS export scanner (the
 * cjs-module-lexer, started for this alone) over it: 3-4 ms of CPU of every command's start-up,
 * about a twentieth of `node -e 0`. require() reads the same module without the scan.
 */
const loadCommander = (): typeof Commander => createRequire(import.meta.url)('commander') as typeof Commander;

/**
 * Builds the program. Everything is loaded here, on use: a bare `lessonkit --version` never
 * loads commander or a command module. With `argv`, only the command it names is registered
 * (its module is the only one imported); without, or when argv names none (`--help`, a typo
 * that deserves a suggestion), every command is.
 */
export async function createProgram(argv?: readonly string[]): Promise<Command> {
  const { Command, Option } = loadCommander();
  const { COMMANDS } = await import('./commands/index.js');
  const named = argv ? commandWord(argv) : undefined;
  const only = COMMANDS.find((c) => c.name === named);
  const registers = await Promise.all((only ? [only] : COMMANDS).map((c) => c.load()));
  const program = new Command('lessonkit');
  program
    .description('Turn a screen recording into short lessons that run in any LMS (SCORM 1.2, SCORM 2004, xAPI, cmi5).')
    .version(pkg.version, '--version', 'print the lessonkit version')
    .option('--json', 'print the result as one JSON document on stdout')
    .option('-q, --quiet', 'print only errors and results')
    .option('--verbose', 'say more about what happens')
    .option('--debug', 'show stack traces and ffmpeg command lines')
    .addOption(new Option('-C, --dir <dir>', 'the course folder (default: the current folder)'))
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run `lessonkit --help` for the commands and their examples)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .exitOverride();
  program.addHelpText(
    'after',
    '\nExamples:\n  $ lessonkit init my-course --title "Mobile access"\n  $ lessonkit doctor\n\nExit codes: 0 ok, 1 findings or a failed item, 2 usage or input error, 3 internal error, 130 cancelled.',
  );
  for (const register of registers) register(program);
  for (const c of program.commands) {
    c.exitOverride();
    for (const sub of c.commands) sub.exitOverride();
  }
  return program;
}

/** Global options that take a value: the word after them is not the command. */
const VALUE_OPTIONS = new Set(['-C', '--dir']);
/** Global options without a value that may come before the command word. */
const FLAG_OPTIONS = new Set(['--json', '-q', '--quiet', '--verbose', '--debug']);

/**
 * The command word of `argv` (node, script, ...args): the first argument after the global
 * options. Undefined when anything else comes first (`--help` before the command must list
 * every command), so the caller registers them all.
 */
function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i += 1) {
    const a = argv[i] ?? '';
    if (VALUE_OPTIONS.has(a)) i += 1;
    else if (a.startsWith('--dir=') || FLAG_OPTIONS.has(a)) continue;
    else return a.startsWith('-') ? undefined : a;
  }
  return undefined;
}

/** Runs the CLI with `argv` and sets process.exitCode. */
export async function main(argv: string[]): Promise<number> {
  // `lessonkit --version` alone is answered before anything else is loaded: scripts and CI call
  // it to check the install, and it should cost little more than Node's own start-up.
  if (argv.length === 3 && argv[2] === '--version') {
    process.stdout.write(`${pkg.version}\n`);
    process.exitCode = 0;
    return 0;
  }
  const [{ setCancelSignal }, { createLogger, shouldUseColor }, errors] = await Promise.all([import('./commands/shared.js'), import('./ui/logger.js'), import('./errors.js')]);
  const { CommanderError } = loadCommander();
  const controller = new AbortController();
  setCancelSignal(controller.signal);
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    controller.abort();
    if (interrupts > 1) process.exit(130);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  // Past the file-size limit (ulimit -f) the kernel kills the writer with SIGXFSZ, leaving its
  // temp files behind; with a handler installed the write fails with EFBIG instead, which the
  // write sites report and clean up like any full disk.
  process.on('SIGXFSZ', ignoreSignal);
  const json = argv.includes('--json');
  const debug = argv.includes('--debug');
  const logger = createLogger({ level: debug ? 'debug' : 'normal', color: shouldUseColor({ json, env: process.env, isTTY: Boolean(process.stderr.isTTY) }) });
  let code = 0;
  try {
    await (await createProgram(argv)).parseAsync(argv, { from: 'node' });
    if (controller.signal.aborted) throw new errors.CancelledError();
  } catch (err) {
    code = handleError(err, { json, debug, logger, errors, CommanderError });
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    process.off('SIGXFSZ', ignoreSignal);
  }
  process.exitCode = code;
  return code;
}

function ignoreSignal(): void {}

function handleError(
  err: unknown,
  o: { json: boolean; debug: boolean; logger: ReturnType<typeof createLogger>; errors: typeof Errors; CommanderError: typeof CommanderError },
): number {
  const { logger, CommanderError } = o;
  const { UserError, FindingsError, isCancellation } = o.errors;
  const emitJson = (error: Record<string, unknown>) => {
    if (o.json) process.stdout.write(JSON.stringify({ error }, null, 2) + '\n');
  };
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    // commander has already printed its message to stderr.
    emitJson({ code: 'E_USAGE', message: err.message.replace(/^error: /, '') });
    return 2;
  }
  if (err instanceof UserError) {
    logger.error(err.message);
    for (const d of err.details) process.stderr.write(`  ${d}\n`);
    if (err.hint) process.stderr.write(`  ${logger.c.cyan('fix:')} ${err.hint}\n`);
    if (o.debug && err.stack) process.stderr.write(err.stack + '\n');
    emitJson({ code: err.code, message: err.message, details: err.details, hint: err.hint });
    return err.exitCode;
  }
  if (err instanceof FindingsError) {
    if (err.message) logger.error(err.message);
    // Commands that printed their own result throw without one; the others still owe --json its one document.
    if (err.result !== undefined) emitJson({ code: 'E_FINDINGS', message: err.message, result: err.result });
    return 1;
  }
  if (isCancellation(err)) {
    process.stderr.write('Cancelled.\n');
    emitJson({ code: 'E_CANCELLED', message: 'Cancelled.' });
    return 130;
  }
  const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
  logger.error('lessonkit hit an internal error (a bug). Please report it with the output below.');
  process.stderr.write(stack + '\n');
  emitJson({ code: 'E_INTERNAL', message: err instanceof Error ? err.message : String(err) });
  return 3;
}

await main(process.argv);
