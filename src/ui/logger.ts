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

/** The colours and styles the CLI uses; each wraps text, or returns it as is when colour is off. */
export interface Palette {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

// Plain SGR codes rather than a colour library: whether to colour is decided once, by
// shouldUseColor, and loading chalk cost about 12 ms of every command's start-up.
const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const COLOURS: Palette = { red: sgr(31, 39), yellow: sgr(33, 39), green: sgr(32, 39), cyan: sgr(36, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
const plain = (text: string) => text;
const PLAIN: Palette = { red: plain, yellow: plain, green: plain, cyan: plain, dim: plain, bold: plain };

/** The palette with colour on or off. */
export function makePalette(color: boolean): Palette {
  return color ? COLOURS : PLAIN;
}

/** The CLI's logger: everything on stderr, filtered by level. */
export function createLogger(options: CreateLoggerOptions): Logger & { c: Palette; error(message: string): void } {
  const out = options.stream ?? process.stderr;
  const c = makePalette(options.color);
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
