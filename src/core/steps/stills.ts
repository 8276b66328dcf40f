/**
 * The stills of a steps draft: one ffmpeg run per batch of steps seeks to each settled screen,
 * hides the redaction regions exactly as the rendered video does, outlines the changed region,
 * and writes the picture (WebP, else PNG, at most 1280 pixels wide) plus two grey crops for OCR
 * (the title band and the changed region). OCR therefore never reads a redacted pixel.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { throwIfCancelled } from '../../errors.js';
import type { RunContext } from '../context.js';
import { BASE_ARGS, ffTime, redactFilter, runFfmpeg } from '../media/ffmpeg.js';
import type { GrayImage } from '../ocr/ocr.js';
import type { Redaction } from '../redact/regions.js';

/** A rectangle in source pixels. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One still to take. */
export interface StillRequest {
  /** Source time of the frame, seconds. */
  at: number;
  /** The changed region to outline and read, in source pixels; absent for a whole-screen change. */
  region?: PixelBox;
  /** Regions to hide in this frame (already chosen for `at`). */
  redact: readonly Pick<Redaction, 'x' | 'y' | 'width' | 'height' | 'style'>[];
  /** Where the picture goes (extension `.webp` or `.png` decides the encoder). */
  output: string;
}

/** What {@link takeStills} gives back per request. */
export interface StillResult {
  /** The title band (top of the screen), grey, source pixels. */
  title: GrayImage;
  /** The changed region, grey, when the request had one. */
  region?: GrayImage;
  /** Size of the written picture. */
  width: number;
  height: number;
}

/** Widest still written: enough to read a screen, small enough for a page. */
export const STILL_MAX_WIDTH = 1280;
/** Share of the screen height read for the title. */
export const TITLE_BAND = 0.2;
/** Steps per ffmpeg run (each is an input seek of its own). */
const BATCH = 12;

const even = (v: number) => 2 * Math.floor(v / 2);

/** The outline: a few pixels outside the region, clamped to the frame, thick enough to see when scaled down. */
export function outlineBox(region: PixelBox, width: number, height: number): PixelBox & { thickness: number } {
  const thickness = Math.max(3, Math.round(width / 400));
  const pad = thickness + 2;
  const x = Math.max(0, region.x - pad);
  const y = Math.max(0, region.y - pad);
  return { x, y, width: Math.min(width, region.x + region.width + pad) - x, height: Math.min(height, region.y + region.height + pad) - y, thickness };
}

/** The size a still is written at (at most {@link STILL_MAX_WIDTH} wide, even). */
export function stillSize(width: number, height: number): { width: number; height: number } {
  if (width <= STILL_MAX_WIDTH) return { width: even(width), height: even(height) };
  return { width: STILL_MAX_WIDTH, height: even((height * STILL_MAX_WIDTH) / width) };
}

/**
 * The OCR crop of a region: its top (only the first legible line is used: a dialog's heading, a
 * menu's first item), at most a fifth of the screen tall; even, inside the frame, at least 16
 * pixels each way.
 */
export function regionCrop(region: PixelBox, width: number, height: number): PixelBox {
  const x = even(Math.max(0, Math.min(width - 16, region.x)));
  const y = even(Math.max(0, Math.min(height - 16, region.y)));
  const w = even(Math.max(16, Math.min(width - x, region.width)));
  const h = even(Math.max(16, Math.min(height - y, region.height, height * TITLE_BAND)));
  return { x, y, width: w, height: h };
}

/**
 * ffmpeg arguments for one batch: input k is the recording seeked to request k; its graph hides
 * the regions, then splits into the outlined, scaled still and the grey crops. Pure.
 */
export function stillsArgs(input: string, requests: readonly StillRequest[], frame: { width: number; height: number }, scratch: (kind: 'title' | 'region', k: number) => string): string[] {
  const args: string[] = [...BASE_ARGS];
  for (const r of requests) args.push('-ss', ffTime(r.at), '-i', input);
  const graphs: string[] = [];
  const outputs: string[] = [];
  const size = stillSize(frame.width, frame.height);
  const band = even(Math.max(16, frame.height * TITLE_BAND));
  requests.forEach((r, k) => {
    // Always on: the request's regions were chosen for its frame. Labels are made unique per input.
    const hide = r.redact.length ? redactFilter(r.redact.map((b) => ({ ...b, from: 0, to: 1e6 }))).replace(/\[(r[kch]\d+)\]/g, `[i${k}$1]`) + ',' : '';
    const crop = r.region ? regionCrop(r.region, frame.width, frame.height) : undefined;
    const box = r.region ? outlineBox(r.region, frame.width, frame.height) : undefined;
    const draw = box ? `drawbox=x=${box.x}:y=${box.y}:w=${box.width}:h=${box.height}:color=0xE00000:t=${box.thickness},` : '';
    const scale = size.width !== frame.width || size.height !== frame.height ? `scale=${size.width}:${size.height}:flags=area,` : '';
    graphs.push(
      `[${k}:v:0]${hide}split=${crop ? 3 : 2}[s${k}][t${k}]${crop ? `[c${k}]` : ''};` +
        `[s${k}]${draw}${scale}format=rgb24[so${k}];` +
        `[t${k}]crop=${even(frame.width)}:${band}:0:0,format=gray[to${k}]` +
        (crop ? `;[c${k}]crop=${crop.width}:${crop.height}:${crop.x}:${crop.y},format=gray[co${k}]` : ''),
    );
    const webp = path.extname(r.output).toLowerCase() === '.webp';
    outputs.push('-map', `[so${k}]`, '-frames:v', '1', ...(webp ? ['-c:v', 'libwebp', '-quality', '82', '-compression_level', '2'] : ['-c:v', 'png']), '-f', webp ? 'webp' : 'image2', r.output);
    outputs.push('-map', `[to${k}]`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', scratch('title', k));
    if (crop) outputs.push('-map', `[co${k}]`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', scratch('region', k));
  });
  return [...args, '-filter_complex', graphs.join(';'), ...outputs];
}

/** Takes every still (in batches), writing the pictures and returning the grey crops. `scratchDir` must exist and be private. */
export async function takeStills(
  o: { ffmpeg: string; input: string; frame: { width: number; height: number }; requests: readonly StillRequest[]; scratchDir: string; item: string },
  ctx: RunContext,
): Promise<StillResult[]> {
  const results: StillResult[] = [];
  const size = stillSize(o.frame.width, o.frame.height);
  const band = even(Math.max(16, o.frame.height * TITLE_BAND));
  for (let start = 0; start < o.requests.length; start += BATCH) {
    throwIfCancelled(ctx.signal);
    const batch = o.requests.slice(start, start + BATCH);
    const scratch = (kind: 'title' | 'region', k: number) => path.join(o.scratchDir, `${kind}-${start + k}.gray`);
    await runFfmpeg(o.ffmpeg, stillsArgs(o.input, batch, o.frame, scratch), { signal: ctx.signal, debug: (m) => ctx.logger.debug(m), what: `stills of ${path.basename(o.input)}`, ...(batch[0] ? { output: batch[0].output } : {}) });
    for (const [k, r] of batch.entries()) {
      const title: GrayImage = { data: await readFile(scratch('title', k)), width: even(o.frame.width), height: band };
      const crop = r.region ? regionCrop(r.region, o.frame.width, o.frame.height) : undefined;
      const region: GrayImage | undefined = crop ? { data: await readFile(scratch('region', k)), width: crop.width, height: crop.height } : undefined;
      results.push({ title, ...(region ? { region } : {}), width: size.width, height: size.height });
    }
    ctx.onProgress?.({ phase: 'stills', current: Math.min(o.requests.length, start + BATCH), total: o.requests.length, item: o.item });
  }
  return results;
}
