/**
 * A stand-in for the media stage (`renderCourseMedia` in src/core/media/render.ts, from the
 * media issue) with the same contract, so the build works before that lands: each segment is
 * cut and encoded for the web with real ffmpeg, with a poster and re-timed WebVTT captions,
 * cached under the cache folder by a hash of the source, the cut and the profile.
 * Replaced by the media stage's function once it is on main.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { RunContext } from '../context.js';
import type { Course } from '../course/load.js';
import { locateMediaTools } from '../media/locate.js';
import { UserError, throwIfCancelled } from '../../errors.js';
import { pathExists, writeFileAtomic } from '../../utils/fs.js';

/** One rendered segment (the media stage's contract). */
export interface RenderedSegment {
  lessonId: string;
  segmentId: string;
  /** Absolute path of the web MP4. */
  video: string;
  /** Absolute path of the poster JPEG. */
  poster: string;
  /** Absolute path of the WebVTT captions, when the segment has captions. */
  captions?: string;
  /** Seconds. */
  duration: number;
  width: number;
  height: number;
  /** True when it came from the cache. */
  cached: boolean;
}

/** Options for {@link renderCourseMediaStandIn}. */
export interface RenderMediaOptions {
  /** The loaded course. */
  course: Course;
  /** `--ffmpeg` */
  ffmpeg?: string;
  /** `--ffprobe` */
  ffprobe?: string;
  /** Environment for tool lookup. */
  env: Record<string, string | undefined>;
  /** The render cache folder (default `<course>/.lessonkit/cache`). */
  cacheDir?: string;
}

const PROFILE = 'web-stand-in-1';

/** Renders every segment of the course (cached). */
export async function renderCourseMediaStandIn(options: RenderMediaOptions, ctx: RunContext): Promise<{ segments: RenderedSegment[] }> {
  const tools = await locateMediaTools({ ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env });
  const cacheDir = options.cacheDir ?? path.join(options.course.dir, '.lessonkit', 'cache');
  const all = options.course.lessons.flatMap((l) => l.segments.map((s) => ({ lesson: l, seg: s })));
  const out: RenderedSegment[] = [];
  let i = 0;
  for (const { lesson, seg } of all) {
    throwIfCancelled(ctx.signal);
    ctx.onProgress?.({ phase: 'render', current: i, total: all.length, item: `${lesson.id}/${seg.id}` });
    const st = await stat(seg.sourcePath).catch(() => undefined);
    if (!st) {
      throw new UserError(`${options.course.file}: lessons ${lesson.id} segment ${seg.id}: the recording ${seg.source} does not exist.`, {
        code: 'E_MEDIA_INPUT',
        hint: 'Fix the path in course.yaml or put the recording there.',
      });
    }
    const captionsText = seg.captionsPath ? await readFile(seg.captionsPath, 'utf8') : undefined;
    const key = createHash('sha256')
      .update(JSON.stringify([PROFILE, seg.sourcePath, st.size, st.mtimeMs, seg.from, seg.to, captionsText ?? null]))
      .digest('hex')
      .slice(0, 24);
    const dir = path.join(cacheDir, key);
    const video = path.join(dir, 'video.mp4');
    const poster = path.join(dir, 'poster.jpg');
    const vtt = path.join(dir, 'captions.vtt');
    const meta = path.join(dir, 'meta.json');
    let cached = await pathExists(meta);
    if (!cached) {
      await mkdir(dir, { recursive: true });
      const tmpVideo = `${video}.${process.pid}.tmp.mp4`;
      const tmpPoster = `${poster}.${process.pid}.tmp.jpg`;
      try {
        await execa(
          tools.ffmpeg.path,
          [
            '-y', '-nostdin', '-v', 'error',
            '-ss', String(seg.from), '-i', seg.sourcePath, '-t', String(seg.to - seg.from),
            '-map', '0:v:0', '-map', '0:a:0?',
            '-vf', "scale='min(1920,iw)':-2,format=yuv420p", '-vsync', 'cfr',
            '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-g', '60', '-threads', '1',
            '-c:a', 'aac', '-b:a', '96k',
            '-movflags', '+faststart', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact',
            tmpVideo,
          ],
          { cancelSignal: ctx.signal },
        );
        await execa(tools.ffmpeg.path, ['-y', '-nostdin', '-v', 'error', '-i', tmpVideo, '-frames:v', '1', '-vf', 'scale=320:-2', tmpPoster], { cancelSignal: ctx.signal });
        const probe = await execa(tools.ffprobe.path, ['-v', 'error', '-show_entries', 'format=duration:stream=width,height', '-select_streams', 'v:0', '-of', 'json', tmpVideo]);
        const info = JSON.parse(probe.stdout) as { format?: { duration?: string }; streams?: { width?: number; height?: number }[] };
        if (captionsText !== undefined) await writeFileAtomic(vtt, cutCaptions(captionsText, seg.from, seg.to));
        await rename(tmpVideo, video);
        await rename(tmpPoster, poster);
        await writeFileAtomic(
          meta,
          JSON.stringify({ duration: Number(info.format?.duration ?? seg.to - seg.from), width: info.streams?.[0]?.width ?? 0, height: info.streams?.[0]?.height ?? 0 }),
        );
      } catch (err) {
        await rm(tmpVideo, { force: true });
        await rm(tmpPoster, { force: true });
        throwIfCancelled(ctx.signal);
        if (err instanceof UserError) throw err;
        throw new UserError(`ffmpeg could not render segment ${lesson.id}/${seg.id} from ${seg.source}: ${String((err as { stderr?: string }).stderr ?? err).split('\n')[0]}`, {
          code: 'E_FFMPEG_FAILED',
          hint: 'Check that the recording plays and that from/to lie inside it (`lessonkit probe` tells what the file is).',
          cause: err,
        });
      }
      cached = false;
    }
    const m = JSON.parse(await readFile(meta, 'utf8')) as { duration: number; width: number; height: number };
    out.push({
      lessonId: lesson.id,
      segmentId: seg.id,
      video,
      poster,
      ...(captionsText !== undefined ? { captions: vtt } : {}),
      duration: m.duration,
      width: m.width,
      height: m.height,
      cached,
    });
    i += 1;
    ctx.onProgress?.({ phase: 'render', current: i, total: all.length, item: `${lesson.id}/${seg.id}`, done: true });
  }
  return { segments: out };
}

/** Parses SRT or WebVTT cues, keeps those inside [from, to), shifts them to start at 0 and writes WebVTT. */
export function cutCaptions(text: string, from: number, to: number): string {
  const blocks = text.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  const cues: string[] = [];
  const parse = (t: string): number => {
    const m = /^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})$/.exec(t.trim());
    if (!m) return NaN;
    return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number((m[4] ?? '0').padEnd(3, '0')) / 1000;
  };
  const fmt = (s: number): string => {
    const ms = Math.max(0, Math.round(s * 1000));
    const p = (n: number, w: number) => String(n).padStart(w, '0');
    return `${p(Math.floor(ms / 3600000), 2)}:${p(Math.floor((ms % 3600000) / 60000), 2)}:${p(Math.floor((ms % 60000) / 1000), 2)}.${p(ms % 1000, 3)}`;
  };
  for (const block of blocks) {
    const lines = block.split('\n');
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0) continue;
    const [a, b] = (lines[at] ?? '').split('-->').map((s) => (s.trim().split(/\s+/)[0] ?? ''));
    const start = parse(a ?? '');
    const end = parse(b ?? '');
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= from || start >= to) continue;
    const body = lines.slice(at + 1).join('\n').trim();
    if (!body) continue;
    cues.push(`${fmt(Math.max(start, from) - from)} --> ${fmt(Math.min(end, to) - from)}\n${body}`);
  }
  return `WEBVTT\n\n${cues.join('\n\n')}${cues.length ? '\n' : ''}`;
}
