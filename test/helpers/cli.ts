/** Test helpers: run the built CLI in a temp folder, make temp folders, find the repo. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The built bin. */
export const BIN = path.join(REPO, 'bin/lessonkit.js');

/** What a CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/lessonkit.js ...args` with NO_COLOR=1 and CI=1 (no prompts); `uid`/`gid` run it as another user (root only). */
export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string | undefined>; input?: string; timeoutMs?: number; uid?: number; gid?: number }): Promise<CliRun> {
  return new Promise((resolve) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', CI: '1', FORCE_COLOR: undefined, ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const ids = { ...(opts.uid !== undefined ? { uid: opts.uid } : {}), ...(opts.gid !== undefined ? { gid: opts.gid } : {}) };
    const child = execFile(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: env as NodeJS.ProcessEnv, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, ...ids }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** A fresh temp folder; call the returned cleanup in afterEach/afterAll. */
export async function makeTempDir(prefix = 'lessonkit-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
