/** The data model of `lessonkit validate`: what a check reports and what a run returns (the `--json` contract). */

/** The packaging standard detected for a package; `web` is a web bundle (no LMS descriptor, index.html at the root). */
export type Standard = 'scorm12' | 'scorm2004-2nd' | 'scorm2004-3rd' | 'scorm2004-4th' | 'xapi' | 'cmi5' | 'web' | 'unknown';

/** How bad a finding is: errors fail the run, warnings only under `--strict`, infos never. */
export type Severity = 'error' | 'warning' | 'info';

/** Where a finding points. */
export interface FindingLocation {
  /** The zip entry (or file relative to the package folder) concerned. */
  entry?: string;
  /** 1-based line in that entry. */
  line?: number;
  /** 1-based column in that entry. */
  column?: number;
}

/** One problem (or note) about a package. */
export interface Finding {
  /** Stable rule id, e.g. `scorm.manifest.not-at-root`. */
  ruleId: string;
  /** Severity of this finding. */
  severity: Severity;
  /** What is wrong and how to fix it. */
  message: string;
  /** Where, when it can be said. */
  location?: FindingLocation;
}

/** The result for one package. */
export interface PackageReport {
  /** The package as given (resolved against cwd for reading, shown as given). */
  path: string;
  /** The standard detected. */
  standard: Standard;
  /** What the input was: a zip, a package folder, or a bare descriptor file. */
  input: 'zip' | 'folder' | 'descriptor';
  /** Every finding, in the order the checks ran. */
  findings: Finding[];
  /** Ids of every rule that was checked for this package (JUnit writes one test case per rule). */
  rulesChecked: string[];
}

/** Options of {@link validatePackage}. */
export interface ValidatePackageOptions {
  /** A zip file, a package folder, or a bare descriptor (imsmanifest.xml, cmi5.xml, tincan.xml). */
  path: string;
  /** Folder `path` is relative to. */
  cwd: string;
  /** Also read every entry (CRC) and check media (codec, faststart, duration). */
  deep?: boolean;
  /**
   * Warnings count as failures. A single report carries no verdict, so this only matters to
   * callers that pass the report on to `summarize(reports, strict)`; findings are unchanged.
   */
  strict?: boolean;
}

/** Options of {@link validatePackages}. */
export interface ValidatePackagesOptions {
  /** Zips, folders or bare descriptors. */
  paths: string[];
  /** Folder the paths are relative to. */
  cwd: string;
  /** See {@link ValidatePackageOptions.deep}. */
  deep?: boolean;
  /** Warnings count as failures. */
  strict?: boolean;
}

/** Totals over every package. */
export interface ValidationSummary {
  /** Number of error findings. */
  errors: number;
  /** Number of warning findings. */
  warnings: number;
}

/** The result of {@link validatePackages}: what `--reporter json` prints (plus `ok`, which it leaves out). */
export interface ValidatePackagesResult {
  /** One report per input, in input order. */
  packages: PackageReport[];
  /** Totals. */
  summary: ValidationSummary;
  /** False when any error was found (or any warning under strict). Decides exit code 1. */
  ok: boolean;
}
