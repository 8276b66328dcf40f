/**
 * Finding the courses of a workspace: every course.yaml under the given paths, skipping
 * folders that never hold authored courses and whatever the workspace's .gitignore files ignore.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { UserError } from '../../errors.js';
import { COURSE_FILE } from '../course/load.js';

/** Folders never searched: dependencies, build outputs, caches, version control. */
const SKIPPED = new Set(['node_modules', 'dist', '.lessonkit', '.git']);

/** A .gitignore with the folder it applies to. */
interface IgnoreScope {
  dir: string;
  rules: Ignore;
}

async function readIgnore(dir: string): Promise<IgnoreScope | undefined> {
  const text = await readFile(path.join(dir, '.gitignore'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : { dir, rules: ignore().add(text) };
}

function ignored(scopes: readonly IgnoreScope[], file: string, isDir: boolean): boolean {
  for (const s of scopes) {
    const rel = path.relative(s.dir, file).split(path.sep).join('/');
    if (!rel || rel.startsWith('..')) continue;
    if (s.rules.ignores(isDir ? `${rel}/` : rel)) return true;
  }
  return false;
}

/** Options for {@link findCourses}. */
export interface FindCoursesOptions {
  /** Folders (or course.yaml files) to search, relative to `cwd`; default `cwd`. */
  paths: readonly string[];
  /** Base for relative paths. */
  cwd: string;
  /** Absolute folders not to search (the export's own output folder). */
  exclude?: readonly string[];
}

/** Every course folder under the paths, absolute, sorted, without duplicates. */
export async function findCourses(options: FindCoursesOptions): Promise<string[]> {
  const found = new Set<string>();
  const exclude = new Set((options.exclude ?? []).map((p) => path.resolve(p)));
  const walk = async (dir: string, scopes: IgnoreScope[]): Promise<void> => {
    const own = await readIgnore(dir);
    const here = own ? [...scopes, own] : scopes;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      // A folder we may not read is not a course; the root itself is checked by the caller.
      if ((err as { code?: string }).code === 'EACCES' || (err as { code?: string }).code === 'EPERM') return;
      throw err;
    }
    if (entries.some((e) => e.isFile() && e.name === COURSE_FILE)) found.add(dir);
    for (const e of entries) {
      if (!e.isDirectory() || SKIPPED.has(e.name)) continue;
      const child = path.join(dir, e.name);
      if (exclude.has(child) || ignored(here, child, true)) continue;
      await walk(child, here);
    }
  };
  for (const p of options.paths.length ? options.paths : ['.']) {
    const abs = path.resolve(options.cwd, p);
    const st = await stat(abs).catch(() => undefined);
    if (!st) throw new UserError(`${p} does not exist.`, { code: 'E_NOT_FOUND', hint: 'Give folders that hold courses (each with a course.yaml), or run export in the workspace folder.' });
    if (st.isFile()) {
      if (path.basename(abs) !== COURSE_FILE) throw new UserError(`${p} is a file, not a folder or a ${COURSE_FILE}.`, { code: 'E_USAGE', hint: 'Give course folders or the folders that contain them.' });
      found.add(path.dirname(abs));
      continue;
    }
    await walk(abs, []);
  }
  return [...found].sort();
}
