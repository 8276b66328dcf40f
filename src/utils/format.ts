/**
 * Sizes for people. Decimal (SI) units everywhere lessonkit prints a size: 1 kB = 1000 bytes,
 * 1 MB = 10^6 bytes, as file managers on macOS and most download pages count, so the number a
 * user compares against a disk or an LMS upload limit means what its label says.
 */

const UNITS = ['kB', 'MB', 'GB', 'TB'] as const;

/** "12 bytes", "340 kB", "1.4 MB", "2 GB": one decimal below 10, whole numbers above. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1000) {
    const n = Number.isFinite(bytes) ? Math.max(0, Math.round(bytes)) : 0;
    return `${n} byte${n === 1 ? '' : 's'}`;
  }
  let value = bytes / 1000;
  let unit = 0;
  // Rounding decides the unit: 999,999 bytes is "1 MB", not "1000 kB".
  while (unit < UNITS.length - 1 && Math.round(value * 10) / 10 >= 1000) {
    value /= 1000;
    unit += 1;
  }
  const shown = value < 9.95 ? String(Math.round(value * 10) / 10) : String(Math.round(value));
  return `${shown} ${UNITS[unit]}`;
}
