/**
 * `redact check`: reads the rendered output (a video, a bundle folder or a bundle zip) with the
 * same OCR and patterns as `redact find`, and lists anything still legible. Zip entries are never
 * extracted by name: each video or image is streamed to a temporary file of our own naming,
 * after the central directory's safety checks, and removed afterwards.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { throwIfCancelled, UserError } from '../../errors.js';
import type { RunContext } from '../context.js';
import { probeFormatArgs, runFfprobe } from '../media/ffmpeg.js';
import { locateMediaTools } from '../media/locate.js';
import { defaultOcrWorkers, withOcr } from '../ocr/ocr.js';
import { readZipDirectory, streamEntry, type ZipEntry } from '../validate/zip.js';
import { buildMatchers, parseTerms } from './patterns.js';
import { scanRecording } from './find.js';
import type { FoundRegion } from './track.js';
import { readFile } from 'node:fs/promises';

const VIDEO = /\.(mp4|m4v|mov|webm|mkv)$/i;
const IMAGE = /\.(jpe?g|png|webp)$/i;
/** Larger entries are not read (no lesson video comes close; a bomb would). */
const MAX_ENTRY_BYTES = 8 * 1024 * 1024 * 1024;

/** Options for {@link checkRedactions}. */
export interface CheckRedactionsOptions {
  /** A rendered video, a bundle folder or a bundle zip. */
  input: string;
  cwd: string;
  patterns?: string[];
  patternRegex?: string;
  termsFile?: string;
  /** Frames read per second (default 2). */
  sampleRate?: number;
  lang?: string;
  ffmpeg?: string;
  ffprobe?: string;
  env: Record<string, string | undefined>;
}

/** What is still legible in one file. */
export interface CheckedFile {
  /** The file (path in the bundle, or the video's path). */
  name: string;
  kind: 'video' | 'image';
  findings: FoundRegion[];
}

/** What {@link checkRedactions} returns (what `--json` prints). */
export interface CheckRedactionsResult {
  input: string;
  files: CheckedFile[];
  /** Number of legible items over all files; non-zero fails the command (exit 1). */
  findings: number;
}

/** OCRs every video and image of the input and lists legible client data. */
export async function checkRedactions(o: CheckRedactionsOptions, ctx: RunContext): Promise<CheckRedactionsResult> {
  const terms = o.termsFile ? parseTerms(await readFile(path.resolve(o.cwd, o.termsFile), 'utf8').catch(() => {
    throw new UserError(`--terms ${o.termsFile}: the file cannot be read.`, { code: 'E_INPUT', hint: 'Give a text file with one client name or term a line.' });
  })) : [];
  const matchers = buildMatchers({ ...(o.patterns ? { patterns: o.patterns } : {}), ...(o.patternRegex !== undefined ? { regex: o.patternRegex } : {}), terms });
  const input = path.resolve(o.cwd, o.input);
  const st = await stat(input).catch(() => {
    throw new UserError(`${o.input} does not exist.`, { code: 'E_NOT_FOUND', hint: 'Give a rendered video, a bundle folder or a bundle zip.' });
  });
  const tools = await locateMediaTools({ ffmpeg: o.ffmpeg, ffprobe: o.ffprobe, env: o.env });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'lessonkit-redact-check-'));
  try {
    const targets: { name: string; file: string; kind: 'video' | 'image' }[] = [];
    if (st.isDirectory()) {
      for (const rel of await listFiles(input)) {
        const kind = VIDEO.test(rel) ? 'video' : IMAGE.test(rel) ? 'image' : undefined;
        if (kind) targets.push({ name: rel, file: path.join(input, rel), kind });
      }
    } else if (/\.zip$/i.test(input)) {
      targets.push(...(await extractMedia(input, tmp, ctx)));
    } else if (VIDEO.test(input) || IMAGE.test(input)) {
      targets.push({ name: o.input, file: input, kind: VIDEO.test(input) ? 'video' : 'image' });
    } else {
      throw new UserError(`${o.input} is not a video, an image, a bundle folder or a .zip.`, { code: 'E_INPUT', hint: 'Give the rendered video or the bundle lessonkit build wrote.' });
    }
    const files = await withOcr({ ...(o.lang ? { lang: o.lang } : {}), workers: defaultOcrWorkers() }, ctx, async (ocr) => {
      const out: CheckedFile[] = [];
      for (const t of targets) {
        throwIfCancelled(ctx.signal);
        const probe = JSON.parse((await runFfprobe(tools.ffprobe.path, probeFormatArgs(t.file), { signal: ctx.signal })).stdout) as {
          format?: { duration?: string };
          streams?: { codec_type?: string; width?: number; height?: number }[];
        };
        const v = probe.streams?.find((s) => s.codec_type === 'video');
        if (!v?.width || !v.height) continue;
        const duration = t.kind === 'image' ? 1 : Number(probe.format?.duration ?? 0);
        const scan = await scanRecording(
          { file: t.file, ffmpeg: tools.ffmpeg.path, width: v.width, height: v.height, duration, sampleRate: t.kind === 'image' ? 1 : (o.sampleRate ?? 2), floorInterval: 5, matchers, ocr, item: t.name },
          ctx,
        );
        out.push({ name: t.name, kind: t.kind, findings: scan.regions });
      }
      return out;
    });
    return { input, files, findings: files.reduce((n, f) => n + f.findings.length, 0) };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    // Links are not followed: a bundle folder must not lead the check elsewhere.
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/** Streams the zip's videos and images to temporary files named by us; refuses unsafe zips. */
async function extractMedia(zip: string, tmp: string, ctx: RunContext): Promise<{ name: string; file: string; kind: 'video' | 'image' }[]> {
  const fh = await open(zip, 'r');
  try {
    let entries: ZipEntry[];
    try {
      entries = (await readZipDirectory(fh)).entries;
    } catch (err) {
      throw new UserError(`${path.basename(zip)} is not a readable zip: ${(err as Error).message}.`, { code: 'E_INPUT', hint: 'Run `lessonkit validate` on it for details.' });
    }
    const out: { name: string; file: string; kind: 'video' | 'image' }[] = [];
    for (const [i, e] of entries.entries()) {
      const kind = VIDEO.test(e.name) ? 'video' : IMAGE.test(e.name) ? 'image' : undefined;
      if (!kind || e.isDirectory || e.isSymlink) continue;
      if (e.encrypted || e.uncompressedSize > MAX_ENTRY_BYTES) {
        throw new UserError(`${e.name} in ${path.basename(zip)} cannot be checked (${e.encrypted ? 'encrypted' : 'too large'}).`, { code: 'E_INPUT', hint: 'Run `lessonkit validate` on the bundle.' });
      }
      const file = path.join(tmp, `entry-${i}${path.extname(e.name).toLowerCase()}`);
      const ws = createWriteStream(file);
      try {
        await streamEntry(fh, e, (chunk) => void ws.write(chunk), ctx.signal);
      } finally {
        await new Promise<void>((resolve, reject) => ws.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }
      out.push({ name: e.name, file, kind });
    }
    return out;
  } finally {
    await fh.close();
  }
}
