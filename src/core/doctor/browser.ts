import { whichOnPath } from '../media/locate.js';

/** A Chromium-family browser found for previews and tests. */
export interface FoundBrowser {
  /** Executable path. */
  path: string;
  /** How it was found. */
  source: 'env' | 'path' | 'npm';
  /** Extra launch arguments the build needs (the npm Chromium needs its own). */
  args: string[];
}

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/**
 * Finds Chrome/Chromium: CHROME_PATH, then PATH, then the `@sparticuz/chromium` package
 * (a development dependency, so present in a clone after `npm ci`, absent for end users).
 */
export async function findBrowser(env: Record<string, string | undefined>): Promise<FoundBrowser | undefined> {
  if (env.CHROME_PATH) return { path: env.CHROME_PATH, source: 'env', args: [] };
  for (const n of NAMES) {
    const p = await whichOnPath(n, env.PATH);
    if (p) return { path: p, source: 'path', args: [] };
  }
  try {
    const mod = (await import('@sparticuz/chromium' as string)) as { default: { executablePath(): Promise<string>; args: string[] } };
    const p = await mod.default.executablePath();
    // Its default args include --single-process and similar flags made for serverless; keep only what a desktop-like run needs.
    const keep = mod.default.args.filter((a) => !/^--(single-process|no-zygote|use-gl|use-angle|in-process-gpu|headless)/.test(a));
    return { path: p, source: 'npm', args: keep };
  } catch {
    return undefined;
  }
}
