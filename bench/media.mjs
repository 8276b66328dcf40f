#!/usr/bin/env node
/**
 * Media benchmark (not part of `npm test`). Run after `npm run build`:
 *
 *   node bench/media.mjs [--rounds 3] [--keep]
 *
 * Generates a 5-minute 1080p30 screen-like H.264 recording with an 8-second GOP and narration
 * with pauses, then times, in one run and interleaved round by round, the same 2-minute segment
 * cut three ways through the built CLI (what a user runs): keyframe copy, smart cut (auto) and
 * full transcode (encode); plus the split analysis of the whole file. Prints medians and
 * ratios, and writes them to bench/out/media.json.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench', 'out');
const BIN = path.join(ROOT, 'bin', 'lessonkit.js');
const FFMPEG = require('@ffmpeg-installer/ffmpeg').path;

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
const keep = args.includes('--keep');

const SOURCE = path.join(OUT, 'screen-5min-1080p30-gop8.mp4');
const FROM = 61.3; // deliberately not on a keyframe (keyframes every 8 s)
const TO = 181.7; // 2 minutes and 0.4 s later

/** Pauses in the narration: [start, end] seconds, uneven like real speech. */
const PAUSES = [];
for (let t = 9, i = 0; t < 295; i++) {
  const len = [1.2, 0.8, 2.0, 1.5, 0.9][i % 5];
  PAUSES.push([t, t + len]);
  t += len + [11, 17, 8, 23, 14, 19][i % 6];
}

async function makeSource() {
  try {
    await stat(SOURCE);
    return;
  } catch {
    // not there yet
  }
  await mkdir(OUT, { recursive: true });
  // A white desktop with a window that changes every 20 s (a new "slide"), and a small busy
  // area (typing, cursor): mostly static pixels, like a real screen recording.
  const video = [
    'color=c=0xf4f4f4:s=1920x1080:r=30[bg]',
    'smptehdbars=s=960x600:r=30,hue=H=2*PI*floor(t/20)/7[win]',
    'life=s=320x180:r=30:mold=10:ratio=0.08:death_color=#202020:life_color=#3070d0,scale=640:360[busy]',
    '[bg][win]overlay=x=120+40*mod(floor(t/20)\\,5):y=140[a]',
    '[a][busy]overlay=x=1200:y=600,format=yuv420p[v]',
  ].join(';');
  const silent = PAUSES.map(([a, b]) => `between(t,${a},${b})`).join('+');
  const t0 = Date.now();
  await run(FFMPEG, [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `nullsrc=s=16x16:d=300`,
    '-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.25:sample_rate=48000',
    '-filter_complex', `${video};[1:a]volume=enable='${silent}':volume=0,lowpass=f=3000[au]`,
    '-map', '[v]', '-map', '[au]', '-t', '300',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    '-g', '240', '-keyint_min', '240', '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart', SOURCE,
  ], { maxBuffer: 64 * 1024 * 1024 });
  console.error(`generated ${path.relative(ROOT, SOURCE)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * Runs the built CLI and returns wall-clock seconds, CPU seconds (user + system of the CLI and
 * every ffmpeg it ran, from bash's `time`), and the JSON result. The machine is shared, so the
 * CPU time is the steadier measure of work; both are reported.
 */
async function timeCli(cliArgs) {
  const quoted = [process.execPath, BIN, ...cliArgs, '--json'].map((a) => `'${String(a).replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `TIMEFORMAT='@@time %R %U %S'; time ${quoted}`;
  const r = await run('bash', ['-c', script], { cwd: OUT, env: { ...process.env, CI: '1', NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
  const m = /@@time ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (!m) throw new Error(`no timing in: ${r.stderr}`);
  return { seconds: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), result: JSON.parse(r.stdout) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function main() {
  await makeSource();
  const times = { copy: [], smart: [], encode: [], split: [] };
  const cpu = { copy: [], smart: [], encode: [], split: [] };
  let last = {};
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['copy', 'auto', 'encode']) {
      const out = path.join(OUT, `segment-${mode}.mp4`);
      await rm(out, { force: true });
      const { seconds, cpu: c, result } = await timeCli(['trim', SOURCE, '--from', String(FROM), '--to', String(TO), '--out', out, '--mode', mode]);
      times[mode === 'auto' ? 'smart' : mode].push(seconds);
      cpu[mode === 'auto' ? 'smart' : mode].push(c);
      last[mode] = result;
      console.error(`round ${r + 1}: ${mode.padEnd(6)} ${seconds.toFixed(2)} s wall, ${c.toFixed(2)} s CPU (${result.method}; load ${os.loadavg()[0].toFixed(1)})`);
    }
    const { seconds, cpu: c, result } = await timeCli(['split', SOURCE, '--max', '90s', '--min', '30s', '--dry-run']);
    times.split.push(seconds);
    cpu.split.push(c);
    last.split = result;
    console.error(`round ${r + 1}: split  ${seconds.toFixed(2)} s (${result.plan.segments.length} segments, ${result.pauses.length} pauses)`);
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const mc = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, median(v)]));
  const report = {
    date: new Date().toISOString(),
    source: { file: path.relative(ROOT, SOURCE), duration: 300, size: '1920x1080', fps: 30, gopSeconds: 8, knownPauses: PAUSES.length },
    segment: { from: FROM, to: TO },
    rounds,
    seconds: times,
    cpuSeconds: cpu,
    medians: m,
    cpuMedians: mc,
    ratios: { encodeOverSmart: m.encode / m.smart, smartOverCopy: m.smart / m.copy, cpuEncodeOverSmart: mc.encode / mc.smart },
    loadAverage: os.loadavg(),
    methods: { copy: last.copy?.method, auto: last.auto?.method, encode: last.encode?.method },
    smart: { encodedFrames: last.auto?.encodedFrames, copiedFrames: last.auto?.copiedFrames },
    split: { segments: last.split?.plan.segments.map((s) => s.duration), allInPauses: last.split?.plan.allInPauses, pausesFound: last.split?.pauses.length },
    machine: { node: process.version, cpus: os.cpus().length },
  };
  await writeFile(path.join(OUT, 'media.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(
    [
      `2-minute segment of a 5-minute 1080p30 recording (8 s GOP), medians of ${rounds} rounds:`,
      `                  wall      CPU`,
      `  keyframe copy   ${m.copy.toFixed(2).padStart(6)} s ${mc.copy.toFixed(2).padStart(7)} s`,
      `  smart cut       ${m.smart.toFixed(2).padStart(6)} s ${mc.smart.toFixed(2).padStart(7)} s   (${report.smart.encodedFrames} frames re-encoded, ${report.smart.copiedFrames} copied)`,
      `  full transcode  ${m.encode.toFixed(2).padStart(6)} s ${mc.encode.toFixed(2).padStart(7)} s`,
      `  transcode / smart cut = ${report.ratios.encodeOverSmart.toFixed(1)}x wall, ${report.ratios.cpuEncodeOverSmart.toFixed(1)}x CPU`,
      `split analysis of the whole file: ${m.split.toFixed(2)} s wall, ${mc.split.toFixed(2)} s CPU (${report.split.pausesFound} pauses found of ${PAUSES.length}; segments ${report.split.segments?.join(', ')} s)`,
    ].join('\n'),
  );
  if (!keep) for (const f of ['segment-copy.mp4', 'segment-auto.mp4', 'segment-encode.mp4']) await rm(path.join(OUT, f), { force: true });
}

await main();
