// Benchmark of `lessonkit export` (not part of `npm test`).
//
//   npm run build && node bench/export.mjs [--rounds 3] [--courses 20] [--keep]
//
// Generates a workspace of N courses (default 20) over 4 generated recordings (640x360 30 fps
// H.264 with a tone, 40 s each): every course has 3 segments of 4 s and targets scorm12,
// scorm2004-4th, xapi, cmi5 and web; courses n and n+4 cut the same stretches of the same
// recording (shared renders). Then, in each round, in the same process and on the same files:
//   L  the baseline: a shell-style loop of `lessonkit build <course>` over every course, each
//      with its own fresh render cache (what a trainer scripts today)
//   C  `lessonkit export` cold: fresh output folder and fresh shared cache
//   W  `lessonkit export` warm, nothing changed (ffmpeg and ffprobe runs counted by wrappers)
//   O  `lessonkit export` warm after one course's course.yaml changed
// Every run goes through the counting wrappers (the ffmpeg binary is part of an export's
// inputs, so switching binaries between runs would rebuild everything).
// Prints every run, the medians, C/L and W/C, and the counted tool runs of W.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const ROUNDS = opt('rounds', 3);
const COURSES = opt('courses', 20);
const KEEP = args.includes('--keep');
const RECORDINGS = 4;
const bin = path.join(root, 'bin/lessonkit.js');
if (!existsSync(path.join(root, 'dist/core/export/export.js'))) {
  console.error('Run `npm run build` first.');
  process.exit(2);
}
const { locateMediaTools } = await import(path.join(root, 'dist/core/media/locate.js'));
const tools = await locateMediaTools({ env: process.env });
const work = path.join(tmpdir(), 'lessonkit-bench-export');
await rm(work, { recursive: true, force: true });
const pristine = path.join(work, 'pristine');

function courseYaml(n, title = `Course ${n}`) {
  const rec = n % RECORDINGS;
  const offset = (Math.floor(n / RECORDINGS) % 2) * 12; // n and n+4 share cuts; n+8 differs
  const segs = [0, 1, 2]
    .map((k) => `      - id: s${k}\n        title: Part ${k + 1}\n        source: recordings/rec${rec}.mp4\n        from: ${offset + k * 4}\n        to: ${offset + k * 4 + 4}`)
    .join('\n');
  return `id: course-${n}\ntitle: ${title}\nversion: 1.0.0\niri: https://training.example.com/courses/course-${n}\nlessons:\n  - id: lesson\n    title: The lesson\n    segments:\n${segs}\ntargets: [scorm12, scorm2004-4th, xapi, cmi5, web]\n`;
}

// Course paths may not leave the course folder, so each course holds its recording.
async function makeWorkspace() {
  await mkdir(path.join(pristine, 'recordings'), { recursive: true });
  for (let r = 0; r < RECORDINGS; r++) {
    await run(tools.ffmpeg.path, [
      '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=40`, '-f', 'lavfi', '-i', `sine=frequency=${300 + r * 100}:duration=40`,
      '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p', '-g', '60', '-c:a', 'aac', '-shortest',
      path.join(pristine, 'recordings', `rec${r}.mp4`),
    ]);
  }
  for (let n = 0; n < COURSES; n++) {
    const dir = path.join(pristine, 'courses', `c${n}`);
    await mkdir(path.join(dir, 'recordings'), { recursive: true });
    await cp(path.join(pristine, 'recordings', `rec${n % RECORDINGS}.mp4`), path.join(dir, 'recordings', `rec${n % RECORDINGS}.mp4`));
    await writeFile(path.join(dir, 'course.yaml'), courseYaml(n));
  }
  await rm(path.join(pristine, 'recordings'), { recursive: true });
}

/** Wall seconds and child CPU seconds of one command. */
async function timed(fn) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const before = childCpu();
  await fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = childCpu() - before + (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
  return { wall, cpu };
}
function childCpu() {
  // /proc/self/stat fields 16 and 17: CPU of waited-for children, in clock ticks.
  try {
    const f = execFileSync('cat', [`/proc/${process.pid}/stat`]).toString().split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) / 100;
  } catch {
    return 0;
  }
}

async function cli(cwd, argv, env = {}) {
  await run(process.execPath, [bin, ...argv], { cwd, env: { ...process.env, CI: '1', NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024 });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

await makeWorkspace();
const counted = path.join(work, 'tool-runs.log');
const wrappers = {};
for (const [name, real] of [['ffmpeg', tools.ffmpeg.path], ['ffprobe', tools.ffprobe.path]]) {
  const f = path.join(work, `counting-${name}`);
  await writeFile(f, `#!/bin/sh\necho ${name} >> "${counted}"\nexec "${real}" "$@"\n`);
  await chmod(f, 0o755);
  wrappers[name === 'ffmpeg' ? 'LESSONKIT_FFMPEG' : 'LESSONKIT_FFPROBE'] = f;
}

const results = { L: [], C: [], W: [], O: [] };
const warmRuns = [];
for (let round = 1; round <= ROUNDS; round++) {
  const loopWs = path.join(work, `loop-${round}`);
  const expWs = path.join(work, `export-${round}`);
  await cp(pristine, loopWs, { recursive: true });
  await cp(pristine, expWs, { recursive: true });
  const order = round % 2 ? ['L', 'C'] : ['C', 'L'];
  for (const which of order) {
    if (which === 'L') {
      results.L.push(
        await timed(async () => {
          for (let n = 0; n < COURSES; n++) await cli(loopWs, ['build', `courses/c${n}`, '--out', `out/c${n}`], wrappers);
        }),
      );
    } else {
      results.C.push(await timed(() => cli(expWs, ['export', '--out', 'out'], wrappers)));
    }
  }
  await rm(counted, { force: true });
  results.W.push(await timed(() => cli(expWs, ['export', '--out', 'out'], wrappers)));
  const log = await readFile(counted, 'utf8').catch(() => '');
  warmRuns.push({ ffmpeg: log.split('\n').filter((l) => l === 'ffmpeg').length, ffprobe: log.split('\n').filter((l) => l === 'ffprobe').length });
  await writeFile(path.join(expWs, 'courses/c7/course.yaml'), courseYaml(7, `Course 7, round ${round}`));
  results.O.push(await timed(() => cli(expWs, ['export', '--out', 'out'], wrappers)));
  const report = JSON.parse(await readFile(path.join(expWs, 'out/export.json'), 'utf8'));
  const rebuilt = [...new Set(report.items.filter((i) => i.status === 'built').map((i) => i.id))];
  console.log(`round ${round}: loop ${results.L.at(-1).wall.toFixed(1)} s, export cold ${results.C.at(-1).wall.toFixed(1)} s, warm ${results.W.at(-1).wall.toFixed(2)} s (${warmRuns.at(-1).ffmpeg} ffmpeg, ${warmRuns.at(-1).ffprobe} ffprobe), one changed ${results.O.at(-1).wall.toFixed(1)} s (rebuilt: ${rebuilt.join(', ')})`);
  await rm(loopWs, { recursive: true, force: true });
  if (round < ROUNDS) await rm(expWs, { recursive: true, force: true });
}

const m = (k, f) => median(results[k].map((r) => r[f]));
const summary = {
  machine: { cores: (await import('node:os')).availableParallelism(), load: (await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ') },
  courses: COURSES,
  rounds: ROUNDS,
  wall: { loop: m('L', 'wall'), exportCold: m('C', 'wall'), exportWarm: m('W', 'wall'), exportOneChanged: m('O', 'wall') },
  cpu: { loop: m('L', 'cpu'), exportCold: m('C', 'cpu'), exportWarm: m('W', 'cpu'), exportOneChanged: m('O', 'cpu') },
  ratios: { loopOverCold: m('L', 'wall') / m('C', 'wall'), warmOverCold: m('W', 'wall') / m('C', 'wall') },
  warmToolRuns: warmRuns,
};
console.log(JSON.stringify(summary, null, 2));
await mkdir(path.join(root, 'bench/out'), { recursive: true });
await writeFile(path.join(root, 'bench/out/export.json'), JSON.stringify(summary, null, 2) + '\n');
if (!KEEP) await rm(work, { recursive: true, force: true });
