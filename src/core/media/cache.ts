/** The render cache under `.lessonkit/cache/`: content fingerprints, keys, and atomic publishing. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** The cache folder of a course. */
export function cacheDir(courseDir: string): string {
  return path.join(courseDir, '.lessonkit', 'cache');
}

const SAMPLE = 64 * 1024;
const EDGE = 1024 * 1024;
const SAMPLES = 32;

/**
 * A content fingerprint of a recording: SHA-256 over its size, its first and last MiB and 32
 * evenly spread 64 KiB samples. Any re-export or re-encode changes it; reading a few MiB keeps
 * a 4 GB recording's fingerprint under a second (hashing every byte would not).
 */
export async function fingerprintFile(file: string): Promise<string> {
  const st = await stat(file);
  const h = createHash('sha256');
  h.update(`size:${st.size}\n`);
  const fh = await open(file, 'r');
  try {
    const readAt = async (pos: number, len: number) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(len, st.size - pos)));
      if (buf.length) await fh.read(buf, 0, buf.length, pos);
      h.update(buf);
    };
    if (st.size <= 2 * EDGE + SAMPLES * SAMPLE) {
      await readAt(0, st.size);
    } else {
      await readAt(0, EDGE);
      for (let i = 1; i <= SAMPLES; i++) await readAt(Math.floor((st.size * i) / (SAMPLES + 1)), SAMPLE);
      await readAt(st.size - EDGE, EDGE);
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

const fingerprintMemo = new Map<string, Promise<string>>();

/**
 * {@link fingerprintFile}, once per process and file state (path, size, modification time):
 * the course check, the render and the probe cache of one build share one read.
 */
export async function fingerprintOnce(file: string): Promise<string> {
  const st = await stat(file);
  const k = `${file}\0${st.size}\0${st.mtimeMs}`;
  let p = fingerprintMemo.get(k);
  if (!p) {
    p = fingerprintFile(file);
    p.catch(() => fingerprintMemo.delete(k));
    fingerprintMemo.set(k, p);
  }
  return p;
}

/**
 * Who a tool binary is, without running it: path, size and modification time. Part of the keys
 * of facts a tool measured, so replacing ffprobe invalidates them and a hit runs nothing.
 */
export async function toolIdentity(bin: string): Promise<string> {
  const st = await stat(bin);
  return `${bin}|${st.size}|${st.mtimeMs}`;
}

/** A cache key from the parts that determine an output (hex SHA-256, first 32 characters). */
export function cacheKey(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** Reads `<entry>/meta.json` when the entry is complete; undefined otherwise. */
export async function readCacheEntry<T>(entryDir: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path.join(entryDir, 'meta.json'), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A fresh private staging folder beside the cache entries (same file system, so renames are atomic). */
export async function makeStagingDir(root: string, key: string): Promise<string> {
  const dir = path.join(root, `.tmp-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Publishes a finished staging folder as the entry: one rename, so readers see all of it or
 * none. When another process published the same key first, its entry wins and ours is dropped.
 */
export async function publishEntry(staging: string, entryDir: string): Promise<void> {
  try {
    await rename(staging, entryDir);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EISDIR' || code === 'EPERM') {
      await rm(staging, { recursive: true, force: true });
      return;
    }
    throw err;
  }
}
