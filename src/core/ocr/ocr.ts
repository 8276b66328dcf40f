/**
 * The one door to OCR (tesseract.js, WebAssembly, no native build): `redact find`, `redact
 * check` and later `steps` read screen text through it. The language data ships inside npm
 * packages (`@tesseract.js-data/<lang>`): the worker reads it from node_modules and never
 * downloads anything, never writes a cache file.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  /** Reads the text of `image` (or of the rows `top` to `top + height` of it). Boxes are in the image's pixels. */
  recognize(image: GrayImage, band?: { top: number; height: number }): Promise<OcrLine[]>;
  terminate(): Promise<void>;
}

/** A PGM (P5) file of the rows [top, top+height) of `image`: Leptonica reads it with no decoding cost. */
export function toPgm(image: GrayImage, top = 0, height = image.height): Buffer {
  const header = Buffer.from(`P5\n${image.width} ${height}\n255\n`, 'latin1');
  const start = top * image.width;
  return Buffer.concat([header, Buffer.from(image.data.buffer, image.data.byteOffset + start, height * image.width)]);
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

/** Starts an OCR engine for `lang`. Cancelling `ctx.signal` terminates it. */
export async function createOcrEngine(options: { lang?: string }, ctx: RunContext): Promise<OcrEngine> {
  const data = ocrLanguageData(options.lang);
  const { createWorker, OEM } = await import('tesseract.js');
  ctx.logger.debug(`OCR: tesseract.js with ${data.lang} data from ${data.langPath}`);
  if (ctx.signal?.aborted) throw new CancelledError();
  const worker = await createWorker(data.lang, OEM.LSTM_ONLY, { ...workerOptions(data), errorHandler: (e: unknown) => ctx.logger.debug(`OCR worker: ${String(e)}`) });
  let terminated = false;
  const terminate = async () => {
    if (terminated) return;
    terminated = true;
    ctx.signal?.removeEventListener('abort', onAbort);
    await worker.terminate().catch(() => undefined);
  };
  const onAbort = () => void terminate();
  ctx.signal?.addEventListener('abort', onAbort);
  return {
    async recognize(image, band) {
      if (terminated || ctx.signal?.aborted) throw new CancelledError();
      const top = band?.top ?? 0;
      const pgm = toPgm(image, top, band?.height ?? image.height);
      let page: TesseractPage;
      try {
        page = (await worker.recognize(pgm, {}, { blocks: true, text: false })).data as unknown as TesseractPage;
      } catch (err) {
        if (terminated || ctx.signal?.aborted) throw new CancelledError();
        throw err;
      }
      const lines: OcrLine[] = [];
      for (const b of page.blocks ?? [])
        for (const p of b.paragraphs)
          for (const l of p.lines) {
            const words = l.words
              .filter((w) => w.text.trim())
              .map((w) => ({ text: w.text.trim(), x0: w.bbox.x0, y0: w.bbox.y0 + top, x1: w.bbox.x1, y1: w.bbox.y1 + top, confidence: w.confidence }));
            if (words.length) lines.push({ text: words.map((w) => w.text).join(' '), words });
          }
      return lines;
    },
    terminate,
  };
}

/** Runs `work` with an OCR engine and terminates it afterwards, on success, error or cancel. */
export async function withOcr<T>(options: { lang?: string }, ctx: RunContext, work: (ocr: OcrEngine) => Promise<T>): Promise<T> {
  const ocr = await createOcrEngine(options, ctx);
  try {
    return await work(ocr);
  } finally {
    await ocr.terminate();
  }
}
