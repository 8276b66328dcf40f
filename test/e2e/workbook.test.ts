import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  const init = await runCli(['init', '--yes', '--title', 'Mobile access', '--lesson', 'Open a file'], { cwd: dir });
  expect(init.code).toBe(0);
});
afterEach(() => cleanup());

const yaml = () => readFile(path.join(dir, 'course.yaml'), 'utf8');

describe('lessonkit init / lesson add scaffold a knowledge check', () => {
  it('writes an example quiz per lesson and references it from course.yaml', async () => {
    const text = await yaml();
    expect(text).toContain('    quiz: quizzes/open-a-file.yaml');
    expect(text).toMatch(/masteryScore: 80 +# pass mark/);
    const quiz = await readFile(path.join(dir, 'quizzes/open-a-file.yaml'), 'utf8');
    expect(quiz).toContain('# Knowledge check for the lesson "Open a file".');
    const add = await runCli(['lesson', 'add', '--yes', '--title', 'Share a file'], { cwd: dir });
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('+ quizzes/share-a-file.yaml');
    expect(await yaml()).toContain('    quiz: quizzes/share-a-file.yaml');
  });
});

describe('lessonkit workbook', () => {
  it('attaches a workbook, a cheat-sheet and downloads, keeping the comments of course.yaml', async () => {
    await mkdir(path.join(dir, 'files'));
    await writeFile(path.join(dir, 'workbooks/new.md'), '# New workbook\n\nText.\n');
    await writeFile(path.join(dir, 'files/checklist.pdf'), '%PDF-1.4\n');
    const before = await yaml();
    // The yaml library normalises the spaces before a comment; the comment text itself must survive.
    const comments = before.split('\n').filter((l) => l.includes('#')).map((l) => l.slice(l.indexOf('#')));

    const wb = await runCli(['workbook', 'open-a-file', 'workbooks/new.md'], { cwd: dir });
    expect(wb.code).toBe(0);
    expect(wb.stdout).toContain('Attached workbooks/new.md to lesson "open-a-file" as its workbook (replacing workbooks/open-a-file.md).');
    const cs = await runCli(['workbook', 'open-a-file', 'workbooks/new.md', '--cheatsheet'], { cwd: dir });
    expect(cs.code).toBe(0);
    const at = await runCli(['--json', 'workbook', 'open-a-file', 'files/checklist.pdf', '--attach'], { cwd: dir });
    expect(at.code).toBe(0);
    expect(JSON.parse(at.stdout)).toEqual({ lesson: 'open-a-file', kind: 'attachment', file: 'files/checklist.pdf', changed: true, mediaType: 'application/pdf', size: 9, sizeLabel: '9 bytes', problems: [] });
    const again = await runCli(['workbook', 'open-a-file', 'files/checklist.pdf', '--attach'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('course.yaml is unchanged');

    const after = await yaml();
    for (const c of comments) expect(after).toContain(c);
    expect(after).toContain('    workbook: workbooks/new.md\n    cheatsheet: workbooks/new.md\n');
    expect(after.match(/- files\/checklist\.pdf/g)).toHaveLength(1);
    // Nothing was copied: the course folder holds only what the author put there.
    expect(after).toMatch(/attachments:\n {6}- files\/checklist\.pdf/);
  });

  it('reports a missing image in the workbook it attaches, with file:line, and still attaches it', async () => {
    await writeFile(path.join(dir, 'workbooks/new.md'), '# New\n\n![Screen](img/screen.png)\n');
    const r = await runCli(['workbook', 'open-a-file', 'workbooks/new.md'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('workbooks/new.md:3  image "img/screen.png" not found');
    expect(await yaml()).toContain('workbook: workbooks/new.md');
  });

  it('refuses a file outside the course folder, a missing file, an unknown lesson and active content (exit 2, one line, no stack)', async () => {
    const outside = path.join(path.dirname(dir), `${path.basename(dir)}-outside.pdf`);
    await writeFile(outside, '%PDF');
    await writeFile(path.join(dir, 'page.html'), '<script>alert(1)</script>');
    const before = await yaml();
    const cases: [string[], RegExp][] = [
      [['workbook', 'open-a-file', outside, '--attach'], /is outside the course folder .*\n {2}fix: Copy it into the course folder/],
      [['workbook', 'open-a-file', 'files/none.pdf', '--attach'], /File files\/none\.pdf does not exist/],
      [['workbook', 'nope', 'workbooks/open-a-file.md'], /There is no lesson "nope" in .*course\.yaml\.\n {2}fix: Use one of: open-a-file/],
      [['workbook', 'open-a-file', 'page.html', '--attach'], /page\.html is a web page, which would run as a page inside the learner's LMS session/],
      [['workbook', 'open-a-file', 'workbooks/open-a-file.md', '--cheatsheet', '--attach'], /--cheatsheet and --attach cannot be used together/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { cwd: dir });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
    expect(await yaml()).toBe(before);
  });

  it('works from outside the course with -C', async () => {
    const r = await runCli(['-C', dir, 'workbook', 'open-a-file', 'workbooks/open-a-file-cheatsheet.md', '--cheatsheet'], { cwd: path.dirname(dir) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('already has workbooks/open-a-file-cheatsheet.md as its cheat-sheet');
  });
});
