/**
 * Entry point of the player bundle (dist/player/player.js + player.css). The launch page embeds
 * its configuration as JSON and names the adapter; nothing is fetched from anywhere else.
 */
import './player.css';
import type { PlayerConfig } from '../core/player-build/config.js';
import { ADAPTERS } from './adapters/index.js';
import { startPlayer, type ConnectionWatch, type PlayerHandle } from './app.js';

declare global {
  interface Window {
    /** The running player (for diagnostics and tests). */
    lessonkit?: { player?: PlayerHandle; error?: string };
  }
}

function fail(root: HTMLElement, message: string): void {
  const p = document.createElement('p');
  p.className = 'lk-notice';
  p.setAttribute('role', 'alert');
  p.textContent = message;
  root.replaceChildren(p);
  window.lessonkit = { error: message };
}

async function boot(): Promise<void> {
  const root = document.getElementById('lessonkit-app');
  const configEl = document.getElementById('lessonkit-config');
  if (!root || !configEl) return;
  let config: PlayerConfig;
  try {
    config = JSON.parse(configEl.textContent ?? '') as PlayerConfig;
  } catch {
    fail(root, 'This course page is damaged (its configuration cannot be read). Rebuild the package with lessonkit build.');
    return;
  }
  const factory = ADAPTERS[config.adapter];
  if (!factory) {
    fail(root, `This course page asks for the "${config.adapter}" connection, which this player does not have. Rebuild the package with lessonkit build.`);
    return;
  }
  // The adapter reports whether the LMS takes the learner's data; the player shows it (set once it runs).
  const connection: ConnectionWatch = {};
  const adapter = factory({
    courseId: config.course.id,
    courseVersion: config.course.version,
    courseIri: config.course.iri,
    courseTitle: config.course.title,
    window,
    log: (message) => console.warn(message),
    ...(config.lms ? { lms: config.lms } : {}),
    onConnection: (ok) => connection.listener?.(ok),
  });
  try {
    window.lessonkit = { player: await startPlayer(root, config, adapter, connection) };
  } catch (err) {
    console.error('lessonkit: the player failed to start', err);
    fail(root, 'The course could not start. Close it and open it again; if that does not help, tell your course administrator.');
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void boot());
else void boot();
