// Shared helpers of the bench scripts (not part of `npm test`): timing a command with its CPU
// time, medians, and the machine's load, so every script prints figures the same way.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs `cmd args` under bash's `time` and returns wall seconds, CPU seconds (user + system of
 * the command and every child it waited for, so ffmpeg's work counts) and the output. The
 * machine is shared: CPU time is the steadier measure of work, wall time what a user waits.
 */
export async function timeCommand(cmd, args, options = {}) {
  const quoted = [cmd, ...args].map((a) => `'${String(a).replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `TIMEFORMAT='@@time %R %U %S'; time ${quoted}${options.quiet === false ? '' : ' >/dev/null'}`;
  const r = await run('bash', ['-c', script], { cwd: options.cwd, env: { ...process.env, CI: '1', NO_COLOR: '1', ...options.env }, maxBuffer: 256 * 1024 * 1024 }).catch((err) => {
    if (options.allowFail && err.stderr) return err;
    throw err;
  });
  const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no timing in: ${r.stderr}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), stdout: r.stdout, stderr: r.stderr.slice(0, m.index) };
}

/** The median of a list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Collects wall and CPU samples per name; `row` prints medians and the ratio to a baseline. */
export function samples() {
  const data = new Map();
  return {
    add(name, t) {
      if (!data.has(name)) data.set(name, { wall: [], cpu: [] });
      data.get(name).wall.push(t.wall);
      data.get(name).cpu.push(t.cpu);
    },
    medians(name) {
      const d = data.get(name);
      return { wall: median(d.wall), cpu: median(d.cpu), runs: d.wall.length };
    },
    /** One line: `label  lessonkit W s / C s CPU  baseline W / C  ratio Rw wall, Rc CPU  (target)`. */
    row(label, name, base, target) {
      const a = this.medians(name);
      const b = this.medians(base);
      const rw = a.wall / b.wall;
      const rc = a.cpu / b.cpu;
      const verdict = target === undefined ? '' : `  target <= ${target}x wall: ${rw <= target ? 'met' : 'NOT met'}`;
      return `${label.padEnd(34)} ${fmt(a.wall)} s / ${fmt(a.cpu)} s CPU | ${base.padEnd(18)} ${fmt(b.wall)} s / ${fmt(b.cpu)} s CPU | ${rw.toFixed(2)}x wall, ${rc.toFixed(2)}x CPU${verdict}`;
    },
    toJSON() {
      return Object.fromEntries([...data.keys()].map((k) => [k, { ...data.get(k), median: this.medians(k) }]));
    },
  };
}

const fmt = (x) => x.toFixed(x < 1 ? 3 : 2).padStart(6);

/** The load averages as `uptime` prints them, for the report. */
export function loadLine() {
  return `load average ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} on ${os.cpus().length} CPUs, node ${process.version}`;
}

/** Pauses in the narration of a generated recording: [start, end] seconds, uneven like real speech. */
export function narrationPauses(seconds) {
  const pauses = [];
  for (let t = 9, i = 0; t < seconds - 5; i++) {
    const len = [1.2, 0.8, 2.0, 1.5, 0.9][i % 5];
    pauses.push([t, t + len]);
    t += len + [11, 17, 8, 23, 14, 19][i % 6];
  }
  return pauses;
}

/**
 * Generates (once; kept under bench/out) a screen-like 1080p30 H.264 recording with an 8-second
 * GOP and narration with pauses: a white desktop, a window that changes every 20 s, a small busy
 * area. The same generator as bench/media.mjs, for any length.
 */
export async function makeScreenRecording(ffmpeg, file, seconds) {
  const { stat, mkdir } = await import('node:fs/promises');
  const path = await import('node:path');
  if (await stat(file).then(() => true, () => false)) return;
  await mkdir(path.dirname(file), { recursive: true });
  const video = [
    'color=c=0xf4f4f4:s=1920x1080:r=30[bg]',
    'smptehdbars=s=960x600:r=30,hue=H=2*PI*floor(t/20)/7[win]',
    'life=s=320x180:r=30:mold=10:ratio=0.08:death_color=#202020:life_color=#3070d0,scale=640:360[busy]',
    '[bg][win]overlay=x=120+40*mod(floor(t/20)\\,5):y=140[a]',
    '[a][busy]overlay=x=1200:y=600,format=yuv420p[v]',
  ].join(';');
  const silent = narrationPauses(seconds).map(([a, b]) => `between(t,${a},${b})`).join('+');
  const t0 = Date.now();
  const tmp = `${file}.tmp.mp4`;
  await run(ffmpeg, [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `nullsrc=s=16x16:d=${seconds}`,
    '-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.25:sample_rate=48000',
    '-filter_complex', `${video};[1:a]volume=enable='${silent}':volume=0,lowpass=f=3000[au]`,
    '-map', '[v]', '-map', '[au]', '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    '-g', '240', '-keyint_min', '240', '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart', tmp,
  ], { maxBuffer: 64 * 1024 * 1024 });
  const { rename } = await import('node:fs/promises');
  await rename(tmp, file);
  console.error(`generated ${path.basename(file)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * What every bench script starts with: the repository root and the built CLI (exits with a hint
 * when `builtFile`, a path under dist/, is missing), `opt(name, default)` for `--name value`
 * arguments (strings, as given), and the ffmpeg/ffprobe the suite pins unless the environment
 * names others.
 */
export function benchContext(builtFile) {
  const require = createRequire(import.meta.url);
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  if (!existsSync(path.join(root, 'dist', builtFile))) {
    console.error('Run `npm run build` first.');
    process.exit(2);
  }
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : def;
  };
  return {
    root,
    bin: path.join(root, 'bin/lessonkit.js'),
    opt,
    ffmpeg: process.env.LESSONKIT_FFMPEG ?? require('@ffmpeg-installer/ffmpeg').path,
    ffprobe: process.env.LESSONKIT_FFPROBE ?? require('@ffprobe-installer/ffprobe').path,
  };
}
