import { z } from 'zod';

import { LMS_NAMES } from '../package/lms/names.js';
import { MOVE_ON, TARGETS } from './targets.js';

export { MOVE_ON, TARGETS, type TargetName } from './targets.js';

const ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const TIME_PATTERN = /^(?:\d+(?:\.\d+)?|(?:\d+:)?[0-5]?\d:[0-5]?\d(?:\.\d{1,6})?)$/;

const id = (what: string) =>
  z
    .string()
    .regex(ID_PATTERN, { message: `a ${what} id uses lowercase letters, digits and dashes, starting with a letter or digit` })
    .max(64)
    .describe(`Stable ${what} id: lowercase letters, digits and dashes. It becomes package identifiers, so do not change it after publishing.`);

const timeValue = z
  .union([z.number().nonnegative(), z.string().regex(TIME_PATTERN, { message: 'a time is seconds (90.5) or [HH:]MM:SS[.mmm] ("00:01:30.500")' })])
  .describe('A time in the source recording: seconds, or "[HH:]MM:SS[.mmm]".');

const relPath = (what: string) => z.string().min(1).describe(`${what}, relative to the course folder.`);

const boxValue = z
  .union([z.number().int().nonnegative(), z.string().regex(/^\d+(?:\.\d+)?%$/, { message: 'a box value is whole pixels (412) or a percentage of the frame ("10%")' })])
  .describe('Pixels of the source recording, or a percentage of its width/height ("10%").');

/** The keys of one redaction region (shared by the course-level and the segment-level lists). */
const regionShape = {
  box: z.tuple([boxValue, boxValue, boxValue, boxValue]).describe('The rectangle to hide: [x, y, width, height] from the top-left of the source frame.'),
  from: timeValue.optional().describe('Start, in the source recording; absent = from its start.'),
  to: timeValue.optional().describe('End, in the source recording; absent = to its end.'),
  style: z.enum(['blur', 'pixelate', 'box']).default('blur').describe('How the region is hidden: blur (default), pixelate, or box (a solid black box).'),
  note: z.string().optional().describe('Why it is hidden (for the author; `redact find --write` names the pattern).'),
};

/** One redaction region of a segment (times are in the source recording). */
export const segmentRedactSchema = z.strictObject(regionShape).describe('A region of the recording hidden in every rendered frame of its time range.');

/** One redaction region of a recording: applies to every segment cut from `source`. */
export const recordingRedactSchema = z
  .strictObject({ source: relPath('The recording the region belongs to'), ...regionShape })
  .describe('A region of a recording hidden in every segment cut from it.');

/** One segment: a cut of a source recording. */
export const segmentSchema = z
  .strictObject({
    id: id('segment'),
    title: z.string().min(1).describe('Shown in the player playlist.'),
    source: relPath('The source recording (never modified)'),
    from: timeValue,
    to: timeValue,
    captions: relPath('Captions for the source recording (.srt or .vtt), cut and re-timed to the segment').optional(),
    chapters: z
      .array(
        z.strictObject({
          time: z
            .union([z.number().nonnegative(), z.string().regex(TIME_PATTERN, { message: 'a time is seconds (90.5) or [HH:]MM:SS[.mmm] ("00:01:30.500")' })])
            .describe('Where the chapter starts, counted from the start of the segment (not of the recording).'),
          title: z.string().min(1).describe('Shown in the chapter list and the WebVTT chapters track.'),
        }),
      )
      .optional()
      .describe('Chapters inside the segment, in order: marks on the timeline and a list that seeks.'),
    redact: z.array(segmentRedactSchema).optional().describe('Regions hidden in this segment only (see also the course-level redact).'),
  })
  .describe('A segment of a lesson: one short video cut from a recording.');

/** One lesson. */
export const lessonSchema = z
  .strictObject({
    id: id('lesson'),
    title: z.string().min(1),
    objectives: z.array(z.string().min(1)).optional().describe('What the learner can do after the lesson.'),
    segments: z.array(segmentSchema).default([]).describe('The videos of the lesson, in order.'),
    workbook: relPath('Workbook (Markdown, or PDF/DOCX/XLSX shipped as-is)').optional(),
    cheatsheet: relPath('Task-oriented cheat-sheet (Markdown or a document)').optional(),
    attachments: z.array(relPath('A file offered for download')).default([]),
    quiz: relPath('Knowledge check (YAML)').optional(),
  })
  .describe('A lesson: a few short segments plus a workbook and cheat-sheet.');

/** The whole course.yaml. */
export const courseSchema = z
  .strictObject({
    id: id('course'),
    title: z.string().min(1),
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/, { message: 'a version looks like 1.2.0' })
      .default('1.0.0'),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, { message: 'a language is a BCP 47 tag such as en-US or de' })
      .default('en-US'),
    description: z.string().optional(),
    authors: z
      .array(z.strictObject({ name: z.string().min(1), organization: z.string().optional(), email: z.string().optional() }))
      .default([]),
    iri: z
      .url({ message: 'iri must be an absolute IRI such as https://training.example.com/courses/my-course' })
      .optional()
      .describe('Base for xAPI and cmi5 activity ids; required for those targets.'),
    completion: z
      .strictObject({
        watchedPercent: z.number().int().min(1).max(100).default(90).describe('Share of each segment that must actually be played.'),
        requireWorkbook: z.boolean().default(false).describe('Also require each lesson workbook to be opened.'),
        masteryScore: z.number().min(0).max(100).optional().describe('Pass mark for knowledge checks, in percent.'),
        moveOn: z.enum(MOVE_ON).optional().describe('cmi5 moveOn for the AU(s).'),
      })
      .default({ watchedPercent: 90, requireWorkbook: false }),
    theme: z
      .strictObject({
        accent: z
          .string()
          .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, { message: 'an accent colour is #rgb or #rrggbb' })
          .optional()
          .describe('Brand colour of buttons, links and marks (#rrggbb); white text on it and it on white must reach 4.5:1.'),
        logo: relPath('Logo shown beside the course title (PNG, JPEG, GIF or WebP)').optional(),
        logoAlt: z.string().min(1).optional().describe('Text alternative of the logo (the company name); required with logo.'),
        font: z
          .string()
          .min(1)
          .optional()
          .describe('`system` (default), `serif`, or a font file in the course folder (.woff2, .woff, .ttf, .otf).'),
      })
      .optional()
      .describe('The look of the player: the vendor\'s colour, logo and font.'),
    lessons: z.array(lessonSchema).min(1, { message: 'a course needs at least one lesson' }),
    targets: z.array(z.enum(TARGETS)).min(1).default(['scorm12', 'scorm2004-4th']),
    redact: z.array(recordingRedactSchema).default([]).describe('Regions hidden in every segment cut from their source recording.'),
    lms: z
      .enum(LMS_NAMES)
      .optional()
      .describe('The LMS the packages are for: its known quirks are handled (see docs/lms.md). Default generic, the safest behaviour for any LMS.'),
  })
  .describe('A lessonkit course.');

/** course.yaml as written (before normalisation). */
export type CourseFile = z.output<typeof courseSchema>;
/** A segment as written. */
export type SegmentFile = z.output<typeof segmentSchema>;
/** A lesson as written. */
export type LessonFile = z.output<typeof lessonSchema>;

/** The JSON Schema of course.yaml, for editors (`# yaml-language-server: $schema=...`). */
export function courseJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(courseSchema, { io: 'input', target: 'draft-7' }) as Record<string, unknown>;
  return { $id: 'https://lessonkit.dev/schema/course.schema.json', title: 'lessonkit course.yaml', ...schema };
}
