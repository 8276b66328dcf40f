/**
 * A loopback learning record store: enough of the xAPI 1.0.3 REST surface (statements,
 * activity state, agent and activity profiles, about) and of a cmi5 LMS (the one-time fetch
 * URL, the LMS.LaunchData rules, the statement rules) for the player, real xAPI client
 * libraries, tests and `lessonkit preview`. It listens on 127.0.0.1 only and keeps everything
 * in memory; `stop()` and `start()` take it down and bring it back on the same port with its
 * data, so tests can simulate an outage.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../errors.js';
import { agentKey, parseAgentParam, type XapiAgent } from './agent.js';
import { CMI5, checkCmi5Statement, isCmi5Defined, moveOnMet, recordCmi5Statement, type Cmi5Session } from './cmi5-rules.js';
import { checkStatement, type XapiStatement } from './statement-schema.js';

/** The xAPI version this LRS reports. */
export const XAPI_VERSION = '1.0.3';
const VERSION_HEADER = 'X-Experience-API-Version';
const MAX_BODY = 10 * 1024 * 1024;
const DEFAULT_LIMIT = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LAUNCH_DATA = 'LMS.LaunchData';

/** Options for {@link startLrs}. */
export interface LrsOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Path of the xAPI endpoint; default `/xapi/`. */
  basePath?: string;
  /** The administrator's Basic credentials (the LMS itself); random when omitted. */
  admin?: { username: string; password: string };
  /** Reject statements that fail the xAPI schema (default true). */
  validate?: boolean;
}

/** A statement as stored, with what the LRS added. */
export interface StoredStatement {
  /** The statement as the LRS returns it (id, stored, authority, version, timestamp filled in). */
  statement: XapiStatement;
  /** Canonical JSON of what the client sent, for the 409/204 comparison of a repeated id. */
  received: string;
  /** True once a voiding statement targeted it. */
  voided: boolean;
  /** The credential (username) that sent it. */
  by: string;
}

/** One request the LRS answered, for tests and the preview's live log. */
export interface LrsRequestLog {
  /** Monotonic sequence number. */
  seq: number;
  /** When it arrived (ISO). */
  time: string;
  /** HTTP method. */
  method: string;
  /** Path and query. */
  url: string;
  /** Response status. */
  status: number;
  /** Why it was refused, for 4xx answers. */
  error?: string;
}

/** A failure the LRS simulates (for tests and the preview's "what if the LMS refuses" checks). */
export interface LrsFault {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Matched against the path and query (any when absent). */
  url?: RegExp;
  /** Status to answer with (e.g. 400, 503). */
  status: number;
  /** How many requests to fail; then the fault is spent. */
  times: number;
}

/** A credential the LRS accepts. */
interface Credential {
  password: string;
  role: 'admin' | 'au';
  /** The cmi5 session the credential was issued for (its fetch token). */
  session?: Cmi5Session;
}

/** A stored document of the State or Profile resources. */
interface StoredDocument {
  contentType: string;
  body: Buffer;
  updated: string;
  etag: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Starts a loopback LRS on 127.0.0.1. Call `stop()` when done. */
export async function startLrs(options: LrsOptions = {}): Promise<LoopbackLrs> {
  const lrs = new LoopbackLrs(options);
  await lrs.start();
  return lrs;
}

/**
 * The loopback LRS. Events: `request` ({@link LrsRequestLog}), `statement` (the stored
 * statement), `state` ({ activityId, stateId, registration }).
 */
export class LoopbackLrs extends EventEmitter {
  /** Every statement received, in the order stored. */
  readonly stored: StoredStatement[] = [];
  /** Every request answered, in order. */
  readonly requests: LrsRequestLog[] = [];
  /** Statements refused by the cmi5 rules, with the reason. */
  readonly cmi5Rejections: { statement: XapiStatement; reason: string }[] = [];
  /** cmi5 sessions launched through {@link LoopbackLrs.registerCmi5Session}, by session id. */
  readonly sessions = new Map<string, Cmi5Session>();
  /** The administrator credential (what the LMS and tests use). */
  readonly admin: { username: string; password: string };
  private readonly basePath: string;
  private readonly validate: boolean;
  private readonly byId = new Map<string, StoredStatement>();
  private readonly documents = new Map<string, StoredDocument>();
  private readonly credentials = new Map<string, Credential>();
  private readonly fetchTokens = new Map<string, { username: string; used: boolean }>();
  private readonly moreTokens = new Map<string, string[]>();
  private readonly faults: LrsFault[] = [];
  private server: http.Server | undefined;
  private boundPort: number;
  private seq = 0;

  constructor(options: LrsOptions = {}) {
    super();
    this.basePath = (options.basePath ?? '/xapi/').replace(/\/?$/, '/');
    this.validate = options.validate ?? true;
    this.boundPort = options.port ?? 0;
    this.admin = options.admin ?? { username: 'lessonkit', password: randomBytes(12).toString('hex') };
    this.credentials.set(this.admin.username, { password: this.admin.password, role: 'admin' });
  }

  /** The port it listens on (the same one after a restart). */
  get port(): number {
    return this.boundPort;
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  /** The xAPI endpoint (ends with `/`), what a launch URL passes as `endpoint`. */
  get endpoint(): string {
    return `${this.origin}${this.basePath}`;
  }

  /** True while listening. */
  get running(): boolean {
    return this.server !== undefined;
  }

  /** The `Authorization` header value of the administrator. */
  get adminAuthorization(): string {
    return basic(this.admin.username, this.admin.password);
  }

  /** Starts listening (again, on the same port when it ran before). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A bug in the handler must still answer, or the client waits forever.
        if (!res.headersSent) this.send(req, res, 500, { error: err instanceof Error ? err.message : String(err) });
        else res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => {
        reject(
          err.code === 'EADDRINUSE'
            ? new UserError(`Port ${this.boundPort} on 127.0.0.1 is already in use, so the local LRS cannot start.`, { code: 'E_INPUT', hint: 'Choose another port, or 0 for any free port.' })
            : err,
        );
      });
      server.listen(this.boundPort, '127.0.0.1', () => resolve());
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections; the data stays for a later `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** The statements stored (not voided ones unless asked), oldest first. */
  statements(options: { includeVoided?: boolean } = {}): XapiStatement[] {
    return this.stored.filter((s) => options.includeVoided || !s.voided).map((s) => s.statement);
  }

  /** Issues a new Basic credential for an AU session; returns the `auth-token` (base64 of user:password). */
  issueCredential(session?: Cmi5Session): { username: string; password: string; authToken: string } {
    const username = `au-${randomBytes(6).toString('hex')}`;
    const password = randomBytes(16).toString('hex');
    this.credentials.set(username, { password, role: 'au', session });
    return { username, password, authToken: Buffer.from(`${username}:${password}`).toString('base64') };
  }

  /** Creates a one-time cmi5 fetch URL that hands out a fresh credential for `session`. */
  createFetchUrl(session?: Cmi5Session): string {
    const { username } = this.issueCredential(session);
    const token = randomBytes(16).toString('hex');
    this.fetchTokens.set(token, { username, used: false });
    return `${this.origin}/fetch/${token}`;
  }

  /** Registers a cmi5 launch session so statements sent with its credential are checked against the cmi5 rules. */
  registerCmi5Session(session: Cmi5Session): void {
    this.sessions.set(session.sessionId, session);
  }

  /** Makes the next matching requests fail with `fault.status` (after CORS preflights, before anything else). */
  injectFault(fault: LrsFault): void {
    this.faults.push({ ...fault });
  }

  /** Reads a State document as the LMS (undefined when absent); JSON documents are parsed. */
  getState(activityId: string, agent: XapiAgent, stateId: string, registration?: string): unknown {
    const doc = this.documents.get(stateKey(activityId, agent, registration, stateId));
    if (!doc) return undefined;
    return isJson(doc.contentType) ? JSON.parse(doc.body.toString('utf8')) : doc.body;
  }

  /** Writes a State document as the LMS. */
  setState(activityId: string, agent: XapiAgent, stateId: string, value: unknown, registration?: string): void {
    this.putDocument(stateKey(activityId, agent, registration, stateId), 'application/json', Buffer.from(JSON.stringify(value)));
  }

  /** Bytes of the State documents of an activity, agent and registration, LMS.LaunchData excluded (the AU's resume data). */
  stateBytes(activityId: string, agent: XapiAgent, registration?: string): number {
    const prefix = stateKey(activityId, agent, registration, '');
    let bytes = 0;
    for (const [k, d] of this.documents) if (k.startsWith(prefix) && !k.endsWith(`\n${LAUNCH_DATA}`)) bytes += d.body.length;
    return bytes;
  }

  /** Stores a statement as the LMS (launched, abandoned...), bypassing the AU rules. */
  storeAsLms(statement: XapiStatement): string {
    const problems = this.validate ? checkStatement(statement) : [];
    if (problems.length > 0) throw new Error(`LMS statement invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
    return this.insert(statement, this.admin.username);
  }

  // ---- HTTP ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    if (req.method === 'OPTIONS') {
      this.send(req, res, 204);
      return;
    }
    try {
      const fault = this.faults.find((f) => f.times > 0 && (!f.method || f.method === req.method) && (!f.url || f.url.test(req.url ?? '')));
      if (fault) {
        fault.times--;
        await readBody(req);
        throw new HttpError(fault.status, `simulated failure (injected fault ${fault.status})`);
      }
      if (url.pathname.startsWith('/fetch/')) {
        await this.handleFetch(req, res, url.pathname.slice('/fetch/'.length));
        return;
      }
      if (!url.pathname.startsWith(this.basePath)) throw new HttpError(404, `no such resource ${url.pathname}`);
      const resource = url.pathname.slice(this.basePath.length).replace(/\/$/, '');
      if (resource === 'about') {
        if (req.method !== 'GET') throw new HttpError(405, 'about supports GET only');
        this.send(req, res, 200, { version: [XAPI_VERSION, '1.0.2', '1.0.1', '1.0.0'] });
        return;
      }
      const version = req.headers[VERSION_HEADER.toLowerCase()];
      if (typeof version !== 'string' || !/^1\.0(\.\d+)?$/.test(version.trim())) {
        throw new HttpError(400, `the ${VERSION_HEADER} header is required and must be 1.0.x (got ${version === undefined ? 'none' : JSON.stringify(version)})`);
      }
      const who = this.authenticate(req);
      const body = await readBody(req);
      switch (resource) {
        case 'statements':
          await this.handleStatements(req, res, url, body, who);
          return;
        case 'activities/state':
          this.handleDocuments(req, res, url, body, who, 'state');
          return;
        case 'agents/profile':
          this.handleDocuments(req, res, url, body, who, 'agentProfile');
          return;
        case 'activities/profile':
          this.handleDocuments(req, res, url, body, who, 'activityProfile');
          return;
        default:
          throw new HttpError(404, `no such resource ${resource}`);
      }
    } catch (err) {
      if (err instanceof HttpError) {
        const extra: Record<string, string> = err.status === 401 ? { 'WWW-Authenticate': 'Basic realm="lessonkit LRS"' } : {};
        this.send(req, res, err.status, { error: err.message }, extra, err.message);
        return;
      }
      throw err;
    }
  }

  private authenticate(req: http.IncomingMessage): { username: string; credential: Credential } {
    const header = req.headers.authorization;
    const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!m) throw new HttpError(401, 'Basic authorization is required');
    const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = decoded.slice(0, colon);
    const credential = this.credentials.get(username);
    if (colon < 0 || !credential || credential.password !== decoded.slice(colon + 1)) throw new HttpError(401, 'unknown credentials');
    return { username, credential };
  }

  private async handleFetch(req: http.IncomingMessage, res: http.ServerResponse, token: string): Promise<void> {
    // cmi5 8.2.1: POST only, so nothing caches the token.
    if (req.method !== 'POST') throw new HttpError(405, 'the fetch URL accepts POST only (cmi5 8.2.1)');
    await readBody(req);
    const entry = this.fetchTokens.get(token);
    // cmi5 8.2.2: errors are answered with status 200 and an error-code document.
    if (!entry) {
      this.send(req, res, 200, { 'error-code': '2', 'error-text': 'Unknown fetch token.' }, {}, 'unknown fetch token');
      return;
    }
    if (entry.used) {
      this.send(req, res, 200, { 'error-code': '1', 'error-text': 'The authorization token has already been returned.' }, {}, 'fetch URL used twice');
      return;
    }
    entry.used = true;
    const cred = this.credentials.get(entry.username);
    this.send(req, res, 200, { 'auth-token': Buffer.from(`${entry.username}:${cred?.password ?? ''}`).toString('base64') });
  }

  private async handleStatements(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer, who: { username: string; credential: Credential }): Promise<void> {
    const q = url.searchParams;
    if (req.method === 'GET') {
      this.getStatements(req, res, q);
      return;
    }
    if (req.method === 'PUT') {
      const statementId = q.get('statementId');
      if (!statementId) throw new HttpError(400, 'PUT /statements needs the statementId parameter');
      if (!UUID.test(statementId)) throw new HttpError(400, `statementId ${statementId} is not a UUID`);
      const statement = parseJson(body, req) as XapiStatement;
      if (!statement || typeof statement !== 'object' || Array.isArray(statement)) throw new HttpError(400, 'PUT /statements takes one statement object');
      if (statement.id !== undefined && statement.id !== statementId) throw new HttpError(400, 'the statement id does not match the statementId parameter');
      const withId = { ...statement, id: statementId };
      const existing = this.byId.get(statementId.toLowerCase());
      if (existing) {
        if (existing.received !== canonical(withId)) throw new HttpError(409, `statement ${statementId} already exists with different content`);
        this.send(req, res, 204);
        return;
      }
      this.accept([withId], who);
      this.send(req, res, 204);
      return;
    }
    if (req.method === 'POST') {
      const parsed = parseJson(body, req);
      const list = (Array.isArray(parsed) ? parsed : [parsed]) as XapiStatement[];
      if (list.length === 0) throw new HttpError(400, 'no statements in the request body');
      const seen = new Set<string>();
      const fresh: XapiStatement[] = [];
      const ids: string[] = [];
      for (const s of list) {
        if (!s || typeof s !== 'object' || Array.isArray(s)) throw new HttpError(400, 'each statement must be a JSON object');
        const id = typeof s.id === 'string' ? s.id : randomUUID();
        const key = id.toLowerCase();
        if (seen.has(key)) throw new HttpError(400, `statement id ${id} appears twice in one request`);
        seen.add(key);
        const withId = { ...s, id };
        const existing = this.byId.get(key);
        if (existing) {
          if (existing.received !== canonical(withId)) throw new HttpError(409, `statement ${id} already exists with different content`);
        } else {
          fresh.push(withId);
        }
        ids.push(id);
      }
      this.accept(fresh, who);
      this.send(req, res, 200, ids);
      return;
    }
    throw new HttpError(405, `${req.method} is not supported on statements`);
  }

  /** Validates all, then stores all: a batch with one bad statement stores nothing. */
  private accept(statements: XapiStatement[], who: { username: string; credential: Credential }): void {
    for (const s of statements) {
      if (this.validate) {
        const problems = checkStatement(s);
        if (problems.length > 0) throw new HttpError(400, `statement ${String(s.id)} is invalid: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`);
      }
      const verb = (s.verb as { id?: string }).id;
      if (verb === 'http://adlnet.gov/expapi/verbs/voided') {
        // cmi5 6.3: an AU's credential must not void statements.
        if (who.credential.role !== 'admin') throw new HttpError(403, 'this credential may not void statements');
        const target = this.byId.get(String((s.object as { id?: string }).id).toLowerCase());
        if (target && (target.statement.verb as { id?: string }).id === verb) throw new HttpError(400, 'a voiding statement cannot be voided');
      }
    }
    const session = who.credential.session;
    if (session) {
      // The batch is checked in order against a scratch copy, so a bad statement late in the
      // batch does not leave the session half-updated.
      const scratch: Cmi5Session = { ...session, verbs: [...session.verbs] };
      const history = this.stored
        .filter((x) => !x.voided)
        .map((x) => x.statement)
        .filter((x) => (x.context as { registration?: string } | undefined)?.registration === session.registration && (x.object as { id?: string } | undefined)?.id === session.activityId);
      for (const s of statements) {
        const reason = checkCmi5Statement(scratch, s, history);
        if (reason) {
          this.cmi5Rejections.push({ statement: s, reason });
          throw new HttpError(403, reason);
        }
        recordCmi5Statement(scratch, s);
        history.push(s);
      }
      Object.assign(session, scratch);
    }
    for (const s of statements) this.insert(s, who.username);
    if (session?.course) this.satisfyCourse(session);
  }

  /**
   * cmi5 9.3.9: once every AU of the course meets its moveOn in the registration, the LMS
   * records `satisfied` for the course (once per registration), with the session id of the
   * launch that triggered it.
   */
  private satisfyCourse(session: Cmi5Session): void {
    const course = session.course;
    if (!course) return;
    const live = this.stored.filter((r) => !r.voided).map((r) => r.statement);
    const inRegistration = live.filter((s) => (s.context as { registration?: string } | undefined)?.registration === session.registration);
    const already = inRegistration.some((s) => (s.verb as { id?: string }).id === CMI5.verbs.satisfied && (s.object as { id?: string }).id === course.activityId);
    if (already) return;
    const verbsOf = (activityId: string) =>
      inRegistration.filter((s) => isCmi5Defined(s) && (s.object as { id?: string }).id === activityId).map((s) => String((s.verb as { id?: string }).id));
    if (!course.aus.every((au) => moveOnMet(au.moveOn, verbsOf(au.activityId)))) return;
    this.storeAsLms({
      id: randomUUID(),
      actor: session.actor as unknown as Record<string, unknown>,
      verb: { id: CMI5.verbs.satisfied, display: { 'en-US': 'satisfied' } },
      object: { objectType: 'Activity', id: course.activityId, definition: { type: 'https://w3id.org/xapi/cmi5/activitytype/course' } },
      context: {
        registration: session.registration,
        contextActivities: { grouping: [{ objectType: 'Activity', id: course.publisherId }], category: [{ objectType: 'Activity', id: CMI5.categoryCmi5 }] },
        extensions: { [CMI5.extSessionId]: session.sessionId },
      },
      timestamp: new Date().toISOString(),
    });
  }

  private insert(statement: XapiStatement, by: string): string {
    const id = typeof statement.id === 'string' ? statement.id : randomUUID();
    const withId = { ...statement, id };
    const now = new Date().toISOString();
    const stored: XapiStatement = {
      ...withId,
      timestamp: statement.timestamp ?? now,
      stored: now,
      authority: { objectType: 'Agent', name: by, account: { homePage: this.origin, name: by } },
      version: statement.version ?? '1.0.0',
    };
    const record: StoredStatement = { statement: stored, received: canonical(withId), voided: false, by };
    this.stored.push(record);
    this.byId.set(id.toLowerCase(), record);
    if ((statement.verb as { id?: string }).id === 'http://adlnet.gov/expapi/verbs/voided') {
      const target = this.byId.get(String((statement.object as { id?: string }).id).toLowerCase());
      if (target) target.voided = true;
    }
    this.emit('statement', stored);
    return id;
  }

  private getStatements(req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams): void {
    const consistent = { 'X-Experience-API-Consistent-Through': new Date().toISOString() };
    const statementId = q.get('statementId');
    const voidedId = q.get('voidedStatementId');
    if (statementId || voidedId) {
      const allowed = new Set(['statementId', 'voidedStatementId', 'format', 'attachments']);
      for (const k of q.keys()) if (!allowed.has(k)) throw new HttpError(400, `${k} cannot be combined with statementId or voidedStatementId`);
      if (statementId && voidedId) throw new HttpError(400, 'use statementId or voidedStatementId, not both');
      const found = this.byId.get((statementId ?? voidedId ?? '').toLowerCase());
      if (!found || found.voided !== Boolean(voidedId)) throw new HttpError(404, `no ${voidedId ? 'voided ' : ''}statement ${statementId ?? voidedId}`);
      this.send(req, res, 200, found.statement, { ...consistent, 'Last-Modified': new Date(String(found.statement.stored)).toUTCString() });
      return;
    }
    const more = q.get('more');
    let ids: string[];
    if (more) {
      const pending = this.moreTokens.get(more);
      if (!pending) throw new HttpError(400, 'unknown or expired more token');
      this.moreTokens.delete(more);
      ids = pending;
    } else {
      ids = this.query(q);
    }
    const limitRaw = q.get('limit');
    const limit = limitRaw === null || limitRaw === '0' ? DEFAULT_LIMIT : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 0) throw new HttpError(400, `limit ${limitRaw} is not a non-negative integer`);
    const page = ids.slice(0, limit);
    let moreUrl = '';
    if (ids.length > limit) {
      const token = randomBytes(8).toString('hex');
      this.moreTokens.set(token, ids.slice(limit));
      moreUrl = `${this.basePath}statements?more=${token}${limitRaw ? `&limit=${limit}` : ''}`;
    }
    const statements = page.map((id) => this.byId.get(id)?.statement).filter(Boolean);
    this.send(req, res, 200, { statements, more: moreUrl }, consistent);
  }

  private query(q: URLSearchParams): string[] {
    const known = new Set(['agent', 'verb', 'activity', 'registration', 'related_activities', 'related_agents', 'since', 'until', 'limit', 'format', 'attachments', 'ascending']);
    for (const k of q.keys()) if (!known.has(k)) throw new HttpError(400, `unknown statements parameter ${k}`);
    const agentRaw = q.get('agent');
    const agent = agentRaw ? parseAgentParam(agentRaw) : undefined;
    if (agentRaw && !agent) throw new HttpError(400, 'agent must be a JSON Agent with exactly one identifier');
    const key = agent ? agentKey(agent) : undefined;
    const verb = q.get('verb');
    const activity = q.get('activity');
    const registration = q.get('registration');
    const relatedActivities = q.get('related_activities') === 'true';
    const relatedAgents = q.get('related_agents') === 'true';
    const since = q.get('since');
    const until = q.get('until');
    for (const [name, v] of [['since', since], ['until', until]] as const) {
      if (v && Number.isNaN(Date.parse(v))) throw new HttpError(400, `${name} ${v} is not an ISO 8601 timestamp`);
    }
    const ascending = q.get('ascending') === 'true';
    const matches = this.stored.filter((rec) => {
      if (rec.voided) return false;
      const s = rec.statement;
      if (verb && (s.verb as { id?: string }).id !== verb) return false;
      if (registration && (s.context as { registration?: string } | undefined)?.registration?.toLowerCase() !== registration.toLowerCase()) return false;
      if (since && Date.parse(String(s.stored)) <= Date.parse(since)) return false;
      if (until && Date.parse(String(s.stored)) > Date.parse(until)) return false;
      if (activity && !activityIds(s, relatedActivities).includes(activity)) return false;
      if (key && !agentKeys(s, relatedAgents).includes(key)) return false;
      return true;
    });
    const ordered = ascending ? matches : [...matches].reverse();
    return ordered.map((r) => String(r.statement.id).toLowerCase());
  }

  private handleDocuments(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer, who: { username: string; credential: Credential }, kind: 'state' | 'agentProfile' | 'activityProfile'): void {
    const q = url.searchParams;
    const activityId = q.get('activityId');
    const agentRaw = q.get('agent');
    const agent = parseAgentParam(agentRaw);
    const registration = q.get('registration') ?? undefined;
    const docId = kind === 'state' ? q.get('stateId') : q.get('profileId');
    if (kind !== 'agentProfile' && !activityId) throw new HttpError(400, 'activityId is required');
    if (kind !== 'activityProfile' && !agent) throw new HttpError(400, 'agent is required and must be a JSON Agent with exactly one identifier');
    if (registration !== undefined && !UUID.test(registration)) throw new HttpError(400, `registration ${registration} is not a UUID`);
    const prefix =
      kind === 'state' ? stateKey(activityId ?? '', agent as XapiAgent, registration, '') : kind === 'agentProfile' ? `agentProfile\n${agentKey(agent)}\n` : `activityProfile\n${activityId}\n`;
    const key = `${prefix}${docId ?? ''}`;
    const method = req.method ?? 'GET';
    if (method !== 'GET' && kind === 'state' && docId === LAUNCH_DATA && who.credential.role !== 'admin') {
      // cmi5 10: the AU must not modify or delete LMS.LaunchData.
      throw new HttpError(403, 'LMS.LaunchData is written by the LMS only (cmi5 10)');
    }
    if (method === 'GET') {
      if (docId) {
        const doc = this.documents.get(key);
        if (!doc) throw new HttpError(404, `no document ${docId}`);
        this.sendRaw(req, res, 200, doc.body, { 'Content-Type': doc.contentType, ETag: doc.etag, 'Last-Modified': new Date(doc.updated).toUTCString() });
        return;
      }
      const since = q.get('since');
      const idsList = [...this.documents.entries()]
        .filter(([k, d]) => k.startsWith(prefix) && (!since || Date.parse(d.updated) > Date.parse(since)))
        .map(([k]) => k.slice(prefix.length));
      this.send(req, res, 200, idsList);
      return;
    }
    if (method === 'DELETE') {
      if (docId) {
        this.documents.delete(key);
      } else if (kind === 'state') {
        // Deleting "all state" of an AU must not take LMS.LaunchData with it (cmi5 10).
        for (const k of [...this.documents.keys()]) {
          if (k.startsWith(prefix) && !k.endsWith(`\n${LAUNCH_DATA}`)) this.documents.delete(k);
        }
      } else {
        throw new HttpError(400, 'profileId is required to delete a profile document');
      }
      this.send(req, res, 204);
      return;
    }
    if (method !== 'PUT' && method !== 'POST') throw new HttpError(405, `${method} is not supported here`);
    if (!docId) throw new HttpError(400, `${kind === 'state' ? 'stateId' : 'profileId'} is required`);
    const existing = this.documents.get(key);
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifMatch && (!existing || (ifMatch !== '*' && ifMatch !== existing.etag))) throw new HttpError(412, 'If-Match does not match the current document');
    if (ifNoneMatch === '*' && existing) throw new HttpError(412, 'the document already exists (If-None-Match: *)');
    const contentType = (req.headers['content-type'] ?? 'application/octet-stream').split(';')[0]?.trim() || 'application/octet-stream';
    if (method === 'POST' && existing) {
      // xAPI 1.0.3 2.2: POST merges two JSON objects at the top level; anything else is a 400.
      if (!isJson(existing.contentType) || !isJson(contentType)) throw new HttpError(400, 'POST merges JSON documents only; use PUT to replace');
      const before = parseObject(existing.body);
      const after = parseObject(body);
      if (!before || !after) throw new HttpError(400, 'POST merges JSON objects only');
      this.putDocument(key, 'application/json', Buffer.from(JSON.stringify({ ...before, ...after })));
    } else {
      if (isJson(contentType)) {
        try {
          JSON.parse(body.toString('utf8'));
        } catch {
          throw new HttpError(400, 'the document is sent as JSON but does not parse');
        }
      }
      this.putDocument(key, contentType, body);
    }
    if (kind === 'state') this.emit('state', { activityId, stateId: docId, registration });
    this.send(req, res, 204);
  }

  private putDocument(key: string, contentType: string, body: Buffer): void {
    const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
    this.documents.set(key, { contentType, body, updated: new Date().toISOString(), etag });
  }

  private corsHeaders(req: http.IncomingMessage): Record<string, string> {
    const requested = req.headers['access-control-request-headers'];
    return {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, PUT, POST, DELETE, OPTIONS',
      'Access-Control-Allow-Headers': typeof requested === 'string' ? requested : 'Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match',
      'Access-Control-Expose-Headers': 'ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through',
      'Access-Control-Max-Age': '600',
    };
  }

  private send(req: http.IncomingMessage, res: http.ServerResponse, status: number, json?: unknown, headers: Record<string, string> = {}, error?: string): void {
    const body = json === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(json));
    this.sendRaw(req, res, status, body, json === undefined ? headers : { 'Content-Type': 'application/json', ...headers }, error);
  }

  private sendRaw(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: Buffer, headers: Record<string, string>, error?: string): void {
    res.writeHead(status, { ...this.corsHeaders(req), [VERSION_HEADER]: XAPI_VERSION, 'Cache-Control': 'no-store', ...headers, 'Content-Length': String(body.length) });
    res.end(body);
    const entry: LrsRequestLog = { seq: ++this.seq, time: new Date().toISOString(), method: req.method ?? '', url: req.url ?? '', status, ...(error ? { error } : {}) };
    this.requests.push(entry);
    this.emit('request', entry);
  }
}

/** The `Authorization` header value for Basic credentials. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function stateKey(activityId: string, agent: XapiAgent, registration: string | undefined, stateId: string): string {
  return `state\n${activityId}\n${agentKey(agent)}\n${registration?.toLowerCase() ?? ''}\n${stateId}`;
}

function isJson(contentType: string): boolean {
  return /^application\/(.+\+)?json$/i.test(contentType);
}

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseJson(body: Buffer, req: http.IncomingMessage): unknown {
  const type = String(req.headers['content-type'] ?? '');
  if (/multipart\/mixed/i.test(type)) throw new HttpError(400, 'statements with attachments (multipart/mixed) are not supported by the loopback LRS');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON');
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** JSON with sorted keys, so two equal statements compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function activityIds(s: XapiStatement, related: boolean): string[] {
  const out: string[] = [];
  const obj = s.object as { objectType?: string; id?: string } | undefined;
  if (obj && (obj.objectType === undefined || obj.objectType === 'Activity') && obj.id) out.push(obj.id);
  if (related) {
    const ca = (s.context as { contextActivities?: Record<string, unknown> } | undefined)?.contextActivities ?? {};
    for (const list of Object.values(ca)) for (const a of Array.isArray(list) ? list : [list]) if ((a as { id?: string })?.id) out.push((a as { id: string }).id);
    if (obj?.objectType === 'SubStatement') out.push(...activityIds(obj as unknown as XapiStatement, true));
  }
  return out;
}

function agentKeys(s: XapiStatement, related: boolean): string[] {
  const out: (string | undefined)[] = [agentKey(s.actor)];
  const obj = s.object as { objectType?: string } | undefined;
  if (obj?.objectType === 'Agent' || obj?.objectType === 'Group') out.push(agentKey(obj));
  if (related) {
    const ctx = s.context as { instructor?: unknown; team?: unknown } | undefined;
    out.push(agentKey(s.authority), agentKey(ctx?.instructor), agentKey(ctx?.team));
    for (const m of ((s.actor as { member?: unknown[] } | undefined)?.member ?? [])) out.push(agentKey(m));
  }
  return out.filter((k): k is string => Boolean(k));
}
