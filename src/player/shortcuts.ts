/**
 * Keyboard shortcuts of the common video players (YouTube's and Able Player's): space and k
 * play or pause, j and l go 10 s back and forward, the arrows 5 s, c captions, f full screen,
 * m sound, ? the list. They listen on the player region only, so they act only while focus is
 * in it, and they leave alone every key a form field, a select or a button needs (and every
 * key with Ctrl, Alt or Meta, which screen readers and browsers use).
 */
import { h } from './dom.js';

/** What a shortcut can do. */
export interface ShortcutActions {
  togglePlay(): void;
  skip(seconds: number): void;
  toggleCaptions(): void;
  toggleFullscreen(): void;
  toggleMute(): void;
}

const KEYS: [string, string][] = [
  ['Space or K', 'Play or pause'],
  ['J', 'Back 10 seconds'],
  ['L', 'Forward 10 seconds'],
  ['Left arrow', 'Back 5 seconds'],
  ['Right arrow', 'Forward 5 seconds'],
  ['C', 'Captions on or off'],
  ['F', 'Full screen on or off'],
  ['M', 'Sound on or off'],
  ['?', 'Show this list'],
];

/** The "Keyboard shortcuts" dialog: a modal `<dialog>` (focus kept inside, Escape closes, focus returns). */
export function createShortcutsDialog(): { dialog: HTMLDialogElement; open(): void } {
  const close = h('button', { type: 'button', class: 'lk-dialog-close' }, 'Close');
  const dialog = h(
    'dialog',
    { class: 'lk-dialog', 'aria-labelledby': 'lk-keys-h' },
    h('h2', { id: 'lk-keys-h' }, 'Keyboard shortcuts'),
    h('p', {}, 'These keys work while the focus is in the video player (not while you type in a form).'),
    h(
      'table',
      { class: 'lk-keys' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Action'))),
      h('tbody', {}, ...KEYS.map(([k, a]) => h('tr', {}, h('td', {}, h('kbd', {}, k)), h('td', {}, a)))),
    ),
    close,
  );
  close.addEventListener('click', () => dialog.close());
  return {
    dialog,
    open() {
      if (!dialog.open) dialog.showModal();
      close.focus();
    },
  };
}

/** Listens for the shortcuts on `region`; `help` opens the list. */
export function installShortcuts(region: HTMLElement, actions: ShortcutActions, help: () => void): void {
  region.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented) return;
    const target = event.target as HTMLElement;
    const tag = target.tagName;
    // Form fields keep every key; buttons, links and checkboxes keep the keys that activate them.
    if (tag === 'INPUT' && (target as HTMLInputElement).type !== 'checkbox') return;
    if (tag === 'SELECT' || tag === 'TEXTAREA' || target.isContentEditable) return;
    const activates = tag === 'BUTTON' || tag === 'A' || tag === 'INPUT' || tag === 'SUMMARY';
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const run: Record<string, () => void> = {
      ' ': actions.togglePlay,
      k: actions.togglePlay,
      j: () => actions.skip(-10),
      l: () => actions.skip(10),
      ArrowLeft: () => actions.skip(-5),
      ArrowRight: () => actions.skip(5),
      c: actions.toggleCaptions,
      f: actions.toggleFullscreen,
      m: actions.toggleMute,
      '?': help,
    };
    const action = run[key];
    if (!action || (activates && (key === ' ' || key === 'Enter'))) return;
    event.preventDefault();
    // On the video itself, the browser's own controls would act on the key too (twice = nothing).
    if (tag === 'VIDEO') event.stopPropagation();
    action();
  }, true);
  // Chromium's video controls toggle playback on the space key's keyup, in their own listener:
  // caught on the way down, before it gets there.
  region.addEventListener('keyup', (event) => {
    if (event.key === ' ' && (event.target as HTMLElement).tagName === 'VIDEO') {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
}
