/**
 * Shared set-up of the xAPI/cmi5 browser tests: Chromium (findBrowser + playwright-core), the
 * adapter harness page bundled with esbuild and served from 127.0.0.1, and helpers to read
 * what the loopback LRS received.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchTestBrowser } from '../helpers/browser.js';
import type { LoopbackLrs } from '../../src/core/preview/lrs.js';
import { serveStatic, type StaticServer } from '../../src/core/preview/static-server.js';
import type { InteractionReport } from '../../src/player/quiz/interaction-types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Starts the test run's pinned headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return launchTestBrowser();
}

/** Bundles the adapter harness into a temp folder with an index.html and a return page, and serves it. */
export async function serveHarness(): Promise<{ server: StaticServer; dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lessonkit-xapi-harness-'));
  await build({ entryPoints: [path.join(HERE, 'pages/adapter-harness.ts')], bundle: true, format: 'iife', target: ['es2020'], outfile: path.join(dir, 'harness.js'), logLevel: 'warning' });
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><html lang="en-US"><head><meta charset="utf-8"><title>harness</title><script src="harness.js"></script></head><body></body></html>');
  await writeFile(path.join(dir, 'returned.html'), '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LMS</title></head><body><p>Back in the LMS</p></body></html>');
  const server = await serveStatic(dir);
  return {
    server,
    dir,
    cleanup: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What the player sent, exactly as received (before the LRS added stored/authority/version). */
export function receivedStatements(lrs: LoopbackLrs, by?: (s: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  return lrs.stored.map((r) => JSON.parse(r.received) as Record<string, unknown>).filter((s) => (by ? by(s) : true));
}

/** The verb id of a statement. */
export function verbOf(s: Record<string, unknown>): string {
  return String((s.verb as { id?: string }).id);
}

/** Waits until `check` is true (polling), or fails with `what`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The adapter as the tests see it inside the page (a structural copy: the DOM types stay out of the Node test build). */
export interface HarnessAdapter {
  initialize(): Promise<{ ok: boolean; message?: string; resume?: string; location?: string; alreadyCompleted?: boolean; mode?: string }>;
  reportProgress(report: { overall: number; completed: boolean; lessons: { id: string; title: string; progress: number; completed: boolean }[]; location: string; state: string; reason: 'tick' | 'milestone' | 'hide'; current?: { lessonId: string; segmentId: string; position: number } }): void | Promise<void>;
  reportMedia?(event: { type: 'play' | 'pause' | 'seek' | 'complete'; lessonId: string; segmentId: string; segmentTitle: string; time: number; from?: number; length: number; played: [number, number][] }): void | Promise<void>;
  reportScore(score: { scaled: number; raw: number; min: number; max: number; passed?: boolean }): void | Promise<void>;
  reportInteraction?(q: InteractionReport): void | Promise<void>;
  terminate(reason: 'exit' | 'unload'): void | Promise<void>;
}

/** `globalThis` inside the harness page. */
export interface H {
  harness: { logs: string[]; adapter?: HarnessAdapter; create(name: string, courseIri: string): void };
  localStorage: { length: number };
  location: { href: string };
}
