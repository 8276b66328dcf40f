// Shared helpers of the bench scripts (not part of `npm test`): timing a command with its CPU
// time, medians, and the machine's load, so every script prints figures the same way.
import { execFile } from 'node:child_process';
import os from 'node:os';
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
