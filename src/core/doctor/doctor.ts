import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RunContext } from '../context.js';
import { findMediaTools, toolVersion, type LocateToolsOptions, type ToolSource } from '../media/locate.js';
import { findBrowser } from './browser.js';

/** execFile as a promise (node:child_process: no process library to load at start-up). */
const execFileAsync = promisify(execFile);

/** One check `doctor` ran. */
export interface DoctorCheck {
  /** What was checked: ffmpeg, ffprobe, libx264, aac, node, browser. */
  name: string;
  /** ok: fine; missing: required and absent (exit 1); optional: absent but only needed for some features. */
  status: 'ok' | 'missing' | 'optional';
  /** Version found. */
  version?: string;
  /** Path found. */
  path?: string;
  /** How it was found. */
  source?: ToolSource | 'env' | 'path' | 'npm';
  /** What to do when it is missing. */
  fix?: string;
}

/** What {@link runDoctor} found; `ok` is false when a required check is missing. */
export interface DoctorResult {
  ok: boolean;
  checks: DoctorCheck[];
}

/** Options for {@link runDoctor}. */
export type DoctorOptions = LocateToolsOptions & {
  /** Node version to report (process.version from the CLI). */
  nodeVersion: string;
};

/** Checks the tools lessonkit needs: ffmpeg and ffprobe (with libx264 and aac), Node, a browser for preview. */
export async function runDoctor(options: DoctorOptions, ctx: RunContext): Promise<DoctorResult> {
  const checks: DoctorCheck[] = [];
  const tools = await findMediaTools(options);
  for (const name of ['ffmpeg', 'ffprobe'] as const) {
    const t = tools[name];
    if (!t) {
      checks.push({ name, status: 'missing', fix: `Run \`npm ci\` (lessonkit ships ${name}), put ${name} on PATH, or pass --${name} /path/to/${name}.` });
      continue;
    }
    const version = await toolVersion(t.path);
    checks.push({ name, status: version ? 'ok' : 'missing', path: t.path, source: t.source, ...(version ? { version } : { fix: `${t.path} does not run; reinstall it or pass --${name}.` }) });
  }
  if (tools.ffmpeg) {
    let encoders = '';
    try {
      encoders = (await execFileAsync(tools.ffmpeg.path, ['-hide_banner', '-encoders'], { timeout: 15_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
    } catch (err) {
      ctx.logger.debug(`ffmpeg -encoders failed: ${String(err)}`);
    }
    for (const [enc, why] of [['libx264', 'H.264 video for the web profile'], ['aac', 'AAC audio']] as const) {
      const present = new RegExp(`^\\s*A?V?[A-Z.]{5,6}\\s+${enc}\\s`, 'm').test(encoders);
      checks.push({ name: enc, status: present ? 'ok' : 'missing', ...(present ? {} : { fix: `This ffmpeg lacks ${enc} (${why}); use the one lessonkit ships (unset LESSONKIT_FFMPEG) or a full build.` }) });
    }
  }
  const major = Number(/^v?(\d+)/.exec(options.nodeVersion)?.[1] ?? 0);
  const minor = Number(/^v?\d+\.(\d+)/.exec(options.nodeVersion)?.[1] ?? 0);
  const nodeOk = major > 20 || (major === 20 && minor >= 19);
  checks.push({ name: 'node', status: nodeOk ? 'ok' : 'missing', version: options.nodeVersion.replace(/^v/, ''), ...(nodeOk ? {} : { fix: 'Install Node.js 20.19 or newer.' }) });
  const browser = await findBrowser(options.env);
  checks.push(
    browser
      ? { name: 'browser', status: 'ok', path: browser.path, source: browser.source }
      : { name: 'browser', status: 'optional', fix: 'Install Chrome or Chromium (or set CHROME_PATH) to run `lessonkit preview` in a browser and the browser tests.' },
  );
  return { ok: checks.every((c) => c.status !== 'missing'), checks };
}
