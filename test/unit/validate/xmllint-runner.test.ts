import { describe, expect, it } from 'vitest';
import { prewarmXmllint, runXmllint } from '../../../src/core/validate/xmllint-runner.js';

/** Message ports and workers that keep this process's event loop alive (unref'd ones are not listed). */
const keepingAlive = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;

const SCHEMA = { fileName: 's.xsd', contents: '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="xs:int"/></xs:schema>' };

describe('xmllint runner', () => {
  // The worker is a module singleton: this file gets its own module instance, so the first
  // prewarm below really starts it (the path `validate` takes before an early return).
  it('an idle worker never keeps the process alive: prewarmed and unused, and after a run', async () => {
    const before = keepingAlive();
    prewarmXmllint();
    expect(keepingAlive()).toBe(before);
    const run = runXmllint([{ fileName: 'd.xml', contents: '<a>1</a>' }, SCHEMA], ['--schema', 's.xsd', '--noout', 'd.xml']);
    // While a run is pending the worker must be kept alive, or the answer would be lost.
    expect(keepingAlive()).toBeGreaterThan(before);
    expect((await run).exitCode).toBe(0);
    expect(keepingAlive()).toBe(before);
    prewarmXmllint();
    expect(keepingAlive()).toBe(before);
  });
});
