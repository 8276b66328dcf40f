/**
 * A real, independent xAPI client library (`@xapi/xapi`, axios-based) against the loopback
 * LRS: what an LRS must answer for a client written by someone else.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLrs, type LoopbackLrs } from '../../../src/core/preview/lrs.js';

type Client = {
  getAbout(): Promise<{ data: { version: string[] } }>;
  sendStatement(p: { statement: Record<string, unknown> }): Promise<{ data: string[] }>;
  sendStatements(p: { statements: Record<string, unknown>[] }): Promise<{ data: string[] }>;
  getStatement(p: { statementId: string }): Promise<{ data: Record<string, unknown> }>;
  getVoidedStatement(p: { voidedStatementId: string }): Promise<{ data: Record<string, unknown> }>;
  getStatements(p: Record<string, unknown>): Promise<{ data: { statements: Record<string, unknown>[]; more: string } }>;
  getMoreStatements(p: { more: string }): Promise<{ data: { statements: Record<string, unknown>[]; more: string } }>;
  voidStatement(p: { actor: Record<string, unknown>; statementId: string }): Promise<{ data: string[] }>;
  setState(p: Record<string, unknown>): Promise<unknown>;
  createState(p: Record<string, unknown>): Promise<unknown>;
  getState(p: Record<string, unknown>): Promise<{ data: unknown }>;
  getStates(p: Record<string, unknown>): Promise<{ data: string[] }>;
  deleteState(p: Record<string, unknown>): Promise<unknown>;
  setAgentProfile(p: Record<string, unknown>): Promise<unknown>;
  getAgentProfile(p: Record<string, unknown>): Promise<{ data: unknown }>;
};
type XapiCtor = { new (config: { endpoint: string; auth: string }): Client; toBasicAuth(user: string, pass: string): string };

const require = createRequire(import.meta.url);
const mod = require('@xapi/xapi') as XapiCtor | { default: XapiCtor };
const XAPI = 'default' in mod ? mod.default : mod;

const agent = { objectType: 'Agent', account: { homePage: 'https://lms.example.com', name: 'learner-7' } };
const activityId = 'https://training.example.com/courses/client-lib';

describe('loopback LRS with the @xapi/xapi client', () => {
  let lrs: LoopbackLrs;
  let xapi: Client;
  beforeAll(async () => {
    lrs = await startLrs();
    xapi = new XAPI({ endpoint: lrs.endpoint, auth: XAPI.toBasicAuth(lrs.admin.username, lrs.admin.password) });
  });
  afterAll(async () => {
    await lrs.stop();
  });

  it('about, send, get, query with paging, void', async () => {
    expect((await xapi.getAbout()).data.version).toContain('1.0.3');
    const registration = randomUUID();
    const statement = (n: number) => ({
      actor: agent,
      verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
      object: { objectType: 'Activity', id: `${activityId}/${n}` },
      context: { registration },
    });
    const [id] = (await xapi.sendStatement({ statement: statement(0) })).data;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const ids = (await xapi.sendStatements({ statements: [1, 2, 3, 4].map(statement) })).data;
    expect(ids).toHaveLength(4);
    expect((await xapi.getStatement({ statementId: String(id) })).data).toMatchObject({ id, object: { id: `${activityId}/0` } });

    const first = (await xapi.getStatements({ registration, limit: 3 })).data;
    expect(first.statements).toHaveLength(3);
    const rest = (await xapi.getMoreStatements({ more: first.more })).data;
    expect(rest.statements).toHaveLength(2);
    expect(rest.more).toBe('');

    await xapi.voidStatement({ actor: agent, statementId: String(id) });
    expect((await xapi.getVoidedStatement({ voidedStatementId: String(id) })).data).toMatchObject({ id });
    await expect(xapi.getStatement({ statementId: String(id) })).rejects.toMatchObject({ response: { status: 404 } });
    expect((await xapi.getStatements({ registration })).data.statements).toHaveLength(4);
  });

  it('state documents: set, merge, list, get, delete; agent profile', async () => {
    const registration = randomUUID();
    await xapi.setState({ agent, activityId, stateId: 'bookmark', registration, state: { position: 3 } });
    await xapi.createState({ agent, activityId, stateId: 'bookmark', registration, state: { watched: [[0, 3]] } });
    expect((await xapi.getState({ agent, activityId, stateId: 'bookmark', registration })).data).toEqual({ position: 3, watched: [[0, 3]] });
    expect((await xapi.getStates({ agent, activityId, registration })).data).toEqual(['bookmark']);
    await xapi.deleteState({ agent, activityId, stateId: 'bookmark', registration });
    await expect(xapi.getState({ agent, activityId, stateId: 'bookmark', registration })).rejects.toMatchObject({ response: { status: 404 } });

    await xapi.setAgentProfile({ agent, profileId: 'cmi5LearnerPreferences', profile: { languagePreference: 'en-US', audioPreference: 'on' } });
    expect((await xapi.getAgentProfile({ agent, profileId: 'cmi5LearnerPreferences' })).data).toEqual({ languagePreference: 'en-US', audioPreference: 'on' });
  });

  it('a client statement that breaks the xAPI rules gets the 400 the spec says', async () => {
    await expect(xapi.sendStatement({ statement: { actor: agent, verb: { id: 'experienced' }, object: { id: activityId } } })).rejects.toMatchObject({ response: { status: 400 } });
  });
});
