import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLrs, type LoopbackLrs } from '../../../src/core/preview/lrs.js';
import { launchCmi5, launchXapi, DEFAULT_LEARNER } from '../../../src/core/preview/launch.js';
import { CMI5 } from '../../../src/core/preview/cmi5-rules.js';

const actor = { objectType: 'Agent', account: { homePage: 'https://lms.example.com', name: 'learner-1' } };

function statement(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    actor,
    verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
    object: { objectType: 'Activity', id: 'https://training.example.com/courses/c1' },
    timestamp: new Date().toISOString(),
    ...extra,
  };
}

describe('loopback LRS', () => {
  let lrs: LoopbackLrs;
  let auth: string;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(new URL(path, lrs.endpoint), {
      method,
      headers: { Authorization: auth, 'X-Experience-API-Version': '1.0.3', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeEach(async () => {
    lrs = await startLrs();
    auth = lrs.adminAuthorization;
  });
  afterEach(async () => {
    await lrs.stop();
  });

  it('listens on 127.0.0.1 on a port of its own and answers /about without auth', async () => {
    expect(lrs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/xapi\/$/);
    expect(lrs.port).toBeGreaterThan(0);
    const res = await fetch(new URL('about', lrs.endpoint));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-experience-api-version')).toBe('1.0.3');
    expect(((await res.json()) as { version: string[] }).version).toContain('1.0.3');
  });

  it('requires the version header and Basic auth', async () => {
    const noVersion = await fetch(new URL('statements', lrs.endpoint), { headers: { Authorization: auth } });
    expect(noVersion.status).toBe(400);
    const noAuth = await fetch(new URL('statements', lrs.endpoint), { headers: { 'X-Experience-API-Version': '1.0.3' } });
    expect(noAuth.status).toBe(401);
    auth = 'Basic ' + Buffer.from('lessonkit:wrong').toString('base64');
    expect((await call('GET', 'statements')).status).toBe(401);
  });

  it('stores POSTed statements, returns their ids and fills in stored, authority and version', async () => {
    const res = await call('POST', 'statements', [statement(), statement({ id: randomUUID() })]);
    expect(res.status).toBe(200);
    const ids = (await res.json()) as string[];
    expect(ids).toHaveLength(2);
    const got = lrs.statements();
    expect(got.map((s) => s.id)).toEqual(ids);
    expect(got[0]).toMatchObject({ version: '1.0.0', authority: { objectType: 'Agent' } });
    expect(typeof got[0]?.stored).toBe('string');
  });

  it('rejects a statement that fails the xAPI schema with 400 and stores nothing of the batch', async () => {
    const bad = statement({ verb: { id: 'not an iri' } });
    const res = await call('POST', 'statements', [statement(), bad]);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/verb\/id/);
    expect(lrs.statements()).toHaveLength(0);
    const twoIfis = await call('POST', 'statements', statement({ actor: { mbox: 'mailto:a@example.com', openid: 'https://a.example.com' } }));
    expect(twoIfis.status).toBe(400);
    const longDuration = await call('POST', 'statements', statement({ result: { duration: 'PT1.234S' } }));
    expect(longDuration.status).toBe(400);
  });

  it('PUT with statementId: 204, idempotent for the same content, 409 for different content', async () => {
    const id = randomUUID();
    const s = statement();
    expect((await call('PUT', `statements?statementId=${id}`, s)).status).toBe(204);
    expect((await call('PUT', `statements?statementId=${id}`, s)).status).toBe(204);
    expect((await call('PUT', `statements?statementId=${id}`, { ...s, verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' } })).status).toBe(409);
    expect((await call('PUT', 'statements', s)).status).toBe(400);
    expect((await call('PUT', `statements?statementId=${randomUUID()}`, { ...s, id: randomUUID() })).status).toBe(400);
    expect(lrs.statements()).toHaveLength(1);
  });

  it('GET by statementId, and queries by verb, registration, agent and activity with paging through more', async () => {
    const registration = randomUUID();
    for (let i = 0; i < 5; i++) await call('POST', 'statements', statement({ context: { registration } }));
    await call('POST', 'statements', statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/attempted' } }));
    const one = lrs.statements()[0];
    const byId = await call('GET', `statements?statementId=${String(one?.id)}`);
    expect(byId.status).toBe(200);
    expect(((await byId.json()) as { id: string }).id).toBe(one?.id);
    expect(byId.headers.get('x-experience-api-consistent-through')).toBeTruthy();
    expect((await call('GET', `statements?statementId=${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', `statements?statementId=${String(one?.id)}&verb=x`)).status).toBe(400);

    const page1 = (await (await call('GET', `statements?registration=${registration}&limit=2`)).json()) as { statements: unknown[]; more: string };
    expect(page1.statements).toHaveLength(2);
    expect(page1.more).toMatch(/^\/xapi\/statements\?more=/);
    const page2 = (await (await call('GET', new URL(page1.more, lrs.origin).toString())).json()) as { statements: unknown[]; more: string };
    expect(page2.statements).toHaveLength(2);
    const page3 = (await (await call('GET', new URL(page2.more, lrs.origin).toString())).json()) as { statements: unknown[]; more: string };
    expect(page3.statements).toHaveLength(1);
    expect(page3.more).toBe('');

    const byVerb = (await (await call('GET', `statements?verb=${encodeURIComponent('http://adlnet.gov/expapi/verbs/attempted')}`)).json()) as { statements: unknown[] };
    expect(byVerb.statements).toHaveLength(1);
    const byAgent = (await (await call('GET', `statements?agent=${encodeURIComponent(JSON.stringify(actor))}`)).json()) as { statements: unknown[] };
    expect(byAgent.statements).toHaveLength(6);
    const other = (await (await call('GET', `statements?agent=${encodeURIComponent(JSON.stringify({ mbox: 'mailto:x@example.com' }))}`)).json()) as { statements: unknown[] };
    expect(other.statements).toHaveLength(0);
    const byActivity = (await (await call('GET', `statements?activity=${encodeURIComponent('https://training.example.com/courses/c1')}`)).json()) as { statements: unknown[] };
    expect(byActivity.statements).toHaveLength(6);
  });

  it('voiding hides the target from queries but keeps it under voidedStatementId', async () => {
    const id = randomUUID();
    await call('PUT', `statements?statementId=${id}`, statement());
    const voiding = statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } }, object: { objectType: 'StatementRef', id } });
    expect((await call('POST', 'statements', voiding)).status).toBe(200);
    expect((await call('GET', `statements?statementId=${id}`)).status).toBe(404);
    expect((await call('GET', `statements?voidedStatementId=${id}`)).status).toBe(200);
  });

  it('Activity State: PUT, GET with ETag, POST merge, list, registration scoping, DELETE', async () => {
    const registration = randomUUID();
    const q = (stateId?: string, reg: string = registration) =>
      `activities/state?activityId=${encodeURIComponent('https://training.example.com/courses/c1')}&agent=${encodeURIComponent(JSON.stringify(actor))}${reg ? `&registration=${reg}` : ''}${stateId ? `&stateId=${stateId}` : ''}`;
    expect((await call('PUT', q('resume'), { position: 12 })).status).toBe(204);
    const got = await call('GET', q('resume'));
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toMatch(/^".+"$/);
    expect(await got.json()).toEqual({ position: 12 });
    expect((await call('POST', q('resume'), { watched: [[0, 5]] })).status).toBe(204);
    expect(await (await call('GET', q('resume'))).json()).toEqual({ position: 12, watched: [[0, 5]] });
    expect((await call('GET', q('resume', ''))).status).toBe(404);
    expect(await (await call('GET', q())).json()).toEqual(['resume']);
    expect((await call('PUT', q('resume'), { position: 1 }, { 'If-Match': '"nope"' })).status).toBe(412);
    expect((await call('GET', q('resume', 'not-a-uuid'))).status).toBe(400);
    expect((await call('DELETE', q('resume'))).status).toBe(204);
    expect((await call('GET', q('resume'))).status).toBe(404);
    // DELETE without stateId removes every document of that activity, agent and registration only.
    await call('PUT', q('a'), { n: 1 });
    await call('PUT', q('b'), { n: 2 });
    const otherRegistration = randomUUID();
    await call('PUT', q('other', otherRegistration), { n: 3 });
    expect((await call('DELETE', q())).status).toBe(204);
    expect(await (await call('GET', q())).json()).toEqual([]);
    expect(await (await call('GET', q('other', otherRegistration))).json()).toEqual({ n: 3 });
  });

  it('answers CORS preflights so a player on another origin can talk to it', async () => {
    const res = await fetch(new URL('statements', lrs.endpoint), {
      method: 'OPTIONS',
      headers: { Origin: 'http://127.0.0.1:1', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization,content-type,x-experience-api-version' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-experience-api-version');
  });

  it('stops and starts again on the same port, keeping its data', async () => {
    await call('POST', 'statements', statement());
    const port = lrs.port;
    await lrs.stop();
    await expect(call('GET', 'statements')).rejects.toThrow();
    await lrs.start();
    expect(lrs.port).toBe(port);
    const res = (await (await call('GET', 'statements')).json()) as { statements: unknown[] };
    expect(res.statements).toHaveLength(1);
  });
});

describe('cmi5 launcher', () => {
  let lrs: LoopbackLrs;
  beforeEach(async () => {
    lrs = await startLrs();
  });
  afterEach(async () => {
    await lrs.stop();
  });

  const publisherId = 'https://training.example.com/courses/c1/au';

  it('writes LMS.LaunchData, records launched and builds the launch URL', () => {
    const launch = launchCmi5(lrs, { auUrl: 'http://127.0.0.1:9/pkg/index.html', publisherId, moveOn: 'Completed', masteryScore: 0.8, returnURL: 'http://127.0.0.1:9/done' });
    const url = new URL(launch.url);
    expect(url.searchParams.get('endpoint')).toBe(lrs.endpoint);
    expect(url.searchParams.get('fetch')).toBe(launch.fetchUrl);
    expect(JSON.parse(url.searchParams.get('actor') ?? '{}')).toEqual(DEFAULT_LEARNER);
    expect(url.searchParams.get('registration')).toBe(launch.registration);
    expect(url.searchParams.get('activityId')).toBe(launch.activityId);
    expect(launch.activityId).not.toBe(publisherId);
    const data = lrs.getState(launch.activityId, DEFAULT_LEARNER, 'LMS.LaunchData', launch.registration) as Record<string, unknown>;
    expect(data).toMatchObject({
      launchMode: 'Normal',
      moveOn: 'Completed',
      masteryScore: 0.8,
      returnURL: 'http://127.0.0.1:9/done',
      contextTemplate: { contextActivities: { grouping: [{ id: publisherId }] }, extensions: { [CMI5.extSessionId]: launch.sessionId } },
    });
    const launched = lrs.statements()[0];
    expect(launched).toMatchObject({ verb: { id: CMI5.verbs.launched }, object: { id: launch.activityId }, context: { registration: launch.registration } });
  });

  it('the fetch URL answers POST once; a second POST gets cmi5 error-code 1, GET is refused', async () => {
    const launch = launchCmi5(lrs, { auUrl: 'http://127.0.0.1:9/index.html', publisherId });
    expect((await fetch(launch.fetchUrl)).status).toBe(405);
    const first = await fetch(launch.fetchUrl, { method: 'POST' });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/application\/json/);
    const token = ((await first.json()) as { 'auth-token': string })['auth-token'];
    expect(token).toBeTruthy();
    const second = await fetch(launch.fetchUrl, { method: 'POST' });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ 'error-code': '1' });
    // The token works as Basic credentials.
    const res = await fetch(new URL('statements', lrs.endpoint), { headers: { Authorization: `Basic ${token}`, 'X-Experience-API-Version': '1.0.3' } });
    expect(res.status).toBe(200);
  });

  it('enforces the cmi5 statement rules for the AU session and protects LMS.LaunchData', async () => {
    const launch = launchCmi5(lrs, { auUrl: 'http://127.0.0.1:9/index.html', publisherId, launchMode: 'Browse' });
    const token = ((await (await fetch(launch.fetchUrl, { method: 'POST' })).json()) as { 'auth-token': string })['auth-token'];
    const headers = { Authorization: `Basic ${token}`, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' };
    const context = (category = true) => ({
      registration: launch.registration,
      contextActivities: { grouping: [{ id: publisherId }], ...(category ? { category: [{ id: CMI5.categoryCmi5 }] } : {}) },
      extensions: { [CMI5.extSessionId]: launch.sessionId },
    });
    const st = (verb: string, result?: Record<string, unknown>) => ({
      id: randomUUID(),
      actor: DEFAULT_LEARNER,
      verb: { id: verb },
      object: { objectType: 'Activity', id: launch.activityId },
      context: context(),
      timestamp: new Date().toISOString(),
      ...(result ? { result } : {}),
    });
    const post = (s: unknown) => fetch(new URL('statements', lrs.endpoint), { method: 'POST', headers, body: JSON.stringify(s) });
    expect((await post(st(CMI5.verbs.terminated, { duration: 'PT1S' }))).status).toBe(403);
    expect((await post(st(CMI5.verbs.initialized))).status).toBe(200);
    expect((await post(st(CMI5.verbs.initialized))).status).toBe(403);
    const completed = st(CMI5.verbs.completed, { completion: true, duration: 'PT1S' });
    (completed.context.contextActivities as Record<string, unknown>).category = [{ id: CMI5.categoryCmi5 }, { id: CMI5.categoryMoveOn }];
    expect((await post(completed)).status).toBe(403);
    expect(lrs.cmi5Rejections.at(-1)?.reason).toMatch(/Browse mode/);
    const stateUrl = new URL('activities/state', lrs.endpoint);
    stateUrl.search = new URLSearchParams({ activityId: launch.activityId, agent: JSON.stringify(DEFAULT_LEARNER), registration: launch.registration, stateId: 'LMS.LaunchData' }).toString();
    expect((await fetch(stateUrl, { headers })).status).toBe(200);
    expect((await fetch(stateUrl, { method: 'PUT', headers, body: '{}' })).status).toBe(403);
    expect((await post(st(CMI5.verbs.terminated, { duration: 'PT2S' }))).status).toBe(200);
    expect((await post({ ...st('http://adlnet.gov/expapi/verbs/experienced'), context: context(false) })).status).toBe(403);
  });

  it('a relaunch of an unterminated session records abandoned', () => {
    const first = launchCmi5(lrs, { auUrl: 'http://127.0.0.1:9/index.html', publisherId });
    launchCmi5(lrs, { auUrl: 'http://127.0.0.1:9/index.html', publisherId, registration: first.registration });
    const verbs = lrs.statements().map((s) => (s.verb as { id: string }).id);
    expect(verbs).toEqual([CMI5.verbs.launched, CMI5.verbs.abandoned, CMI5.verbs.launched]);
  });

  it('refuses an AU URL whose query collides with a launch parameter', () => {
    expect(() => launchCmi5(lrs, { auUrl: 'http://127.0.0.1:9/index.html?endpoint=x', publisherId })).toThrow(/endpoint/);
  });

  it('builds an xAPI launch URL with endpoint, auth, actor, registration and activity_id', async () => {
    const { url, registration } = launchXapi(lrs, { launchUrl: 'http://127.0.0.1:9/index.html', activityId: 'https://training.example.com/courses/c1' });
    const u = new URL(url);
    expect(u.searchParams.get('endpoint')).toBe(lrs.endpoint);
    expect(u.searchParams.get('registration')).toBe(registration);
    expect(u.searchParams.get('activity_id')).toBe('https://training.example.com/courses/c1');
    const res = await fetch(new URL('statements', lrs.endpoint), { headers: { Authorization: u.searchParams.get('auth') ?? '', 'X-Experience-API-Version': '1.0.3' } });
    expect(res.status).toBe(200);
  });
});

describe('cmi5 satisfied (LMS side)', () => {
  let lrs: LoopbackLrs;
  beforeEach(async () => {
    lrs = await startLrs();
  });
  afterEach(async () => {
    await lrs.stop();
  });

  const course = { publisherId: 'https://training.example.com/courses/c2', aus: [{ publisherId: 'https://training.example.com/courses/c2/lessons/a/au', moveOn: 'Completed' }, { publisherId: 'https://training.example.com/courses/c2/lessons/b/au', moveOn: 'Completed' }] };

  /** Launches one AU and has it send initialized, completed and terminated with its own token. */
  async function completeAu(publisherId: string, registration?: string): Promise<string> {
    const launch = launchCmi5(lrs, { auUrl: 'http://127.0.0.1:9/index.html', publisherId, moveOn: 'Completed', course, registration });
    const token = ((await (await fetch(launch.fetchUrl, { method: 'POST' })).json()) as { 'auth-token': string })['auth-token'];
    const st = (verb: string, extra: Record<string, unknown> = {}, moveOnCategory = false) => ({
      id: randomUUID(),
      actor: DEFAULT_LEARNER,
      verb: { id: verb },
      object: { objectType: 'Activity', id: launch.activityId },
      context: {
        registration: launch.registration,
        contextActivities: { grouping: [{ id: publisherId }], category: [{ id: CMI5.categoryCmi5 }, ...(moveOnCategory ? [{ id: CMI5.categoryMoveOn }] : [])] },
        extensions: { [CMI5.extSessionId]: launch.sessionId },
      },
      timestamp: new Date().toISOString(),
      ...extra,
    });
    const res = await fetch(new URL('statements', lrs.endpoint), {
      method: 'POST',
      headers: { Authorization: `Basic ${token}`, 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' },
      body: JSON.stringify([st(CMI5.verbs.initialized), st(CMI5.verbs.completed, { result: { completion: true, duration: 'PT5S' } }, true), st(CMI5.verbs.terminated, { result: { duration: 'PT6S' } })]),
    });
    expect(res.status).toBe(200);
    return launch.registration;
  }
  const satisfied = () => lrs.statements().filter((s) => (s.verb as { id: string }).id === CMI5.verbs.satisfied);

  it('records satisfied for the course once every AU met its moveOn in the registration, and only once', async () => {
    const registration = await completeAu(course.aus[0]!.publisherId);
    expect(satisfied()).toHaveLength(0);
    await completeAu(course.aus[1]!.publisherId, registration);
    expect(satisfied()).toHaveLength(1);
    expect(satisfied()[0]).toMatchObject({
      object: { id: 'https://training.example.com/courses/c2/lms-course', definition: { type: 'https://w3id.org/xapi/cmi5/activitytype/course' } },
      context: { registration, contextActivities: { grouping: [{ id: course.publisherId }] } },
    });
    expect(lrs.cmi5Rejections).toEqual([]);
    // Another registration starts over.
    await completeAu(course.aus[0]!.publisherId);
    expect(satisfied()).toHaveLength(1);
  });
});
