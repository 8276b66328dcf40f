/** Time values in course.yaml and on the command line: seconds, or [HH:]MM:SS[.mmm]. */

const CLOCK = /^(?:(\d+):)?([0-5]?\d):([0-5]?\d(?:\.\d{1,6})?)$/;
const SECONDS = /^\d+(?:\.\d+)?$/;

/** Parses `90`, `90.5`, `01:30`, `00:01:30.500` to seconds; returns undefined when malformed. */
export function parseTime(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const v = value.trim();
  if (SECONDS.test(v)) return Number(v);
  const m = CLOCK.exec(v);
  if (!m) return undefined;
  const h = m[1] ? Number(m[1]) : 0;
  return h * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

/** Parses a duration: `90s`, `15m`, `1h`, `1h30m`, `2m30s`, plain seconds, or a clock time. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return parseTime(value);
  const v = value.trim().toLowerCase();
  const units = /^(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m(?!s))?\s*(?:(\d+(?:\.\d+)?)s)?$/.exec(v);
  if (units && (units[1] || units[2] || units[3])) {
    return Number(units[1] ?? 0) * 3600 + Number(units[2] ?? 0) * 60 + Number(units[3] ?? 0);
  }
  return parseTime(v);
}

/** Formats seconds as HH:MM:SS.mmm (milliseconds only when non-zero). */
export function formatTime(seconds: number): string {
  const totalMs = Math.round(seconds * 1000);
  const ms = totalMs % 1000;
  const s = Math.floor(totalMs / 1000);
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${hh}:${mm}:${ss}${ms ? '.' + String(ms).padStart(3, '0') : ''}`;
}
