/** The export's scheduling primitives: a counting limiter and a bounded worker pool. */
import { availableParallelism } from 'node:os';

/** Runs at most `slots` tasks at once; the others wait in order. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** A counting limiter with `slots` places. */
export function createLimiter(slots: number): Limiter {
  let free = Math.max(1, slots);
  const waiting: (() => void)[] = [];
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else free++;
      }
    },
  };
}

/**
 * Runs `work` over `items` with at most `concurrency` at once, in order of start. After a
 * failure no new item starts; the ones under way finish (and clean up) before the first error
 * is rethrown, so Ctrl-C never leaves a worker writing after the command has returned.
 */
export async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await work(items[i] as T, i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
}

/**
 * The default budget on this machine. ffmpeg's x264 already spreads one encode over every
 * core, so encodes get half the cores (at least one); courses get one worker per core, so while
 * one course encodes another zips, validates or hashes.
 */
export function defaultBudget(cores = availableParallelism()): { courses: number; encodes: number } {
  return { courses: Math.max(1, cores), encodes: Math.max(1, Math.floor(cores / 2)) };
}
