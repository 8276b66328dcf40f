/** Turning the player state into the numbers adapters report. DOM-free. */
import type { PlayerLesson } from '../core/player-build/config.js';
import { watchedShare, type PlayerState } from './state.js';

/** Progress of one lesson, as the player measures it (DOM-free, so Node tests can import it). */
export interface LessonProgress {
  /** The lesson id from course.yaml (SCORM 2004 uses it as `cmi.objectives.n.id`). */
  id: string;
  /** The lesson title (xAPI/cmi5 may put it in statements). */
  title: string;
  /** Share of the lesson's completion rule met, 0..1 (below 1 until it is completed). */
  progress: number;
  /** True when the lesson has videos, every one met the watched share, and the workbook rule and knowledge check (if any) are met. */
  completed: boolean;
}

/** Progress of every lesson and of the page as a whole. */
export interface ProgressSummary {
  /** Per lesson, in order. */
  lessons: LessonProgress[];
  /** 0..1 over every segment (and workbook, when required) of the page. */
  overall: number;
  /** The completion rule holds for every lesson. */
  completed: boolean;
}

/**
 * Each segment counts for its share of the watched requirement (watching half of a 90% rule is
 * 0.56 of that segment); a required workbook and a knowledge check (taken at least once) count
 * as one more item of their lesson each. A lesson without videos is never completed (its one
 * item, the missing videos, is never done), so neither is the page: an LMS must not record a
 * course as completed that the learner could not have worked through. Until every lesson is
 * completed, `overall` stays below 1 (at most 0.99), so no LMS and no progress bar shows 100%.
 */
export function summarize(lessons: readonly PlayerLesson[], state: PlayerState, rule: { watchedPercent: number; requireWorkbook: boolean }): ProgressSummary {
  const need = rule.watchedPercent / 100;
  let flat = 0;
  let doneItems = 0;
  let totalItems = 0;
  const out: LessonProgress[] = lessons.map((lesson, li) => {
    let items = 0;
    let done = 0;
    let allMet = true;
    for (const seg of lesson.segments) {
      const entry = state.segments[flat] ?? [];
      flat += 1;
      items += 1;
      const share = watchedShare(entry, seg.duration);
      const met = entry === true || share >= need;
      if (!met) allMet = false;
      done += met ? 1 : Math.min(1, share / need);
    }
    if (lesson.segments.length === 0) {
      items += 1;
      allMet = false;
    }
    const hasWorkbook = lesson.materials.some((m) => m.kind === 'workbook');
    if (rule.requireWorkbook && hasWorkbook) {
      items += 1;
      const opened = state.workbooks[li] === true;
      if (opened) done += 1;
      else allMet = false;
    }
    if (lesson.quiz) {
      items += 1;
      if (state.quizzes?.[li]) done += 1;
      else allMet = false;
    }
    doneItems += done;
    totalItems += items;
    return { id: lesson.id, title: lesson.title, progress: allMet ? 1 : Math.min(0.99, done / items), completed: allMet };
  });
  const completed = out.length > 0 && out.every((l) => l.completed);
  return { lessons: out, overall: completed ? 1 : Math.min(0.99, totalItems ? doneItems / totalItems : 0), completed };
}
