/** The two session-time formats of SCORM, from elapsed milliseconds. */

/** SCORM 1.2 CMITimespan: `HHHH:MM:SS.SS` (hours zero-padded to four digits, at most 9999). */
export function formatScorm12Time(ms: number): string {
  const centis = Math.max(0, Math.round(ms / 10));
  const hours = Math.min(9999, Math.floor(centis / 360000));
  const minutes = Math.floor((centis % 360000) / 6000);
  const seconds = Math.floor((centis % 6000) / 100);
  const frac = centis % 100;
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(hours, 4)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(frac, 2)}`;
}

/** SCORM 2004 timeinterval (ISO 8601 duration, seconds to hundredths), e.g. `PT1H2M3.45S`. */
export function formatIsoDuration(ms: number): string {
  const centis = Math.max(0, Math.round(ms / 10));
  const hours = Math.floor(centis / 360000);
  const minutes = Math.floor((centis % 360000) / 6000);
  const seconds = (centis % 6000) / 100;
  let out = 'PT';
  if (hours) out += `${hours}H`;
  if (hours || minutes) out += `${minutes}M`;
  out += `${Number.isInteger(seconds) ? seconds : seconds.toFixed(2).replace(/0$/, '')}S`;
  return out;
}
