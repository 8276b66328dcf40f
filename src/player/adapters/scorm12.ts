/**
 * SCORM 1.2 adapter: `window.API` found through parent frames and the opener; LMSInitialize,
 * lesson_status (incomplete until the completion rule holds, then completed), lesson_location,
 * suspend_data (the player keeps it within 4096 characters), session_time as HHHH:MM:SS.SS,
 * exit `suspend` while incomplete, LMSCommit on milestones and page hide, LMSFinish on exit.
 * Every call's result is checked and failures are logged with the LMS's error code.
 */
import { genericProfile } from '../../core/package/lms/generic.js';
import { findLmsApi } from './discover.js';
import { createCommitScheduler, type CommitScheduler } from './scorm-commit.js';
import { formatScorm12Time } from './scorm-time.js';
import { scorm12InteractionValues } from '../quiz/interactions.js';
import type { AdapterOptions, InteractionReport, InitializeResult, LmsAdapter, ProgressReport, ScoreReport, TerminateReason } from './types.js';

/** The SCORM 1.2 run-time API (all values are strings). */
export interface Scorm12Api {
  LMSInitialize(arg: ''): string;
  LMSFinish(arg: ''): string;
  LMSGetValue(element: string): string;
  LMSSetValue(element: string, value: string): string;
  LMSCommit(arg: ''): string;
  LMSGetLastError(): string;
  LMSGetErrorString(code: string): string;
  LMSGetDiagnostic(code: string): string;
}

/** SCORM 1.2 limits `cmi.suspend_data` to 4096 characters (CMIString4096). */
export const SCORM12_STATE_LIMIT = 4096;

/** Creates the SCORM 1.2 adapter. */
export function createScorm12Adapter(options: AdapterOptions): LmsAdapter {
  const lms = options.lms ?? { profile: 'generic', ...genericProfile.runtime };
  const stateLimit = Math.min(SCORM12_STATE_LIMIT, lms.stateBudget.scorm12);
  const exitComplete = lms.exitWhenComplete === 'suspend' ? 'suspend' : '';
  let api: Scorm12Api | undefined;
  let scheduler: CommitScheduler | undefined;
  /** A failed knowledge check held as `incomplete` (profiles where `failed` cannot be retaken): watching does not complete it. */
  let failedHeld = false;
  const usedIds = new Set<string>();
  /** The index the next interaction is written at (see reportInteraction). */
  let nextInteraction = 0;
  let started = 0;
  let completed = false;
  let finished = false;
  let status = '';
  const lastSet = new Map<string, string>();

  const check = (call: string, result: string): boolean => {
    if (!api) return false;
    const code = api.LMSGetLastError();
    if (result === 'false' || (code && code !== '0')) {
      options.log(`lessonkit: ${call} failed: error ${code} ${api.LMSGetErrorString(code)} ${api.LMSGetDiagnostic(code)}`.trim());
      return false;
    }
    return true;
  };
  const get = (element: string): string => {
    if (!api) return '';
    const value = api.LMSGetValue(element);
    check(`LMSGetValue("${element}")`, 'true');
    return value;
  };
  const set = (element: string, value: string): void => {
    if (!api || finished || lastSet.get(element) === value) return;
    if (check(`LMSSetValue("${element}")`, api.LMSSetValue(element, value))) lastSet.set(element, value);
  };
  const commit = (): boolean => Boolean(api && !finished && check('LMSCommit', api.LMSCommit('')));
  // The connection check: what the LMS returns must be what was written.
  const readBack = (): boolean => ['cmi.suspend_data', 'cmi.core.lesson_location'].every((el) => !lastSet.has(el) || api?.LMSGetValue(el) === lastSet.get(el));

  return {
    name: 'scorm12',
    stateLimit,
    initialize(): InitializeResult {
      api = findLmsApi<Scorm12Api>(options.window, 'API');
      if (!api) {
        return {
          ok: false,
          message:
            'This course is a SCORM 1.2 package and needs a learning management system (LMS) to record your progress, but no LMS was found. Open it from your LMS, or ask your LMS administrator for help.',
        };
      }
      if (!check('LMSInitialize', api.LMSInitialize(''))) {
        return { ok: false, message: 'The learning management system refused to start this course (LMSInitialize failed). Close it and open it again from your LMS.' };
      }
      started = Date.now();
      scheduler = createCommitScheduler(lms, options.window, { commit, readBack, onConnection: options.onConnection });
      status = get('cmi.core.lesson_status');
      completed = status === 'completed' || status === 'passed';
      const entry = get('cmi.core.entry');
      const lessonMode = get('cmi.core.lesson_mode');
      // A fresh attempt ("ab-initio") carries no resume data worth reading.
      const resume = entry === 'ab-initio' ? '' : get('cmi.suspend_data');
      const location = entry === 'ab-initio' ? '' : get('cmi.core.lesson_location');
      if (!completed && lessonMode !== 'browse' && lessonMode !== 'review') {
        // An LMS that fills in a status of its own (completed at launch or on exit) never finds it empty.
        if (lms.statusOnLaunch !== false) set('cmi.core.lesson_status', 'incomplete');
        set('cmi.core.exit', 'suspend');
      }
      return {
        ok: true,
        resume: resume || undefined,
        location: location || undefined,
        alreadyCompleted: completed,
        mode: lessonMode === 'browse' || lessonMode === 'review' ? lessonMode : 'normal',
        learnerName: get('cmi.core.student_name') || undefined,
      };
    },
    reportProgress(report: ProgressReport): void {
      if (!api || finished) return;
      set('cmi.core.lesson_location', report.location.slice(0, 255));
      set('cmi.suspend_data', report.state.slice(0, stateLimit));
      if (report.completed && !completed && !failedHeld) {
        completed = true;
        // passed/failed (from a quiz) already imply completion; keep them.
        if (status !== 'passed' && status !== 'failed') set('cmi.core.lesson_status', 'completed');
        set('cmi.core.exit', exitComplete);
      }
      scheduler?.afterReport(report.reason);
    },
    reportInteraction(interaction: InteractionReport): void {
      if (!api || finished) return;
      // An LMS without a real _count (Open edX's SCORM XBlock answers '') would put every answer
      // at index 0, each overwriting the last: the adapter also counts what it wrote itself.
      const counted = get('cmi.interactions._count');
      const n = Math.max(/^\d+$/.test(counted) ? Number(counted) : 0, nextInteraction);
      nextInteraction = n + 1;
      // A retake within the session gets ids of its own: some LMSs refuse an id used twice in an attempt.
      let id = interaction.id;
      for (let k = 2; usedIds.has(id); k += 1) id = `${interaction.id}_${k}`;
      usedIds.add(id);
      for (const [element, value] of scorm12InteractionValues({ ...interaction, id }, n, new Date(), lms.valueLimit)) set(element, value);
    },
    reportScore(score: ScoreReport): void {
      if (!api || finished) return;
      set('cmi.core.score.min', String(score.min));
      set('cmi.core.score.max', String(score.max));
      set('cmi.core.score.raw', String(Math.round(score.raw * 100) / 100));
      if (score.passed !== undefined) {
        // Where a course stored as failed cannot be retaken, a failed check stays incomplete until passed.
        failedHeld = !score.passed && lms.failedStatus === 'incomplete';
        status = score.passed ? 'passed' : failedHeld ? 'incomplete' : 'failed';
        if (failedHeld) completed = false;
        set('cmi.core.lesson_status', status);
      }
      scheduler?.now();
    },
    terminate(_reason: TerminateReason): void {
      if (!api || finished || !started) return;
      set('cmi.core.session_time', formatScorm12Time(Date.now() - started));
      set('cmi.core.exit', completed ? exitComplete : 'suspend');
      scheduler?.beforeTerminate(false);
      check('LMSFinish', api.LMSFinish(''));
      finished = true;
    },
  };
}
