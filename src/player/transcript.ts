/**
 * The interactive transcript: one button per caption cue (it seeks), the cue being spoken
 * highlighted and scrolled into view inside its own box (never moving focus or the page), a
 * search that marks every match and jumps from one to the next with Enter, and a download of
 * the plain text.
 */
import { formatClock, h } from './dom.js';

/** What the player needs from the transcript. */
export interface TranscriptView {
  /** The panel's body (search, download, cues). */
  element: HTMLElement;
  /** Fills it from a loaded captions track of the segment `name` (used in the download's file name). */
  show(track: TextTrack, name: string): void;
  /** Empties it for a new segment. */
  clear(): void;
}

/** Creates the transcript; `seek` moves the video to a time. */
export function createTranscript(seek: (time: number) => void): TranscriptView {
  const input = h('input', { type: 'search', id: 'lk-tr-q', autocomplete: 'off', spellcheck: 'false' });
  const status = h('p', { class: 'lk-tr-status', role: 'status' });
  const download = h('a', { class: 'lk-tr-download' }, 'Download the transcript (text)');
  const list = h('div', { class: 'lk-transcript-body' });
  const element = h(
    'div',
    {},
    h('div', { class: 'lk-tr-search' }, h('label', { for: 'lk-tr-q' }, 'Search the transcript'), input, h('span', { class: 'lk-tr-help' }, 'Enter: next match')),
    status,
    list,
    download,
  );
  let cues: { cue: TextTrackCue; text: string; button: HTMLButtonElement }[] = [];
  let matches: number[] = [];
  let at = -1;
  let blobUrl = '';
  let detach = () => {};

  function paint(button: HTMLButtonElement, cue: TextTrackCue, text: string, query: string): void {
    const parts: (Node | string)[] = [h('span', { class: 'lk-cue-time' }, formatClock(cue.startTime)), ' '];
    if (!query) parts.push(text);
    else {
      const lower = text.toLowerCase();
      let i = 0;
      for (let j = lower.indexOf(query, i); j >= 0; j = lower.indexOf(query, i)) {
        parts.push(text.slice(i, j), h('mark', {}, text.slice(j, j + query.length)));
        i = j + query.length;
      }
      parts.push(text.slice(i));
    }
    button.replaceChildren(...parts);
  }

  function search(): void {
    const query = input.value.trim().toLowerCase();
    matches = [];
    at = -1;
    cues.forEach((c, i) => {
      paint(c.button, c.cue, c.text, query);
      if (query && c.text.toLowerCase().includes(query)) matches.push(i);
    });
    status.textContent = !query ? '' : matches.length ? `${matches.length} line${matches.length === 1 ? '' : 's'} found. Press Enter to go to the next.` : 'Not found in this video.';
  }

  input.addEventListener('input', search);
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    if (matches.length === 0) return;
    at = (at + 1) % matches.length;
    const c = cues[matches[at] ?? 0];
    if (!c) return;
    status.textContent = `Line ${at + 1} of ${matches.length}, at ${formatClock(c.cue.startTime)}.`;
    seek(c.cue.startTime);
    follow(c.button);
  });

  /** Scrolls the list (only the list) so `el` is in view. */
  function follow(el: HTMLElement): void {
    const top = el.offsetTop - list.offsetTop;
    if (top < list.scrollTop || top + el.offsetHeight > list.scrollTop + list.clientHeight) list.scrollTop = Math.max(0, top - list.clientHeight / 3);
  }

  function clear(): void {
    detach();
    cues = [];
    matches = [];
    list.replaceChildren();
    status.textContent = '';
    if (blobUrl) URL.revokeObjectURL(blobUrl);
    blobUrl = '';
    download.removeAttribute('href');
    download.hidden = true;
  }

  function show(track: TextTrack, name: string): void {
    clear();
    const all = track.cues ? Array.from(track.cues) : [];
    cues = all.map((cue) => {
      // getCueAsHTML parses the cue's markup and character references; its text is what a viewer reads.
      const text = (cue as VTTCue).getCueAsHTML().textContent ?? '';
      const button = h('button', { type: 'button', class: 'lk-cue' });
      button.addEventListener('click', () => seek(cue.startTime));
      return { cue, text, button };
    });
    list.replaceChildren(...(cues.length ? cues.map((c) => h('p', {}, c.button)) : [h('p', {}, 'No transcript for this video.')]));
    search();
    if (cues.length) {
      blobUrl = URL.createObjectURL(new Blob([cues.map((c) => `[${formatClock(c.cue.startTime)}] ${c.text}`).join('\n') + '\n'], { type: 'text/plain' }));
      download.href = blobUrl;
      download.download = `${name}-transcript.txt`;
      download.hidden = false;
    }
    const onCue = () => {
      const active = new Set(Array.from(track.activeCues ?? []));
      let first: HTMLElement | undefined;
      for (const c of cues) {
        const on = active.has(c.cue);
        c.button.classList.toggle('lk-cue-on', on);
        if (on) {
          c.button.setAttribute('aria-current', 'true');
          first ??= c.button;
        } else c.button.removeAttribute('aria-current');
      }
      if (first) follow(first);
    };
    track.addEventListener('cuechange', onCue);
    detach = () => track.removeEventListener('cuechange', onCue);
  }

  return { element, show, clear };
}
