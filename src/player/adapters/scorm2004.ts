/**
 * SCORM 2004 (3rd and 4th Edition) adapter: `window.API_1484_11` found through parent frames
 * and the opener; Initialize/Terminate, cmi.completion_status, cmi.progress_measure,
 * cmi.location, cmi.suspend_data (64000), ISO 8601 cmi.session_time, cmi.exit, and one
 * `cmi.objectives.n` per lesson carrying that lesson's completion. Commits on milestones and
 * page hide; every call's error code is checked and logged.
 */
import { genericProfile } from '../../core/package/lms/generic.js';
import { findLmsApi } from './discover.js';
import { createCommitScheduler, type CommitScheduler } from './scorm-commit.js';
import { formatIsoDuration } from './scorm-time.js';
import { scorm2004InteractionValues } from '../quiz/interactions.js';
import type { AdapterOptions, InteractionReport, InitializeResult, LmsAdapter, ProgressReport, ScoreReport, TerminateReason } from './types.js';

/** The SCORM 2004 run-time API. */
export interface Scorm2004Api {
  Initialize(arg: ''): string;
  Terminate(arg: ''): string;
  GetValue(element: string): string;
  SetValue(element: string, value: string): string;
  Commit(arg: ''): string;
  GetLastError(): string;
  GetErrorString(code: string): string;
  GetDiagnostic(code: string): string;
}

/** SCORM 2004 4th Edition guarantees 64000 characters of `cmi.suspend_data`. */
export const SCORM2004_STATE_LIMIT = 64000;

/** `cmi.progress_measure` is a real(10,7); four decimals are plenty and keep values stable. */
function measure(n: number): string {
  return String(Math.round(Math.min(1, Math.max(0, n)) * 10000) / 10000);
}

/** Creates the SCORM 2004 adapter. */
export function createScorm2004Adapter(options: AdapterOptions): LmsAdapter {
  const lms = options.lms ?? { profile: 'generic', ...genericProfile.runtime };
  const stateLimit = Math.min(SCORM2004_STATE_LIMIT, lms.stateBudget.scorm2004);
  let api: Scorm2004Api | undefined;
  let scheduler: CommitScheduler | undefined;
  const usedIds = new Set<string>();
  /** The index the next interaction is written at (see reportInteraction). */
  let nextInteraction = 0;
  let started = 0;
  let completed = false;
  let finished = false;
  const lastSet = new Map<string, string>();
  /** lesson id -> index in cmi.objectives */
  const objectiveIndex = new Map<string, number>();

  const check = (call: string, result: string): boolean => {
    if (!api) return false;
    const code = api.GetLastError();
    if (result === 'false' || (code && code !== '0')) {
      options.log(`lessonkit: ${call} failed: error ${code} ${api.GetErrorString(code)} ${api.GetDiagnostic(code)}`.trim());
      return false;
    }
    return true;
  };
  const get = (element: string): string => {
    if (!api) return '';
    const value = api.GetValue(element);
    // 403 "value not initialized" is how SCORM 2004 answers for an element nothing has set yet
    // (cmi.location on a first launch): an empty value, not a failure worth logging.
    if (api.GetLastError() === '403') return '';
    check(`GetValue("${element}")`, 'true');
    return value;
  };
  const set = (element: string, value: string): void => {
    if (!api || finished || lastSet.get(element) === value) return;
    if (check(`SetValue("${element}")`, api.SetValue(element, value))) lastSet.set(element, value);
  };
  const commit = (): boolean => Boolean(api && !finished && check('Commit', api.Commit('')));
  // The connection check: what the LMS returns must be what was written.
  const readBack = (): boolean => ['cmi.suspend_data', 'cmi.location'].every((el) => !lastSet.has(el) || api?.GetValue(el) === lastSet.get(el));
  const objective = (id: string): number => {
    let n = objectiveIndex.get(id);
    if (n === undefined) {
      n = objectiveIndex.size;
      objectiveIndex.set(id, n);
      set(`cmi.objectives.${n}.id`, id);
    }
    return n;
  };

  return {
    name: 'scorm2004',
    stateLimit,
    initialize(): InitializeResult {
      api = findLmsApi<Scorm2004Api>(options.window, 'API_1484_11');
      if (!api) {
        return {
          ok: false,
          message:
            'This course is a SCORM 2004 package and needs a learning management system (LMS) to record your progress, but no LMS was found. Open it from your LMS, or ask your LMS administrator for help.',
        };
      }
      if (!check('Initialize', api.Initialize(''))) {
        return { ok: false, message: 'The learning management system refused to start this course (Initialize failed). Close it and open it again from your LMS.' };
      }
      started = Date.now();
      scheduler = createCommitScheduler(lms, options.window, { commit, readBack, onConnection: options.onConnection });
      const status = get('cmi.completion_status');
      completed = status === 'completed';
      const entry = get('cmi.entry');
      const mode = get('cmi.mode');
      const count = Number(get('cmi.objectives._count')) || 0;
      for (let i = 0; i < count; i += 1) {
        const id = get(`cmi.objectives.${i}.id`);
        if (id) objectiveIndex.set(id, i);
      }
      const resume = entry === 'ab-initio' ? '' : get('cmi.suspend_data');
      const location = entry === 'ab-initio' ? '' : get('cmi.location');
      if (!completed && mode !== 'browse' && mode !== 'review') {
        // An LMS that fills in a status of its own (completed at launch or on exit) never finds it empty.
        if (lms.statusOnLaunch !== false) set('cmi.completion_status', 'incomplete');
        set('cmi.exit', 'suspend');
      }
      const passing = Number.parseFloat(get('cmi.scaled_passing_score'));
      return {
        ok: true,
        resume: resume || undefined,
        location: location || undefined,
        alreadyCompleted: completed,
        mode: mode === 'browse' || mode === 'review' ? mode : 'normal',
        learnerName: get('cmi.learner_name') || undefined,
        ...(Number.isFinite(passing) ? { masteryScore: passing } : {}),
      };
    },
    reportProgress(report: ProgressReport): void {
      if (!api || finished) return;
      set('cmi.location', report.location.slice(0, 1000));
      set('cmi.suspend_data', report.state.slice(0, stateLimit));
      set('cmi.progress_measure', measure(report.completed ? 1 : report.overall));
      for (const lesson of report.lessons) {
        const n = objective(lesson.id);
        set(`cmi.objectives.${n}.progress_measure`, measure(lesson.completed ? 1 : lesson.progress));
        set(`cmi.objectives.${n}.completion_status`, lesson.completed ? 'completed' : lesson.progress > 0 ? 'incomplete' : 'not attempted');
      }
      if (report.completed && !completed) {
        completed = true;
        set('cmi.completion_status', 'completed');
        set('cmi.exit', lms.exitWhenComplete);
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
      for (const [element, value] of scorm2004InteractionValues({ ...interaction, id }, n, new Date())) set(element, value);
    },
    reportScore(score: ScoreReport): void {
      if (!api || finished) return;
      set('cmi.score.scaled', measure(score.scaled));
      set('cmi.score.raw', String(score.raw));
      set('cmi.score.min', String(score.min));
      set('cmi.score.max', String(score.max));
      if (score.passed !== undefined) {
        // SCORM 2004 RTE 4.2.20: the LMS's cmi.scaled_passing_score (from the manifest's
        // minNormalizedMeasure, or set by the LMS) decides over the course's own pass mark.
        const lmsMark = Number.parseFloat(get('cmi.scaled_passing_score'));
        const passed = Number.isFinite(lmsMark) ? score.scaled >= lmsMark : score.passed;
        set('cmi.success_status', passed ? 'passed' : 'failed');
      }
      scheduler?.now();
    },
    terminate(_reason: TerminateReason): void {
      if (!api || finished || !started) return;
      set('cmi.session_time', formatIsoDuration(Date.now() - started));
      set('cmi.exit', completed ? lms.exitWhenComplete : 'suspend');
      scheduler?.beforeTerminate(true);
      check('Terminate', api.Terminate(''));
      finished = true;
    },
  };
}
