import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collectInitAnswers } from '../../../src/commands/init.js';

/** Feeds keystrokes to the real inquirer prompts, one answer at a time, as a person would type them. */
function scriptedTerminal(answers: string[]) {
  const input = new PassThrough() as PassThrough & { isTTY: boolean; setRawMode: (b: boolean) => void };
  input.isTTY = true;
  input.setRawMode = () => {};
  const output = new PassThrough();
  // Each prompt ends its output stream when it closes (fine for a terminal); keep ours open for the next question.
  output.end = (() => output) as typeof output.end;
  let transcript = '';
  let sent = 0;
  output.on('data', (chunk: Buffer) => {
    transcript += chunk.toString();
    // A question is answered when the previous one shows its done mark; answer each exactly once.
    const done = (transcript.match(/✔/g) ?? []).length;
    if (sent <= done && sent < answers.length) {
      const a = answers[sent++]!;
      setTimeout(() => input.write(a), 30);
    }
  });
  return { streams: { input, output }, transcript: () => transcript };
}

describe('init wizard', () => {
  it('asks every question and uses the typed answers', async () => {
    const term = scriptedTerminal([
      'Mobile access\r', // title
      '\r', // id: accept the default derived from the title
      'Jane Doe, CPA\r', // author
      'Doe & Partners\r', // org
      'de-DE\r', // language
      'Opening files\r', // first lesson
      '\x1b[B\x1b[B\x1b[B \r', // targets: move down to xapi and toggle it, keep the defaults
      '\r', // iri: accept the default
    ]);
    const answers = await collectInitAnswers({}, true, term.streams);
    expect(answers.title).toBe('Mobile access');
    expect(answers.id).toBe('mobile-access');
    expect(answers.author).toBe('Jane Doe, CPA');
    expect(answers.org).toBe('Doe & Partners');
    expect(answers.language).toBe('de-DE');
    expect(answers.lessonTitle).toBe('Opening files');
    expect(answers.targets).toEqual(['scorm12', 'scorm2004-4th', 'xapi']);
    expect(answers.iri).toBe('https://training.example.com/courses/mobile-access');
    expect(term.transcript()).toContain('Course title');
  });

  it('rejects an invalid language and asks again', async () => {
    const term = scriptedTerminal(['T\r', '\r', '\r', '\r', 'not a tag\r']);
    const pending = collectInitAnswers({ lesson: 'L', targets: 'scorm12' }, true, term.streams);
    // After the rejected language, type a valid one.
    await new Promise((r) => setTimeout(r, 400));
    term.streams.input.write('\x15'); // clear line (Ctrl-U)
    for (let i = 0; i < 12; i++) term.streams.input.write('\x7f');
    term.streams.input.write('fr\r');
    const answers = await pending;
    expect(answers.language).toBe('fr');
    expect(term.transcript()).toContain('A tag such as en-US.');
  });

  it('never prompts for values given as flags', async () => {
    const answers = await collectInitAnswers({ title: 'T', id: 't', author: 'A', org: 'O', language: 'en', lesson: 'L', targets: 'web' }, true, {});
    expect(answers).toMatchObject({ title: 'T', id: 't', targets: ['web'] });
  });
});
