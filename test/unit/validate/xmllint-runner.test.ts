import { describe, expect, it } from 'vitest';
import { runXmllint } from '../../../src/core/validate/xmllint-runner.js';

const SCHEMA = { fileName: 's.xsd', contents: '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="xs:int"/></xs:schema>' };

describe('xmllint runner', () => {
  // xmllint runs in this thread: its Emscripten exit handler must not leak into the CLI's exit
  // code (an invalid document is a finding, exit 1, not xmllint's 3), and no worker or port may
  // keep the process alive afterwards.
  it("leaves the process's exit code and event loop alone, valid or not", async () => {
    const before = process.exitCode;
    const handles = process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;
    const invalid = await runXmllint([{ fileName: 'd.xml', contents: '<a>x</a>' }, SCHEMA], ['--schema', 's.xsd', '--noout', 'd.xml']);
    expect(invalid.exitCode).toBe(3);
    expect(invalid.stderr).toMatch(/d\.xml:1: .*'x' is not a valid value/);
    expect((await runXmllint([{ fileName: 'd.xml', contents: '<a>1</a>' }, SCHEMA], ['--schema', 's.xsd', '--noout', 'd.xml'])).exitCode).toBe(0);
    expect(process.exitCode).toBe(before);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length).toBe(handles);
  });

  it('runs concurrently without mixing up the answers', async () => {
    const args = ['--schema', 's.xsd', '--noout', 'd.xml'];
    const docs = ['<a>1</a>', '<a>x</a>', '<a>1</b>', '<a>2</a>'];
    const one = async (d: string) => runXmllint([{ fileName: 'd.xml', contents: d }, SCHEMA], args);
    const alone: Awaited<ReturnType<typeof one>>[] = [];
    for (const d of docs) alone.push(await one(d));
    expect(alone.map((r) => r.exitCode === 0)).toEqual([true, false, false, true]);
    // The same arguments array served every run: the runner must not let the glue change it.
    expect(args).toEqual(['--schema', 's.xsd', '--noout', 'd.xml']);
    expect(await Promise.all(docs.map(one))).toEqual(alone);
  });
});
