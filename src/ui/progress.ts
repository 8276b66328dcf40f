import type { ProgressEvent } from '../core/context.js';

/** Options for {@link createProgressRenderer}. */
export interface ProgressRendererOptions {
  /** Where to draw (stderr). */
  stream: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Draw a live bar (TTY) or print one line per finished item. */
  tty: boolean;
  /** Print nothing at all (`--quiet`, `--json` still shows lines unless quiet). */
  quiet: boolean;
}

/** Formats seconds as M:SS for ETAs. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The extra text of a live bar: speed and ETA when the core reported them, then the detail. */
function liveDetail(event: ProgressEvent): string {
  const parts: string[] = [];
  if (event.speed !== undefined) parts.push(`${event.speed.toFixed(1)}x`);
  if (event.eta !== undefined) parts.push(`ETA ${formatEta(event.eta)}`);
  if (event.detail) parts.push(event.detail);
  return parts.join(' ');
}

/** Renders one bar line: `phase item [#####-----]  42%  1.2x ETA 0:13`. */
export function renderBar(event: ProgressEvent, width = 24): string {
  const ratio = event.total > 0 ? Math.min(1, Math.max(0, event.current / event.total)) : 0;
  const filled = Math.round(ratio * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const pct = `${Math.round(ratio * 100)}%`.padStart(4);
  const extra = liveDetail(event);
  return `${event.phase}${event.item ? ' ' + event.item : ''} [${bar}] ${pct}${extra ? '  ' + extra : ''}`;
}

/** Turns core progress events into a bar (TTY) or a line per finished item (logs, CI). */
export function createProgressRenderer(options: ProgressRendererOptions): { onProgress: (e: ProgressEvent) => void; clear: () => void } {
  let drawn = false;
  const clear = () => {
    if (drawn && options.tty) options.stream.write('\r\x1b[2K');
    drawn = false;
  };
  const onProgress = (e: ProgressEvent) => {
    if (options.quiet) return;
    if (options.tty) {
      if (e.done) {
        clear();
        options.stream.write(`✓ ${e.phase}${e.item ? ' ' + e.item : ''}${e.detail ? '  ' + e.detail : ''}\n`);
      } else {
        options.stream.write('\r\x1b[2K' + renderBar(e));
        drawn = true;
      }
    } else if (e.done) {
      options.stream.write(`${e.phase}${e.item ? ' ' + e.item : ''} done${e.total ? ` (${e.current}/${e.total})` : ''}${e.detail ? ' ' + e.detail : ''}\n`);
    }
  };
  return { onProgress, clear };
}
