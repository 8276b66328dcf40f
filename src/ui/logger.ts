import chalk, { Chalk, type ChalkInstance } from 'chalk';
import type { Logger } from '../core/context.js';

/** How much the CLI says on stderr. */
export type LogLevel = 'quiet' | 'normal' | 'verbose' | 'debug';

/** Options for {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Verbosity. */
  level: LogLevel;
  /** Whether to colour output. */
  color: boolean;
  /** Where to write; stderr by default. */
  stream?: NodeJS.WritableStream;
}

/** Decides whether stderr output may use colour: never under NO_COLOR, CI, --json or a non-TTY. */
export function shouldUseColor(opts: { json: boolean; env: NodeJS.ProcessEnv; isTTY: boolean }): boolean {
  if (opts.json) return false;
  if (opts.env.NO_COLOR !== undefined && opts.env.NO_COLOR !== '') return false;
  if (opts.env.CI) return false;
  if (opts.env.FORCE_COLOR && opts.env.FORCE_COLOR !== '0') return true;
  return opts.isTTY;
}

/** A chalk instance with colour on or off. */
export function makeChalk(color: boolean): ChalkInstance {
  return color ? chalk : new Chalk({ level: 0 });
}

/** The CLI's logger: everything on stderr, filtered by level. */
export function createLogger(options: CreateLoggerOptions): Logger & { c: ChalkInstance; error(message: string): void } {
  const out = options.stream ?? process.stderr;
  const c = makeChalk(options.color);
  const rank = { quiet: 0, normal: 1, verbose: 2, debug: 3 }[options.level];
  const write = (line: string) => out.write(line + '\n');
  return {
    c,
    info: (m) => { if (rank >= 1) write(m); },
    warn: (m) => { write(c.yellow('warning: ') + m); },
    error: (m) => { write(c.red('error: ') + m); },
    verbose: (m) => { if (rank >= 2) write(c.dim(m)); },
    debug: (m) => { if (rank >= 3) write(c.dim('debug: ' + m)); },
  };
}
