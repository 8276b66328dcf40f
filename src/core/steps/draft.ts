/**
 * The words of a steps draft: what the narrator said at each step (caption cues), one imperative
 * sentence per step, and the Markdown page in the workbook format (title, "You will need",
 * numbered steps with a still and a time link). Pure.
 */
import type { Cue } from '../media/captions.js';
import { formatClock, timeLinkFragment } from './time-link.js';

/** A step ready to be written. */
export interface DraftStep {
  /** The segment it belongs to, and its title (the link text names it). */
  segmentId: string;
  segmentTitle: string;
  /** Seconds from the segment's start. */
  time: number;
  /** The screen's title as read (empty when nothing was legible). */
  title: string;
  /** The changed region's text as read (empty when none). */
  regionText: string;
  /** What the narrator said then (cue texts, in order). */
  spoken: string[];
  /** The whole screen changed (a new page) rather than part of it. */
  page: boolean;
  /** The still, relative to the Markdown file (forward slashes). */
  image: string;
}

/** Seconds a narrator typically speaks before the click they describe. */
const LEAD = 1;

/**
 * The cues spoken at each step: those starting between a second before the step and a second
 * before the next one; when none starts there, the cue running at the step. Pure.
 */
export function pairCues(times: readonly number[], cues: readonly Cue[]): Cue[][] {
  return times.map((t, i) => {
    const next = times[i + 1] ?? Infinity;
    const starting = cues.filter((c) => c.start >= t - LEAD && c.start < next - LEAD);
    if (starting.length) return starting;
    const running = cues.find((c) => c.start <= t && c.end > t);
    return running ? [running] : [];
  });
}

const FILLER = /^(?:(?:so|now|okay|ok|and|then|next|first|firstly|finally|lastly|after that|here|well|right|alright|all right)\b[,.]?\s+)+/i;
const SUBJECT = /^(?:i(?:'m| am) going to|i(?:'ll| will)|we(?:'re| are) going to|we(?:'ll| will)|you(?:'re| are) going to|you(?:'ll| will)?|let(?:'s| us)|let me|i|we|just|simply|go ahead and)\s+/i;

/** One imperative sentence from speech: "Now I click Save, and..." becomes "Click Save, and...". Pure. */
export function imperative(spoken: string): string {
  const first = (spoken.replace(/\s+/g, ' ').trim().match(/^.*?[.!?](?=\s|$)/)?.[0] ?? spoken.replace(/\s+/g, ' ').trim()).trim();
  let s = first;
  for (let i = 0; i < 4; i++) {
    const next = s.replace(FILLER, '').replace(SUBJECT, '');
    if (next === s) break;
    s = next;
  }
  if (!s) return '';
  s = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** Text read by OCR, tidied for a sentence: one line, no stray symbols at the ends. */
export function tidyOcr(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}).!?]+$/gu, '').trim();
}

/** The step's sentence: the narrator's words, else "Open <title>" for a new page, "Click <text>" for a part of it. */
export function instruction(step: Pick<DraftStep, 'spoken' | 'title' | 'regionText' | 'page'>, first: boolean): string {
  const said = step.spoken.length ? imperative(step.spoken.join(' ')) : '';
  if (said) return said;
  if ((step.page || first || !step.regionText) && step.title) return `Open ${step.title}.`;
  if (step.regionText) return `Click ${step.regionText}.`;
  return first ? 'Start here.' : 'Do what the picture shows.';
}

/** Escapes text for inline Markdown (no markup, links or HTML from OCR or captions). */
export function mdText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!<>|~]/g, (c) => `\\${c}`).replace(/^(\d+)\./, '$1\\.');
}

/** Options of {@link renderDraft}. */
export interface RenderDraftOptions {
  lessonTitle: string;
  steps: readonly DraftStep[];
  /** Shown in the comment at the top (how it was made). */
  generatedFrom: string;
}

/** The Markdown page. */
export function renderDraft(o: RenderDraftOptions): string {
  const lines: string[] = [];
  lines.push(`# ${mdText(o.lessonTitle)}: step by step`, '');
  lines.push(
    '<!--',
    `  Drafted by \`lessonkit steps\` from ${o.generatedFrom.replace(/--/g, '- -')}. Read every step against the video,`,
    '  rewrite the sentences in your words and delete this comment. Running `lessonkit steps` again',
    '  does not replace this file unless you pass --force.',
    '-->',
    '',
  );
  lines.push('## You will need', '');
  const start = o.steps[0];
  if (start?.title) lines.push(`- ${mdText(start.title)} open on your screen`);
  lines.push('- (what the learner needs before starting: access rights, a file, a client record)', '');
  lines.push('## Steps', '');
  o.steps.forEach((s, i) => {
    const n = `${i + 1}.`;
    const pad = ' '.repeat(n.length + 1);
    const sentence = instruction(s, i === 0);
    const where = s.page || i === 0 ? (s.title ? `the ${s.title} screen` : 'the screen') : `${s.regionText ? `"${s.regionText}"` : 'the changed area'}${s.title ? ` on the ${s.title} screen` : ''}, outlined in red`;
    lines.push(`${n} ${mdText(sentence)}`, '');
    lines.push(`${pad}![Step ${i + 1}: ${mdText(where)}](${encodeURI(s.image)})`, '');
    lines.push(`${pad}[Watch step ${i + 1} in the video "${mdText(s.segmentTitle)}" at ${formatClock(s.time)}](${timeLinkFragment({ segmentId: s.segmentId, time: s.time })})`, '');
  });
  return lines.join('\n');
}
