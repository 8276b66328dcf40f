/**
 * The error types of lessonkit. Every failure the user can fix is a `UserError` with a
 * stable code and a hint; anything else that escapes is a bug (exit 3).
 */

/** Stable error codes; scripts and tests may rely on them. */
export type ErrorCode =
  | 'E_USAGE'
  | 'E_COURSE_MISSING'
  | 'E_COURSE_EXISTS'
  | 'E_COURSE_SCHEMA'
  | 'E_COURSE_CHECK'
  | 'E_COURSE_YAML'
  | 'E_FFMPEG_MISSING'
  | 'E_FFMPEG_FAILED'
  | 'E_MEDIA_INPUT'
  | 'E_WRITE'
  | 'E_DISK_FULL'
  | 'E_INPUT'
  | 'E_BUILD'
  | 'E_VALIDATE_INPUT'
  | 'E_NOT_FOUND'
  | 'E_WORKBOOK'
  | 'E_QUIZ';

/** Options for {@link UserError}. */
export interface UserErrorOptions {
  /** Stable machine-readable code. */
  code?: ErrorCode;
  /** What the user should do about it, one sentence. */
  hint?: string;
  /** Extra lines (for example one per problem found in course.yaml). */
  details?: string[];
  /** The underlying error, kept for `--debug`. */
  cause?: unknown;
}

/** A problem the user can fix: bad input, a missing file, a missing tool. Exit 2. */
export class UserError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: string[];
  readonly exitCode: number = 2;
  constructor(message: string, options: UserErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'UserError';
    this.code = options.code ?? 'E_INPUT';
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** The command ran but found problems (validation findings, a failed item in a batch). Exit 1. */
export class FindingsError extends Error {
  readonly exitCode: number = 1;
  /** The result to print despite the failure (what `--json` shows). */
  readonly result: unknown;
  constructor(message: string, result?: unknown) {
    super(message);
    this.name = 'FindingsError';
    this.result = result;
  }
}

/** The user cancelled (Ctrl-C at a prompt, SIGINT during work). Exit 130. */
export class CancelledError extends Error {
  readonly exitCode: number = 130;
  constructor(message = 'Cancelled.') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** True when `err` is the rejection an AbortSignal produces or a CancelledError. */
export function isCancellation(err: unknown): boolean {
  if (err instanceof CancelledError) return true;
  if (err && typeof err === 'object') {
    const name = (err as { name?: unknown }).name;
    return name === 'AbortError' || name === 'ExitPromptError';
  }
  return false;
}

/** Throws a CancelledError when the signal has fired; call between steps of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
