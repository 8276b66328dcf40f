/**
 * `--shard I/N`: a deterministic partition of the courses of a workspace into N parts of
 * similar cost, so N CI machines build disjoint parts whose union is everything. A course's
 * targets stay together (they share its renders).
 */
import { UserError } from '../../errors.js';

/** A parsed `--shard I/N` (1-based index). */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `I/N`, refusing anything else with the fix. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UserError(`--shard "${text}" is not a shard like 2/3.`, { code: 'E_USAGE', hint: 'Give --shard I/N with 1 <= I <= N, for example --shard 1/3 on the first of three CI jobs.' });
  }
  return { index, count };
}

/** What the partition needs of a course. */
export interface ShardCandidate {
  /** Stable name, the same on every machine (the course folder relative to the workspace). */
  key: string;
  /** Estimated cost: seconds of media to render plus a constant per target. */
  cost: number;
}

/**
 * Assigns every candidate to one of `count` shards: the most expensive first, each to the
 * least loaded shard (ties to the lowest index), ties between candidates broken by key. The
 * result depends only on the keys and costs, so every CI job computes the same partition.
 * Returns the shard index (1-based) of each key.
 */
export function partition(candidates: readonly ShardCandidate[], count: number): Map<string, number> {
  const order = [...candidates].sort((a, b) => b.cost - a.cost || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const load = new Array<number>(count).fill(0);
  const out = new Map<string, number>();
  for (const c of order) {
    let best = 0;
    for (let i = 1; i < count; i++) if ((load[i] ?? 0) < (load[best] ?? 0)) best = i;
    load[best] = (load[best] ?? 0) + c.cost;
    out.set(c.key, best + 1);
  }
  return out;
}
