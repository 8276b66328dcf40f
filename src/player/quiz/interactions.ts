/**
 * One answered question in each SCORM version's data model: the (element, value) pairs an
 * adapter sets for `cmi.interactions.n`, in the order the run-times require (id and type
 * before everything that depends on the type). DOM-free, so unit tests check the formats.
 */
import type { InteractionReport } from './interaction-types.js';
import { formatIsoDuration, formatScorm12Time } from '../adapters/scorm-time.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** SCORM 1.2 CMITime `HH:MM:SS` (local clock time). */
function clock12(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** SCORM 1.2 formats: choice `a,b` (single characters), true-false `t`/`f`, fill-in the text (CMIFeedback, 255). */
function response12(i: InteractionReport, r: string[], limit: number): string {
  if (i.type === 'true-false') return r[0] === 'true' ? 't' : 'f';
  if (i.type === 'choice') return r.join(',');
  return limit > 0 ? (r[0] ?? '').slice(0, limit) : (r[0] ?? '');
}

/**
 * `cmi.interactions.<n>.*` for SCORM 1.2. `limit` caps typed answers (CMIFeedback is 255
 * characters, and LMSs that enforce it refuse the whole value); 0 writes them whole.
 */
export function scorm12InteractionValues(i: InteractionReport, n: number, now: Date, limit = 255): [string, string][] {
  const p = `cmi.interactions.${n}.`;
  return [
    [`${p}id`, i.id.slice(0, 255)],
    [`${p}type`, i.type],
    [`${p}time`, clock12(now)],
    [`${p}weighting`, String(i.weighting)],
    ...i.correctResponses.map((c, m) => [`${p}correct_responses.${m}.pattern`, response12(i, c, limit)] as [string, string]),
    [`${p}student_response`, response12(i, i.response, limit)],
    [`${p}result`, i.correct ? 'correct' : 'wrong'],
    [`${p}latency`, formatScorm12Time(i.latencyMs)],
  ];
}

/**
 * SCORM 2004 fill-in text: the `[,]` delimiter and a leading `{` (which would read as a
 * `{lang=...}` or `{case_matters=...}` delimiter) cannot appear in a learner's plain answer.
 */
function fillInText(text: string): string {
  return text.replace(/\[,\]/g, ',').replace(/^\{/, '(').slice(0, 250);
}

function response2004(i: InteractionReport, r: string[]): string {
  if (i.type === 'true-false') return r[0] === 'true' ? 'true' : 'false';
  if (i.type === 'choice') return r.join('[,]');
  return fillInText(r[0] ?? '');
}

/** `cmi.interactions.<n>.*` for SCORM 2004 (3rd and 4th Edition). */
export function scorm2004InteractionValues(i: InteractionReport, n: number, now: Date): [string, string][] {
  const p = `cmi.interactions.${n}.`;
  const patterns = i.correctResponses.map((c) =>
    i.type === 'fill-in' ? `{case_matters=${i.caseSensitive ? 'true' : 'false'}}${fillInText(c[0] ?? '')}` : response2004(i, c),
  );
  return [
    [`${p}id`, i.id],
    [`${p}type`, i.type],
    [`${p}description`, i.prompt.slice(0, 250)],
    [`${p}timestamp`, now.toISOString().slice(0, 19)],
    [`${p}weighting`, String(i.weighting)],
    ...patterns.map((v, m) => [`${p}correct_responses.${m}.pattern`, v] as [string, string]),
    [`${p}learner_response`, response2004(i, i.response)],
    [`${p}result`, i.correct ? 'correct' : 'incorrect'],
    [`${p}latency`, formatIsoDuration(i.latencyMs)],
  ];
}
