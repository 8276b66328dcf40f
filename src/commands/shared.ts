import path from 'node:path';
import type { Command } from 'commander';
import type { RunContext } from '../core/context.js';
import { createLogger, shouldUseColor, type LogLevel } from '../ui/logger.js';
import { printResult } from '../ui/output.js';
import { createProgressRenderer } from '../ui/progress.js';

/** The global options every command can read. */
export interface GlobalOptions {
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  debug?: boolean;
  /** `-C <dir>`: the course folder. */
  dir?: string;
}

/** What a command action gets: resolved globals, a logger, a RunContext and an output helper. */
export interface CommandEnv {
  /** The folder given with -C (absolute), default the current folder. */
  cwd: string;
  /** `--json` was given. */
  json: boolean;
  /** Prompts may be shown (a TTY, no --yes, not CI). Commands combine it with their --yes. */
  interactive: boolean;
  /** RunContext for the core. */
  ctx: RunContext;
  /** Logger with colour helpers. */
  logger: ReturnType<typeof createLogger>;
  /** Prints the result (JSON under --json). */
  print<T>(result: T, render: (r: T) => string): void;
  /** Environment (for tool lookup). */
  env: NodeJS.ProcessEnv;
}

/** The AbortSignal that SIGINT fires (set by cli.ts). */
let sharedSignal: AbortSignal | undefined;

/** Installs the process-wide cancellation signal (cli.ts only). */
export function setCancelSignal(signal: AbortSignal): void {
  sharedSignal = signal;
}

/** Builds the CommandEnv from the program's global options. */
export function commandEnv(cmd: Command): CommandEnv {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  const json = Boolean(g.json);
  const level: LogLevel = g.quiet ? 'quiet' : g.debug ? 'debug' : g.verbose ? 'verbose' : 'normal';
  const color = shouldUseColor({ json, env: process.env, isTTY: Boolean(process.stderr.isTTY) });
  const logger = createLogger({ level, color });
  const progress = createProgressRenderer({ stream: process.stderr, tty: Boolean(process.stderr.isTTY) && !process.env.CI, quiet: level === 'quiet' });
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY) && !process.env.CI && !json;
  return {
    cwd: path.resolve(process.cwd(), g.dir ?? '.'),
    json,
    interactive,
    ctx: { logger, ...(sharedSignal ? { signal: sharedSignal } : {}), onProgress: progress.onProgress },
    logger,
    print: (result, render) => {
      progress.clear();
      printResult(result, json, render);
    },
    env: process.env,
  };
}
