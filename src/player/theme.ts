/**
 * Applies course.yaml's `theme:` to the page: the accent as a CSS variable (its contrast was
 * checked at build), the font (a file inside the bundle through @font-face, never a URL from
 * elsewhere), and the logo element for the header.
 */
import type { PlayerTheme } from '../core/player-build/config.js';
import { h } from './dom.js';

const SERIF = 'Georgia, Cambria, "Times New Roman", serif';

/** Sets the theme's variables on the document; returns the logo image, if any. */
export function applyTheme(theme: PlayerTheme | undefined, url: (path: string) => string): HTMLImageElement | undefined {
  if (!theme) return undefined;
  const root = document.documentElement.style;
  if (theme.accent) root.setProperty('--lk-accent', theme.accent);
  if (theme.font === 'serif') root.setProperty('--lk-font', SERIF);
  else if (theme.font !== 'system') {
    // The path is ours (a safe file name under theme/), and JSON.stringify quotes it for CSS.
    document.head.append(h('style', {}, `@font-face{font-family:lk-brand;src:url(${JSON.stringify(url(theme.font))});font-display:swap}`));
    root.setProperty('--lk-font', 'lk-brand, system-ui, sans-serif');
  }
  const logo = theme.logo;
  return logo ? h('img', { class: 'lk-logo', src: url(logo.src), alt: logo.alt, width: String(logo.width), height: String(logo.height) }) : undefined;
}
