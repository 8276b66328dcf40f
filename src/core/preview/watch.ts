/**
 * `lessonkit preview --watch`: notices changes to the author's files of a course (course.yaml,
 * workbooks, quizzes, captions, recordings) and reports them, debounced, as one batch.
 *
 * Each folder of the course is watched on its own with node:fs `watch` (inotify on Linux)
 * rather than with `recursive: true`: on Linux, Node 20 emulates recursive watching in
 * JavaScript and it has changed between releases, while a folder watch is the same everywhere.
 * New folders are picked up as they appear. The output folder, the render cache, hidden
 * folders (.git, .lessonkit) and editors' swap files are never watched: a build must not
 * trigger the next build.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Options for {@link watchCourseFiles}. */
export interface WatchCourseFilesOptions {
  /** The course folder. */
  root: string;
  /** Absolute folders never to watch besides the built-in ones (the render cache, the output). */
  ignore?: string[];
  /** Quiet time after the last change before `onChange` runs, ms (default 250). */
  debounceMs?: number;
  /** Called with the changed paths (relative to `root`, sorted) once changes settle. */
  onChange(changed: string[]): void;
}

/** A running watcher. */
export interface CourseFilesWatcher {
  /** Folders watched now. */
  folders(): number;
  /** Stops watching (idempotent). */
  close(): void;
}

/** Folders that are outputs, tools' state or version control, never the author's sources. */
const IGNORED_DIRS = new Set(['dist', 'node_modules']);
/** Most folders a course may have before the watcher stops adding more (a runaway tree). */
const MAX_FOLDERS = 2000;

/** True for names an editor writes while saving (swap, backup, lock and probe files), and hidden files. */
export function isScratchName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || /\.(sw[a-p]|tmp|part|crdownload)$/i.test(name) || name === '4913' || /^#.*#$/.test(name);
}

/** Starts watching; resolves once every current folder is watched. */
export async function watchCourseFiles(options: WatchCourseFilesOptions): Promise<CourseFilesWatcher> {
  const root = path.resolve(options.root);
  const ignore = (options.ignore ?? []).map((p) => path.resolve(p));
  const watchers = new Map<string, FSWatcher>();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const ignoredDir = (abs: string) => {
    const rel = path.relative(root, abs);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return true;
    if (rel && rel.split(path.sep).some((part) => isScratchName(part) || IGNORED_DIRS.has(part))) return true;
    return ignore.some((i) => abs === i || abs.startsWith(i + path.sep));
  };

  const fire = () => {
    timer = undefined;
    if (closed || pending.size === 0) return;
    const batch = [...pending].sort();
    pending.clear();
    // Tools that save through a temporary file (sed -i, some editors) leave names that are gone
    // by now; report what is still there, unless the change was only a deletion.
    void Promise.all(batch.map((rel) => stat(path.join(root, rel)).then(() => true, () => false))).then((exists) => {
      if (closed) return;
      const present = batch.filter((_, i) => exists[i]);
      options.onChange(present.length ? present : batch);
    });
  };

  const addFolder = async (dir: string): Promise<void> => {
    if (closed || watchers.has(dir) || watchers.size >= MAX_FOLDERS || ignoredDir(dir)) return;
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: true }, (_event, name) => onEvent(dir, name === null ? '' : String(name)));
    } catch {
      return; // gone or unreadable: nothing to watch there
    }
    w.on('error', () => {
      w.close();
      watchers.delete(dir);
    });
    watchers.set(dir, w);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) await addFolder(path.join(dir, e.name));
  };

  const onEvent = (dir: string, name: string) => {
    if (closed || !name || isScratchName(path.basename(name))) return;
    const abs = path.join(dir, name);
    if (ignoredDir(path.dirname(abs)) || (ignoredDir(abs) && abs !== root)) return;
    // A new folder (a workbook's images, say) is watched from now on; its files count as changes.
    void stat(abs).then(
      (s) => (s.isDirectory() ? addFolder(abs) : undefined),
      () => undefined,
    );
    pending.add(path.relative(root, abs));
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, options.debounceMs ?? 250);
  };

  await addFolder(root);
  return {
    folders: () => watchers.size,
    close: () => {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
