import type { Command } from 'commander';
import type { TrimRecordingOptions, TrimRecordingResult } from '../core/media/trim.js';
import { displayPath } from '../utils/fs.js';
import { commandEnv } from './shared.js';

/** Flags of `lessonkit trim`: the core's options that come from the command line. */
type TrimFlags = Omit<TrimRecordingOptions, 'video' | 'cwd' | 'env'>;

/** The human-readable form of a trim result. */
export function renderTrim(r: TrimRecordingResult, cwd: string): string {
  const how =
    r.method === 'smart'
      ? r.encodedFrames
        ? `smart cut (re-encoded ${r.encodedFrames} frames at the cuts, copied ${r.copiedFrames ?? 0})`
        : 'stream copy (both cuts on keyframes, nothing re-encoded)'
      : r.method === 'copy'
        ? `keyframe copy${r.movedBy ? `: the start moved back ${r.movedBy.toFixed(3)} s to the keyframe at ${r.from.toFixed(3)} s` : ' (the start is on a keyframe)'}`
        : `transcode${r.reason ? ` (${r.reason})` : ''}`;
  const lines = [`Cut ${r.from.toFixed(3)}-${r.to.toFixed(3)} s of ${displayPath(r.source, cwd)}: ${r.duration.toFixed(3)} s, ${r.width}x${r.height}, ${how}.`];
  if (r.output) lines.push(`  wrote ${displayPath(r.output, cwd)}${r.captions && r.output ? ` and ${displayPath(r.captions, cwd)}` : ''}`);
  if (r.lesson) lines.push(`  added segment "${r.segmentId}" to lesson "${r.lesson}" in course.yaml${r.cached ? ' (render already cached)' : ' and rendered it into .lessonkit/cache/'}`);
  return lines.join('\n');
}

/** `lessonkit trim <video> --from T --to T`. */
export function registerTrim(program: Command): void {
  program
    .command('trim')
    .description('cut a segment from a recording, frame-accurately: add it to a lesson, or write a standalone MP4')
    .argument('<video>', 'the recording (never modified)')
    .requiredOption('--from <time>', 'start: seconds or [HH:]MM:SS[.mmm]')
    .requiredOption('--to <time>', 'end (exclusive): seconds or [HH:]MM:SS[.mmm]')
    .option('--lesson <id>', 'add the segment to this lesson in course.yaml and render it')
    .option('--id <id>', 'segment id (default: from --title, else part-N)')
    .option('--title <text>', 'segment title')
    .option('--out <file>', 'write a standalone MP4 (and a .vtt beside it when there are captions)')
    .option('--mode <mode>', 'auto (smart cut when possible, else transcode), copy (keyframes only, fast), encode (always transcode)', 'auto')
    .option('--captions <file>', 'captions to cut (.srt/.vtt; default: one beside the recording)')
    .option('--ffmpeg <path>', 'use this ffmpeg (also LESSONKIT_FFMPEG)')
    .option('--ffprobe <path>', 'use this ffprobe (also LESSONKIT_FFPROBE)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ lessonkit trim recordings/session.mp4 --from 00:01:10.5 --to 00:04:30 --lesson mobile-access --title "Why mobile access"\n  $ lessonkit trim recordings/session.mp4 --from 70.5 --to 270 --out intro.mp4\n  $ lessonkit trim recordings/session.mp4 --from 70 --to 270 --out quick.mp4 --mode copy',
    )
    .action(async (video: string, opts: TrimFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      const result = await (await import('../core/media/trim.js')).trimRecording({ video, cwd: env.cwd, ...opts, env: env.env }, env.ctx);
      env.print(result, (r) => renderTrim(r, env.cwd));
    });
}
