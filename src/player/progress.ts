/** Turning the player state into the numbers adapters report. DOM-free. */
import type { PlayerLesson } from '../core/player-build/config.js';
import type { LessonProgress } from './adapters/types.js';
import { watchedShare, type PlayerState } from './state.js';

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
 * 0.56 of that segment); a required workbook counts as one more item of its lesson.
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
    const hasWorkbook = lesson.materials.some((m) => m.kind === 'workbook');
    if (rule.requireWorkbook && hasWorkbook) {
      items += 1;
      const opened = state.workbooks[li] === true;
      if (opened) done += 1;
      else allMet = false;
    }
    doneItems += done;
    totalItems += items;
    return { id: lesson.id, title: lesson.title, progress: items ? done / items : 1, completed: allMet };
  });
  return { lessons: out, overall: totalItems ? doneItems / totalItems : 1, completed: out.every((l) => l.completed) };
}
