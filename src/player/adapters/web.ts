/**
 * The `web` adapter: no LMS at all. Resume data lives in this browser's localStorage (when
 * the browser allows it), so a learner who comes back on the same device continues where
 * they stopped. Nothing leaves the page.
 */
import type { AdapterOptions, InitializeResult, LmsAdapter, ProgressReport } from './types.js';

/** Generous but bounded: localStorage quotas are about 5 MB per origin. */
const WEB_STATE_LIMIT = 64000;

/** Creates the web adapter. */
export function createWebAdapter(options: AdapterOptions): LmsAdapter {
  const key = `lessonkit:${options.courseId}@${options.courseVersion}`;
  const storage = ((): Storage | undefined => {
    try {
      const s = options.window.localStorage;
      s.getItem(key);
      return s;
    } catch {
      return undefined;
    }
  })();
  return {
    name: 'web',
    stateLimit: WEB_STATE_LIMIT,
    initialize(): InitializeResult {
      let saved: { state?: string; location?: string; completed?: boolean } = {};
      try {
        saved = JSON.parse(storage?.getItem(key) ?? '{}') as typeof saved;
      } catch {
        options.log('lessonkit: the saved progress in localStorage is unreadable; starting afresh');
      }
      return { ok: true, resume: saved.state, location: saved.location, alreadyCompleted: Boolean(saved.completed), mode: 'normal' };
    },
    reportProgress(report: ProgressReport): void {
      try {
        storage?.setItem(key, JSON.stringify({ state: report.state, location: report.location, completed: report.completed }));
      } catch (err) {
        options.log(`lessonkit: could not save progress in localStorage: ${String(err)}`);
      }
    },
    reportScore(): void {},
    terminate(): void {},
  };
}
