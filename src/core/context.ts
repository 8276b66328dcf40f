/** What every core function receives besides its options: where to log, when to stop, how to report progress. */

/** A progress event from long work. The UI draws a bar on a TTY, a line per finished item elsewhere. */
export interface ProgressEvent {
  /** Stage name, e.g. `encode`, `zip`, `validate`. */
  phase: string;
  /** Items (or seconds of media, or bytes) done so far. */
  current: number;
  /** Total to do; 0 when unknown. */
  total: number;
  /** What is being worked on, e.g. a segment id or a file name. */
  item?: string;
  /** True when `item` has just finished. */
  done?: boolean;
  /** Speed as a multiple of real time (encodes), when known. */
  speed?: number;
  /** Seconds left, when known; the UI formats it. */
  eta?: number;
  /** Free-form extra text (what was done, e.g. `smart, 10.0 s in 1.6 s`). */
  detail?: string;
}

/** Logging interface used by the core; never writes to stdout. */
export interface Logger {
  /** Normal information: what happened. */
  info(message: string): void;
  /** Something the user should look at, not fatal. */
  warn(message: string): void;
  /** Detail shown with `--verbose`. */
  verbose(message: string): void;
  /** Internals shown with `--debug` (command lines, stacks). */
  debug(message: string): void;
}

/** The context every core function takes. */
export interface RunContext {
  /** Where messages go. */
  logger: Logger;
  /** Cancels long work (Ctrl-C). */
  signal?: AbortSignal;
  /** Receives progress events. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Bounds concurrent encodes when several courses build in one process (`export`); each
   * segment render runs inside it. Absent: renders run as they come.
   */
  encodeSlots?: { run<T>(task: () => Promise<T>): Promise<T> };
}

/** A logger that drops everything; for tests and programmatic use. */
export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  verbose: () => {},
  debug: () => {},
};

/** A RunContext with a silent logger, for programmatic callers that do not care. */
export function createSilentContext(signal?: AbortSignal): RunContext {
  return { logger: silentLogger, signal };
}
