/**
 * Every interactive question lessonkit asks lives here (tests feed answers through
 * `PromptStreams` or mock this one module). Nothing here is called when prompts are off, and
 * inquirer is only loaded when a question is asked, so the CLI starts fast.
 */

/** Streams for the prompts; the CLI uses the terminal, tests pass their own. */
export interface PromptStreams {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** A target choice shown in the wizard. */
export interface TargetChoice {
  value: string;
  name: string;
  checked: boolean;
}

/** Asks for a line of text. `validate` returns an error message or true. */
export async function askText(message: string, opts: { default?: string; validate?: (v: string) => string | true; required?: boolean }, streams: PromptStreams = {}): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  return input(
    {
      message,
      ...(opts.default !== undefined ? { default: opts.default } : {}),
      validate: (v: string) => {
        if (opts.required && !v.trim()) return 'This one is needed.';
        return opts.validate ? opts.validate(v) : true;
      },
    },
    streamsContext(streams),
  );
}

/** Asks to pick several values. */
export async function askChoices(message: string, choices: TargetChoice[], streams: PromptStreams = {}): Promise<string[]> {
  const { checkbox } = await import('@inquirer/prompts');
  return checkbox(
    { message, choices, required: true, validate: (v: readonly unknown[]) => (v.length ? true : 'Pick at least one (space to select).') },
    streamsContext(streams),
  );
}

/** Asks to pick one value. */
export async function askOne(message: string, choices: { value: string; name: string }[], streams: PromptStreams = {}): Promise<string> {
  const { select } = await import('@inquirer/prompts');
  return select({ message, choices }, streamsContext(streams));
}

function streamsContext(streams: PromptStreams): { input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream; clearPromptOnDone: boolean } {
  return { ...(streams.input ? { input: streams.input } : {}), output: streams.output ?? process.stderr, clearPromptOnDone: false };
}
