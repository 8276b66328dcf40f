/**
 * When a SCORM adapter commits, from the LMS profile (see docs/lms.md): on milestones; while
 * playing at most every `commitEverySeconds`; when the page is hidden if `commitOnHide`; never
 * right before Terminate unless `commitBeforeTerminate`; a keep-alive commit after
 * `keepAliveSeconds` of silence so the LMS session does not expire. After the first commit it
 * reads back what was written (the connection check); a failed commit or a read-back that
 * differs is reported through `onConnection`, and the next tick retries.
 */
import type { LmsRuntime } from '../../core/package/lms/types.js';
import type { ProgressReason } from './types.js';

/** What the adapter gives the scheduler. */
export interface CommitHooks {
  /** Commits; true when the LMS accepted it. */
  commit(): boolean;
  /** Reads back the values last written, true when the LMS returns them (the connection check). */
  readBack(): boolean;
  /** The LMS took the data (true) or did not (false); called on every change. */
  onConnection?: (ok: boolean) => void;
}

/** The scheduler a SCORM adapter drives. */
export interface CommitScheduler {
  /** After a progress report: commits if the profile says this reason warrants it. */
  afterReport(reason: ProgressReason): void;
  /** Commits now (scores, failed-check status). */
  now(): void;
  /** Before Terminate/LMSFinish: commits only where the profile asks for it; stops the keep-alive. */
  beforeTerminate(scorm2004: boolean): void;
}

/** Starts the scheduler (and the keep-alive timer, if the profile has one). */
export function createCommitScheduler(lms: LmsRuntime, win: Window, hooks: CommitHooks): CommitScheduler {
  let last = Date.now();
  let checked = !lms.connectionCheck;
  let healthy = true;
  const run = (): void => {
    let ok = hooks.commit();
    if (ok && !checked) {
      // Until one read-back matches, every commit is checked (an LMS that drops values keeps failing it).
      ok = hooks.readBack();
      checked = ok;
    }
    // A failure makes the next tick retry at once instead of waiting out the interval.
    last = ok ? Date.now() : 0;
    if (ok !== healthy) {
      healthy = ok;
      hooks.onConnection?.(ok);
    }
  };
  let timer: number | undefined;
  if (lms.keepAliveSeconds > 0) {
    const ms = lms.keepAliveSeconds * 1000;
    timer = win.setInterval(() => {
      if (Date.now() - last >= ms) run();
    }, Math.max(1000, Math.min(ms / 2, 60_000)));
  }
  return {
    afterReport(reason) {
      if (reason === 'tick') {
        if (lms.commitEverySeconds > 0 && Date.now() - last >= lms.commitEverySeconds * 1000) run();
      } else if (reason === 'milestone' || (reason === 'hide' && lms.commitOnHide)) run();
      // 'final': Terminate/LMSFinish follows and persists; beforeTerminate decides.
    },
    now: run,
    beforeTerminate(scorm2004) {
      if (timer !== undefined) win.clearInterval(timer);
      // SCORM 1.2 LMSs differ on whether LMSFinish alone persists, so 1.2 always commits first; a
      // SCORM 2004 Terminate persists by definition, and some LMSs lose data on Commit+Terminate.
      if (!scorm2004 || lms.commitBeforeTerminate) run();
    },
  };
}
