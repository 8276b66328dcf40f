/**
 * Report formats for `lessonkit validate`: pretty (people), json (a stable contract for CI),
 * junit (test-report dashboards), github (workflow-command annotations). Pure functions from
 * a result to text; the command decides where the text goes.
 */
import { RULES } from './rules.js';
import type { Finding, Standard, ValidatePackagesResult } from './types.js';

/**
 * Escapes text for XML 1.0 content and attributes. Unlike the template helper, it also
 * replaces characters XML 1.0 cannot hold at all (control characters can occur in hostile zip
 * entry names), so the JUnit report always parses.
 */
export function escapeXml(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&apos;';
    else if ((c < 0x20 && c !== 0x9 && c !== 0xa && c !== 0xd) || c === 0xfffe || c === 0xffff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** The reporters `--reporter` accepts. */
export const REPORTERS = ['pretty', 'json', 'junit', 'github'] as const;
/** One of {@link REPORTERS}. */
export type ReporterName = (typeof REPORTERS)[number];

/** Colour functions for the pretty reporter (identity functions when colour is off). */
export interface Painter {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** The JSON contract: `{ packages: [{ path, standard, findings: [{ ruleId, severity, message, location }] }], summary: { errors, warnings } }`. */
export interface JsonReport {
  /** One entry per package, in input order. */
  packages: { path: string; standard: Standard; findings: Required<Pick<Finding, 'ruleId' | 'severity' | 'message' | 'location'>>[] }[];
  /** Totals. */
  summary: { errors: number; warnings: number };
}

/** Human names of the standards. */
export const STANDARD_NAMES: Record<Standard, string> = {
  scorm12: 'SCORM 1.2',
  'scorm2004-2nd': 'SCORM 2004 2nd Edition',
  'scorm2004-3rd': 'SCORM 2004 3rd Edition',
  'scorm2004-4th': 'SCORM 2004 4th Edition',
  xapi: 'xAPI (Tin Can)',
  cmi5: 'cmi5',
  web: 'web bundle, no LMS',
  unknown: 'unknown standard',
};

/** Builds the JSON contract object (location is always present, `{}` when unknown). */
export function toJsonReport(result: ValidatePackagesResult): JsonReport {
  return {
    packages: result.packages.map((p) => ({
      path: p.path,
      standard: p.standard,
      findings: p.findings.map((f) => ({ ruleId: f.ruleId, severity: f.severity, message: f.message, location: f.location ?? {} })),
    })),
    summary: { errors: result.summary.errors, warnings: result.summary.warnings },
  };
}

function where(f: Finding): string {
  const l = f.location;
  if (!l) return '';
  return [l.entry, l.line, l.line !== undefined ? l.column : undefined].filter((x) => x !== undefined).join(':');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Pretty: grouped by package, severities coloured, one summary line. */
export function formatPretty(result: ValidatePackagesResult, paint: Painter): string {
  const lines: string[] = [];
  for (const p of result.packages) {
    lines.push(`${paint.bold(p.path)} ${paint.dim(`(${STANDARD_NAMES[p.standard]})`)}`);
    if (p.findings.length === 0) {
      lines.push(`  ${paint.green('ok')} ${paint.dim(`no findings, ${plural(p.rulesChecked.length, 'rule')} checked`)}`);
    }
    for (const f of p.findings) {
      const sev = f.severity === 'error' ? paint.red('error  ') : f.severity === 'warning' ? paint.yellow('warning') : paint.cyan('info   ');
      const at = where(f);
      lines.push(`  ${sev} ${at ? `${at}  ` : ''}${f.message}  ${paint.dim(f.ruleId)}`);
    }
    lines.push('');
  }
  const { errors, warnings } = result.summary;
  const failed = result.packages.filter((p) => p.findings.some((f) => f.severity === 'error')).length;
  const verdict = result.ok ? paint.green('passed') : paint.red('failed');
  lines.push(`${verdict}: ${plural(result.packages.length, 'package')}, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}${failed ? ` (${failed} with errors)` : ''}`);
  return lines.join('\n');
}

/** JSON: exactly one document. */
export function formatJson(result: ValidatePackagesResult): string {
  return JSON.stringify(toJsonReport(result), null, 2);
}

/**
 * JUnit XML: one testsuite per package, one testcase per rule checked; a rule with error
 * findings (or warnings under strict) is a failure, other findings go to system-out.
 */
export function formatJunit(result: ValidatePackagesResult, strict = false): string {
  const fails = (f: Finding) => f.severity === 'error' || (strict && f.severity === 'warning');
  const suites: string[] = [];
  let totalTests = 0;
  let totalFailures = 0;
  for (const p of result.packages) {
    const byRule = new Map<string, Finding[]>();
    for (const id of p.rulesChecked) byRule.set(id, []);
    for (const f of p.findings) {
      const list = byRule.get(f.ruleId) ?? [];
      list.push(f);
      byRule.set(f.ruleId, list);
    }
    const cases: string[] = [];
    let failures = 0;
    for (const [id, list] of byRule) {
      const failing = list.filter(fails);
      const other = list.filter((f) => !fails(f));
      let body = '';
      if (failing.length > 0) {
        failures += 1;
        const text = failing.map((f) => `${where(f) ? `${where(f)}: ` : ''}${f.message}`).join('\n');
        body += `<failure type="${escapeXml(id)}" message="${escapeXml(failing[0]!.message)}">${escapeXml(text)}</failure>`;
      }
      if (other.length > 0) body += `<system-out>${escapeXml(other.map((f) => `${f.severity}: ${where(f) ? `${where(f)}: ` : ''}${f.message}`).join('\n'))}</system-out>`;
      const head = `    <testcase classname="${escapeXml(p.path)}" name="${escapeXml(id)}"`;
      cases.push(body ? `${head}>${body}</testcase>` : `${head}/>`);
    }
    totalTests += byRule.size;
    totalFailures += failures;
    suites.push(
      `  <testsuite name="${escapeXml(p.path)}" tests="${byRule.size}" failures="${failures}" errors="0" skipped="0">\n` +
        `    <properties><property name="standard" value="${escapeXml(p.standard)}"/></properties>\n` +
        cases.join('\n') +
        (cases.length ? '\n' : '') +
        '  </testsuite>',
    );
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="lessonkit validate" tests="${totalTests}" failures="${totalFailures}" errors="0">\n` +
    suites.join('\n') +
    (suites.length ? '\n' : '') +
    '</testsuites>'
  );
}

function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function ghProp(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=rule::message`. The file
 * is the package path (a folder package: the file inside it), since annotations attach to
 * repository files; the zip entry is named in the message.
 */
export function formatGithub(result: ValidatePackagesResult): string {
  const lines: string[] = [];
  for (const p of result.packages) {
    const isZip = p.input === 'zip';
    for (const f of p.findings) {
      const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      const entry = f.location?.entry;
      const bare = p.input === 'descriptor';
      const file = entry && !isZip && !bare ? `${p.path.replace(/[\\/]+$/, '')}/${entry}` : p.path;
      const props = [`file=${ghProp(file)}`];
      // Line numbers only mean something when the annotation points at the descriptor itself.
      const lineHere = !isZip && f.location?.line !== undefined;
      if (lineHere) props.push(`line=${f.location!.line}`);
      if (lineHere && f.location?.column !== undefined) props.push(`col=${f.location.column}`);
      props.push(`title=${ghProp(f.ruleId)}`);
      const prefix = isZip && entry ? `${entry}${f.location?.line !== undefined ? `:${f.location.line}` : ''}: ` : '';
      lines.push(`::${level} ${props.join(',')}::${ghData(prefix + f.message)}`);
    }
  }
  lines.push(`lessonkit validate: ${plural(result.packages.length, 'package')}, ${plural(result.summary.errors, 'error')}, ${plural(result.summary.warnings, 'warning')}`);
  return lines.join('\n');
}

/** Formats a result with the named reporter. */
export function formatReport(result: ValidatePackagesResult, reporter: ReporterName, options: { paint: Painter; strict?: boolean }): string {
  switch (reporter) {
    case 'json':
      return formatJson(result);
    case 'junit':
      return formatJunit(result, options.strict);
    case 'github':
      return formatGithub(result);
    default:
      return formatPretty(result, options.paint);
  }
}

/** The rule catalogue as text (`--list-rules`). */
export function formatRuleList(paint: Painter): string {
  const width = Math.max(...RULES.map((r) => r.id.length));
  return RULES.map((r) => {
    const sev = r.severity === 'error' ? paint.red('error  ') : r.severity === 'warning' ? paint.yellow('warning') : paint.cyan('info   ');
    const scope = r.standards === 'all' ? 'all' : r.standards.join(',');
    return `${r.id.padEnd(width)}  ${sev}  ${r.summary}${r.deep ? ' [--deep]' : ''}  ${paint.dim(`(${scope})`)}`;
  }).join('\n');
}
