import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImageSize } from '../../../src/core/workbook/image-size.js';
import { locateMediaTools } from '../../../src/core/media/locate.js';
import { makeTempDir } from '../../helpers/cli.js';

const run = promisify(execFile);

describe('readImageSize', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let ffmpeg: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    ffmpeg = (await locateMediaTools({ env: {} })).ffmpeg.path;
  });
  afterAll(() => cleanup());

  // Real encoders, odd sizes (so width and height cannot be swapped unnoticed).
  for (const [ext, extra] of [
    ['png', []],
    ['jpg', []],
    ['gif', []],
    ['webp', ['-lossless', '0']],
    ['webp', ['-lossless', '1']],
  ] as const) {
    it(`reads ${ext} ${extra.join(' ')}`, async () => {
      const file = path.join(dir, `img-${ext}-${extra.join('')}.${ext}`);
      await run(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=123x45', '-frames:v', '1', ...extra, '-y', file]);
      expect(readImageSize(await readFile(file))).toEqual({ width: 123, height: 45 });
    });
  }

  it('reads SVG width/height with units, or the viewBox', () => {
    const svg = (attrs: string) => Buffer.from(`<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" ${attrs}><rect/></svg>`);
    expect(readImageSize(svg('width="200" height="100px"'))).toEqual({ width: 200, height: 100 });
    expect(readImageSize(svg('width="1in" height="0.5in"'))).toEqual({ width: 96, height: 48 });
    expect(readImageSize(svg('viewBox="0 0 300 150"'))).toEqual({ width: 300, height: 150 });
    expect(readImageSize(svg('width="600" viewBox="0 0 300 150"'))).toEqual({ width: 600, height: 300 });
    expect(readImageSize(svg('width="50%"'))).toBeUndefined();
  });

  it('returns undefined for what is not an image', () => {
    expect(readImageSize(Buffer.from('%PDF-1.4 hello'))).toBeUndefined();
    expect(readImageSize(Buffer.from([0x89, 0x50, 0x4e, 0x47]))).toBeUndefined();
    expect(readImageSize(Buffer.alloc(0))).toBeUndefined();
  });
});
