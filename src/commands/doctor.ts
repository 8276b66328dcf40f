import type { Command } from 'commander';
import { FindingsError } from '../errors.js';
import { commandEnv } from './shared.js';

/** `lessonkit doctor`: what lessonkit found on this machine. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check ffmpeg, ffprobe (with libx264 and aac), Node and a browser')
    .option('--ffmpeg <path>', 'use this ffmpeg (also LESSONKIT_FFMPEG)')
    .option('--ffprobe <path>', 'use this ffprobe (also LESSONKIT_FFPROBE)')
    .addHelpText('after', '\nExample:\n  $ lessonkit doctor --json')
    .action(async (opts: { ffmpeg?: string; ffprobe?: string }, cmd: Command) => {
      const env = commandEnv(cmd);
      const { runDoctor } = await import('../core/doctor/doctor.js');
      const result = await runDoctor({ ffmpeg: opts.ffmpeg, ffprobe: opts.ffprobe, env: env.env, nodeVersion: process.version }, env.ctx);
      const c = env.logger.c;
      env.print(result, (r) =>
        r.checks
          .map((k) => {
            const mark = k.status === 'ok' ? c.green('ok') : k.status === 'optional' ? c.yellow('--') : c.red('missing');
            const what = [k.version, k.path && `${k.path}${k.source ? ` (${k.source})` : ''}`].filter(Boolean).join('  ');
            return `${mark.padEnd(8)} ${k.name.padEnd(8)} ${what}${k.fix ? `\n         ${k.fix}` : ''}`;
          })
          .join('\n'),
      );
      if (!result.ok) throw new FindingsError('Some required tools are missing (see above).');
    });
}
