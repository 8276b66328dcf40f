// Benchmark of `lessonkit steps` (not part of `npm test`).
//
//   npm run build && node bench/steps.mjs [--minutes 15] [--rounds 3] [--fps 10]
//
// Generates the screen-like test recording of test/e2e/steps.test.ts (fixtures/steps: titles
// switching, dialogs, a moving cursor, narration captions) at 1920x1080 and --fps frames a
// second (10 by default; screen recorders write 10-60, and every frame is decoded), one 24-second
// period encoded and looped by stream copy to --minutes minutes, cached in the OS temp folder
// (lessonkit-bench-steps-cache/), never in the repository. Keyframes every 3 s, like a screen
// recorder's 2-4 s. Then runs `lessonkit steps` on a
// course whose one segment is the whole recording: the median wall time of --rounds runs
// against the segment's length (the goal: at most a quarter), and how many of the known changes
// were found within 0.5 s, and how many steps were extra.
// Prints the machine's load (`uptime`) with the figures: the machine is shared.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateStepsRecording, PERIOD } from '../fixtures/steps/generate.mjs';
import { benchContext, loadLine, median } from './lib.mjs';

const run = promisify(execFile);
const { bin, opt, ffmpeg: FFMPEG, ffprobe: FFPROBE } = benchContext('core/steps/steps.js');
const MINUTES = Number(opt('minutes', 15));
const ROUNDS = Number(opt('rounds', 3));
const FPS = Number(opt('fps', 10));
const env = { ...process.env, LESSONKIT_FFMPEG: FFMPEG, LESSONKIT_FFPROBE: FFPROBE, NO_COLOR: '1', CI: '1' };
const srtTime = (s) => {
  const ms = Math.round(s * 1000);
  const p = (v, n = 2) => String(v).padStart(n, '0');
  return `${p(Math.floor(ms / 3600000))}:${p(Math.floor(ms / 60000) % 60)}:${p(Math.floor(ms / 1000) % 60)},${p(ms % 1000, 3)}`;
};

const seconds = MINUTES * 60;
const repeats = Math.ceil(seconds / PERIOD);
const cache = path.join(tmpdir(), 'lessonkit-bench-steps-cache');
const tag = FPS === 10 ? '' : `-${FPS}fps`;
const long = path.join(cache, `steps-1080p${tag}-gop3s-${repeats}x${PERIOD}s.mp4`);
await mkdir(cache, { recursive: true });
const clip = path.join(cache, `period-1080p${tag}-gop3s.mp4`);
const one = generateStepsRecording(FFMPEG, clip, { width: 1920, height: 1080, fps: FPS, gop: 3 * FPS, preset: 'ultrafast' });
if (!existsSync(long)) {
  const started = Date.now();
  await run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', String(repeats - 1), '-i', clip, '-c', 'copy', '-movflags', '+faststart', `${long}.tmp.mp4`]);
  await rename(`${long}.tmp.mp4`, long);
  console.log(`generated ${path.basename(long)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
const changes = [];
const cues = [];
for (let k = 0; k < repeats; k++) {
  for (const c of one.changes) changes.push({ ...c, time: c.time + k * PERIOD });
  for (const c of one.cues) cues.push({ ...c, start: c.start + k * PERIOD, end: c.end + k * PERIOD });
}
const within = changes.filter((c) => c.time < seconds);

const dir = await mkdtemp(path.join(tmpdir(), 'lessonkit-bench-steps-'));
try {
  const course = path.join(dir, 'course');
  await mkdir(path.join(course, 'recordings'), { recursive: true });
  // The recording must be inside the course: a hard link to the cached file (a copy across file systems).
  await link(long, path.join(course, 'recordings/tour.mp4')).catch(() => copyFile(long, path.join(course, 'recordings/tour.mp4')));
  await writeFile(path.join(course, 'recordings/tour.srt'), cues.map((c, i) => `${i + 1}\n${srtTime(c.start)} --> ${srtTime(c.end)}\n${c.text}\n`).join('\n'));
  const yaml = `id: steps-bench\ntitle: Steps bench\nlessons:\n  - id: portal\n    title: Using the portal\n    segments:\n      - id: tour\n        title: A tour\n        source: recordings/tour.mp4\n        from: 0\n        to: ${seconds}\n        captions: recordings/tour.srt\ntargets: [web]\n`;
  await writeFile(path.join(course, 'course.yaml'), yaml);
  const times = [];
  let last;
  for (let r = 0; r < ROUNDS; r++) {
    console.log(`load before round ${r + 1}: ${loadLine()}`);
    const started = Date.now();
    const out = await run(process.execPath, [bin, 'steps', 'portal', '--force', '--json'], { cwd: course, env, maxBuffer: 64 * 1024 * 1024 });
    times.push((Date.now() - started) / 1000);
    last = JSON.parse(out.stdout);
    console.log(`round ${r + 1}: ${times[r].toFixed(1)} s for ${MINUTES} min of 1080p${FPS} (${last.steps.length} steps)`);
  }
  const found = within.filter((c) => last.steps.some((s) => Math.abs(s.time - c.time) <= 0.5)).length;
  const extra = last.steps.filter((s) => !within.some((c) => Math.abs(s.time - c.time) <= 0.5)).length;
  const m = median(times);
  console.log(`steps on ${MINUTES} min 1080p${FPS}: median ${m.toFixed(1)} s of ${ROUNDS} run(s) = ${((m / seconds) * 100).toFixed(1)} % of the duration (goal: at most 25 %)`);
  console.log(`changes found within 0.5 s: ${found}/${within.length}; extra steps: ${extra}`);
  console.log(`load after: ${loadLine()}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
