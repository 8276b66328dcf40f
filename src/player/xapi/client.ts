/**
 * The player's xAPI client: statements and State documents go through one ordered queue that
 * is kept in localStorage, sent one at a time, and retried with backoff while the LRS cannot
 * be reached. Statements are PUT with their id, so a retry after a lost response (or the same
 * queue resent by the next page load) can never store a statement twice.
 */

/** A JSON statement. */
export type Statement = Record<string, unknown>;

/** Where a State document lives. */
export interface StateParams {
  /** The activity the document belongs to (the course, or the cmi5 AU). */
  activityId: string;
  /** The learner (an xAPI Agent). */
  agent: unknown;
  /** The registration, when the launch gave one. */
  registration?: string;
  /** The document id. */
  stateId: string;
}

/** One queued request. */
type QueueItem =
  | { kind: 'statement'; id: string; statement: Statement }
  | { kind: 'state'; key: string; params: StateParams; document: string };

/** Options for {@link LrsClient}. */
export interface LrsClientOptions {
  /** The xAPI endpoint (ends with `/`). */
  endpoint: string;
  /** The `Authorization` header value. */
  authorization: string;
  /** localStorage key of the persistent queue (one per learner and registration). */
  storageKey: string;
  /** The window (fetch, timers, localStorage, online events). */
  window: Window;
  /** Diagnostics. */
  log: (message: string) => void;
}

const VERSION = '1.0.3';
/** Backoff: 1 s, 2 s, 4 s, then every 5 s, so an LRS that comes back is noticed within seconds. */
const BACKOFF_MS = [1000, 2000, 4000, 5000];
const REQUEST_TIMEOUT_MS = 15000;

/** An HTTP failure worth retrying (network down, timeout, 5xx, 408, 429). */
class RetryableError extends Error {}

/** A UUID v4 (crypto.randomUUID where available, else built from getRandomValues). */
export function uuid(win: Window): string {
  const c = win.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Statement and State traffic to one LRS. */
export class LrsClient {
  private queue: QueueItem[] = [];
  private pumping = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly storage: Storage | undefined;

  constructor(private readonly options: LrsClientOptions) {
    this.storage = (() => {
      try {
        const s = options.window.localStorage;
        s.getItem(options.storageKey);
        return s;
      } catch {
        return undefined;
      }
    })();
    try {
      const saved = JSON.parse(this.storage?.getItem(options.storageKey) ?? '[]') as QueueItem[];
      if (Array.isArray(saved)) this.queue = saved;
    } catch {
      options.log('lessonkit: the saved xAPI queue is unreadable and was dropped');
    }
    if (this.queue.length > 0) options.log(`lessonkit: resending ${this.queue.length} request(s) left from an earlier visit`);
    options.window.addEventListener('online', () => this.retryNow());
  }

  /** Requests waiting to be delivered. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues a statement (it must have its id already) and starts sending. */
  sendStatement(statement: Statement): void {
    this.queue.push({ kind: 'statement', id: String(statement.id), statement });
    this.save();
    this.pump();
  }

  /** Queues a State document write; a newer write of the same document replaces a waiting one. */
  putState(params: StateParams, document: unknown): void {
    const key = `${params.activityId}|${params.registration ?? ''}|${params.stateId}`;
    const item: QueueItem = { kind: 'state', key, params, document: JSON.stringify(document) };
    // Replace only a write that is not first in line: the first may be in flight right now.
    const idx = this.queue.findIndex((q, i) => i > 0 && q.kind === 'state' && q.key === key);
    if (idx > 0) this.queue[idx] = item;
    else this.queue.push(item);
    this.save();
    this.pump();
  }

  /**
   * Reads a State document; undefined when there is none. A network failure or 5xx is retried
   * twice (after 1 and 2 seconds) before it throws: starting without the saved document would
   * later overwrite it with a fresh one.
   */
  async getState(params: StateParams): Promise<unknown> {
    let res: Response | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await this.request('GET', this.stateUrl(params));
        if (res.status < 500 || attempt >= 2) break;
      } catch (err) {
        if (attempt >= 2) throw err;
      }
      await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET state ${params.stateId} failed with HTTP ${res.status}`);
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** Reads an Agent Profile document; undefined when there is none. */
  async getAgentProfile(agent: unknown, profileId: string): Promise<unknown> {
    const url = `${this.options.endpoint}agents/profile?${new URLSearchParams({ agent: JSON.stringify(agent), profileId }).toString()}`;
    const res = await this.request('GET', url);
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET agent profile ${profileId} failed with HTTP ${res.status}`);
    return (await res.json()) as unknown;
  }

  /** Queries statements (first page only: the callers ask narrow questions). */
  async queryStatements(query: Record<string, string>): Promise<Statement[]> {
    const res = await this.request('GET', `${this.options.endpoint}statements?${new URLSearchParams(query).toString()}`);
    if (!res.ok) throw new Error(`GET statements failed with HTTP ${res.status}`);
    return ((await res.json()) as { statements: Statement[] }).statements;
  }

  /** Resolves when everything queued is delivered, or false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0) return Promise.resolve(true);
    this.retryNow();
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /**
   * The page is going away: hand what is waiting to the browser with `keepalive`, which
   * outlives the page. The statements go as ONE ordered batch (POST), because parallel requests
   * would arrive in any order and cmi5 LMSs judge order (terminated must be last). Statement ids
   * are already set, so a batch that overlaps a request in flight stores nothing twice. The
   * queue stays in localStorage until a delivery is confirmed, so what does not make it now is
   * sent on the next visit.
   */
  flushOnHide(): void {
    const send = (method: string, url: string, body: string) => {
      try {
        void this.options.window.fetch(url, { method, headers: this.headers(true), body, keepalive: true }).catch(() => undefined);
      } catch {
        // Refused synchronously (keepalive quota): it stays queued for the next visit.
      }
    };
    let batch = this.queue.filter((q): q is Extract<QueueItem, { kind: 'statement' }> => q.kind === 'statement').map((q) => q.statement);
    // keepalive bodies are capped at 64 KB in total; keep the oldest that fit, in order.
    while (batch.length > 1 && JSON.stringify(batch).length > 48000) batch = batch.slice(0, Math.ceil(batch.length / 2));
    if (batch.length > 0) send('POST', `${this.options.endpoint}statements`, JSON.stringify(batch));
    for (const item of this.queue) if (item.kind === 'state') send('PUT', this.stateUrl(item.params), item.document);
  }

  private retryNow(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.attempt = 0;
    }
    this.pump();
  }

  private save(): void {
    try {
      if (this.queue.length === 0) this.storage?.removeItem(this.options.storageKey);
      else this.storage?.setItem(this.options.storageKey, JSON.stringify(this.queue));
    } catch (err) {
      this.options.log(`lessonkit: could not keep the xAPI queue in localStorage: ${String(err)}`);
    }
  }

  private pump(): void {
    if (this.pumping || this.timer !== undefined) return;
    this.pumping = true;
    void this.drain().finally(() => {
      this.pumping = false;
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const item = this.queue[0] as QueueItem;
      try {
        await this.deliver(item);
        this.attempt = 0;
      } catch (err) {
        if (err instanceof RetryableError) {
          const wait = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 5000;
          this.attempt++;
          this.options.log(`lessonkit: the LRS did not take a request (${err.message}); retrying in ${wait / 1000} s (${this.queue.length} waiting)`);
          this.timer = setTimeout(() => {
            this.timer = undefined;
            this.pump();
          }, wait);
          return;
        }
        // Refused for good (400, 401, 403...): retrying cannot help. Say so loudly and move on,
        // so one bad request does not hold back everything after it.
        this.options.log(`lessonkit: the LRS refused a request and it was dropped: ${err instanceof Error ? err.message : String(err)}`);
      }
      // The item is done (delivered or refused); a newer state write may have replaced it in place.
      if (this.queue[0] === item) this.queue.shift();
      else this.queue = this.queue.filter((q) => q !== item);
      this.save();
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private describe(item: QueueItem): [string, string, string] {
    if (item.kind === 'statement') return ['PUT', `${this.options.endpoint}statements?statementId=${encodeURIComponent(item.id)}`, JSON.stringify(item.statement)];
    return ['PUT', this.stateUrl(item.params), item.document];
  }

  private async deliver(item: QueueItem): Promise<void> {
    const [method, url, body] = this.describe(item);
    const res = await this.request(method, url, body);
    // 409 on a statement PUT: the LRS already has this id (an earlier attempt got through).
    if (res.ok || (item.kind === 'statement' && res.status === 409)) return;
    const text = await res.text().catch(() => '');
    if (res.status >= 500 || res.status === 408 || res.status === 429) throw new RetryableError(`HTTP ${res.status}`);
    throw new Error(`HTTP ${res.status} for ${method} ${url.replace(/\?.*/, '')}: ${text.slice(0, 300)}`);
  }

  private headers(withBody: boolean): Record<string, string> {
    return {
      Authorization: this.options.authorization,
      'X-Experience-API-Version': VERSION,
      ...(withBody ? { 'Content-Type': 'application/json' } : {}),
    };
  }

  private stateUrl(p: StateParams): string {
    const q = new URLSearchParams({ activityId: p.activityId, agent: JSON.stringify(p.agent), stateId: p.stateId });
    if (p.registration) q.set('registration', p.registration);
    return `${this.options.endpoint}activities/state?${q.toString()}`;
  }

  private async request(method: string, url: string, body?: string): Promise<Response> {
    const ctrl = new AbortController();
    const t = setTimeout(() => ctrl.abort(), REQUEST_TIMEOUT_MS);
    try {
      return await this.options.window.fetch(url, { method, headers: this.headers(body !== undefined), body, signal: ctrl.signal, cache: 'no-store' });
    } catch (err) {
      throw new RetryableError(err instanceof Error ? err.message : String(err));
    } finally {
      clearTimeout(t);
    }
  }
}
