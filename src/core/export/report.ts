/** Renderings of an export result: the summary table (stderr), and a JUnit report for CI. */
// Types only: the command imports the reporter names at start-up, which must not load the export engine.
import type { ExportCoursesResult, ExportItem } from './export.js';

/** The line that says what went wrong: the message, or its first detail when the message only introduces them. */
export function errorLine(error: ExportItem['error']): string {
  const first = error?.message.split('\n')[0] ?? '';
  return first.endsWith(':') && error?.details?.[0] ? error.details[0].trim() : first;
}

/** Names of the export reporters. */
export const EXPORT_REPORTERS = ['pretty', 'json', 'junit'] as const;
/** One of {@link EXPORT_REPORTERS}. */
export type ExportReporterName = (typeof EXPORT_REPORTERS)[number];

function size(bytes: number | undefined): string {
  if (bytes === undefined) return '';
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ').trimEnd());
}

/** The human report: one row per item, the errors in full, and a summary line. */
export function formatExportPretty(r: ExportCoursesResult): string {
  const rows = [['course', 'target', 'status', 'size', 'why'], ...r.items.map((i) => [i.id ?? i.course, i.target ?? '-', i.status, size(i.size), i.status === 'failed' ? errorLine(i.error) : i.reason])];
  const lines = pad(rows);
  const failed = r.items.filter((i) => i.status === 'failed' && i.error);
  const seen = new Set<string>();
  for (const i of failed) {
    const key = `${i.course}\0${i.error?.message ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push('', `${i.course}: ${i.error?.message ?? ''}`, ...(i.error?.details ?? []).map((d) => `  ${d}`), ...(i.error?.hint ? [`  fix: ${i.error.hint}`] : []));
  }
  const s = r.summary;
  const parts = r.dryRun ? [`${s.planned} to build`, `${s.unchanged} unchanged`] : [`${s.built} built`, `${s.unchanged} unchanged`];
  if (s.failed) parts.push(`${s.failed} failed`);
  lines.push('', `${r.dryRun ? 'dry run: ' : ''}${parts.join(', ')} (${r.courses.inShard} course${r.courses.inShard === 1 ? '' : 's'}${r.shard ? ` in shard ${r.shard} of ${r.courses.found}` : ''}) -> ${r.out}`);
  return lines.join('\n');
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/gu, '');
}

function testcase(i: ExportItem): string {
  const name = xml(`${i.id ?? i.course} ${i.target ?? ''}`.trim());
  const open = `    <testcase classname="${xml(i.course)}" name="${name}" time="${(i.durationMs / 1000).toFixed(3)}"`;
  if (i.status !== 'failed') return `${open}><system-out>${xml(`${i.status}: ${i.reason}${i.zip ? ` (${i.zip})` : ''}`)}</system-out></testcase>`;
  const e = i.error;
  const body = [e?.message ?? '', ...(e?.details ?? []), ...(e?.hint ? [`fix: ${e.hint}`] : [])].join('\n');
  return `${open}><failure type="${xml(e?.code ?? 'E_FAILED')}" message="${xml(errorLine(i.error))}">${xml(body)}</failure></testcase>`;
}

/** JUnit XML: one testsuite for the export, one testcase per item. */
export function formatExportJunit(r: ExportCoursesResult): string {
  const failures = r.summary.failed;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lessonkit export" tests="${r.items.length}" failures="${failures}">`,
    `  <testsuite name="lessonkit export${r.shard ? ` ${xml(r.shard)}` : ''}" tests="${r.items.length}" failures="${failures}" errors="0" skipped="0">`,
    ...r.items.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** The report in the named format. */
export function formatExportReport(r: ExportCoursesResult, reporter: ExportReporterName): string {
  if (reporter === 'json') return JSON.stringify(r, null, 2) + '\n';
  if (reporter === 'junit') return formatExportJunit(r);
  return formatExportPretty(r) + '\n';
}
