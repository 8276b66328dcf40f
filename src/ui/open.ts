/** Opens a URL in the system browser (`lessonkit preview --open`). */
import { spawn } from 'node:child_process';

/**
 * Starts the platform's opener (`open`, `xdg-open`, `start`) detached; a failure is reported
 * through `warn` and never stops the command, since the URL is printed anyway.
 */
export function openInBrowser(url: string, warn: (message: string) => void): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => warn(`Could not open a browser (${cmd}); open ${url} yourself.`));
    child.unref();
  } catch {
    warn(`Could not open a browser; open ${url} yourself.`);
  }
}
