/**
 * The files every bundle shares: the player (JS + CSS from dist/player), each segment's video,
 * poster and captions, and each lesson's workbook, cheat-sheet and attachments. Also produces
 * the player's view of the lessons (paths inside the bundle).
 */
import { access, open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../errors.js';
import type { Course, CourseTheme } from '../course/load.js';
import { imageSize } from '../course/theme.js';
import { formatVttTime } from '../media/captions.js';
import type { RenderedSegment } from '../media/render.js';
import type { BundleFile } from '../package/targets/types.js';
import type { RenderMaterialsResult } from '../workbook/render.js';
import type { PlayerLesson, PlayerMaterial, PlayerTheme } from './config.js';

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
  /** The brand theme for the player's configuration, when course.yaml has one. */
  theme?: PlayerTheme;
}

/** A WebVTT chapters track: each chapter runs to the next one (the last to the segment's end). */
export function chaptersVtt(chapters: readonly { time: number; title: string }[], duration: number): string {
  const cues = chapters.map((c, i) => {
    const end = Math.max(c.time + 0.001, Math.min(duration, chapters[i + 1]?.time ?? duration));
    // A cue's text ends at the first blank line and may not hold "-->": keep titles on one line.
    const title = c.title.replace(/\s+/g, ' ').replace(/-->/g, '->');
    return `${i + 1}\n${formatVttTime(c.time)} --> ${formatVttTime(end)}\n${title}\n`;
  });
  return `WEBVTT\n\n${cues.join('\n')}`;
}

/** Ships the theme's logo and font; reads the logo's size so the page reserves its space. */
async function themeFiles(theme: CourseTheme, files: BundleFile[]): Promise<PlayerTheme> {
  const out: PlayerTheme = { font: theme.font === 'serif' ? 'serif' : 'system', ...(theme.accent ? { accent: theme.accent } : {}) };
  if (theme.logoPath && theme.logo) {
    const head = new Uint8Array(64 * 1024);
    const fh = await open(theme.logoPath, 'r');
    let n: number;
    try {
      ({ bytesRead: n } = await fh.read(head, 0, head.length, 0));
    } finally {
      await fh.close();
    }
    const size = imageSize(head.subarray(0, n));
    if (!size || size.width === 0 || size.height === 0) {
      throw new UserError(`theme.logo (${JSON.stringify(theme.logo)}) is not a readable PNG, JPEG, GIF or WebP image.`, { code: 'E_COURSE_SCHEMA', hint: 'Export the logo again as PNG and point theme.logo at it.' });
    }
    const where = `theme/logo-${safeFileName(path.basename(theme.logo))}`;
    files.push({ path: where, source: theme.logoPath, store: true });
    out.logo = { src: where, alt: theme.logoAlt ?? '', ...size };
  }
  if (theme.fontPath) {
    const where = `theme/${safeFileName(path.basename(theme.font))}`;
    files.push({ path: where, source: theme.fontPath, ...(/\.woff2?$/i.test(where) ? { store: true } : {}) });
    out.font = where;
  }
  return out;
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
      if (seg.chapters?.length) files.push({ path: `${base}.chapters.vtt`, content: chaptersVtt(seg.chapters, r.duration) });
      return {
        id: seg.id,
        title: seg.title,
        video: `${base}.mp4`,
        poster: `${base}.jpg`,
        ...(r.captions ? { captions: `${base}.vtt` } : {}),
        duration: Math.round(r.duration * 1000) / 1000,
        ...(seg.chapters?.length ? { chapters: seg.chapters, chaptersTrack: `${base}.chapters.vtt` } : {}),
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
  const theme = course.theme ? await themeFiles(course.theme, files) : undefined;
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, lessons, ...(theme ? { theme } : {}) };
}
