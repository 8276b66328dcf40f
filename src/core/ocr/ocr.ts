/**
 * The one door to OCR (tesseract.js, WebAssembly, no native build): `redact find`, `redact
 * check` and later `steps` read screen text through it. The language data ships inside npm
 * packages (`@tesseract.js-data/<lang>`): the worker reads it from node_modules and never
 * downloads anything, never writes a cache file.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { CancelledError, UserError } from '../../errors.js';
import type { RunContext } from '../context.js';

const require = createRequire(import.meta.url);

/** A recognised word with its box in the image's pixels. */
export interface OcrWord {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Tesseract's confidence, 0-100. */
  confidence: number;
}

/** A recognised text line. */
export interface OcrLine {
  text: string;
  words: OcrWord[];
}

/** An 8-bit grey image (one byte a pixel, rows top to bottom). */
export interface GrayImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Where a language's trained data is and how tesseract.js must read it. */
export interface OcrLanguageData {
  lang: string;
  /** Folder holding `<lang>.traineddata.gz`, inside node_modules. */
  langPath: string;
  gzip: true;
}

/**
 * Finds the trained data of `lang` in its npm package. The LSTM-only "best_int" set is used
 * when the package has it (a quarter of the size and faster than the legacy+LSTM set).
 */
export function ocrLanguageData(lang = 'eng'): OcrLanguageData {
  if (!/^[a-z_]{3,12}$/.test(lang)) throw new UserError(`"${lang}" is not an OCR language code.`, { code: 'E_USAGE', hint: 'Use a Tesseract language code such as eng, fra or deu.' });
  let pkg: string;
  try {
    pkg = path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`));
  } catch {
    throw new UserError(`The OCR data for "${lang}" is not installed.`, { code: 'E_USAGE', hint: `Install it with \`npm install @tesseract.js-data/${lang}\` (it ships the data; nothing is downloaded at run time).` });
  }
  for (const dir of ['4.0.0_best_int', '4.0.0']) {
    const candidate = path.join(pkg, dir);
    if (existsSync(path.join(candidate, `${lang}.traineddata.gz`))) return { lang, langPath: candidate, gzip: true };
  }
  throw new UserError(`The package @tesseract.js-data/${lang} holds no ${lang}.traineddata.gz.`, { code: 'E_USAGE', hint: `Reinstall it: \`npm install @tesseract.js-data/${lang}\`.` });
}

/** The options lessonkit gives tesseract.js's createWorker: local data, no cache written, no logging. */
export function workerOptions(data: OcrLanguageData): { langPath: string; gzip: boolean; cacheMethod: 'none' } {
  return { langPath: data.langPath, gzip: data.gzip, cacheMethod: 'none' };
}

/** A running OCR engine; always `terminate()` it (or use {@link withOcr}). */
export interface OcrEngine {
  /**
   * Reads the text of `image`, or of a rectangle of it (`left` and `width` default to the whole
   * rows). Boxes are in the image's pixels.
   */
  recognize(image: GrayImage, band?: OcrRect): Promise<OcrLine[]>;
  /** How many `recognize` calls run at once (the workers); more wait their turn. */
  readonly workers?: number;
  terminate(): Promise<void>;
}

/** A rectangle of an image to read: rows [top, top+height), columns [left, left+width). */
export interface OcrRect {
  top: number;
  height: number;
  left?: number;
  width?: number;
}

/**
 * A PGM (P5) file of the rows [top, top+height) of `image`, or of the columns [left,
 * left+width) of them: Leptonica reads it with no decoding cost.
 */
export function toPgm(image: GrayImage, top = 0, height = image.height, left = 0, width = image.width - left): Buffer {
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'latin1');
  if (left === 0 && width === image.width) {
    const start = top * image.width;
    return Buffer.concat([header, Buffer.from(image.data.buffer, image.data.byteOffset + start, height * image.width)]);
  }
  const out = Buffer.allocUnsafe(header.length + width * height);
  header.copy(out);
  for (let y = 0; y < height; y++) {
    const from = (top + y) * image.width + left;
    out.set(image.data.subarray(from, from + width), header.length + y * width);
  }
  return out;
}

interface TesseractBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
interface TesseractPage {
  blocks: { paragraphs: { lines: { text: string; words: { text: string; confidence: number; bbox: TesseractBox }[] }[] }[] }[] | null;
}

/**
 * Workers for a long OCR run: one a core, at most 4 (each holds its own model; beyond that the
 * frame decoding, not OCR, is what waits).
 */
export function defaultOcrWorkers(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

/** Options for {@link createOcrEngine}. */
export interface OcrEngineOptions {
  /** Language (an installed `@tesseract.js-data/<lang>` package; default eng). */
  lang?: string;
  /**
   * Tesseract workers (each a thread with its own copy of the model, about 30 MB): calls to
   * `recognize` run on as many at once. Default 1.
   */
  workers?: number;
}

/** Starts an OCR engine for `lang`. Cancelling `ctx.signal` terminates it. */
export async function createOcrEngine(options: OcrEngineOptions, ctx: RunContext): Promise<OcrEngine> {
  const data = ocrLanguageData(options.lang);
  const { createWorker, OEM } = await import('tesseract.js');
  ctx.logger.debug(`OCR: tesseract.js with ${data.lang} data from ${data.langPath}`);
  if (ctx.signal?.aborted) throw new CancelledError();
  const count = Math.max(1, Math.floor(options.workers ?? 1));
  const start = () => createWorker(data.lang, OEM.LSTM_ONLY, { ...workerOptions(data), errorHandler: (e: unknown) => ctx.logger.debug(`OCR worker: ${String(e)}`) });
  const started = await Promise.allSettled(Array.from({ length: count }, start));
  const workers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
    throw failed.reason;
  }
  type Worker = (typeof workers)[number];
  // Free workers, and the calls waiting for one (first come, first served).
  const idle: Worker[] = [...workers];
  const waiting: { resolve: (w: Worker) => void; reject: (e: unknown) => void }[] = [];
  const acquire = (): Promise<Worker> => {
    const w = idle.pop();
    return w ? Promise.resolve(w) : new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
  const release = (w: Worker) => {
    const next = waiting.shift();
    if (next) next.resolve(w);
    else idle.push(w);
  };
  let terminated = false;
  // tesseract.js never settles a job whose worker is terminated: every call in flight races this
  // promise, rejected at termination, or a Ctrl-C during OCR would leave the command waiting on
  // nothing (Node then exits with 13 and no cleanup runs).
  let stop: (err: unknown) => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  stopped.catch(() => undefined);
  const terminate = async () => {
    if (terminated) return;
    terminated = true;
    ctx.signal?.removeEventListener('abort', onAbort);
    stop(new CancelledError());
    for (const w of waiting.splice(0)) w.reject(new CancelledError());
    await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
  };
  const onAbort = () => void terminate();
  ctx.signal?.addEventListener('abort', onAbort);
  return {
    async recognize(image, band) {
      if (terminated || ctx.signal?.aborted) throw new CancelledError();
      const top = band?.top ?? 0;
      const left = band?.left ?? 0;
      const pgm = toPgm(image, top, band?.height ?? image.height, left, band?.width ?? image.width - left);
      const worker = await acquire();
      let page: TesseractPage;
      try {
        if (terminated || ctx.signal?.aborted) throw new CancelledError();
        page = (await Promise.race([worker.recognize(pgm, {}, { blocks: true, text: false }), stopped])).data as unknown as TesseractPage;
      } catch (err) {
        if (terminated || ctx.signal?.aborted) throw new CancelledError();
        throw err;
      } finally {
        release(worker);
      }
      const lines: OcrLine[] = [];
      for (const b of page.blocks ?? [])
        for (const p of b.paragraphs)
          for (const l of p.lines) {
            const words = l.words
              .filter((w) => w.text.trim())
              .map((w) => ({ text: w.text.trim(), x0: w.bbox.x0 + left, y0: w.bbox.y0 + top, x1: w.bbox.x1 + left, y1: w.bbox.y1 + top, confidence: w.confidence }));
            if (words.length) lines.push({ text: words.map((w) => w.text).join(' '), words });
          }
      return lines;
    },
    terminate,
    workers: workers.length,
  };
}

/** Runs `work` with an OCR engine and terminates it afterwards, on success, error or cancel. */
export async function withOcr<T>(options: OcrEngineOptions, ctx: RunContext, work: (ocr: OcrEngine) => Promise<T>): Promise<T> {
  const ocr = await createOcrEngine(options, ctx);
  try {
    return await work(ocr);
  } finally {
    await ocr.terminate();
  }
}
