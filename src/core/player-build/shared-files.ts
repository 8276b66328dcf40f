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
import type { RenderMaterialsResult } from '../workbook/render.js';
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

/** Media types that are compressed already: stored in the zip, not deflated again. */
const STORED_TYPES = new Set([
  'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/zip', 'video/mp4', 'audio/mpeg',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text', 'application/vnd.oasis.opendocument.spreadsheet', 'application/vnd.oasis.opendocument.presentation',
]);

/** A file name safe in a URL and a zip on every system: letters, digits, dot, dash, underscore. */
export function safeFileName(name: string): string {
  const cleaned = name.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '');
  return cleaned || 'file';
}

/** Collects the shared files; throws when the player bundle is missing (lessonkit was not built). */
export async function collectSharedFiles(course: Course, rendered: RenderedSegment[], materials_: RenderMaterialsResult): Promise<SharedBundle> {
  const files: BundleFile[] = [];
  for (const m of materials_.files) {
    const store = STORED_TYPES.has(m.mediaType);
    files.push(m.absPath !== undefined ? { path: m.pathInBundle, source: m.absPath, ...(store ? { store } : {}) } : { path: m.pathInBundle, content: m.content ?? '' });
  }
  const materialsByLesson = new Map(materials_.lessons.map((l) => [l.lessonId, l]));
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
    // Workbooks, cheat-sheets and downloads come rendered and checked from the workbook stage.
    const materials: PlayerMaterial[] = (materialsByLesson.get(lesson.id)?.materials ?? []).map((m) => ({
      kind: m.kind,
      label: m.label,
      href: m.href,
      // Rendered pages open in the player's look; documents show what they are and how big.
      ...(m.mediaType === 'text/html' ? {} : { typeLabel: m.typeLabel, sizeLabel: m.sizeLabel }),
    }));
    const quiz = materialsByLesson.get(lesson.id)?.quiz;
    return { id: lesson.id, title: lesson.title, objectives: lesson.objectives, segments, materials, ...(quiz ? { quiz } : {}) };
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, lessons };
}
