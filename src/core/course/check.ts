/**
 * The course check: what course.yaml's schema cannot see, checked for the whole course before
 * the first encode, so one run reports every problem and a bad range in the last segment never
 * costs the author the encodes of the ones before it.
 *
 * - every recording probed once: each segment's range against the recording's real duration;
 * - segments of one lesson that overlap in the same recording;
 * - a course with no videos at all (error) and lessons without videos (warning: such a lesson can
 *   never be completed in the player);
 * - workbooks, cheat-sheets and quizzes still holding the text `lessonkit init` / `lesson add`
 *   scaffolded;
 * - segments with sound and no captions (WCAG 2.2 SC 1.2.2, level A), measured with one audio
 *   scan of the segment's range, remembered in the render cache so warm builds run no ffmpeg.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { throwIfCancelled, UserError } from '../../errors.js';
import { writeFileAtomic } from '../../utils/fs.js';
import type { RunContext } from '../context.js';
import { cacheDir, cacheKey, fingerprintOnce } from '../media/cache.js';
import { findSidecarCaptions } from '../media/captions.js';
import { planCut } from '../media/cut.js';
import { ffTime, loudnessScanArgs, parseLoudness, runFfmpeg } from '../media/ffmpeg.js';
import { locateMediaTools } from '../media/locate.js';
import { probeWithTimeline, type MediaInfo, type MediaTimeline } from '../media/probe.js';
import { renderTemplate } from '../templates.js';
import { COURSE_FILE, type Course, type CourseProblem, type Lesson } from './load.js';
import { formatTime } from './time.js';
import { regionProblems } from '../redact/regions.js';
import { formatPath, parseLocated, type Locate } from './yaml-problems.js';

/** Stable ids of what the course check looks for. */
export type CheckRule =
  | 'course-empty'
  | 'lesson-empty'
  | 'recording-unreadable'
  | 'range-past-end'
  | 'range-no-frame'
  | 'segment-overlap'
  | 'scaffold-placeholder'
  | 'captions-missing'
  | 'redact-outside-frame'
  | 'redact-past-end'
  | 'course-yaml';

/** One finding of the course check. Serialisable (what `build --json` lists). */
export interface CourseFinding {
  /** What kind of problem it is (stable). */
  rule: CheckRule;
  /** Errors stop the build; warnings are reported (and fail it under `--strict`). */
  severity: 'error' | 'warning';
  /** The file it is about, relative to the course folder with forward slashes (`course.yaml`, `workbooks/intro.md`). */
  file: string;
  /** 1-based line and column in `file`, when the finding points at a value. */
  line?: number;
  column?: number;
  /** The value's path in course.yaml (`lessons[0].segments[1].to`), when it is about one. */
  path?: string;
  /** What is wrong, naming the value. */
  message: string;
  /** How to fix it. */
  hint?: string;
}

/** Options for {@link checkCourse}. */
export interface CheckCourseOptions {
  /** The loaded course (from loadCourse). */
  course: Course;
  /** Positions in course.yaml (from loadCourse); course.yaml is read again when absent. */
  locate?: Locate;
  /** ffmpeg path from --ffmpeg. */
  ffmpeg?: string;
  /** ffprobe path from --ffprobe. */
  ffprobe?: string;
  /** Environment for the tool lookup. */
  env: Record<string, string | undefined>;
  /** Render cache folder (where sound measurements are remembered); default `<course>/.lessonkit/cache`. */
  cacheDir?: string;
}

/** What {@link checkCourse} returns. */
export interface CheckCourseResult {
  /** Every finding, errors and warnings, in file and line order. */
  findings: CourseFinding[];
  /** Number of errors among them. */
  errors: number;
  /** Number of warnings among them. */
  warnings: number;
}

/** A probed recording, or why it could not be probed. */
export type ProbedRecording = { info: MediaInfo; timeline: MediaTimeline } | { error: UserError };

/** Integrated loudness (LUFS, gated) at or above which a segment counts as having sound; room tone stays below. */
export const SOUND_LUFS = -50;

/**
 * Checks the course whole: structure and scaffold text first, then one probe per recording for
 * the ranges and overlaps, then (only when nothing is wrong so far) the sound of segments
 * without captions. Never encodes and never writes outside the render cache.
 */
export async function checkCourse(options: CheckCourseOptions, ctx: RunContext): Promise<CheckCourseResult> {
  const { course } = options;
  const locate = options.locate ?? parseLocated(await readFile(course.file, 'utf8')).locate;
  const findings: CourseFinding[] = [...checkStructure(course, locate), ...(await checkPlaceholders(course))];

  const sources = [...new Map(course.lessons.flatMap((l) => l.segments.map((s) => [s.sourcePath, s.source] as const))).entries()];
  const recordings = new Map<string, ProbedRecording>();
  for (const [i, [file, shown]] of sources.entries()) {
    throwIfCancelled(ctx.signal);
    ctx.onProgress?.({ phase: 'check', current: i, total: sources.length, item: shown });
    recordings.set(file, await probeRecording(shown, course.dir, options, ctx));
  }
  findings.push(...checkRanges(course, locate, recordings), ...checkOverlaps(course, locate, recordings), ...checkRedactions(course, locate, recordings));

  if (!findings.some((f) => f.severity === 'error')) findings.push(...(await checkCaptions(course, locate, recordings, options, ctx)));
  const result = summarizeFindings(findings);
  ctx.onProgress?.({ phase: 'check', current: sources.length, total: sources.length, done: true, detail: `${sources.length} recording${sources.length === 1 ? '' : 's'}` });
  return result;
}

/** Sorts findings (course.yaml first, then by file, line and column) and counts them. */
export function summarizeFindings(findings: CourseFinding[]): CheckCourseResult {
  const order = (f: CourseFinding) => (f.file === COURSE_FILE ? '' : f.file);
  findings.sort((a, b) => order(a).localeCompare(order(b)) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { findings, errors, warnings: findings.length - errors };
}

/** Formats a finding as `file:line:col  message (fix: hint)`, the file shown as `shownFile`. */
export function formatFinding(f: CourseFinding, shownFile: string = f.file): string {
  const where = f.line !== undefined ? `${shownFile}:${f.line}:${f.column ?? 1}` : shownFile;
  return `${where}  ${f.message}${f.hint ? ` (fix: ${f.hint})` : ''}`;
}

/** A course.yaml warning from loadCourse as a finding, so build reports both alike. */
export function findingFromProblem(p: CourseProblem): CourseFinding {
  return { rule: 'course-yaml', severity: p.severity, file: COURSE_FILE, line: p.line, column: p.column, path: p.path, message: p.message, ...(p.hint ? { hint: p.hint } : {}) };
}

/** The UserError for a check with errors: one line per error, every one at once. */
export function courseCheckError(findings: readonly CourseFinding[], show: (file: string) => string): UserError {
  const errors = findings.filter((f) => f.severity === 'error');
  const files = [...new Set(errors.map((f) => show(f.file)))];
  return new UserError(`${files.join(', ')} ${files.length === 1 ? 'has' : 'have'} ${errors.length} problem${errors.length === 1 ? '' : 's'}; nothing was encoded:`, {
    code: 'E_COURSE_CHECK',
    details: errors.map((f) => formatFinding(f, show(f.file))),
    hint: 'Fix each line above, then run the command again.',
  });
}

const at = (locate: Locate, p: readonly PropertyKey[]) => ({ path: formatPath(p), ...locate(p) });

/** A course without any video is an error; a lesson without videos a warning (it can never be completed). Pure. */
export function checkStructure(course: Course, locate: Locate): CourseFinding[] {
  const empty = course.lessons.map((l, li) => [l, li] as const).filter(([l]) => l.segments.length === 0);
  if (empty.length === course.lessons.length) {
    const first = course.lessons[0]?.id ?? '<lesson-id>';
    return [
      {
        rule: 'course-empty',
        severity: 'error',
        file: COURSE_FILE,
        ...at(locate, ['lessons']),
        message: `the course has no videos: ${course.lessons.length === 1 ? 'its lesson has no segments' : `none of its ${course.lessons.length} lessons has a segment`}, so learners would get an empty player that can never be completed`,
        hint: `put a recording in recordings/ and add segments with \`lessonkit split recordings/<file>.mp4 --max 15m --lesson ${first}\` or \`lessonkit trim recordings/<file>.mp4 --from 00:00:00 --to 00:05:00 --lesson ${first}\``,
      },
    ];
  }
  return empty.map(([l, li]) => ({
    rule: 'lesson-empty' as const,
    severity: 'warning' as const,
    file: COURSE_FILE,
    ...at(locate, ['lessons', li, 'segments']),
    message: `lessons[${li}] ("${l.id}") has no segments; a learner can never complete it, so the course never counts as completed`,
    hint: `add segments with \`lessonkit trim recordings/<file>.mp4 --from ... --to ... --lesson ${l.id}\`, or remove the lesson`,
  }));
}

/**
 * Probes one recording (remembered in the render cache by its content fingerprint, so the render
 * and later builds probe nothing again); a problem with the file becomes the finding's error. `file` is as course.yaml writes it,
 * relative to `cwd`, so messages name it that way.
 */
async function probeRecording(file: string, cwd: string, options: CheckCourseOptions, ctx: RunContext): Promise<ProbedRecording> {
  try {
    return await probeWithTimeline({ file, cwd, ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env, cacheDir: options.cacheDir ?? cacheDir(options.course.dir) }, ctx);
  } catch (err) {
    // A damaged or non-video file is the author's to fix and is reported with the others; a
    // missing ffmpeg or a cancel stops the check.
    if (err instanceof UserError && (err.code === 'E_MEDIA_INPUT' || err.code === 'E_NOT_FOUND' || err.code === 'E_FFMPEG_FAILED')) return { error: err };
    throw err;
  }
}

/** Each segment's range against its recording: past the end, or too short to hold a frame. Pure. */
export function checkRanges(course: Course, locate: Locate, recordings: ReadonlyMap<string, ProbedRecording>): CourseFinding[] {
  const out: CourseFinding[] = [];
  const reported = new Set<string>();
  course.lessons.forEach((lesson, li) =>
    lesson.segments.forEach((seg, si) => {
      const base = ['lessons', li, 'segments', si] as const;
      const rec = recordings.get(seg.sourcePath);
      if (!rec) return;
      if ('error' in rec) {
        // Once per recording, at the first segment that uses it.
        if (reported.has(seg.sourcePath)) return;
        reported.add(seg.sourcePath);
        const why = rec.error.message.replace(/\.$/, '');
        out.push({ rule: 'recording-unreadable', severity: 'error', file: COURSE_FILE, ...at(locate, [...base, 'source']), message: `${formatPath([...base, 'source'])}: ${why}`, ...(rec.error.hint ? { hint: rec.error.hint } : {}) });
        return;
      }
      const { info, timeline } = rec;
      const d = info.duration;
      const long = `${seg.source}, which is ${formatTime(d)} long`;
      const probeHint = `\`lessonkit probe ${seg.source}\` shows the duration, or check that source is the recording you meant`;
      if (seg.from >= d) {
        out.push({ rule: 'range-past-end', severity: 'error', file: COURSE_FILE, ...at(locate, [...base, 'from']), message: `${formatPath([...base, 'from'])} (${formatTime(seg.from)}) is at or past the end of ${long}`, hint: `start the segment before ${formatTime(d)}; ${probeHint}` });
        return;
      }
      // The same half-frame slack as the cut itself: `to: 10` on a 9.99 s file means "to the end".
      const frame = info.video.frameRate.den / info.video.frameRate.num;
      if (seg.to > d + frame / 2) {
        out.push({ rule: 'range-past-end', severity: 'error', file: COURSE_FILE, ...at(locate, [...base, 'to']), message: `${formatPath([...base, 'to'])} (${formatTime(seg.to)}) is past the end of ${long}`, hint: `end the segment at ${formatTime(d)} or earlier, such as to: "${formatTime(d)}"; ${probeHint}` });
        return;
      }
      try {
        planCut(info, timeline, seg.from, seg.to, 'auto', seg.source);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        out.push({ rule: 'range-no-frame', severity: 'error', file: COURSE_FILE, ...at(locate, [...base, 'to']), message: `${formatPath(base)} (${formatTime(seg.from)} to ${formatTime(seg.to)}): ${err.message.replace(/\.$/, '')}`, hint: `make the range longer than one frame (${ffTime(frame)} s)` });
      }
    }),
  );
  return out;
}

/**
 * Each `redact:` region against its recording: the box inside the frame, the range inside the
 * recording. A course-level region shared by several segments is reported once. Pure.
 */
export function checkRedactions(course: Course, locate: Locate, recordings: ReadonlyMap<string, ProbedRecording>): CourseFinding[] {
  const out: CourseFinding[] = [];
  const seen = new Set<string>();
  for (const lesson of course.lessons)
    for (const seg of lesson.segments) {
      const rec = recordings.get(seg.sourcePath);
      if (!rec || 'error' in rec) continue;
      for (const spec of seg.redact ?? []) {
        const id = spec.at.join('.');
        if (seen.has(id)) continue;
        seen.add(id);
        const v = rec.info.video;
        for (const p of regionProblems(spec, v.displayWidth, v.displayHeight, rec.info.duration)) {
          const where = [...spec.at, p.key];
          out.push({
            rule: p.key === 'box' ? 'redact-outside-frame' : 'redact-past-end',
            severity: 'error',
            file: COURSE_FILE,
            ...at(locate, where),
            message: `${formatPath(where)} of ${seg.source} ${p.message}`,
            hint: p.hint,
          });
        }
      }
    }
  return out;
}

/** Two time ranges of one recording: how many seconds they share. */
export function overlapSeconds(a: { from: number; to: number }, b: { from: number; to: number }): number {
  return Math.max(0, Math.min(a.to, b.to) - Math.max(a.from, b.from));
}

/**
 * Segments of one lesson cut from the same recording that share more than half a frame (cuts
 * are rounded to frames, so `to: 24` next to `from: 24` never counts). Pure.
 */
export function checkOverlaps(course: Course, locate: Locate, recordings: ReadonlyMap<string, ProbedRecording> = new Map()): CourseFinding[] {
  const out: CourseFinding[] = [];
  course.lessons.forEach((lesson, li) => {
    for (const [a, ai, b, bi, shared] of lessonOverlaps(lesson, recordings)) {
      const pa = ['lessons', li, 'segments', ai] as const;
      const pb = ['lessons', li, 'segments', bi] as const;
      const lineA = locate(pa).line;
      const fix = b.from >= a.from ? `from: "${formatTime(a.to)}" for ${formatPath(pb)}` : `to: "${formatTime(a.from)}" for ${formatPath(pb)}`;
      out.push({
        rule: 'segment-overlap',
        severity: 'warning',
        file: COURSE_FILE,
        ...at(locate, [...pb, 'from']),
        message: `${formatPath(pb)} ("${b.id}", ${formatTime(b.from)} to ${formatTime(b.to)}) overlaps ${formatPath(pa)} ("${a.id}", line ${lineA}, ${formatTime(a.from)} to ${formatTime(a.to)}) by ${ffTime(Math.round(shared * 1000) / 1000)} s of ${b.source}; learners see that part twice`,
        hint: `if the repeat is not intended, write ${fix}`,
      });
    }
  });
  return out;
}

/** Overlapping pairs of a lesson's segments: [earlier segment, its index, later one, its index, seconds shared]. */
export function lessonOverlaps(lesson: Pick<Lesson, 'segments'>, recordings: ReadonlyMap<string, ProbedRecording> = new Map()): [Lesson['segments'][number], number, Lesson['segments'][number], number, number][] {
  const out: [Lesson['segments'][number], number, Lesson['segments'][number], number, number][] = [];
  lesson.segments.forEach((b, bi) => {
    const rec = recordings.get(b.sourcePath);
    const frame = rec && 'info' in rec ? rec.info.video.frameRate.den / rec.info.video.frameRate.num : 1 / 30;
    for (let ai = 0; ai < bi; ai++) {
      const a = lesson.segments[ai];
      if (!a || a.sourcePath !== b.sourcePath) continue;
      const shared = overlapSeconds(a, b);
      if (shared > frame / 2) {
        out.push([a, ai, b, bi, shared]);
        break;
      }
    }
  });
  return out;
}

// ---- scaffold placeholders ----------------------------------------------------------------

/** The scaffold templates whose output must not ship unchanged, and what they are to the author. */
const SCAFFOLDS = [
  { template: 'scaffold/workbook.md.hbs', what: 'workbook' },
  { template: 'scaffold/cheatsheet.md.hbs', what: 'cheat-sheet' },
  { template: 'scaffold/quiz.yaml.hbs', what: 'knowledge check' },
] as const;

/** Stand-ins for the lesson id and title, so a scaffold matches whatever lesson it was written for. */
const STAND_IN = { lessonId: 'lessonkitstandinid', lessonTitle: 'lessonkitstandintitle' };

/** Line endings and trailing spaces do not count as an edit. */
function normalizeText(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trim();
}

/**
 * A matcher for a scaffold's output: its text exactly (up to line endings and trailing spaces),
 * the lesson id and title anywhere on their lines. Pure.
 */
export function scaffoldMatcher(renderedWithStandIns: string): RegExp {
  const parts = normalizeText(renderedWithStandIns).split(new RegExp(`${STAND_IN.lessonId}|${STAND_IN.lessonTitle}`));
  return new RegExp(`^${parts.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^\\n]*?')}$`);
}

/** True when `text` is a scaffold's output, unchanged but for the lesson it names. Pure. */
export function isUnchangedScaffold(text: string, matcher: RegExp): boolean {
  return matcher.test(normalizeText(text));
}

let scaffolds: Promise<{ what: string; matcher: RegExp; prompts: string[] }[]> | undefined;
function loadScaffolds(): Promise<{ what: string; matcher: RegExp; prompts: string[] }[]> {
  scaffolds ??= Promise.all(
    SCAFFOLDS.map(async (s) => {
      const text = await renderTemplate(s.template, STAND_IN);
      const prompts = s.template.endsWith('.yaml.hbs') ? examplePrompts(text) : [];
      return { what: s.what, matcher: scaffoldMatcher(text), prompts };
    }),
  );
  return scaffolds;
}

/** The `prompt:` of every question in quiz YAML text (empty when it does not parse). */
function examplePrompts(text: string): string[] {
  const raw = parseLocated(text).doc.toJS() as { questions?: { prompt?: unknown }[] } | null;
  return (raw?.questions ?? []).map((q) => q?.prompt).filter((p): p is string => typeof p === 'string');
}

/**
 * Workbooks, cheat-sheets and quizzes still holding what `lessonkit init` / `lesson add` wrote:
 * a whole file unchanged, or a quiz that kept one of the example questions among the author's.
 */
export async function checkPlaceholders(course: Course): Promise<CourseFinding[]> {
  const known = await loadScaffolds();
  const out: CourseFinding[] = [];
  const seen = new Set<string>();
  for (const [li, lesson] of course.lessons.entries()) {
    for (const key of ['workbook', 'cheatsheet', 'quiz'] as const) {
      const rel = lesson[key];
      if (!rel || seen.has(rel) || !/\.(md|markdown|ya?ml)$/i.test(rel)) continue;
      seen.add(rel);
      const text = await readFile(path.resolve(course.dir, rel), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const file = rel.split(path.sep).join('/');
      const same = known.find((k) => isUnchangedScaffold(text, k.matcher));
      if (same) {
        out.push({
          rule: 'scaffold-placeholder',
          severity: 'warning',
          file,
          line: 1,
          column: 1,
          message: `the whole file is still the example ${same.what} that lessonkit wrote for lessons[${li}] ("${lesson.id}"); learners would read placeholder text`,
          hint: key === 'quiz' ? `replace the example questions with your own, or remove quiz: from lessons[${li}] in course.yaml` : `write the lesson's ${same.what} in ${file}, or remove ${key}: from lessons[${li}] in course.yaml`,
        });
        continue;
      }
      if (key !== 'quiz') continue;
      const examples = new Set(known.flatMap((k) => k.prompts));
      const { doc, locate } = parseLocated(text);
      const questions = (doc.toJS() as { questions?: { prompt?: unknown }[] } | null)?.questions;
      if (!Array.isArray(questions)) continue;
      questions.forEach((q, qi) => {
        if (typeof q?.prompt !== 'string' || !examples.has(q.prompt)) return;
        out.push({
          rule: 'scaffold-placeholder',
          severity: 'warning',
          file,
          path: `questions[${qi}]`,
          ...locate(['questions', qi, 'prompt']),
          message: `questions[${qi}] is still an example question that lessonkit wrote ("${q.prompt}")`,
          hint: 'replace it with a question about the task the lesson teaches, or delete it',
        });
      });
    }
  }
  return out;
}

// ---- captions --------------------------------------------------------------------------------

/** What a sound measurement remembers. */
interface SoundMeasurement {
  /** Integrated loudness in LUFS; null for digital silence. */
  integrated: number | null;
}

/** True when a measured loudness means the segment has something to hear. Pure. */
export function hasSound(m: { integrated: number | null } | undefined): boolean {
  return m !== undefined && m.integrated !== null && Number.isFinite(m.integrated) && m.integrated >= SOUND_LUFS;
}

/** Segments with audio and no captions whose range has sound: a warning each. */
async function checkCaptions(course: Course, locate: Locate, recordings: ReadonlyMap<string, ProbedRecording>, options: CheckCourseOptions, ctx: RunContext): Promise<CourseFinding[]> {
  const out: CourseFinding[] = [];
  const root = options.cacheDir ?? cacheDir(course.dir);
  let ffmpeg: string | undefined;
  for (const [li, lesson] of course.lessons.entries()) {
    for (const [si, seg] of lesson.segments.entries()) {
      const rec = recordings.get(seg.sourcePath);
      if (!rec || !('info' in rec) || !rec.info.audio || seg.captionsPath) continue;
      if (await findSidecarCaptions(seg.sourcePath)) continue;
      const memo = path.join(root, 'checks', `sound-${cacheKey(['sound-1', await fingerprintOnce(seg.sourcePath), ffTime(seg.from), ffTime(seg.to)])}.json`);
      let m = await readFile(memo, 'utf8').then((t) => JSON.parse(t) as SoundMeasurement).catch(() => undefined);
      if (!m) {
        ctx.onProgress?.({ phase: 'check', current: 0, total: 0, item: `sound of ${lesson.id}/${seg.id}` });
        ffmpeg ??= (await locateMediaTools({ ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env })).ffmpeg.path;
        try {
          const run = await runFfmpeg(ffmpeg, loudnessScanArgs(seg.sourcePath, seg.from, Math.min(seg.to, rec.info.duration) - seg.from), {
            signal: ctx.signal,
            debug: (msg) => ctx.logger.debug(msg),
            what: `the sound check of ${seg.source}`,
          });
          const l = parseLoudness(run.stderr);
          m = { integrated: l && Number.isFinite(l.integrated) ? l.integrated : null };
          // Only a memo: a failed write costs one scan next time.
          await writeFileAtomic(memo, JSON.stringify(m) + '\n').catch(() => {});
        } catch (err) {
          // The render reports a file it cannot decode; the check only looks.
          if (err instanceof UserError && err.code === 'E_FFMPEG_FAILED') {
            ctx.logger.verbose(`Could not measure the sound of ${seg.source}: ${err.message}`);
            continue;
          }
          throw err;
        }
      }
      if (!hasSound(m)) continue;
      const base = ['lessons', li, 'segments', si] as const;
      const stem = path.basename(seg.source, path.extname(seg.source));
      out.push({
        rule: 'captions-missing',
        severity: 'warning',
        file: COURSE_FILE,
        ...at(locate, base),
        message: `${formatPath(base)} ("${seg.id}") has sound (about ${Math.round(m.integrated ?? 0)} LUFS) but no captions: a learner who is deaf or hard of hearing gets nothing from it (WCAG 2.2 SC 1.2.2, level A)`,
        hint: `add captions: with the recording's .srt or .vtt file to the segment (lessonkit cuts it to the segment's range), or put ${stem}.srt beside ${seg.source}`,
      });
    }
  }
  return out;
}
