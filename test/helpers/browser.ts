/** The pinned Chromium of the test run (resolved once in test/setup/global.ts). */
import { chromium, type Browser } from 'playwright-core';
import { inject } from 'vitest';

/** Launches the pinned headless Chromium; fails with the fix when there is none. */
export async function launchTestBrowser(): Promise<Browser> {
  const found = inject('testBrowser');
  if (!found) throw new Error('No Chromium for the browser tests: run `npm ci` (it installs @sparticuz/chromium) or set CHROME_PATH.');
  return chromium.launch({ executablePath: found.path, args: [...found.args, '--no-sandbox', '--autoplay-policy=no-user-gesture-required'], headless: true });
}
