import type { Command } from 'commander';

/** One command of the CLI: the name typed on the command line and its registration, loaded on use. */
export interface CommandEntry {
  /** The command word (`lessonkit <name> ...`). */
  name: string;
  /** Imports the command's module and returns its register function. */
  load(): Promise<(program: Command) => void>;
}

// Each command module is imported only when it runs (or when --help lists them all): importing
// all of them costs about 0.4 s of CPU at every start-up, most of it for commands not run.
/** Every command, in the order `--help` lists them. Add new commands here. */
export const COMMANDS: CommandEntry[] = [
  { name: 'init', load: async () => (await import('./init.js')).registerInit },
  { name: 'lesson', load: async () => (await import('./lesson.js')).registerLesson },
  { name: 'build', load: async () => (await import('./build.js')).registerBuild },
  { name: 'export', load: async () => (await import('./export.js')).registerExport },
  { name: 'workbook', load: async () => (await import('./workbook.js')).registerWorkbook },
  { name: 'doctor', load: async () => (await import('./doctor.js')).registerDoctor },
  { name: 'probe', load: async () => (await import('./probe.js')).registerProbe },
  { name: 'validate', load: async () => (await import('./validate.js')).registerValidate },
  { name: 'preview', load: async () => (await import('./preview.js')).registerPreview },
  { name: 'trim', load: async () => (await import('./trim.js')).registerTrim },
  { name: 'split', load: async () => (await import('./split.js')).registerSplit },
  { name: 'redact', load: async () => (await import('./redact.js')).registerRedact },
  { name: 'steps', load: async () => (await import('./steps.js')).registerSteps },
];
