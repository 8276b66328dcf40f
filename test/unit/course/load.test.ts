import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCourseText, loadCourse } from '../../../src/core/course/load.js';
import { UserError } from '../../../src/errors.js';
import { makeTempDir } from '../../helpers/cli.js';

const GOOD = `# a comment
id: mobile-client-access
title: Opening client files from your phone
version: 1.2.0
language: en-US
authors:
  - name: Jane Doe, CPA
    organization: Doe & Partners
iri: https://training.example.com/courses/mobile-client-access
lessons:
  - id: mobile-access
    title: Mobile access from anywhere
    segments:
      - id: intro
        title: Why mobile access
        source: recordings/session.mp4
        from: "00:01:10.500"
        to: "00:04:30"
    workbook: workbooks/mobile-access.md
targets: [scorm12, scorm2004, xapi]
`;

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await mkdir(path.join(dir, 'recordings'));
  await mkdir(path.join(dir, 'workbooks'));
  await writeFile(path.join(dir, 'recordings/session.mp4'), 'x');
  await writeFile(path.join(dir, 'workbooks/mobile-access.md'), '# hi');
});
afterEach(() => cleanup());

describe('loadCourse', () => {
  it('loads a good course with times in seconds, absolute paths and normalised targets', async () => {
    await writeFile(path.join(dir, 'course.yaml'), GOOD);
    const { course, warnings } = await loadCourse({ dir, cwd: '/' });
    expect(warnings).toEqual([]);
    const seg = course.lessons[0]!.segments[0]!;
    expect(seg.from).toBe(70.5);
    expect(seg.to).toBe(270);
    expect(seg.sourcePath).toBe(path.join(dir, 'recordings/session.mp4'));
    expect(course.targets).toEqual(['scorm12', 'scorm2004-4th', 'xapi']);
    expect(course.completion).toEqual({ watchedPercent: 90, requireWorkbook: false });
  });

  it('reports every problem at once, each with line and column', async () => {
    const bad = GOOD.replace('version: 1.2.0', 'version: [1, 2]')
      .replace('to: "00:04:30"', 'to: "00:00:30"')
      .replace('targets: [scorm12, scorm2004, xapi]', 'targets: [scorm12, moodle]');
    const { problems, course } = await checkCourseText(bad, dir, true);
    expect(course).toBeUndefined();
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(byPath['version']).toMatchObject({ line: 4, column: 10 });
    expect(byPath['version']!.message).toBe('version must be text, not a list');
    expect(byPath['lessons[0].segments[0].to']).toMatchObject({ line: 18, column: 13 });
    expect(byPath['lessons[0].segments[0].to']!.message).toBe('lessons[0].segments[0].to (00:00:30) is before from (00:01:10.500)');
    expect(byPath['targets[1]']).toMatchObject({ line: 20, column: 20 });
    expect(byPath['targets[1]']!.message).toContain('("moodle") is not one of scorm12');
    expect(problems.filter((p) => p.severity === 'error')).toHaveLength(3);
  });

  it('throws one UserError whose details name file:line:column for each problem', async () => {
    await writeFile(path.join(dir, 'course.yaml'), GOOD.replace('title: Mobile access from anywhere', 'title: 42\n    colour: blue'));
    const err = await loadCourse({ dir, cwd: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    const u = err as UserError;
    expect(u.code).toBe('E_COURSE_SCHEMA');
    expect(u.details.join('\n')).toMatch(/^course\.yaml:12:12 {2}lessons\[0\]\.title must be text, but YAML reads 42 as the number 42 \(fix: put it in quotes: title: "42"\)$/m);
    expect(u.details.join('\n')).toMatch(/^course\.yaml:13:5 {2}lessons\[0\]: unknown key 'colour' \(fix: remove it; the keys allowed here are id, title, objectives, segments, workbook, cheatsheet, attachments, quiz /m);
  });

  it('locates YAML syntax errors', async () => {
    const { problems } = await checkCourseText('id: x\ntitle: [unclosed\nlessons: []\n', dir, true);
    expect(problems[0]!.message).toMatch(/YAML syntax/);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it('reports missing files, paths leaving the folder, duplicate ids and a missing iri', async () => {
    const bad = GOOD.replace('workbook: workbooks/mobile-access.md', 'workbook: workbooks/nope.md\n    cheatsheet: ../outside.md')
      .replace('iri: https://training.example.com/courses/mobile-client-access\n', '')
      .replace('      - id: intro', '      - id: intro\n        title: A\n        source: recordings/session.mp4\n        from: 0\n        to: 5\n      - id: intro');
    const { problems } = await checkCourseText(bad, dir, true);
    const messages = problems.map((p) => `${p.line}: ${p.message}`).join('\n');
    expect(messages).toMatch(/workbook: file "workbooks\/nope\.md" does not exist/);
    expect(messages).toMatch(/cheatsheet \("\.\.\/outside\.md"\) points outside the course folder/);
    expect(messages).toMatch(/segments\[1\]\.id \("intro"\) is already used by lessons\[0\]\.segments\[0\]/);
    expect(messages).toMatch(/targets include xapi, which need iri/);
  });

  it('names a missing required key at its parent', async () => {
    const { problems } = await checkCourseText(GOOD.replace('        title: Why mobile access\n', ''), dir, true);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'lessons[0].segments[0].title', line: 14, column: 9 });
    expect(problems[0]!.message).toBe('lessons[0].segments[0].title is missing');
  });

  it('says where to start when there is no course.yaml', async () => {
    await expect(loadCourse({ dir, cwd: dir })).rejects.toMatchObject({ code: 'E_COURSE_MISSING' });
  });
});
