import type { Command } from 'commander';
import { registerBuild } from './build.js';
import { registerDoctor } from './doctor.js';
import { registerExport } from './export.js';
import { registerInit } from './init.js';
import { registerLesson } from './lesson.js';
import { registerPreview } from './preview.js';
import { registerProbe } from './probe.js';
import { registerRedact } from './redact.js';
import { registerValidate } from './validate.js';
import { registerTrim } from './trim.js';
import { registerSplit } from './split.js';
import { registerSteps } from './steps.js';
import { registerWorkbook } from './workbook.js';

/** Every command, in the order `--help` lists them. Add new commands here. */
export const COMMANDS: ((program: Command) => void)[] = [
  registerInit,
  registerLesson,
  registerBuild,
  registerExport,
  registerWorkbook,
  registerDoctor,
  registerProbe,
  registerValidate,
  registerPreview,
  registerTrim,
  registerSplit,
  registerRedact,
  registerSteps,
];
