import type { Command } from 'commander';
import type { SplitRecordingResult } from '../core/media/split.js';
import { formatTime } from '../core/course/time.js';
import { displayPath } from '../utils/fs.js';
import { commandEnv } from './shared.js';

/** Flags of `lessonkit split`. */
interface SplitFlags {
  max: string;
  min?: string;
  lesson?: string;
  dryRun?: boolean;
  captions?: string;
  chapters?: boolean;
  noise?: string;
  ffmpeg?: string;
  ffprobe?: string;
}

/** The human-readable form of a split result. */
export function renderSplit(r: SplitRecordingResult, cwd: string): string {
  const lines = [
    `${displayPath(r.source, cwd)}: ${formatTime(r.duration)}, ${r.pauses.length} pauses found; segments of ${formatTime(r.min)} to ${formatTime(r.max)}.`,
  ];
  if (r.plan.cuts.length === 0) lines.push('  No cut needed: the recording fits in one segment.');
  for (const [i, s] of r.plan.segments.entries()) {
    const cut = r.plan.cuts[i];
    const why = cut
      ? cut.pause
        ? `  cut in pause ${cut.pause.start.toFixed(2)}-${cut.pause.end.toFixed(2)} s${cut.keyframe ? ', on a keyframe' : ''}${cut.scene >= 0.1 ? `, scene change ${cut.scene.toFixed(2)}` : ''}`
        : '  cut NOT in a pause (no pause fits the limits here)'
      : '';
    const added = r.added?.[i];
    lines.push(`  ${String(i + 1).padStart(2)}. ${formatTime(s.from)} - ${formatTime(s.to)}  (${formatTime(s.duration)})${added ? `  -> ${added.id}` : ''}${why ? `\n     ${why.trim()}` : ''}`);
    const chapters = r.chapters?.[i] ?? [];
    if (chapters.length > 1) lines.push(`     chapters at ${chapters.map((c) => formatTime(c.time)).join(', ')}`);
  }
  if (r.dryRun) lines.push('Dry run: nothing written. Add --lesson <id> (without --dry-run) to add these segments.');
  else if (r.lesson) lines.push(`Added ${r.added?.length ?? 0} segments to lesson "${r.lesson}" in course.yaml and rendered them into .lessonkit/cache/.`);
  return lines.join('\n');
}

/** `lessonkit split <video>`. */
export function registerSplit(program: Command): void {
  program
    .command('split')
    .description('cut a long recording into segments at natural pauses (each between --min and --max)')
    .argument('<video>', 'the recording (never modified)')
    .option('--max <duration>', 'longest segment: 90s, 15m, 1h or a time', '15m')
    .option('--min <duration>', 'shortest segment (default: 2m, or a quarter of --max when smaller)')
    .option('--lesson <id>', 'add the segments to this lesson and render them')
    .option('--dry-run', 'only show the plan (works on any file, no course needed)')
    .option('--captions <file>', 'captions for the segments (.srt/.vtt; default: one beside the recording)')
    .option('--chapters', 'also mark chapters inside each segment at its best pauses (at least a minute apart)')
    .option('--noise <dB>', 'silence threshold in dB', '-35')
    .option('--ffmpeg <path>', 'use this ffmpeg (also LESSONKIT_FFMPEG)')
    .option('--ffprobe <path>', 'use this ffprobe (also LESSONKIT_FFPROBE)')
    .addHelpText('after', '\nExamples:\n  $ lessonkit split recordings/session.mp4 --max 15m --dry-run\n  $ lessonkit split recordings/session.mp4 --max 12m --min 5m --lesson mobile-access')
    .action(async (video: string, opts: SplitFlags, cmd: Command) => {
      const env = commandEnv(cmd);
      const noise = Number(opts.noise);
      const result = await (await import('../core/media/split.js')).splitRecording(
        {
          video,
          cwd: env.cwd,
          max: opts.max,
          ...(opts.min !== undefined ? { min: opts.min } : {}),
          ...(opts.lesson ? { lesson: opts.lesson } : {}),
          dryRun: Boolean(opts.dryRun),
          ...(opts.captions ? { captions: opts.captions } : {}),
          ...(opts.chapters ? { chapters: true } : {}),
          ...(Number.isFinite(noise) && noise < 0 ? { noiseDb: noise } : {}),
          ffmpeg: opts.ffmpeg,
          ffprobe: opts.ffprobe,
          env: env.env,
        },
        env.ctx,
      );
      env.print(result, (r) => renderSplit(r, env.cwd));
    });
}
