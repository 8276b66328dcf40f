import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, makeTempDir, runCli } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
afterEach(() => cleanup());

describe('lessonkit --help and usage errors', () => {
  it('lists every command, and every command has an example in its help', async () => {
    const r = await runCli(['--help'], { cwd: dir });
    expect(r.code).toBe(0);
    const listed = [...r.stdout.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(listed).toEqual(expect.arrayContaining(['init', 'lesson', 'doctor']));
    for (const c of listed) {
      const help = await runCli([c, '--help'], { cwd: dir });
      expect(help.code).toBe(0);
      const subs = [...help.stdout.matchAll(/^Commands:\n((?: {2}.*\n)+)/gm)].flatMap((m) => [...m[1]!.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((x) => x[1]!)).filter((x) => x !== 'help');
      for (const name of subs.length ? subs.map((x) => `${c} ${x}`) : [c]) {
        const sub = subs.length ? await runCli([...name.split(' '), '--help'], { cwd: dir }) : help;
        expect(sub.stdout, `${name} --help`).toMatch(new RegExp(`Examples?:\\n  \\$ lessonkit ${name}`));
      }
    }
  });

  it('exits 2 on an unknown command, with a suggestion and no stack', async () => {
    const r = await runCli(['doctr'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'doctr'");
    expect(r.stderr).toContain('doctor');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('a command loads only its own modules (start-up time); --help still loads and lists them all', async () => {
    // A module-loading hook records every module the CLI imports, in a file of this temp folder.
    const log = path.join(dir, 'modules.log');
    const hooks = path.join(dir, 'hooks.mjs');
    await writeFile(hooks, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`);
    await writeFile(path.join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${hooks}`).href)});\n`);
    const loaded = async (args: string[]) => {
      await writeFile(log, '');
      const r = await runCli(['-C', '.', ...args], { cwd: dir, env: { NODE_OPTIONS: `--import ${new URL(`file://${path.join(dir, 'register.mjs')}`).href}` } });
      expect(r.code, r.stderr).toBe(0);
      return (await readFile(log, 'utf8')).split('\n').filter((u) => u.includes('/dist/') || u.includes('/node_modules/'));
    };
    const commandsOf = (urls: string[]) => urls.filter((u) => /\/dist\/commands\/[a-z-]+\.js$/.test(u)).map((u) => path.basename(u, '.js')).sort();
    const rules = await loaded(['validate', '--list-rules']);
    expect(commandsOf(rules)).toEqual(['index', 'shared', 'validate']);
    // Nothing of the course, media, packaging or export engines (zod, yaml, handlebars, markdown-it).
    expect(rules.filter((u) => /\/dist\/core\/(course|media|package|export|workbook)\/|\/node_modules\/(zod|yaml|handlebars|markdown-it)\//.test(u))).toEqual([]);
    expect(commandsOf(await loaded(['--help']))).toEqual(expect.arrayContaining(['build', 'export', 'init', 'preview', 'split', 'trim', 'validate']));
  });

  it('exits 2 on a bad flag', async () => {
    const r = await runCli(['init', '--colour', 'blue'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--colour'");
  });
});

describe('lessonkit init', () => {
  it('--yes writes a course that lessonkit loads, with workbook, cheat-sheet, .gitignore and schema', async () => {
    const r = await runCli(['init', '--yes', '--title', 'Mobile access'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Created course "mobile-access"');
    const files = (await readdir(dir, { recursive: true })).sort();
    expect(files).toEqual(expect.arrayContaining(['.gitignore', '.lessonkit/course.schema.json', 'course.yaml', 'recordings', 'workbooks/introduction-cheatsheet.md', 'workbooks/introduction.md']));
    const yaml = await readFile(path.join(dir, 'course.yaml'), 'utf8');
    expect(yaml.split('\n')[0]).toBe('# yaml-language-server: $schema=.lessonkit/course.schema.json');
    const schema = JSON.parse(await readFile(path.join(dir, '.lessonkit/course.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['id', 'title', 'lessons', 'targets']));
    // lessonkit itself loads what it wrote: lesson add reads the course first.
    const add = await runCli(['lesson', 'add', '--yes', '--title', 'Second'], { cwd: dir });
    expect(add.code).toBe(0);
    expect(add.stderr).toBe('');
  });

  it('--json prints one JSON document on stdout', async () => {
    const r = await runCli(['--json', 'init', 'c', '--title', 'T'], { cwd: dir });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { id: string; created: string[] };
    expect(doc.id).toBe('t');
    expect(doc.created).toContain('course.yaml');
  });

  it('refuses to overwrite an existing course (exit 2) and keeps it unchanged; --force keeps author files', async () => {
    await runCli(['init', '--yes', '--title', 'First'], { cwd: dir });
    await writeFile(path.join(dir, 'workbooks/introduction.md'), '# my own words\n');
    const before = await readFile(path.join(dir, 'course.yaml'), 'utf8');
    const r = await runCli(['init', '--yes', '--title', 'Second'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/course\.yaml already exists/);
    expect(r.stderr).toContain('--force');
    expect(await readFile(path.join(dir, 'course.yaml'), 'utf8')).toBe(before);
    const forced = await runCli(['init', '--yes', '--force', '--title', 'Second'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(await readFile(path.join(dir, 'course.yaml'), 'utf8')).toContain('title: "Second"');
    expect(await readFile(path.join(dir, 'workbooks/introduction.md'), 'utf8')).toBe('# my own words\n');
  });

  it('without a terminal and without --title, names the missing flag (exit 2)', async () => {
    const r = await runCli(['init'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--title');
    expect(await readdir(dir)).toEqual([]);
  });

  it('asks for an IRI flag when xapi or cmi5 is chosen without one', async () => {
    const r = await runCli(['init', '--yes', '--title', 'T', '--targets', 'scorm12,cmi5'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--iri');
    const ok = await runCli(['init', '--yes', '--title', 'T', '--targets', 'scorm12,cmi5', '--iri', 'https://example.com/c/t'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(await readFile(path.join(dir, 'course.yaml'), 'utf8')).toContain('iri: "https://example.com/c/t"');
  });

  it('Ctrl-C in the wizard exits 130 and writes nothing', async () => {
    // A real pseudo-terminal (util-linux `script`), so the wizard really prompts.
    const code = await new Promise<number>((resolve) => {
      const child = spawn('script', ['-qec', `${process.execPath} ${BIN} init`, '/dev/null'], { cwd: dir, env: { ...process.env, CI: '', NO_COLOR: '1' } });
      let out = '';
      let sent = false;
      child.stdin.on('error', () => {});
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (!sent && out.includes('Course title')) {
          sent = true;
          child.stdin.write('\x03');
        }
      });
      child.on('exit', (c) => resolve(c ?? -1));
    });
    expect(code).toBe(130);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('a course.yaml with mistakes', () => {
  it('reports all three mistakes with line:column from every command that reads it, exit 2, no stack', async () => {
    await runCli(['init', '--yes', '--title', 'Mobile access'], { cwd: dir });
    let yaml = await readFile(path.join(dir, 'course.yaml'), 'utf8');
    yaml = yaml
      .replace('version: 1.0.0', 'version: [1, 0]')
      .replace('    segments: []', '    segments:\n      - id: s\n        title: S\n        source: course.yaml\n        from: "00:05:00"\n        to: "00:04:30"')
      .replace('targets: [scorm12, scorm2004-4th]', 'targets: [scorm12, blackboard]');
    await writeFile(path.join(dir, 'course.yaml'), yaml);
    const r = await runCli(['lesson', 'add', '--yes', '--title', 'More'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/course\.yaml:\d+:\d+ {2}version must be text, not a list \(fix: /);
    expect(r.stderr).toMatch(/course\.yaml:\d+:\d+ {2}lessons\[0\]\.segments\[0\]\.to \(00:04:30\) is before from \(00:05:00\)/);
    expect(r.stderr).toMatch(/course\.yaml:\d+:\d+ {2}targets\[1\] \("blackboard"\) is not one of/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Nothing was changed by the failed command.
    expect(await readFile(path.join(dir, 'course.yaml'), 'utf8')).toBe(yaml);
  });
});

describe('lessonkit lesson add', () => {
  it('keeps a hand-written comment in course.yaml and adds the lesson files', async () => {
    await runCli(['init', '--yes', '--title', 'Mobile access'], { cwd: dir });
    const file = path.join(dir, 'course.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('lessons:\n', 'lessons:\n  # Jane: keep lessons under 10 minutes\n'));
    const r = await runCli(['-C', dir, 'lesson', 'add', '--yes', '--title', 'Sharing a client file'], { cwd: path.dirname(dir) });
    expect(r.code).toBe(0);
    const yaml = await readFile(file, 'utf8');
    expect(yaml).toContain('  # Jane: keep lessons under 10 minutes\n  - id: introduction');
    expect(yaml).toContain('  - id: sharing-a-client-file');
    expect(await readFile(path.join(dir, 'workbooks/sharing-a-client-file-cheatsheet.md'), 'utf8')).toContain('I want to...');
    const dup = await runCli(['lesson', 'add', '--yes', '--title', 'X', '--id', 'introduction'], { cwd: dir });
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('already has a lesson "introduction"');
  });

  it('outside a course says how to create one (exit 2)', async () => {
    const r = await runCli(['lesson', 'add', '--yes', '--title', 'X'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lessonkit init');
  });
});

describe('lessonkit doctor', () => {
  it('--json reports ffmpeg and ffprobe with versions and libx264', async () => {
    const r = await runCli(['doctor', '--json'], { cwd: dir });
    const doc = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; status: string; version?: string; path?: string }[] };
    const byName = Object.fromEntries(doc.checks.map((c) => [c.name, c]));
    expect(byName.ffmpeg).toMatchObject({ status: 'ok' });
    expect(byName.ffmpeg!.version).toBeTruthy();
    expect(byName.ffprobe!.version).toBeTruthy();
    expect(byName.libx264!.status).toBe('ok');
    expect(byName.aac!.status).toBe('ok');
    expect(r.code).toBe(doc.ok ? 0 : 1);
  });

  it('exits 2 naming the variable when LESSONKIT_FFMPEG points nowhere', async () => {
    const r = await runCli(['doctor'], { cwd: dir, env: { LESSONKIT_FFMPEG: path.join(dir, 'nope') } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('LESSONKIT_FFMPEG points at');
  });

  it('finds the npm-shipped ffmpeg when PATH has none', async () => {
    // A PATH holding node and nothing else: /usr/bin (where node often lives) may hold a system ffmpeg too.
    const bin = path.join(dir, 'only-node');
    await mkdir(bin, { recursive: true });
    await symlink(process.execPath, path.join(bin, 'node')).catch(() => undefined);
    const r = await runCli(['doctor', '--json'], { cwd: dir, env: { PATH: bin, LESSONKIT_FFMPEG: undefined, LESSONKIT_FFPROBE: undefined } });
    const doc = JSON.parse(r.stdout) as { checks: { name: string; source?: string; path?: string }[] };
    const ff = doc.checks.find((c) => c.name === 'ffmpeg')!;
    expect(ff.source).toBe('npm');
    expect(ff.path).toContain('@ffmpeg-installer');
  });
});
