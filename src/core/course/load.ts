import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Document } from 'yaml';
import { UserError } from '../../errors.js';
import { isInside } from '../../utils/fs.js';
import { courseSchema, type CourseFile, type TargetName } from './schema.js';
import { formatTime, parseTime } from './time.js';
import { slugify } from './slug.js';
import type { LmsName } from '../package/lms/names.js';
import { TARGETS } from './targets.js';
import { accentContrasts, accentPasses, FONT_TYPES, LOGO_TYPES, MIN_CONTRAST, parseHexColor, suggestAccent, toHexColor } from './theme.js';
import type { RedactionSpec } from '../redact/regions.js';
import { formatPath, formatYamlProblems, parseLocated, problemsFromZodIssues, describeValue, writeAs, type IssueSubject, type Locate, type YamlProblem } from './yaml-problems.js';

export { formatPath } from './yaml-problems.js';

/** The name of the course file at the root of every course folder. */
export const COURSE_FILE = 'course.yaml';

/** One problem found in course.yaml, with where it is and how to fix it. */
export interface CourseProblem extends YamlProblem {
  /** Errors stop every command; warnings are printed. */
  severity: 'error' | 'warning';
}

/** A segment after loading: times in seconds and paths resolved. */
export interface Segment {
  id: string;
  title: string;
  /** Source path as written in course.yaml. */
  source: string;
  /** Absolute path of the source recording. */
  sourcePath: string;
  /** Start in seconds. */
  from: number;
  /** End in seconds. */
  to: number;
  /** Captions as written, if any. */
  captions?: string;
  /** Absolute path of the captions file, if any. */
  captionsPath?: string;
  /** Regions hidden in this segment: the recording's (course-level `redact:`) then its own. */
  redact?: RedactionSpec[];
  /** Chapters inside the segment: start in seconds from the segment's start, and title. */
  chapters?: { time: number; title: string }[];
}

/** The brand theme after loading (see docs/course-yaml.md, `theme`). */
export interface CourseTheme {
  /** Accent colour `#rrggbb`, checked for contrast. */
  accent?: string;
  /** Logo as written and its absolute path. */
  logo?: string;
  logoPath?: string;
  /** The logo's text alternative. */
  logoAlt?: string;
  /** `system`, `serif`, or a font file (as written, with `fontPath` absolute). */
  font: string;
  fontPath?: string;
}

/** A lesson after loading. */
export interface Lesson {
  id: string;
  title: string;
  objectives: string[];
  segments: Segment[];
  workbook?: string;
  cheatsheet?: string;
  attachments: string[];
  quiz?: string;
}

/** A loaded, validated course. Serialisable. */
export interface Course {
  /** Absolute path of the course folder. */
  dir: string;
  /** Absolute path of course.yaml. */
  file: string;
  id: string;
  title: string;
  version: string;
  language: string;
  description?: string;
  authors: { name: string; organization?: string; email?: string }[];
  iri?: string;
  completion: CourseFile['completion'];
  lessons: Lesson[];
  /** The player's look, when course.yaml has `theme:`. */
  theme?: CourseTheme;
  /** Targets with aliases resolved (`scorm2004` becomes `scorm2004-4th`), without duplicates. */
  targets: Exclude<TargetName, 'scorm2004'>[];
  /** The LMS profile from `lms:` (absent: generic, unless `--lms` says otherwise). */
  lms?: LmsName;
}

/** Options for {@link loadCourse}. */
export interface LoadCourseOptions {
  /** The course folder (absolute, or relative to `cwd`). */
  dir: string;
  /** Base for a relative `dir`. */
  cwd: string;
  /** Check that referenced files exist (default true). */
  checkFiles?: boolean;
}

/** What {@link loadCourse} returns. */
export interface LoadCourseResult {
  course: Course;
  /** Warnings found (errors throw). */
  warnings: CourseProblem[];
  /** Line and column in course.yaml of a path such as `['lessons', 0, 'segments', 1, 'to']`, for later checks. */
  locate: Locate;
}

/** Resolves the target aliases: `scorm2004` is SCORM 2004 4th Edition. */
export function normalizeTargets(targets: readonly TargetName[]): Exclude<TargetName, 'scorm2004'>[] {
  const out: Exclude<TargetName, 'scorm2004'>[] = [];
  for (const t of targets) {
    const n = t === 'scorm2004' ? 'scorm2004-4th' : t;
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** Formats problems as `file:line:col  message (fix: hint)` lines. */
export function formatProblems(file: string, problems: readonly CourseProblem[]): string[] {
  return formatYamlProblems(file, problems);
}

/** Reads and validates a course folder; throws a UserError listing every problem at once. */
export async function loadCourse(options: LoadCourseOptions): Promise<LoadCourseResult> {
  const dir = path.resolve(options.cwd, options.dir);
  const file = path.join(dir, COURSE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UserError(`No ${COURSE_FILE} in ${dir}.`, {
      code: 'E_COURSE_MISSING',
      hint: 'Run the command inside a course folder, pass it with -C <dir>, or create one with `lessonkit init`.',
    });
  }
  const { course, problems, locate } = await checkCourseText(text, dir, options.checkFiles ?? true);
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length > 0 || !course) {
    const shown = path.relative(options.cwd, file) || file;
    throw new UserError(`${shown} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:`, {
      code: 'E_COURSE_SCHEMA',
      details: formatProblems(shown, errors),
      hint: 'Fix each line above, then run the command again.',
    });
  }
  return { course, warnings: problems.filter((p) => p.severity === 'warning'), locate: locate ?? parseLocated(text).locate };
}

/** Loads the course in `cwd` and checks that it has lesson `lessonId`, before any slow work starts. */
export async function loadCourseWithLesson(cwd: string, lessonId: string): Promise<Course> {
  const { course } = await loadCourse({ dir: cwd, cwd });
  if (!course.lessons.some((l) => l.id === lessonId)) {
    throw new UserError(`There is no lesson "${lessonId}" in ${course.file}.`, {
      code: 'E_INPUT',
      hint: `Use one of: ${course.lessons.map((l) => l.id).join(', ') || '(none yet)'}; or add one with \`lessonkit lesson add\`.`,
    });
  }
  return course;
}

/** Parses course.yaml text with line information (exported for the editing helpers). */
export function parseCourseDocument(text: string): { doc: Document } {
  return { doc: parseLocated(text).doc };
}

/**
 * Validates course.yaml text: YAML syntax, the schema, then the rules a schema cannot say
 * (times in order, unique ids, files present and inside the folder). Returns every problem.
 */
export async function checkCourseText(
  text: string,
  dir: string,
  checkFiles: boolean,
): Promise<{ course?: Course; problems: CourseProblem[]; locate?: Locate }> {
  const located = parseLocated(text);
  const { doc, syntaxProblems, locate } = located;
  const problems: CourseProblem[] = syntaxProblems.map((p) => ({ ...p, severity: 'error' as const }));
  if (problems.length) return { problems };

  const raw: unknown = doc.toJS() ?? {};
  const parsed = courseSchema.safeParse(raw);
  if (!parsed.success) {
    for (const p of problemsFromZodIssues(parsed.error.issues, { schema: courseSchema, raw, located }, COURSE_WORDING)) problems.push({ ...p, severity: 'error' });
  }
  // Run the semantic checks on whatever parts are well-formed, so one run reports everything.
  await checkSemantics(raw, dir, checkFiles, problems, locate);
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  if (!parsed.success || problems.some((p) => p.severity === 'error')) return { problems, locate };
  return { course: normalizeCourse(parsed.data, dir), problems, locate };
}

const TIME_HINT = 'write seconds (90.5) or "[HH:]MM:SS[.mmm]" in quotes, such as "00:01:30.500"';

/** A version suggestion from what the author wrote (`1.0` -> `1.0.0`). */
function suggestVersion(text: string): string {
  const parts = text.split('.').filter((x) => /^\d+$/.test(x));
  while (parts.length < 3) parts.push('0');
  return parts.slice(0, 3).join('.');
}

/** How course.yaml's schema issues are worded: field by field where the generic wording would not say the fix. */
const COURSE_WORDING = {
  reference: 'course.yaml reference: docs/course-yaml.md',
  field: ({ issue, where, value, source, locate }: IssueSubject): YamlProblem | undefined => {
    const p = issue.path;
    const key = p[p.length - 1];
    const parent = p.slice(0, -1);
    // Text quoted, numbers as the author typed them (`1.0`, not 1).
    const shown = typeof value === 'string' ? JSON.stringify(value) : (source ?? describeValue(value));
    if (p.length === 5 && p[0] === 'lessons' && p[2] === 'segments' && (key === 'from' || key === 'to')) {
      if (value === undefined) return { path: where, message: `${where} is missing`, hint: `add ${key}: "00:01:30" to ${formatPath(parent)}, the time in the recording where the segment ${key === 'from' ? 'starts' : 'ends'}`, ...locate(parent) };
      if (typeof value === 'number' && value < 0) return { path: where, message: `${where} (${shown}) is negative`, hint: `times count from the start of the recording: ${writeAs(p, '0')} or later`, ...locate(p) };
      return { path: where, message: `${where} (${shown}) is not a time`, hint: TIME_HINT, ...locate(p) };
    }
    if (issue.code === 'invalid_format' && key === 'id' && typeof value === 'string') {
      const what = p.length === 1 ? 'course' : p.length === 3 ? 'lesson' : 'segment';
      const suggestion = slugify(value) || `my-${what}`;
      return { path: where, message: `${where} (${JSON.stringify(value)}) is not a valid ${what} id`, hint: `use lowercase letters, digits and dashes, starting with a letter or digit: ${writeAs(p, suggestion)}`, ...locate(p) };
    }
    if (issue.code === 'invalid_format' && where === 'version' && typeof value === 'string') {
      return { path: where, message: `version (${JSON.stringify(value)}) is not a version number`, hint: `a version has three numbers: write version: "${suggestVersion(value)}"`, ...locate(p) };
    }
    if (issue.code === 'invalid_format' && where === 'language') {
      return { path: where, message: `language (${shown}) is not a language tag`, hint: 'write a BCP 47 tag such as language: en-US or language: de', ...locate(p) };
    }
    if (issue.code === 'invalid_format' && where === 'iri') {
      return { path: where, message: `iri (${shown}) is not an absolute IRI`, hint: 'write a full address you control, such as iri: https://training.example.com/courses/my-course', ...locate(p) };
    }
    if ((issue.code === 'too_big' || issue.code === 'too_small') && (where === 'completion.watchedPercent' || where === 'completion.masteryScore')) {
      const [lo, example] = where === 'completion.watchedPercent' ? [1, 90] : [0, 80];
      return { path: where, message: `${where} (${shown}) is not a percentage from ${lo} to 100`, hint: `write a number from ${lo} to 100 without a % sign, such as ${writeAs(p, String(example))}`, ...locate(p) };
    }
    if (issue.code === 'too_small' && where === 'lessons') {
      return { path: where, message: 'lessons is an empty list; a course needs at least one lesson', hint: 'add one with `lessonkit lesson add --title "First lesson"`', ...locate(p) };
    }
    if (issue.code === 'too_small' && where === 'targets') {
      return { path: where, message: 'targets is an empty list', hint: `list at least one of ${TARGETS.join(', ')}, or remove the line for the default [scorm12, scorm2004-4th]`, ...locate(p) };
    }
    return undefined;
  },
  union: ({ issue, where, value, source, locate }: IssueSubject): YamlProblem => ({
    path: where,
    message: `${where} (${source ?? describeValue(value)}) is not valid`,
    hint: `check ${where} against the course.yaml reference (docs/course-yaml.md)`,
    ...locate(issue.path),
  }),
};

async function checkSemantics(raw: unknown, dir: string, checkFiles: boolean, problems: CourseProblem[], locate: Locate): Promise<void> {
  if (!raw || typeof raw !== 'object') return;
  const course = raw as Record<string, unknown>;
  const lessons = Array.isArray(course.lessons) ? course.lessons : [];
  const lessonIds = new Map<string, number>();
  const fileChecks: Promise<void>[] = [];
  const checkFile = (rel: unknown, p: PropertyKey[]) => {
    if (typeof rel !== 'string' || !rel) return;
    const abs = path.resolve(dir, rel);
    if (path.isAbsolute(rel) || !isInside(dir, abs)) {
      problems.push({ path: formatPath(p), message: `${formatPath(p)} (${JSON.stringify(rel)}) points outside the course folder`, hint: 'copy the file into the course folder and use a relative path', ...locate(p), severity: 'error' });
      return;
    }
    if (!checkFiles) return;
    fileChecks.push(
      stat(abs).then(
        (s) => {
          if (!s.isFile()) problems.push({ path: formatPath(p), message: `${formatPath(p)} (${JSON.stringify(rel)}) is a folder, not a file`, hint: 'give the path of the file inside it', ...locate(p), severity: 'error' });
        },
        () => {
          problems.push({ path: formatPath(p), message: `${formatPath(p)}: file ${JSON.stringify(rel)} does not exist`, hint: 'check the path (relative to the course folder) or add the file', ...locate(p), severity: 'error' });
        },
      ),
    );
  };

  lessons.forEach((lesson: unknown, li: number) => {
    if (!lesson || typeof lesson !== 'object') return;
    const l = lesson as Record<string, unknown>;
    if (typeof l.id === 'string') {
      const first = lessonIds.get(l.id);
      if (first !== undefined) {
        problems.push({ path: `lessons[${li}].id`, message: `lessons[${li}].id ("${l.id}") is already used by lessons[${first}]`, hint: 'give every lesson its own id', ...locate(['lessons', li, 'id']), severity: 'error' });
      } else lessonIds.set(l.id, li);
    }
    for (const key of ['workbook', 'cheatsheet', 'quiz'] as const) checkFile(l[key], ['lessons', li, key]);
    if (Array.isArray(l.attachments)) l.attachments.forEach((a, ai) => checkFile(a, ['lessons', li, 'attachments', ai]));
    const segIds = new Map<string, number>();
    const segments = Array.isArray(l.segments) ? l.segments : [];
    segments.forEach((seg: unknown, si: number) => {
      if (!seg || typeof seg !== 'object') return;
      const s = seg as Record<string, unknown>;
      const base = `lessons[${li}].segments[${si}]`;
      if (typeof s.id === 'string') {
        const first = segIds.get(s.id);
        if (first !== undefined) {
          problems.push({ path: `${base}.id`, message: `${base}.id ("${s.id}") is already used by lessons[${li}].segments[${first}]`, hint: 'give every segment of a lesson its own id', ...locate(['lessons', li, 'segments', si, 'id']), severity: 'error' });
        } else segIds.set(s.id, si);
      }
      const from = typeof s.from === 'string' || typeof s.from === 'number' ? parseTime(s.from) : undefined;
      const to = typeof s.to === 'string' || typeof s.to === 'number' ? parseTime(s.to) : undefined;
      if (from !== undefined && to !== undefined) {
        if (to <= from) {
          problems.push({ path: `${base}.to`, message: `${base}.to (${formatTime(to)}) is ${to === from ? 'the same as' : 'before'} from (${formatTime(from)})`, hint: 'make to later than from', ...locate(['lessons', li, 'segments', si, 'to']), severity: 'error' });
        } else if (to - from > 15 * 60) {
          problems.push({ path: `${base}`, message: `${base} is ${Math.round((to - from) / 60)} minutes long; learners do best with videos of at most 15 minutes`, hint: 'split it with `lessonkit split`', ...locate(['lessons', li, 'segments', si]), severity: 'warning' });
        }
      }
      if (Array.isArray(s.chapters)) checkChapters(s.chapters, from !== undefined && to !== undefined && to > from ? to - from : undefined, ['lessons', li, 'segments', si], problems, locate);
      checkFile(s.source, ['lessons', li, 'segments', si, 'source']);
      checkFile(s.captions, ['lessons', li, 'segments', si, 'captions']);
    });
  });

  if (course.theme && typeof course.theme === 'object') checkTheme(course.theme as Record<string, unknown>, problems, locate, checkFile);

  if (Array.isArray(course.redact)) course.redact.forEach((r: unknown, ri) => r && typeof r === 'object' && checkFile((r as Record<string, unknown>).source, ['redact', ri, 'source']));
  const targets = Array.isArray(course.targets) ? course.targets : [];
  const needsIri = targets.filter((t) => t === 'xapi' || t === 'cmi5');
  if (needsIri.length && (course.iri === undefined || course.iri === null || course.iri === '')) {
    problems.push({ path: 'targets', message: `targets include ${needsIri.join(' and ')}, which need iri (the base of the course's activity ids)`, hint: 'add iri: https://your-domain/courses/<course-id> (any absolute IRI you control)', ...locate(['targets']), severity: 'error' });
  }
  await Promise.all(fileChecks);
}

/** Chapters start inside the segment, in order, one per time. */
function checkChapters(chapters: unknown[], length: number | undefined, seg: PropertyKey[], problems: CourseProblem[], locate: Locate): void {
  let last = -1;
  chapters.forEach((ch, ci) => {
    if (!ch || typeof ch !== 'object') return;
    const c = ch as Record<string, unknown>;
    const time = typeof c.time === 'string' || typeof c.time === 'number' ? parseTime(c.time) : undefined;
    if (time === undefined) return;
    const p = [...seg, 'chapters', ci, 'time'];
    const where = formatPath(p);
    if (length !== undefined && time >= length) {
      problems.push({ path: where, message: `${where} (${formatTime(time)}) is past the end of the segment, which is ${formatTime(length)} long`, hint: 'chapter times count from the start of the segment, not of the recording: subtract the segment\'s from', ...locate(p), severity: 'error' });
    } else if (time <= last) {
      problems.push({ path: where, message: `${where} (${formatTime(time)}) is not after the chapter before it (${formatTime(last)})`, hint: 'list the chapters in the order they play, each at its own time', ...locate(p), severity: 'error' });
    }
    last = Math.max(last, time);
  });
}

/** The theme's accent must reach 4.5:1 both ways; the logo and font must be files the player can show. */
function checkTheme(theme: Record<string, unknown>, problems: CourseProblem[], locate: Locate, checkFile: (rel: unknown, p: PropertyKey[]) => void): void {
  const rgb = typeof theme.accent === 'string' ? parseHexColor(theme.accent) : undefined;
  if (rgb && !accentPasses(rgb)) {
    const c = accentContrasts(rgb);
    const low = [
      c.textOnAccent < MIN_CONTRAST ? `white text on it reaches ${c.textOnAccent.toFixed(2)}:1` : '',
      c.accentOnBackground < MIN_CONTRAST ? `on the white page it reaches ${c.accentOnBackground.toFixed(2)}:1` : '',
    ].filter(Boolean);
    const better = suggestAccent(rgb);
    problems.push({
      path: 'theme.accent',
      message: `theme.accent ("${toHexColor(rgb)}") is too light to read: ${low.join(' and ')}, and WCAG 2.2 AA needs ${MIN_CONTRAST}:1`,
      hint: `use a darker shade of the same colour that passes, such as theme.accent: "${better}" (${accentContrasts(parseHexColor(better) ?? [0, 0, 0]).accentOnBackground.toFixed(2)}:1)`,
      ...locate(['theme', 'accent']),
      severity: 'error',
    });
  }
  const ext = (v: unknown) => (typeof v === 'string' ? path.extname(v).toLowerCase() : '');
  if (typeof theme.logo === 'string' && theme.logo) {
    if (!(LOGO_TYPES as readonly string[]).includes(ext(theme.logo))) {
      problems.push({ path: 'theme.logo', message: `theme.logo (${JSON.stringify(theme.logo)}) is not a PNG, JPEG, GIF or WebP image`, hint: 'export the logo as PNG (an SVG can carry scripts, so the player does not load one)', ...locate(['theme', 'logo']), severity: 'error' });
    } else checkFile(theme.logo, ['theme', 'logo']);
    if (typeof theme.logoAlt !== 'string' || !theme.logoAlt.trim()) {
      problems.push({ path: 'theme.logoAlt', message: 'theme.logo has no text alternative: screen-reader users would not know whose training this is', hint: 'add logoAlt: with the name the logo shows, such as logoAlt: Acme Software', ...locate(['theme', 'logo']), severity: 'error' });
    }
  }
  if (typeof theme.font === 'string' && theme.font && theme.font !== 'system' && theme.font !== 'serif') {
    if (!(FONT_TYPES as readonly string[]).includes(ext(theme.font))) {
      problems.push({ path: 'theme.font', message: `theme.font (${JSON.stringify(theme.font)}) is neither system, serif nor a font file`, hint: `write font: system, font: serif, or the path of a ${FONT_TYPES.join('/')} file in the course folder`, ...locate(['theme', 'font']), severity: 'error' });
    } else checkFile(theme.font, ['theme', 'font']);
  }
}

function normalizeTheme(t: NonNullable<CourseFile['theme']>, dir: string): CourseTheme {
  const font = t.font ?? 'system';
  const rgb = t.accent ? parseHexColor(t.accent) : undefined;
  return {
    ...(rgb ? { accent: toHexColor(rgb) } : {}),
    ...(t.logo ? { logo: t.logo, logoPath: path.resolve(dir, t.logo) } : {}),
    ...(t.logoAlt ? { logoAlt: t.logoAlt } : {}),
    font,
    ...(font !== 'system' && font !== 'serif' ? { fontPath: path.resolve(dir, font) } : {}),
  };
}

/** A `redact:` entry with its times parsed and its place in course.yaml kept. */
function redactionSpec(r: { box: RedactionSpec['box']; from?: string | number; to?: string | number; style: RedactionSpec['style']; note?: string }, at: (string | number)[]): RedactionSpec {
  const from = r.from !== undefined ? parseTime(r.from) : undefined;
  const to = r.to !== undefined ? parseTime(r.to) : undefined;
  return { box: r.box, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), style: r.style, ...(r.note !== undefined ? { note: r.note } : {}), at };
}

function normalizeCourse(c: CourseFile, dir: string): Course {
  return {
    dir,
    file: path.join(dir, COURSE_FILE),
    id: c.id,
    title: c.title,
    version: c.version,
    language: c.language,
    ...(c.description !== undefined ? { description: c.description } : {}),
    authors: c.authors,
    ...(c.iri !== undefined ? { iri: c.iri } : {}),
    completion: c.completion,
    lessons: c.lessons.map((l, li) => ({
      id: l.id,
      title: l.title,
      objectives: l.objectives ?? [],
      segments: l.segments.map((s, si) => ({
        id: s.id,
        title: s.title,
        source: s.source,
        sourcePath: path.resolve(dir, s.source),
        from: parseTime(s.from) ?? 0,
        to: parseTime(s.to) ?? 0,
        ...(s.captions !== undefined ? { captions: s.captions, captionsPath: path.resolve(dir, s.captions) } : {}),
        ...(s.chapters?.length ? { chapters: s.chapters.map((c) => ({ time: parseTime(c.time) ?? 0, title: c.title })) } : {}),
        redact: [
          ...c.redact.flatMap((r, ri) => (path.resolve(dir, r.source) === path.resolve(dir, s.source) ? [redactionSpec(r, ['redact', ri])] : [])),
          ...(s.redact ?? []).map((r, ri) => redactionSpec(r, ['lessons', li, 'segments', si, 'redact', ri])),
        ],
      })),
      ...(l.workbook !== undefined ? { workbook: l.workbook } : {}),
      ...(l.cheatsheet !== undefined ? { cheatsheet: l.cheatsheet } : {}),
      attachments: l.attachments,
      ...(l.quiz !== undefined ? { quiz: l.quiz } : {}),
    })),
    ...(c.theme ? { theme: normalizeTheme(c.theme, dir) } : {}),
    targets: normalizeTargets(c.targets),
    ...(c.lms ? { lms: c.lms } : {}),
  };
}
