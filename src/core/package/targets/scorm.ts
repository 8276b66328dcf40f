/**
 * What SCORM 1.2 and SCORM 2004 share: identifiers derived from the course id (stable across
 * builds), one SCO per course or per lesson, every file listed, the official schema files at
 * the package root, and the manifest rendered from `templates/manifests/`.
 */
import { readFile } from 'node:fs/promises';
import { renderTemplate } from '../../templates.js';
import { schemaFilesToShip } from '../../validate/xsd.js';
import { DEFAULT_PASS_MARK } from '../../workbook/quiz.js';
import { TOOL_VERSION } from '../version.js';
import type { BundleFile, DescriptorSchema, TargetInput, TargetOutput } from './types.js';

/** One SCO in the manifest. */
interface ScoUnit {
  itemId: string;
  resourceId: string;
  title: string;
  href: string;
  files: string[];
  /** SCORM 1.2 `adlcp:masteryscore` (percent) when the SCO has a knowledge check; '' otherwise. */
  masteryScore: string;
  /** SCORM 2004 primary objective `minNormalizedMeasure` (0..1) when the SCO has a knowledge check; '' otherwise. */
  scaledPassingScore: string;
  /** SCORM 2004 primary objective id. */
  objectiveId: string;
}

/** The pass mark fields of a SCO whose lessons include a knowledge check (the player's pass mark). */
function passMarkFields(course: TargetInput['course'], lessons: TargetInput['course']['lessons'], lms: TargetInput['lms']): Pick<ScoUnit, 'masteryScore' | 'scaledPassingScore'> {
  if (!lessons.some((l) => l.quiz)) return { masteryScore: '', scaledPassingScore: '' };
  const mark = course.completion.masteryScore ?? DEFAULT_PASS_MARK;
  return {
    // A SCORM 1.2 LMS that applies a masteryscore sets `failed` by itself; profiles that report a
    // failed check as `incomplete` (a failed course cannot be retaken there) leave it out.
    masteryScore: lms?.manifest.masteryScore === false ? '' : String(Math.round(mark)),
    scaledPassingScore: String(Math.round(mark * 100) / 10000),
  };
}

/**
 * An XML ID (NCName) from the course's ids. Course and lesson ids are lowercase letters,
 * digits and dashes; an NCName may not start with a digit or dash, so a prefix is added.
 */
export function scormIdentifier(...parts: string[]): string {
  return `lk-${parts.join('.')}`;
}

/** Options for {@link writeScormTarget}. */
export interface ScormTargetOptions {
  /** The manifest template under `templates/manifests/`. */
  template: 'scorm12.xml.hbs' | 'scorm2004.xml.hbs';
  /** The schema set shipped and validated. */
  schema: DescriptorSchema;
  /** The adapter the launch pages start. */
  adapter: 'scorm12' | 'scorm2004';
  /** `<schemaversion>` for SCORM 2004 (`2004 3rd Edition` / `2004 4th Edition`). */
  schemaVersion?: string;
}

/** Writes a SCORM package's launch pages, manifest and schema files. */
export async function writeScormTarget(input: TargetInput, options: ScormTargetOptions): Promise<TargetOutput> {
  const { course } = input;
  const files: BundleFile[] = [];
  const units: ScoUnit[] = [];
  const sharedPaths = input.shared.map((f) => f.path);
  if (input.unitPerLesson) {
    for (const lesson of course.lessons) {
      const page = await input.renderLaunchPage({ path: `lessons/${lesson.id}.html`, adapter: options.adapter, lessonIds: [lesson.id] });
      files.push(page);
      units.push({
        itemId: scormIdentifier(course.id, 'item', lesson.id),
        resourceId: scormIdentifier(course.id, 'sco', lesson.id),
        title: lesson.title,
        href: page.path,
        files: [page.path],
        ...passMarkFields(course, [lesson], input.lms),
        objectiveId: scormIdentifier(course.id, 'objective', lesson.id),
      });
    }
  } else {
    const page = await input.renderLaunchPage({ path: 'index.html', adapter: options.adapter });
    files.push(page);
    units.push({
      itemId: scormIdentifier(course.id, 'item'),
      resourceId: scormIdentifier(course.id, 'sco'),
      title: course.title,
      href: page.path,
      // One SCO lists every file it uses.
      files: [page.path, ...sharedPaths].sort(),
      ...passMarkFields(course, course.lessons, input.lms),
      objectiveId: scormIdentifier(course.id, 'objective'),
    });
  }
  const manifest = await renderTemplate(`manifests/${options.template}`, {
    toolVersion: TOOL_VERSION,
    manifestId: scormIdentifier(course.id, 'manifest'),
    orgId: scormIdentifier(course.id, 'org'),
    schemaVersion: options.schemaVersion ?? '1.2',
    course: { title: course.title, version: course.version, language: course.language, description: course.description ?? '' },
    units,
    // Several SCOs share the player and media through one asset resource they depend on.
    sharedId: input.unitPerLesson ? scormIdentifier(course.id, 'shared') : '',
    sharedFiles: input.unitPerLesson ? sharedPaths : [],
  });
  files.push({ path: 'imsmanifest.xml', content: manifest });
  for (const schemaFile of schemaFilesToShip(options.schema)) {
    files.push({ path: schemaFile.to, content: await readFile(schemaFile.from) });
  }
  return { files, descriptors: [{ path: 'imsmanifest.xml', schema: options.schema }] };
}
