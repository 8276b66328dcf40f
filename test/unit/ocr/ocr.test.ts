import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSilentContext } from '../../../src/core/context.js';
import { createOcrEngine, ocrLanguageData, toPgm, workerOptions } from '../../../src/core/ocr/ocr.js';
import { CancelledError } from '../../../src/errors.js';
import { REPO } from '../../helpers/cli.js';
import type { UserError } from '../../../src/errors.js';

describe('OCR data', () => {
  it('reads the English data from inside node_modules, never from the network, and writes no cache', () => {
    const data = ocrLanguageData('eng');
    expect(data.langPath.startsWith(path.join(REPO, 'node_modules', '@tesseract.js-data', 'eng') + path.sep)).toBe(true);
    expect(existsSync(path.join(data.langPath, 'eng.traineddata.gz'))).toBe(true);
    const options = workerOptions(data);
    // tesseract.js fetches only when langPath is a URL; a plain absolute path is read from disk.
    expect(path.isAbsolute(options.langPath)).toBe(true);
    expect(options.langPath).not.toMatch(/^[a-z]+:\/\//i);
    expect(options).toMatchObject({ gzip: true, cacheMethod: 'none' });
  });

  it('says how to install a language that is missing', () => {
    let hint: string | undefined;
    try {
      ocrLanguageData('zzz');
    } catch (err) {
      hint = (err as UserError).hint;
    }
    expect(hint).toMatch(/npm install @tesseract\.js-data\/zzz/);
  });

  it('hands Leptonica a PGM band of the grey frame', () => {
    const data = Uint8Array.from({ length: 4 * 3 }, (_, i) => i);
    const pgm = toPgm({ data, width: 4, height: 3 }, 1, 2);
    expect(pgm.subarray(0, 11).toString('latin1')).toBe('P5\n4 2\n255\n');
    expect([...pgm.subarray(11)]).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    // A rectangle: rows 1-2, columns 1-2.
    const rect = toPgm({ data, width: 4, height: 3 }, 1, 2, 1, 2);
    expect(rect.subarray(0, 11).toString('latin1')).toBe('P5\n2 2\n255\n');
    expect([...rect.subarray(11)]).toEqual([5, 6, 9, 10]);
  });

  it('a Ctrl-C while a frame is being read rejects that read at once (tesseract.js never settles it)', { timeout: 30_000 }, async () => {
    const controller = new AbortController();
    const ocr = await createOcrEngine({}, createSilentContext(controller.signal));
    // A large busy frame: the read is still running when the signal comes.
    const width = 1600;
    const height = 900;
    const data = Uint8Array.from({ length: width * height }, (_, i) => ((i % width) * 7 + Math.floor(i / width) * 13) % 251 > 120 ? 255 : 0);
    const reading = ocr.recognize({ data, width, height });
    const outcome = reading.then(
      () => 'settled',
      (err: unknown) => err,
    );
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    // Before the fix this promise never settled and the command exited with 13, skipping its cleanup.
    const result = await Promise.race([outcome, new Promise((r) => setTimeout(() => r('still pending'), 10_000))]);
    expect(result).toBeInstanceOf(CancelledError);
  });
});
