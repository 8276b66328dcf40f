/**
 * Smart-cut outputs play in a real browser: Chromium (the @sparticuz/chromium build, as in the
 * browser tests) decodes every frame of a segment whose re-encoded head and tail carry their own
 * SPS/PPS next to the copied GOPs, to the end, without a media error.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchTestBrowser } from '../helpers/browser.js';
import { REPO, makeTempDir, runCli } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
let server: http.Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('lessonkit-media-play-'));
  server = http.createServer((req, res) => {
    const name = path.basename(decodeURIComponent(req.url ?? '/'));
    if (name.endsWith('.mp4')) {
      const file = path.join(dir, name);
      stat(file).then(
        (st) => {
          res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': st.size });
          createReadStream(file).pipe(res);
        },
        () => res.writeHead(404).end(),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>play</title><video id="v" muted></video>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchTestBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await cleanup();
});

describe('a smart-cut segment in Chromium', () => {
  it('plays to the end, every frame decoded, no media error', async () => {
    const recording = path.join(REPO, 'fixtures', 'sample-course', 'recordings', '2026-10-01-session.mp4');
    // 3.4 s and 25.1 s are between keyframes (every 4 s): a re-encoded head and tail.
    const r = await runCli(['trim', recording, '--from', '3.4', '--to', '25.1', '--out', 'cut.mp4', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as { method: string; encodedFrames: number; copiedFrames: number; duration: number };
    expect(result.method).toBe('smart');
    expect(result.encodedFrames).toBeGreaterThan(0);
    const frames = result.encodedFrames + result.copiedFrames;
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    const played = await page.evaluate(async (src) => {
      // Runs in the page; the test tsconfig has no DOM types, so the element is described here.
      interface VideoLike {
        src: string;
        playbackRate: number;
        ended: boolean;
        duration: number;
        videoWidth: number;
        videoHeight: number;
        error: { code: number } | null;
        onended: (() => void) | null;
        onerror: (() => void) | null;
        play(): Promise<void>;
        getVideoPlaybackQuality(): { totalVideoFrames: number };
      }
      const doc = (globalThis as unknown as { document: { getElementById(id: string): VideoLike } }).document;
      const v = doc.getElementById('v');
      v.src = src;
      v.playbackRate = 8;
      await v.play();
      await new Promise<void>((resolve) => {
        v.onended = () => resolve();
        v.onerror = () => resolve();
      });
      return { ended: v.ended, error: v.error?.code ?? null, duration: v.duration, decoded: v.getVideoPlaybackQuality().totalVideoFrames, width: v.videoWidth, height: v.videoHeight };
    }, `${base}/cut.mp4`);
    await page.close();
    expect(played).toMatchObject({ ended: true, error: null, width: 1280, height: 720 });
    expect(played.duration).toBeCloseTo(result.duration, 2);
    expect(played.decoded).toBe(frames);
  });
});
