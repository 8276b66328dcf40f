/**
 * The target-writer interface: what a packaging target (scorm12, scorm2004-4th, web, xapi,
 * cmi5...) adds to the files every bundle shares. The build pipeline renders the media and
 * the player once, then asks each target for its descriptor(s) and launch page(s), zips the
 * union and validates the descriptors. Adding a target is one file in this folder plus one
 * line in `index.ts`.
 */
import type { Course } from '../../course/load.js';
import type { TargetName } from '../../course/schema.js';
import type { LmsProfile } from '../lms/types.js';

/** A target name after aliases are resolved (`scorm2004` is `scorm2004-4th`). */
export type PackageTargetName = Exclude<TargetName, 'scorm2004'>;

/** One file of a bundle: copied from disk (`source`) or written from memory (`content`). */
export interface BundleFile {
  /** Path inside the bundle, forward slashes, no leading slash (e.g. `media/intro/why.mp4`). */
  path: string;
  /** Absolute path on disk to copy from. Exactly one of `source` and `content` is set. */
  source?: string;
  /** The bytes or text of the file. */
  content?: string | Uint8Array;
  /** Store without compression (media that is already compressed). Text is deflated. */
  store?: boolean;
}

/** The schema set a descriptor is checked against (the official XSDs, offline). */
export type DescriptorSchema = 'scorm12' | 'scorm2004-3rd' | 'scorm2004-4th' | 'cmi5';

/** A descriptor the target wrote and the build must validate before it reports success. */
export interface Descriptor {
  /** Path inside the bundle (e.g. `imsmanifest.xml`, `cmi5.xml`, `tincan.xml`). */
  path: string;
  /** The official schema set to validate it with; absent when no XSD exists (tincan.xml). */
  schema?: DescriptorSchema;
}

/** Options for {@link TargetInput.renderLaunchPage}. */
export interface LaunchPageOptions {
  /** Path of the page inside the bundle (e.g. `index.html`, `lessons/intro.html`). */
  path: string;
  /** The adapter the page starts the player with (`web`, `scorm12`, `scorm2004`, or one a target adds). */
  adapter: string;
  /** Restrict the page to these lessons (one SCO/AU per lesson); all lessons when absent. */
  lessonIds?: string[];
}

/** What the pipeline gives a target writer. */
export interface TargetInput {
  /** The loaded course. */
  course: Course;
  /**
   * Files every bundle shares (player JS/CSS, media, posters, captions, materials), sorted by
   * path. A descriptor that lists "every file" lists these plus the target's own pages.
   */
  shared: BundleFile[];
  /** True for `--sco-per-lesson`: one launchable unit (SCO / AU) per lesson instead of one per course. */
  unitPerLesson: boolean;
  /** The LMS profile (what the manifest says for that LMS); generic when absent. */
  lms?: LmsProfile;
  /** Renders the player's HTML launch page (author text escaped, paths relative to `path`). */
  renderLaunchPage(options: LaunchPageOptions): Promise<BundleFile>;
}

/** What a target writer returns. */
export interface TargetOutput {
  /** Files the target adds: launch page(s), descriptor(s), schema files. */
  files: BundleFile[];
  /** Descriptors among `files` that the build validates before it reports success. */
  descriptors: Descriptor[];
}

/** A packaging target. */
export interface PackageTarget {
  /** The name used in course.yaml and `--target`. */
  name: PackageTargetName;
  /** One line for `--help` and the README. */
  description: string;
  /**
   * Checks what the target needs from the course before any media is rendered (xAPI and cmi5
   * need `iri`, for example). Throws a UserError naming course.yaml, the value and the fix.
   */
  check?(course: Course): void;
  /** Produces the target's files. Must be a pure function of its input (byte-identical rebuilds). */
  write(input: TargetInput): Promise<TargetOutput>;
}
