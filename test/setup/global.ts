/**
 * Runs once before any test file. Resolves the Chromium the browser tests use, once, so that
 * parallel test files never race to unpack the `@sparticuz/chromium` binary (two workers
 * unpacking it at once made the second spawn fail with ETXTBSY), and hands it to the workers.
 *
 * The browser is pinned, not taken from PATH: `CHROME_PATH` when the developer sets it, else
 * the Chromium inside the `@sparticuz/chromium` development dependency, so the suite runs the
 * same browser on a machine with or without a system Chromium.
 */
import type { TestProject } from 'vitest/node';
import { findBrowser } from '../../src/core/doctor/browser.js';

/** The browser every browser test launches. */
export interface TestBrowser {
  path: string;
  args: string[];
}

declare module 'vitest' {
  interface ProvidedContext {
    testBrowser: TestBrowser | null;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  // No PATH: only CHROME_PATH or the npm package count.
  const found = await findBrowser({ CHROME_PATH: process.env.CHROME_PATH });
  project.provide('testBrowser', found ? { path: found.path, args: found.args } : null);
}
