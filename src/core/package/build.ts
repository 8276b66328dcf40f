/**
 * `buildCourse`: course.yaml -> rendered media -> player -> one zip per target -> each
 * descriptor validated against the official XSDs. A pure function of the course folder:
 * the same course builds to byte-identical zips.
 */
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RunContext } from '../context.js';
import { checkCourse, courseCheckError, findingFromProblem, formatFinding, type CourseFinding } from '../course/check.js';
import { loadCourse } from '../course/load.js';
import { cacheDir as defaultCacheDir } from '../media/cache.js';
import { renderCourseMedia } from '../media/render.js';
import { renderLaunchPage } from '../player-build/launch-page.js';
import { collectSharedFiles } from '../player-build/shared-files.js';
import { renderMaterials } from '../workbook/render.js';
import type { Finding } from '../validate/types.js';
import { validatePackage } from '../validate/validate.js';
import { validateXsd } from '../validate/xsd.js';
import { FindingsError, UserError, throwIfCancelled } from '../../errors.js';
import { checkWritableFolder, tempPathBeside, toWriteError } from '../../utils/fs.js';
import { lmsRuntime, resolveLmsProfile } from './lms/index.js';
import { getPackageTarget, PACKAGE_TARGETS } from './targets/index.js';
import type { PackageTarget, PackageTargetName, TargetOutput } from './targets/types.js';
import { createChecksumMemo, writeZips } from './zip.js';

/** Options for {@link buildCourse}. */
export interface BuildCourseOptions {
  /** The course folder, absolute or relative to `cwd` (default `cwd`). */
  dir?: string;
  /** Base for relative paths. */
  cwd: string;
  /** Targets to build (default: the course's `targets`). `scorm2004` means `scorm2004-4th`. */
  targets?: string[];
  /** Output folder, absolute or relative to `cwd` (default `<course>/dist`). */
  out?: string;
  /** One SCO per lesson instead of one per course. */
  scoPerLesson?: boolean;
  /** Render cache folder (default `<course>/.lessonkit/cache`). */
  cacheDir?: string;
  /** `--ffmpeg` */
  ffmpeg?: string;
  /** `--ffprobe` */
  ffprobe?: string;
  /** Environment for tool lookup. */
  env: Record<string, string | undefined>;
  /** Warnings fail the build (FindingsError, exit 1) before anything is encoded or written. */
  strict?: boolean;
  /** `--lms`: the LMS profile (overrides course.yaml's `lms:`; default generic). */
  lms?: string;
}

/** One zip written by {@link buildCourse}. */
export interface BuiltBundle {
  /** The target it was built for. */
  target: PackageTargetName;
  /** Absolute path of the zip. */
  path: string;
  /** Bytes. */
  size: number;
  /** Hex SHA-256 of the zip. */
  sha256: string;
  /** Number of entries. */
  entries: number;
  /** Descriptors validated against the official schemas (entry path and schema set). */
  validated: { path: string; schema: string }[];
  /** Warnings the package validator (the engine of `lessonkit validate`) found; errors fail the build. */
  findings: Finding[];
}

/** What {@link buildCourse} returns (what `--json` prints). */
export interface BuildCourseResult {
  course: { id: string; version: string; title: string; dir: string };
  /** The LMS profile the packages were built for. */
  lms: string;
  /** The zips, in the order the targets were asked for. */
  bundles: BuiltBundle[];
  /** Segments rendered and how many came from the cache. */
  media: { segments: number; cached: number };
  /** Every warning about the course (course.yaml, the course check, the materials), as `file:line:col  message (fix: ...)`; each was also logged when found. */
  warnings: string[];
  /** The course check's findings (warnings only: errors stop the build), structured. */
  checks: CourseFinding[];
}

/** Resolves target names, refusing unknown ones with the list of available targets. */
export function resolveTargets(names: readonly string[], file: string): PackageTarget[] {
  const out: PackageTarget[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (!name) continue;
    const target = getPackageTarget(name);
    if (!target) {
      throw new UserError(`Unknown or unavailable target "${name}" (from ${file}).`, {
        code: 'E_USAGE',
        hint: `Use one of: ${Object.keys(PACKAGE_TARGETS).join(', ')} (scorm2004 means scorm2004-4th).`,
      });
    }
    if (!out.includes(target)) out.push(target);
  }
  if (out.length === 0) throw new UserError(`No target to build (from ${file}).`, { code: 'E_USAGE', hint: 'Pass --target scorm12,scorm2004-4th or list targets in course.yaml.' });
  return out;
}

/** Builds the course into one zip per target. */
export async function buildCourse(options: BuildCourseOptions, ctx: RunContext): Promise<BuildCourseResult> {
  const loaded = await loadCourse({ dir: options.dir ?? '.', cwd: options.cwd });
  const { course } = loaded;
  const targets = resolveTargets(options.targets ?? course.targets, options.targets ? '--target' : path.relative(options.cwd, course.file) || course.file);
  for (const t of targets) t.check?.(course);
  const lms = resolveLmsProfile(options.lms ?? course.lms, options.lms ? '--lms' : path.relative(options.cwd, course.file) || course.file);
  const outDir = path.resolve(options.cwd, options.out ?? path.join(course.dir, 'dist'));
  const show = (file: string) => path.relative(options.cwd, path.join(course.dir, file)) || file;
  throwIfCancelled(ctx.signal);

  // The whole course is checked before anything is encoded: every recording probed, every range,
  // overlaps, empty lessons, scaffold text, missing captions, all reported in one run.
  const cacheDir = options.cacheDir ? path.resolve(options.cwd, options.cacheDir) : undefined;
  const check = await checkCourse({ course, locate: loaded.locate, ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env, ...(cacheDir ? { cacheDir } : {}) }, ctx);
  const checks = [...loaded.warnings.map(findingFromProblem), ...check.findings.filter((f) => f.severity === 'warning')];
  const warnings = checks.map((f) => formatFinding(f, show(f.file)));
  if (!options.strict || check.errors > 0) for (const w of warnings) ctx.logger.warn(w);
  if (check.errors > 0) throw courseCheckError(check.findings, show);
  throwIfCancelled(ctx.signal);

  // Materials next: a missing image in a workbook stops the build before any video is encoded.
  const materials = await renderMaterials({ course }, ctx);
  if (!options.strict) for (const w of materials.warnings) ctx.logger.warn(w);
  warnings.push(...materials.warnings);
  if (options.strict && warnings.length > 0) {
    throw new FindingsError(
      `--strict: ${warnings.length} warning${warnings.length === 1 ? '' : 's'}; nothing was encoded or written:\n${warnings.map((w) => `  ${w}`).join('\n')}`,
      { warnings, checks },
    );
  }
  // A folder that cannot be written fails now, not after every video has been encoded.
  await checkWritableFolder(outDir, outDir, { create: true, flag: '--out' });
  throwIfCancelled(ctx.signal);

  const rendered = await renderCourseMedia({ course, ffmpeg: options.ffmpeg, ffprobe: options.ffprobe, env: options.env, ...(cacheDir ? { cacheDir } : {}) }, ctx);
  throwIfCancelled(ctx.signal);
  const shared = await collectSharedFiles(course, rendered.segments, materials);

  // Every target stores the same videos: each file's CRC-32 is computed once, kept beside the
  // renders, and reused by the other targets and by later builds.
  const checksums = createChecksumMemo(path.join(cacheDir ?? defaultCacheDir(course.dir), 'checksums'));
  const bundles: BuiltBundle[] = [];
  // Every zip goes to a temporary file first; all are renamed only once every target has been
  // written and validated, so a failed or interrupted build leaves nothing in the output folder.
  const pending: { tmp: string; final: string }[] = [];
  try {
    // Each target's own files (descriptors, launch pages, schema files), checked against the
    // official schemas before any zip is written.
    const outputs: { target: PackageTarget; output: TargetOutput; validated: { path: string; schema: string }[] }[] = [];
    for (const [n, target] of targets.entries()) {
      throwIfCancelled(ctx.signal);
      ctx.onProgress?.({ phase: 'package', current: n, total: targets.length, item: target.name });
      const output = await target.write({
        course,
        shared: shared.files,
        unitPerLesson: Boolean(options.scoPerLesson),
        lms,
        renderLaunchPage: (o) => renderLaunchPage(course, shared.lessons, o, shared.theme, lmsRuntime(lms)),
      });
      outputs.push({ target, output, validated: await validateDescriptors(target, output) });
      const zipPath = path.join(outDir, `${course.id}-${course.version}-${target.name}.zip`);
      pending.push({ tmp: tempPathBeside(zipPath), final: zipPath });
    }
    // All the zips at once: the files every target shares (nearly all the bytes) are read,
    // checksummed and hashed once, and the targets differ only in their small tails.
    const zips = await writeZips(
      shared.files,
      outputs.map((o, i) => ({ out: pending[i]!.tmp, files: o.output.files })),
      { signal: ctx.signal, atomic: false, checksums },
    );
    for (const [n, { target, validated }] of outputs.entries()) {
      throwIfCancelled(ctx.signal);
      const zip = zips[n]!;
      const tmp = pending[n]!.tmp;
      // The same engine as `lessonkit validate` checks the finished zip before it is published;
      // a `web` bundle (no descriptor) is checked as a web bundle: every file its page loads.
      ctx.onProgress?.({ phase: 'validate', current: n, total: targets.length, item: target.name });
      const report = await validatePackage({ path: tmp, cwd: outDir }, ctx);
      const errors = report.findings.filter((f) => f.severity === 'error');
      if (errors.length > 0) {
        throw new FindingsError(
          `The ${target.name} package failed validation (${errors.length} error${errors.length === 1 ? '' : 's'}); nothing was written:\n${errors
            .map((f) => `  ${f.ruleId}  ${f.location?.entry ?? ''}${f.location?.line ? `:${f.location.line}` : ''}  ${f.message}`)
            .join('\n')}`,
          { target: target.name, findings: report.findings },
        );
      }
      const findings = report.findings.filter((f) => f.severity === 'warning');
      if (options.strict && findings.length > 0) {
        throw new FindingsError(
          `--strict: the ${target.name} package has ${findings.length} warning${findings.length === 1 ? '' : 's'}; nothing was written:\n${findings
            .map((f) => `  ${f.ruleId}  ${f.location?.entry ?? ''}${f.location?.line ? `:${f.location.line}` : ''}  ${f.message}`)
            .join('\n')}`,
          { target: target.name, findings },
        );
      }
      bundles.push({ target: target.name, path: pending[n]!.final, size: zip.size, sha256: zip.sha256, entries: zip.entries, validated, findings });
      ctx.onProgress?.({ phase: 'package', current: n + 1, total: targets.length, item: target.name, done: true });
    }
    throwIfCancelled(ctx.signal);
    for (const p of pending) await rename(p.tmp, p.final);
  } catch (err) {
    await Promise.all(pending.map((p) => rm(p.tmp, { force: true })));
    throw toWriteError(err, pending.at(-1)?.final ?? outDir, { flag: '--out' });
  }
  return {
    course: { id: course.id, version: course.version, title: course.title, dir: course.dir },
    lms: lms.name,
    bundles,
    media: { segments: rendered.segments.length, cached: rendered.cacheHits },
    warnings,
    checks,
  };
}

/** Checks each descriptor a target wrote against its official schema set. */
async function validateDescriptors(target: PackageTarget, output: TargetOutput): Promise<{ path: string; schema: string }[]> {
  const validated: { path: string; schema: string }[] = [];
  for (const d of output.descriptors) {
    if (!d.schema) continue;
    const file = output.files.find((f) => f.path === d.path);
    if (!file || file.content === undefined) throw new Error(`target ${target.name} did not write its descriptor ${d.path}`);
    const xml = typeof file.content === 'string' ? file.content : Buffer.from(file.content).toString('utf8');
    const result = await validateXsd(xml, d.schema, d.path);
    if (!result.valid) {
      // The descriptor comes from our templates: an invalid one is a lessonkit bug, not the author's.
      throw new Error(
        `The ${target.name} ${d.path} lessonkit wrote does not pass the official ${d.schema} schema:\n${result.errors.map((e) => `  ${d.path}:${e.line ?? '?'}  ${e.message}`).join('\n')}`,
      );
    }
    validated.push({ path: d.path, schema: d.schema });
  }
  return validated;
}
