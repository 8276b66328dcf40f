/**
 * What an export output depends on, as hashes: every file of the course folder (recordings
 * by their content fingerprint, the rest byte for byte), the player and templates lessonkit
 * ships, lessonkit's version and the ffmpeg binary. Reading them runs no ffmpeg or ffprobe,
 * so deciding that nothing changed is cheap.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprintFile } from '../media/cache.js';

/** Files larger than this are hashed by their fingerprint (size plus samples), not in full. */
const FULL_HASH_LIMIT = 8 * 1024 * 1024;
/** Folders of a course that are outputs or caches, never inputs. */
const NOT_INPUTS = new Set(['dist', '.lessonkit', 'node_modules', '.git']);

/** Hashes of the files a course folder holds, keyed by path relative to the folder (`/` separators). */
export type FileHashes = Record<string, string>;

async function hashFile(file: string, size: number): Promise<string> {
  if (size > FULL_HASH_LIMIT) return `fp:${await fingerprintFile(file)}`;
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** Hashes every input file of a course folder. `skip` holds absolute folders to leave out (the export output). */
export async function hashCourseFiles(courseDir: string, skip: readonly string[] = []): Promise<FileHashes> {
  const out: FileHashes = {};
  const skipped = new Set(skip.map((s) => path.resolve(s)));
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (NOT_INPUTS.has(e.name) || skipped.has(abs)) continue;
        await walk(abs);
      } else if (e.isFile()) {
        const st = await stat(abs);
        out[path.relative(courseDir, abs).split(path.sep).join('/')] = await hashFile(abs, st.size);
      }
    }
  };
  await walk(courseDir);
  return out;
}

/** One hash over a set of file hashes (order-independent input, stable output). */
export function combineHashes(parts: Record<string, string>): string {
  const h = createHash('sha256');
  for (const k of Object.keys(parts).sort()) h.update(`${k}\0${parts[k]}\n`);
  return h.digest('hex');
}

let toolchain: Promise<string> | undefined;

/**
 * A hash of what lessonkit itself brings to a bundle: its version, its compiled code and player,
 * and the templates (manifests, launch page, schemas). Computed once per process.
 */
export function toolchainHash(): Promise<string> {
  toolchain ??= (async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const files: Record<string, string> = {};
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
    files['package.json#version'] = pkg.version;
    for (const sub of ['templates', 'dist']) {
      const dir = path.join(root, sub);
      const hashes = await hashCourseFiles(dir).catch(() => ({}) as FileHashes);
      for (const [k, v] of Object.entries(hashes)) files[`${sub}/${k}`] = v;
    }
    return combineHashes(files);
  })();
  return toolchain;
}

/** Identifies an ffmpeg binary without running it: path, size and modification time. */
export async function binaryIdentity(file: string): Promise<string> {
  const st = await stat(file);
  return `${file}|${st.size}|${Math.round(st.mtimeMs)}`;
}

/** The names of files whose hash differs between two snapshots (added, removed or changed). */
export function changedFiles(before: FileHashes, after: FileHashes): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).sort();
}
