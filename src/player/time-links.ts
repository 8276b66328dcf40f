/**
 * Time links in workbook and cheat-sheet pages (`#video=<segment>&t=<seconds>`, see
 * docs/steps.md). Those pages run no script (their CSP forbids it), so the player, which opened
 * the page and shares its origin, listens to clicks in it: a time link seeks the player's video.
 */
import { parseTimeLink, type TimeLink } from '../core/steps/time-link.js';

/** How often the opened page is looked at (for its document, and for the next page the learner opens in it). */
const POLL_MS = 250;

/**
 * Watches the window `win` (opened by the player) for as long as it is open, and calls `onLink`
 * when the learner follows a time link in whatever page of the bundle it shows.
 */
export function followTimeLinks(win: Window, onLink: (link: TimeLink) => void): void {
  const hooked = new WeakSet<Document>();
  const onClick = (event: MouseEvent) => {
    const target = event.target as Element | null;
    const anchor = target?.closest?.('a');
    const href = anchor?.getAttribute('href');
    if (!href || !href.startsWith('#')) return;
    const link = parseTimeLink(href);
    if (!link) return;
    event.preventDefault();
    onLink(link);
  };
  const timer = window.setInterval(() => {
    let doc: Document;
    try {
      if (win.closed) {
        window.clearInterval(timer);
        return;
      }
      doc = win.document;
    } catch {
      // The page went to another origin (a web link): nothing of ours to watch any more.
      window.clearInterval(timer);
      return;
    }
    if (hooked.has(doc) || doc.URL === 'about:blank') return;
    hooked.add(doc);
    doc.addEventListener('click', onClick);
    // Says that the page's time links work now (tests wait for it; styles may use it).
    doc.documentElement.setAttribute('data-lk-time-links', '');
  }, POLL_MS);
}
