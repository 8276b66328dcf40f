/**
 * The files every bundle shares: the player (JS + CSS from dist/player), each segment's video,
 * poster and captions, and each lesson's workbook, cheat-sheet and attachments. Also produces
 * the player's view of the lessons (paths inside the bundle).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Course } from '../course/load.js';
import type { RenderedSegment } from '../media/render.js';
import type { BundleFile } from '../package/targets/types.js';
import type { PlayerLesson, PlayerMaterial } from './config.js';

/**
 * Where `npm run build` puts the bundled player: `<package root>/dist/player/`. Resolved from the
 * package root so it is the same whether this module runs from dist/ or (in tests) from src/.
 */
export const PLAYER_DIST_DIR = fileURLToPath(new URL('../../../dist/player/', import.meta.url));

/** The shared files and the player's lessons. */
export interface SharedBundle {
  /** Files every target's bundle contains, sorted by path. */
  files: BundleFile[];
  /** The lessons as the player's configuration lists them. */
  lessons: PlayerLesson[];
}

/** A file name safe in a URL and a zip on every system: letters, digits, dot, dash, underscore. */
export function safeFileName(name: string): string {
  const cleaned = name.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '');
  return cleaned || 'file';
}

/** Collects the shared files; throws when the player bundle is missing (lessonkit was not built). */
export async function collectSharedFiles(course: Course, rendered: RenderedSegment[]): Promise<SharedBundle> {
  const files: BundleFile[] = [];
  for (const name of ['player.js', 'player.css']) {
    const source = path.join(PLAYER_DIST_DIR, name);
    try {
      await access(source);
    } catch {
      throw new Error(`The player bundle ${source} is missing: lessonkit was not built. Run \`npm run build\` in the lessonkit folder.`);
    }
    files.push({ path: `player/${name}`, source });
  }
  const byId = new Map(rendered.map((r) => [`${r.lessonId}/${r.segmentId}`, r]));
  const lessons: PlayerLesson[] = course.lessons.map((lesson) => {
    const segments = lesson.segments.map((seg) => {
      const r = byId.get(`${lesson.id}/${seg.id}`);
      if (!r) throw new Error(`segment ${lesson.id}/${seg.id} was not rendered`);
      const base = `media/${lesson.id}/${seg.id}`;
      files.push({ path: `${base}.mp4`, source: r.video, store: true });
      files.push({ path: `${base}.jpg`, source: r.poster, store: true });
      if (r.captions) files.push({ path: `${base}.vtt`, source: r.captions });
      return {
        id: seg.id,
        title: seg.title,
        video: `${base}.mp4`,
        poster: `${base}.jpg`,
        ...(r.captions ? { captions: `${base}.vtt` } : {}),
        duration: Math.round(r.duration * 1000) / 1000,
      };
    });
    const used = new Set<string>();
    const materials: PlayerMaterial[] = [];
    const add = (kind: PlayerMaterial['kind'], rel: string) => {
      let name = safeFileName(path.basename(rel));
      for (let n = 2; used.has(name); n += 1) name = `${n}-${safeFileName(path.basename(rel))}`;
      used.add(name);
      const href = `materials/${lesson.id}/${name}`;
      files.push({ path: href, source: path.resolve(course.dir, rel) });
      materials.push({ kind, label: path.basename(rel), href });
    };
    if (lesson.workbook) add('workbook', lesson.workbook);
    if (lesson.cheatsheet) add('cheatsheet', lesson.cheatsheet);
    for (const a of lesson.attachments) add('attachment', a);
    return { id: lesson.id, title: lesson.title, objectives: lesson.objectives, segments, materials };
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, lessons };
}
