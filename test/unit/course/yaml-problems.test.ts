/**
 * Every course.yaml and quiz schema message in the house form: what is wrong (naming the value
 * as the author wrote it), where (line and column), and the fix. No schema-library phrases.
 */
import { describe, expect, it } from 'vitest';
import { checkCourseText, type CourseProblem } from '../../../src/core/course/load.js';
import { closest, keysAt } from '../../../src/core/course/yaml-problems.js';
import { courseSchema } from '../../../src/core/course/schema.js';
import { checkQuizText } from '../../../src/core/workbook/quiz.js';

const COURSE = `id: demo
title: Demo
version: 1.2.0
completion:
  watchedPercent: 90
lessons:
  - id: intro
    title: Intro
    segments:
      - id: one
        title: One
        source: recordings/rec.mp4
        from: 0
        to: 5
targets: [scorm12]
`;

/** The one problem `text` has (checkFiles off: these are about the schema). */
async function problemsOf(text: string): Promise<CourseProblem[]> {
  return (await checkCourseText(text, '/nowhere', false)).problems;
}

/** Phrases zod produces on its own, which tell an author nothing they can act on. */
const LIBRARY_PHRASES = /Too (big|small)|Invalid (input|option|string)|expected \w+, received|to be [<>]=|undefined|must be string|must be number/;

function expectHouseForm(p: { message: string; hint?: string; line: number; column: number }): void {
  expect(p.message).not.toMatch(LIBRARY_PHRASES);
  expect(p.hint ?? '').not.toMatch(LIBRARY_PHRASES);
  expect(p.hint, `no fix for: ${p.message}`).toBeTruthy();
  expect(p.line).toBeGreaterThan(0);
  expect(p.column).toBeGreaterThan(0);
}

describe('course.yaml schema messages', () => {
  const cases: [string, string, string, RegExp, RegExp][] = [
    ['version: 1.0 (YAML reads a number)', 'version: 1.2.0', 'version: 1.0', /^version must be text, but YAML reads 1\.0 as the number 1$/, /put it in quotes: version: "1\.0"; and a version has three numbers: write version: "1\.0\.0"/],
    ['a version of two numbers in quotes', 'version: 1.2.0', 'version: "1.2"', /^version \("1\.2"\) is not a version number$/, /version: "1\.2\.0"/],
    ['an id that is a number', 'id: demo', 'id: 2024', /^id must be text, but YAML reads 2024 as the number 2024$/, /^put it in quotes: id: "2024"$/],
    ['a missing to', '        to: 5\n', '', /^lessons\[0\]\.segments\[0\]\.to is missing$/, /add to: "00:01:30"/],
    ['a malformed time', 'to: 5', 'to: "1:xx"', /^lessons\[0\]\.segments\[0\]\.to \("1:xx"\) is not a time$/, /seconds \(90\.5\) or "\[HH:\]MM:SS\[\.mmm\]"/],
    ['a negative time', 'from: 0', 'from: -5', /^lessons\[0\]\.segments\[0\]\.from \(-5\) is negative$/, /from: 0 or later/],
    ['watchedPercent above 100', 'watchedPercent: 90', 'watchedPercent: 150', /^completion\.watchedPercent \(150\) is not a percentage from 1 to 100$/, /watchedPercent: 90/],
    ['watchedPercent not whole', 'watchedPercent: 90', 'watchedPercent: 90.5', /^completion\.watchedPercent \(90\.5\) must be a whole number$/, /watchedPercent: 91/],
    ['watchedPercent as "90%"', 'watchedPercent: 90', 'watchedPercent: "90%"', /^completion\.watchedPercent must be a number, not the text "90%"$/, /watchedPercent: 90/],
    ['masteryScore above 100', 'watchedPercent: 90', 'watchedPercent: 90\n  masteryScore: 120', /^completion\.masteryScore \(120\) is not a percentage from 0 to 100$/, /masteryScore: 80/],
    ['requireWorkbook as text', 'watchedPercent: 90', 'watchedPercent: 90\n  requireWorkbook: "yes"', /^completion\.requireWorkbook must be true or false, not the text "yes"$/, /requireWorkbook: true or requireWorkbook: false/],
    ['a lesson id with capitals and spaces', 'id: intro', 'id: Intro Part', /^lessons\[0\]\.id \("Intro Part"\) is not a valid lesson id$/, /id: intro-part/],
    ['a misspelt target', 'targets: [scorm12]', 'targets: [scrom12]', /^targets\[0\] \("scrom12"\) is not one of scorm12, /, /^did you mean scorm12\?/],
    ['targets as one word', 'targets: [scorm12]', 'targets: scorm12', /^targets must be a list, not the text "scorm12"$/, /targets: \[scorm12\]/],
    ['an empty target list', 'targets: [scorm12]', 'targets: []', /^targets is an empty list$/, /list at least one of scorm12/],
    ['a misspelt key', '        to: 5\n', '        to: 5\n        captoins: rec.srt\n', /unknown key 'captoins'/, /did you mean 'captions'\?/],
    ['no lessons', /lessons:[\s\S]*?targets/.source, 'lessons: []\ntargets', /^lessons is an empty list; a course needs at least one lesson$/, /lessonkit lesson add/],
    ['an empty title', 'title: Demo', 'title:', /^title is empty$/, /after "title:"/],
    ['an empty segment title', 'title: One', 'title: ""', /^lessons\[0\]\.segments\[0\]\.title is empty$/, /after "title:"/],
    ['objectives as text', '    title: Intro\n', '    title: Intro\n    objectives: Open a file\n', /^lessons\[0\]\.objectives must be a list, not the text "Open a file"$/, /objectives: \[Open a file\]/],
    ['an iri that is no IRI', 'targets: [scorm12]', 'targets: [scorm12]\niri: not an iri', /^iri \("not an iri"\) is not an absolute IRI$/, /https:\/\//],
    ['a language that is no tag', 'version: 1.2.0', 'version: 1.2.0\nlanguage: english language', /^language \("english language"\) is not a language tag$/, /en-US/],
    ['a mapping where a list belongs', 'targets: [scorm12]', 'targets: { a: 1 }', /^targets must be a list, not a mapping$/, /targets as a list/],
  ];

  it.each(cases)('%s', async (_name, from, to, message, hint) => {
    const text = from.startsWith('lessons:') ? COURSE.replace(new RegExp(from), to) : COURSE.replace(from, to);
    expect(text).not.toBe(COURSE);
    const problems = await problemsOf(text);
    const p = problems.find((x) => message.test(x.message));
    expect(p, problems.map((x) => x.message).join('\n')).toBeDefined();
    expect(p?.hint).toMatch(hint);
    for (const x of problems) expectHouseForm(x);
  });

  it('points at the value the author typed: version: 1.0 on line 3, column 10', async () => {
    const [p] = await problemsOf(COURSE.replace('version: 1.2.0', 'version: 1.0'));
    expect(p).toMatchObject({ path: 'version', line: 3, column: 10 });
  });

  it('lists the keys allowed where an unknown key has no close spelling', async () => {
    const [p] = await problemsOf(COURSE.replace('        to: 5\n', '        to: 5\n        zzzzzz: 1\n'));
    expect(p?.hint).toBe('remove it; the keys allowed here are id, title, source, from, to, captions, chapters (course.yaml reference in the README)');
  });

  it('finds the allowed keys of nested mappings and suggests close spellings only', () => {
    expect(keysAt(courseSchema, ['completion'], {})).toEqual(['watchedPercent', 'requireWorkbook', 'masteryScore', 'moveOn']);
    expect(keysAt(courseSchema, ['lessons', 0, 'segments', 3], {})).toContain('captions');
    expect(closest('watchedPercnt', ['watchedPercent', 'requireWorkbook'])).toBe('watchedPercent');
    expect(closest('colour', ['id', 'title', 'quiz'])).toBeUndefined();
  });
});

describe('quiz schema messages', () => {
  const QUIZ = 'title: Check\nattempts: 2\nquestions:\n  - id: q-one\n    type: single\n    prompt: Pick\n    points: 1\n    choices:\n      - text: A\n        correct: true\n      - text: B\n';
  const cases: [string, string, string, RegExp, RegExp][] = [
    ['points of 0', 'points: 1', 'points: 0', /^questions\[0\]\.points \(0\) is too small: it must be at least 1$/, /at least 1/],
    ['negative attempts', 'attempts: 2', 'attempts: -1', /^attempts \(-1\) is too small: it must be at least 0$/, /at least 0/],
    ['one choice only', '      - text: B\n', '', /^questions\[0\]\.choices has 1 item; at least 2 are needed$/, /^add 1 more to choices$/],
    ['an empty prompt', 'prompt: Pick', 'prompt: ""', /^questions\[0\]\.prompt is empty$/, /after "prompt:"/],
    ['a question id with spaces', 'id: q-one', 'id: "bad id!"', /^questions\[0\]\.id \("bad id!"\) is not a valid question id$/, /id: bad-id/],
    ['a misspelt key', 'points: 1', 'pionts: 1', /unknown key 'pionts'/, /did you mean 'points'\?/],
    ['shuffle as text', 'attempts: 2', 'attempts: 2\nshuffle: "no"', /^shuffle must be true or false, not the text "no"$/, /shuffle: false/],
  ];
  it.each(cases)('%s', (_name, from, to, message, hint) => {
    const text = QUIZ.replace(from, to);
    expect(text).not.toBe(QUIZ);
    const { problems } = checkQuizText(text, 'q.yaml');
    const p = problems.find((x) => message.test(x.message));
    expect(p, problems.map((x) => x.message).join('\n')).toBeDefined();
    expect(p?.hint).toMatch(hint);
    for (const x of problems) expectHouseForm(x);
  });
});
