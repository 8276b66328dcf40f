import type { Command } from 'commander';
import { FindingsError } from '../errors.js';
import type { ProbeMediaResult } from '../core/media/probe.js';
import { formatBytes } from '../utils/format.js';
import { commandEnv } from './shared.js';

/** Formats seconds as M:SS.s for people. */
function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  return `${m}:${(seconds - m * 60).toFixed(1).padStart(4, '0')}`;
}

/** The human-readable form of a probe result: the facts ffprobe could read, then any problem and its fix. */
export function renderProbe(r: ProbeMediaResult): string {
  const problems = r.problems.flatMap((p) => [`problem     ${p.message}`, `fix         ${p.hint}`]);
  if (!('video' in r)) return [`file        ${r.file}`, `size        ${formatBytes(r.size)}`, ...problems].join('\n');
  const v = r.video;
  const lines = [
    `file        ${r.file}`,
    `container   ${r.container}, ${formatBytes(r.size)}, ${clock(r.duration)} (${r.duration.toFixed(3)} s)`,
    `video       ${v.codec}${v.profile ? ` ${v.profile}` : ''}${v.levelName ? ` level ${v.levelName}` : ''}, ${v.pixelFormat}, ${v.width}x${v.height}${v.rotation ? ` rotated ${v.rotation}° (shown ${v.displayWidth}x${v.displayHeight})` : ''}`,
    `frame rate  ${v.fps} fps${v.variableFrameRate ? ' (variable)' : ' (constant)'}, ${v.frames} frames`,
    `keyframes   every ${v.keyframeInterval.average} s on average, longest gap ${v.keyframeInterval.max} s`,
    `audio       ${r.audio ? `${r.audio.codec}, ${r.audio.layout ?? `${r.audio.channels} ch`}, ${r.audio.sampleRate} Hz` : 'none'}`,
    `smart cut   ${r.smartCut.possible ? 'yes: trims re-encode only the partial GOPs at the cuts' : `no (${r.smartCut.reasons.join('; ')}): trims transcode`}`,
    `split       ${r.needsSplit ? 'needed: longer than 15 minutes (run `lessonkit split`)' : 'not needed (at most 15 minutes)'}`,
    ...problems,
  ];
  return lines.join('\n');
}

/** `lessonkit probe <video>`: what a recording is and how lessonkit will cut it. */
export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('show what a recording is: codecs, size, frame rate, keyframes, smart-cut and split verdicts; exit 1 when it is not a usable recording (not a video, cut short, damaged)')
    .argument('<video>', 'the recording')
    .option('--ffmpeg <path>', 'use this ffmpeg (also LESSONKIT_FFMPEG)')
    .option('--ffprobe <path>', 'use this ffprobe (also LESSONKIT_FFPROBE)')
    .addHelpText('after', '\nExamples:\n  $ lessonkit probe recordings/session.mp4\n  $ lessonkit probe recordings/session.mp4 --json')
    .action(async (video: string, opts: { ffmpeg?: string; ffprobe?: string }, cmd: Command) => {
      const env = commandEnv(cmd);
      const result = await (await import('../core/media/probe.js')).probeMedia({ file: video, cwd: env.cwd, ffmpeg: opts.ffmpeg, ffprobe: opts.ffprobe, env: env.env }, env.ctx);
      env.print(result, renderProbe);
      // Findings, like `validate`: the report (and its JSON) is printed, the exit code says "not usable".
      if (result.problems.length > 0) throw new FindingsError('');
    });
}
