/**
 * A course's lesson materials -> the files a bundle ships: Markdown workbooks and
 * cheat-sheets rendered to standalone, sanitized HTML pages (with their images and linked
 * files), other documents (PDF, DOCX, XLSX...) shipped as downloads with type and size,
 * and each lesson's knowledge check loaded. Pure with respect to the course folder: it reads
 * the author's files and never writes.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError, throwIfCancelled } from '../../errors.js';
import { isInside } from '../../utils/fs.js';
import type { RunContext } from '../context.js';
import type { Course } from '../course/load.js';
import { renderTemplate } from '../templates.js';
import { readImageSize } from './image-size.js';
import { fileTypeOf, IMAGE_EXTENSIONS, isActiveContent, isMarkdown } from './media-types.js';
import { formatBytes } from '../../utils/format.js';
import { parseMarkdown, renderParsed, type MarkdownHeading, type MarkdownReference } from './markdown.js';
import { loadQuiz, type Quiz } from './quiz.js';
import { parseTimeLink, timeLinkFragment } from '../steps/time-link.js';

/** What a material is to the lesson: the kinds the player lists. */
export type MaterialKind = 'workbook' | 'cheatsheet' | 'attachment';

/** One file to put in the bundle. Exactly one of `absPath` and `content` is set. */
export interface MaterialFile {
  /** Path inside the bundle: forward slashes, no leading slash, under `materials/`. */
  pathInBundle: string;
  /** The author's file to copy as-is (never modified). */
  absPath?: string;
  /** Generated content (rendered HTML pages). */
  content?: string;
  /** IANA media type. */
  mediaType: string;
  /** Size in bytes. */
  size: number;
  /** The lesson material it is, or `asset` for images and files a page links to. */
  kind: MaterialKind | 'asset';
}

/** One entry of a lesson's material list, as the player shows it. */
export interface LessonMaterial {
  /** Workbook, cheat-sheet or download. */
  kind: MaterialKind;
  /** Link text: the page title for rendered Markdown, the file name for documents. */
  label: string;
  /** Path inside the bundle. */
  href: string;
  /** IANA media type of what the link opens (`text/html` for rendered Markdown). */
  mediaType: string;
  /** Learner-facing type ("PDF", "Word document", "Web page"). */
  typeLabel: string;
  /** Size in bytes of what the link opens. */
  size: number;
  /** Size for people ("1.2 MB"). */
  sizeLabel: string;
  /** The path in course.yaml it came from. */
  source: string;
}

/** A lesson's materials. */
export interface LessonMaterials {
  /** The lesson id. */
  lessonId: string;
  /** Workbook, cheat-sheet, then attachments, in course.yaml order. */
  materials: LessonMaterial[];
  /** The knowledge check, when the lesson has `quiz:`. */
  quiz?: Quiz;
}

/** Options for {@link renderMaterials}. */
export interface RenderMaterialsOptions {
  /** The loaded course. */
  course: Course;
  /** Throw a UserError when there are errors (default true); false returns them in `errors` instead. */
  failOnError?: boolean;
}

/** What {@link renderMaterials} returns. */
export interface RenderMaterialsResult {
  /** Every file to add to the bundle, sorted by `pathInBundle`, each once. */
  files: MaterialFile[];
  /** Per lesson, in course order. */
  lessons: LessonMaterials[];
  /** Warnings, each `file:line  message (fix: ...)`. */
  warnings: string[];
  /** Errors, same format; only with `failOnError: false` (otherwise they are thrown). */
  errors?: string[];
}

/** A problem in one of the author's files. */
interface Problem {
  file: string;
  line?: number;
  message: string;
  hint?: string;
  severity: 'error' | 'warning';
}

/** The Content-Security-Policy of every workbook page: no script of any kind, images from the bundle only. */
export const WORKBOOK_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

/** A path segment safe in a URL and a zip on every system. */
function safeSegment(name: string): string {
  const cleaned = name.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+/, '').replace(/-+$/, '');
  return cleaned || 'file';
}

/** A relative URL from one bundle path to another, each segment percent-encoded. */
function relativeHref(fromPage: string, to: string): string {
  const rel = path.posix.relative(path.posix.dirname(fromPage), to);
  return rel.split('/').map((s) => (s === '..' ? s : encodeURIComponent(s))).join('/');
}

/** Splits a URL into scheme (lowercase, if any), path and fragment. */
export function classifyUrl(url: string): { scheme?: string; path: string; fragment?: string; query?: string } {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  const hash = url.indexOf('#');
  const fragment = hash === -1 ? undefined : url.slice(hash + 1);
  const beforeHash = hash === -1 ? url : url.slice(0, hash);
  const q = beforeHash.indexOf('?');
  return {
    ...(scheme ? { scheme } : {}),
    path: q === -1 ? beforeHash : beforeHash.slice(0, q),
    ...(fragment !== undefined ? { fragment } : {}),
    ...(q !== -1 ? { query: beforeHash.slice(q + 1) } : {}),
  };
}

function decodePath(p: string): string | undefined {
  try {
    return decodeURIComponent(p);
  } catch {
    return undefined;
  }
}

/** Everything shipped, keyed by absolute source path, so a file used twice ships once. */
class BundlePlan {
  readonly files = new Map<string, MaterialFile>();
  private readonly byAbs = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(private readonly courseDir: string) {}

  /** The bundle path for a course file (Markdown pages get `.html`), stable across calls. */
  pathFor(abs: string, asPage: boolean): string {
    const key = `${asPage ? 'page' : 'file'}:${abs}`;
    const known = this.byAbs.get(key);
    if (known) return known;
    const rel = path.relative(this.courseDir, abs).split(path.sep).map(safeSegment);
    let base = rel.join('/');
    if (asPage) base = base.replace(/\.(md|markdown)$/i, '') + '.html';
    let candidate = `materials/${base}`;
    const ext = path.posix.extname(candidate);
    for (let n = 2; this.taken.has(candidate.toLowerCase()); n += 1) candidate = `${candidate.slice(0, candidate.length - ext.length).replace(/-\d+$/, '')}-${n}${ext}`;
    this.taken.add(candidate.toLowerCase());
    this.byAbs.set(key, candidate);
    return candidate;
  }

  add(file: MaterialFile): void {
    const known = this.files.get(file.pathInBundle);
    // A file a page links to that is also a lesson's download is listed as the download.
    if (!known || (known.kind === 'asset' && file.kind !== 'asset')) this.files.set(file.pathInBundle, file);
  }
}

interface PageJob {
  abs: string;
  pathInBundle: string;
  kind: MaterialKind | 'asset';
  lessonTitle: string;
}

/**
 * Renders every lesson's materials. Throws one UserError listing every missing file or
 * refused link with file:line; returns warnings (raw HTML removed, unsafe links dropped...).
 */
export async function renderMaterials(options: RenderMaterialsOptions, ctx: RunContext): Promise<RenderMaterialsResult> {
  const { course } = options;
  const plan = new BundlePlan(course.dir);
  const problems: Problem[] = [];
  const show = (abs: string) => path.relative(course.dir, abs).split(path.sep).join('/');
  const pages = new Map<string, PageJob>();
  const queue: PageJob[] = [];
  const pageTitles = new Map<string, string>();
  const enqueuePage = (abs: string, kind: PageJob['kind'], lessonTitle: string): string => {
    const known = pages.get(abs);
    if (known) return known.pathInBundle;
    const job: PageJob = { abs, pathInBundle: plan.pathFor(abs, true), kind, lessonTitle };
    pages.set(abs, job);
    queue.push(job);
    return job.pathInBundle;
  };

  // 1. The lessons' own materials, in course.yaml order.
  const lessonEntries: { lessonId: string; items: { kind: MaterialKind; abs: string; source: string; href: string; page: boolean }[]; quizFile?: string }[] = [];
  for (const lesson of course.lessons) {
    const items: (typeof lessonEntries)[number]['items'] = [];
    const wanted: [MaterialKind, string][] = [
      ...(lesson.workbook ? [['workbook', lesson.workbook] as [MaterialKind, string]] : []),
      ...(lesson.cheatsheet ? [['cheatsheet', lesson.cheatsheet] as [MaterialKind, string]] : []),
      ...lesson.attachments.map((a) => ['attachment', a] as [MaterialKind, string]),
    ];
    for (const [kind, source] of wanted) {
      const abs = path.resolve(course.dir, source);
      const field = `lessons[${lesson.id}].${kind === 'attachment' ? 'attachments' : kind}`;
      if (!isInside(course.dir, abs)) {
        problems.push({ file: 'course.yaml', message: `${field} (${JSON.stringify(source)}) points outside the course folder`, hint: 'copy the file into the course folder and use a relative path', severity: 'error' });
        continue;
      }
      if (kind !== 'attachment' && isMarkdown(abs)) {
        items.push({ kind, abs, source, href: enqueuePage(abs, kind, lesson.title), page: true });
        continue;
      }
      if (isActiveContent(abs)) {
        problems.push({ file: 'course.yaml', message: `${field} (${JSON.stringify(source)}) is a ${fileTypeOf(abs).label.toLowerCase()}, which would run as a page in the learner's LMS session`, hint: 'write it in Markdown, or export it as PDF', severity: 'error' });
        continue;
      }
      items.push({ kind, abs, source, href: plan.pathFor(abs, false), page: false });
    }
    lessonEntries.push({ lessonId: lesson.id, items, ...(lesson.quiz ? { quizFile: lesson.quiz } : {}) });
  }

  // 2. Render pages; links to further Markdown files inside the course add pages to the queue.
  for (let job = queue.shift(); job; job = queue.shift()) {
    throwIfCancelled(ctx.signal);
    const page = await renderPage(job, course, plan, enqueuePage, problems, show);
    if (page) pageTitles.set(job.abs, page.title);
  }

  // 3. Documents shipped as-is (workbooks/cheat-sheets that are not Markdown, attachments).
  const lessons: LessonMaterials[] = [];
  for (const entry of lessonEntries) {
    const materials: LessonMaterial[] = [];
    for (const item of entry.items) {
      if (item.page) {
        const file = plan.files.get(item.href);
        if (!file) continue; // its problems are reported
        materials.push({ kind: item.kind, label: pageTitles.get(item.abs) ?? path.basename(item.source), href: item.href, mediaType: 'text/html', typeLabel: 'Web page', size: file.size, sizeLabel: formatBytes(file.size), source: item.source });
        continue;
      }
      const size = await fileSize(item.abs);
      if (size === undefined) {
        problems.push({ file: 'course.yaml', message: `${item.kind} ${JSON.stringify(item.source)} of lesson ${entry.lessonId} does not exist or is not a file`, hint: 'check the path (relative to the course folder)', severity: 'error' });
        continue;
      }
      const type = fileTypeOf(item.abs);
      plan.add({ pathInBundle: item.href, absPath: item.abs, mediaType: type.mediaType, size, kind: item.kind });
      materials.push({ kind: item.kind, label: path.basename(item.source), href: item.href, mediaType: type.mediaType, typeLabel: type.label, size, sizeLabel: formatBytes(size), source: item.source });
    }
    let quiz: Quiz | undefined;
    if (entry.quizFile) {
      try {
        quiz = await loadQuiz({ file: path.resolve(course.dir, entry.quizFile), courseDir: course.dir, masteryScore: course.completion.masteryScore });
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        problems.push({ file: entry.quizFile, message: err.message, severity: 'error' });
        for (const d of err.details) problems.push({ file: '', message: d, severity: 'error' });
      }
    }
    lessons.push({ lessonId: entry.lessonId, materials, ...(quiz ? { quiz } : {}) });
  }

  const format = (p: Problem) => `${p.file ? `${p.file}${p.line ? `:${p.line}` : ''}  ` : '  '}${p.message}${p.hint ? ` (fix: ${p.hint})` : ''}`;
  const errors = problems.filter((p) => p.severity === 'error');
  if (errors.length && options.failOnError !== false) {
    throw new UserError(`The lesson materials have ${errors.length} problem${errors.length === 1 ? '' : 's'}:`, {
      code: 'E_WORKBOOK',
      details: errors.map(format),
      hint: 'Fix each line above (paths are relative to the file they are written in), then build again.',
    });
  }
  // Returned, not logged: the command prints them once (build lists them with course.yaml's).
  const warnings = problems.filter((p) => p.severity === 'warning').map(format);
  const files = [...plan.files.values()].sort((a, b) => (a.pathInBundle < b.pathInBundle ? -1 : a.pathInBundle > b.pathInBundle ? 1 : 0));
  return { files, lessons, warnings, ...(options.failOnError === false ? { errors: errors.map(format) } : {}) };
}

async function fileSize(abs: string): Promise<number | undefined> {
  try {
    const s = await stat(abs);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

const KIND_LABEL: Record<PageJob['kind'], string> = { workbook: 'Workbook', cheatsheet: 'Cheat-sheet', attachment: 'Handout', asset: 'Handout' };

/** Renders one Markdown page into `plan`; returns its title, or undefined when it could not be read. */
async function renderPage(
  job: PageJob,
  course: Course,
  plan: BundlePlan,
  enqueuePage: (abs: string, kind: PageJob['kind'], lessonTitle: string) => string,
  problems: Problem[],
  show: (abs: string) => string,
): Promise<{ title: string } | undefined> {
  const file = show(job.abs);
  let text: string;
  try {
    text = await readFile(job.abs, 'utf8');
  } catch {
    problems.push({ file, message: `${file} does not exist or cannot be read`, hint: 'check the path (relative to the course folder)', severity: 'error' });
    return undefined;
  }
  const parsed = parseMarkdown(text.replace(/^\uFEFF/, ''));
  for (const p of parsed.problems) problems.push({ file, ...p });
  const ids = new Set(parsed.headings.map((h) => h.id));
  for (const ref of parsed.references) {
    await resolveReference(ref, { job, file, course, plan, enqueuePage, problems, ids });
  }
  const rendered = renderParsed(parsed);
  const kindLabel = KIND_LABEL[job.kind];
  const title = parsed.title ?? `${job.lessonTitle}: ${kindLabel.toLowerCase()}`;
  const html = await renderTemplate('workbook/page.html.hbs', {
    language: course.language,
    csp: WORKBOOK_CSP,
    css: await workbookCss(),
    title,
    // Our own renderer produced it from escaped tokens; the fallback title is escaped here.
    titleHtml: rendered.titleHtml ?? escapeHtml(title),
    courseTitle: course.title,
    courseVersion: course.version,
    lessonTitle: job.lessonTitle,
    kindLabel,
    toc: tableOfContents(parsed.headings),
    body: rendered.body,
  });
  plan.add({ pathInBundle: job.pathInBundle, content: html, mediaType: 'text/html', size: Buffer.byteLength(html), kind: job.kind });
  return { title };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}

let cssCache: Promise<string> | undefined;
function workbookCss(): Promise<string> {
  cssCache ??= readFile(new URL('../../../templates/workbook/workbook.css', import.meta.url), 'utf8');
  return cssCache;
}

/** A two-level table of contents from the page's headings (the top two levels present). */
export function tableOfContents(headings: readonly MarkdownHeading[]): { id: string; text: string; children: { id: string; text: string }[] }[] {
  if (headings.length < 2) return [];
  const top = Math.min(...headings.map((h) => h.level));
  const toc: { id: string; text: string; children: { id: string; text: string }[] }[] = [];
  for (const h of headings) {
    if (h.level === top || toc.length === 0) toc.push({ id: h.id, text: h.text, children: [] });
    else if (h.level === top + 1) toc[toc.length - 1]?.children.push({ id: h.id, text: h.text });
  }
  return toc;
}

interface ResolveContext {
  job: PageJob;
  file: string;
  course: Course;
  plan: BundlePlan;
  enqueuePage: (abs: string, kind: PageJob['kind'], lessonTitle: string) => string;
  problems: Problem[];
  ids: Set<string>;
}

/** Decides what one link or image becomes; sets `ref.resolved` (null = dropped) or records an error. */
async function resolveReference(ref: MarkdownReference, c: ResolveContext): Promise<void> {
  const { file, problems } = c;
  const url = classifyUrl(ref.url.trim());
  const what = ref.kind === 'image' ? 'image' : 'link';
  const warn = (message: string, hint?: string) => problems.push({ file, line: ref.line, message, ...(hint ? { hint } : {}), severity: 'warning' });
  const fail = (message: string, hint?: string) => problems.push({ file, line: ref.line, message, ...(hint ? { hint } : {}), severity: 'error' });
  ref.resolved = null;

  if (url.scheme) {
    if (ref.kind === 'link' && (url.scheme === 'http' || url.scheme === 'https' || url.scheme === 'mailto')) {
      ref.resolved = ref.url.trim();
      ref.external = url.scheme !== 'mailto';
      return;
    }
    if (ref.kind === 'image' && (url.scheme === 'http' || url.scheme === 'https')) {
      // A bundle makes no network requests of its own (offline LMSs, learners' privacy).
      warn(`image ${JSON.stringify(ref.url)} is on the web, not in the course folder; it was left out (its alt text is shown)`, 'download the image into the course folder and link it with a relative path');
      return;
    }
    warn(`${what} to a ${url.scheme}: URL was removed (only http, https, mailto and files in the course folder are allowed)`, 'link to a web page or a file in the course folder');
    return;
  }
  if (url.path.startsWith('//') || url.path.startsWith('\\')) {
    warn(`${what} ${JSON.stringify(ref.url)} has no scheme and was removed`, 'write the full address, starting with https://');
    return;
  }
  if (url.path === '') {
    if (ref.kind === 'image') {
      fail('image with an empty path', 'give the image file, e.g. ![Screen](images/screen.png)');
      return;
    }
    const timeLink = ref.kind === 'link' ? parseTimeLink(url.fragment ?? '') : undefined;
    if (timeLink) {
      // A moment of one of the course's videos (docs/steps.md): the player seeks there.
      const seg = c.course.lessons.flatMap((l) => l.segments).find((s) => s.id === timeLink.segmentId);
      if (!seg) {
        warn(`time link to video "${timeLink.segmentId}": the course has no segment with that id; the link was removed`, `use a segment id from course.yaml: ${c.course.lessons.flatMap((l) => l.segments.map((s) => s.id)).slice(0, 8).join(', ')}`);
        return;
      }
      if (timeLink.time > seg.to - seg.from) warn(`time link to video "${seg.id}" at ${timeLink.time} s is past its end (${Math.round((seg.to - seg.from) * 10) / 10} s long)`, 'give a time from the start of the segment, not of the recording');
      ref.resolved = timeLinkFragment(timeLink);
      return;
    }
    const id = decodePath(url.fragment ?? '') ?? '';
    if (id && !c.ids.has(id)) warn(`link to #${id}: there is no heading with that id on this page`, `use one of: ${[...c.ids].slice(0, 8).map((i) => `#${i}`).join(', ') || '(no headings)'}`);
    ref.resolved = `#${encodeURIComponent(id)}`;
    return;
  }
  const decoded = decodePath(url.path);
  if (decoded === undefined) {
    fail(`${what} ${JSON.stringify(ref.url)} is not a valid path`, 'check the percent-escapes in the path');
    return;
  }
  if (decoded.startsWith('/') || path.isAbsolute(decoded)) {
    fail(`${what} ${JSON.stringify(decoded)} is an absolute path`, `write it relative to ${file}`);
    return;
  }
  const abs = path.resolve(path.dirname(c.job.abs), decoded);
  const shown = path.relative(c.course.dir, abs).split(path.sep).join('/');
  if (!isInside(c.course.dir, abs)) {
    fail(`${what} ${JSON.stringify(decoded)} points outside the course folder`, 'copy the file into the course folder and link it with a relative path');
    return;
  }
  let s;
  try {
    s = await stat(abs);
  } catch {
    fail(`${what} ${JSON.stringify(decoded)} not found (looked for ${shown})`, `add the file or correct the path; it is relative to ${file}`);
    return;
  }
  if (!s.isFile()) {
    fail(`${what} ${JSON.stringify(decoded)} is a folder, not a file`, 'link to a file');
    return;
  }
  const fragment = url.fragment ? `#${encodeURIComponent(decodePath(url.fragment) ?? url.fragment)}` : '';

  if (ref.kind === 'image') {
    // Empty alt text marks an image as decoration: screen readers skip it (WCAG 1.1.1).
    if (!ref.alt) warn(`image ${JSON.stringify(decoded)} has no alt text, so screen readers skip it`, 'describe what the image shows: ![The Open dialog with Mobile selected](...)');
    const ext = path.extname(abs).toLowerCase();
    if (!IMAGE_EXTENSIONS.includes(ext)) {
      fail(`image ${JSON.stringify(decoded)} is not a PNG, JPEG, GIF, WebP or SVG image`, 'export the picture as PNG or JPEG, or link the file instead of showing it');
      return;
    }
    const bytes = await readFile(abs);
    const size = readImageSize(bytes);
    if (size) ref.size = size;
    else warn(`image ${JSON.stringify(decoded)}: its size could not be read, so it is shown unsized`, 'check that the file is a valid image');
    if (ext === '.svg') {
      // Embedded, never shipped as a file: an SVG opened on its own could run script in the LMS's origin.
      ref.resolved = `data:image/svg+xml;base64,${bytes.toString('base64')}`;
      return;
    }
    const target = c.plan.pathFor(abs, false);
    c.plan.add({ pathInBundle: target, absPath: abs, mediaType: fileTypeOf(abs).mediaType, size: s.size, kind: 'asset' });
    ref.resolved = relativeHref(c.job.pathInBundle, target);
    return;
  }
  if (isMarkdown(abs)) {
    const target = abs === c.job.abs ? c.job.pathInBundle : c.enqueuePage(abs, 'asset', c.job.lessonTitle);
    ref.resolved = relativeHref(c.job.pathInBundle, target) + fragment;
    return;
  }
  if (isActiveContent(abs)) {
    fail(`link to ${JSON.stringify(decoded)}: a ${fileTypeOf(abs).label.toLowerCase()} would run as a page in the learner's LMS session`, 'write it in Markdown, or export it as PDF');
    return;
  }
  const target = c.plan.pathFor(abs, false);
  c.plan.add({ pathInBundle: target, absPath: abs, mediaType: fileTypeOf(abs).mediaType, size: s.size, kind: 'asset' });
  ref.resolved = relativeHref(c.job.pathInBundle, target) + fragment;
}
