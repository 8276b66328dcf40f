import { access, chmod, constants } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from '../../errors.js';

/** execFile as a promise (node:child_process: no process library to load at start-up). */
const execFileAsync = promisify(execFile);

/** Where a tool was found. */
export type ToolSource = 'flag' | 'env' | 'path' | 'npm';

/** A located executable. */
export interface LocatedTool {
  /** Absolute path of the executable. */
  path: string;
  /** How it was found (order: flag, env, PATH, npm package). */
  source: ToolSource;
}

/** Options for {@link locateFfmpeg}. */
export interface LocateToolsOptions {
  /** `--ffmpeg` from the command line. */
  ffmpeg?: string;
  /** `--ffprobe` from the command line. */
  ffprobe?: string;
  /** Environment to read LESSONKIT_FFMPEG / LESSONKIT_FFPROBE and PATH from. */
  env: Record<string, string | undefined>;
}

/** Both media tools. */
export interface MediaTools {
  ffmpeg: LocatedTool;
  ffprobe: LocatedTool;
}

const require = createRequire(import.meta.url);

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Searches PATH for `name`, returning the first executable match. */
export async function whichOnPath(name: string, pathEnv: string | undefined): Promise<string | undefined> {
  for (const d of (pathEnv ?? '').split(path.delimiter)) {
    if (!d) continue;
    const candidate = path.join(d, process.platform === 'win32' ? `${name}.exe` : name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function fromNpm(pkg: string): Promise<string | undefined> {
  let p: string;
  try {
    p = (require(pkg) as { path: string }).path;
  } catch {
    return undefined;
  }
  if (await isExecutable(p)) return p;
  // npm 11 can hold back the package's postinstall `chmod u+x`; the file is ours to fix.
  try {
    await chmod(p, 0o755);
    return (await isExecutable(p)) ? p : undefined;
  } catch {
    return undefined;
  }
}

async function locateOne(name: 'ffmpeg' | 'ffprobe', flag: string | undefined, env: Record<string, string | undefined>): Promise<LocatedTool | undefined> {
  const envName = name === 'ffmpeg' ? 'LESSONKIT_FFMPEG' : 'LESSONKIT_FFPROBE';
  for (const [value, source] of [[flag, 'flag'], [env[envName], 'env']] as const) {
    if (!value) continue;
    if (!(await isExecutable(value))) {
      throw new UserError(`${source === 'flag' ? `--${name}` : envName} points at ${value}, which is not an executable file.`, {
        code: 'E_FFMPEG_MISSING',
        hint: `Give the full path of ${name}, or unset it to use the one lessonkit ships.`,
      });
    }
    return { path: path.resolve(value), source };
  }
  const onPath = await whichOnPath(name, env.PATH);
  if (onPath) return { path: onPath, source: 'path' };
  const npm = await fromNpm(name === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe');
  return npm ? { path: npm, source: 'npm' } : undefined;
}

/**
 * Finds ffmpeg and ffprobe: `--ffmpeg`/`LESSONKIT_FFMPEG`, then PATH, then the binaries inside
 * `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe`. ffprobe is looked for beside a
 * chosen ffmpeg first. Returns undefined entries instead of throwing, for `doctor`.
 */
export async function findMediaTools(options: LocateToolsOptions): Promise<Partial<MediaTools>> {
  const ffmpeg = await locateOne('ffmpeg', options.ffmpeg, options.env);
  let ffprobe: LocatedTool | undefined;
  if (!options.ffprobe && !options.env.LESSONKIT_FFPROBE && ffmpeg && (ffmpeg.source === 'flag' || ffmpeg.source === 'env')) {
    const beside = path.join(path.dirname(ffmpeg.path), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
    if (await isExecutable(beside)) ffprobe = { path: beside, source: ffmpeg.source };
  }
  ffprobe ??= await locateOne('ffprobe', options.ffprobe, options.env);
  return { ...(ffmpeg ? { ffmpeg } : {}), ...(ffprobe ? { ffprobe } : {}) };
}

const cached = new Map<string, Promise<MediaTools>>();

/** Finds ffmpeg and ffprobe or throws E_FFMPEG_MISSING with the fix. Cached per option set. */
export function locateMediaTools(options: LocateToolsOptions): Promise<MediaTools> {
  const key = JSON.stringify([options.ffmpeg, options.ffprobe, options.env.LESSONKIT_FFMPEG, options.env.LESSONKIT_FFPROBE, options.env.PATH]);
  let p = cached.get(key);
  if (!p) {
    p = findMediaTools(options).then((t) => {
      if (!t.ffmpeg || !t.ffprobe) {
        const missing = [!t.ffmpeg && 'ffmpeg', !t.ffprobe && 'ffprobe'].filter(Boolean).join(' and ');
        throw new UserError(`${missing} not found.`, {
          code: 'E_FFMPEG_MISSING',
          hint: 'Run `npm ci` in lessonkit (it ships ffmpeg), install ffmpeg on PATH, or pass --ffmpeg /path/to/ffmpeg. `lessonkit doctor` shows what was found.',
        });
      }
      return t as MediaTools;
    });
    p.catch(() => cached.delete(key));
    cached.set(key, p);
  }
  return p;
}

/** Runs `<tool> -version` and returns its first line's version token, e.g. "6.1.1" or "N-1234". */
export async function toolVersion(file: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(file, ['-hide_banner', '-version'], { timeout: 15_000, maxBuffer: 16 * 1024 * 1024 });
    const m = /version\s+(\S+)/.exec(stdout);
    return m?.[1];
  } catch {
    return undefined;
  }
}
