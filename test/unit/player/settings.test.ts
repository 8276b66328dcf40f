/** The player's remembered settings in the resume data, quiz feedback said once, and the chapters track. */
import { describe, expect, it } from 'vitest';
import { chaptersVtt } from '../../../src/core/player-build/shared-files.js';
import { feedbackText } from '../../../src/player/quiz/feedback.js';
import { decodeState, encodeState, layoutFingerprint, type PlayerState } from '../../../src/player/state.js';

const fp = layoutFingerprint(['a/b', 'a/c']);
const base = (): PlayerState => ({ lesson: 0, segment: 1, position: 5, segments: [true, []], workbooks: [false] });

describe('settings in the resume data', () => {
  it('round-trips speed and caption look, with and without quiz results, in a few characters', () => {
    const plain = encodeState(base(), fp, 4096);
    const withPrefs = encodeState({ ...base(), prefs: { speed: 1.75, captionSize: 2, captionBackground: 1 } }, fp, 4096);
    expect(withPrefs.length - plain.length).toBeLessThanOrEqual(10);
    expect(decodeState(withPrefs, fp, 2, 1)?.prefs).toEqual({ speed: 1.75, captionSize: 2, captionBackground: 1 });
    const quiz = encodeState({ ...base(), quizzes: [{ attempts: 2, percent: 75 }], prefs: { speed: 0.75, captionSize: 0, captionBackground: 2 } }, fp, 4096);
    const back = decodeState(quiz, fp, 2, 1);
    expect(back?.quizzes).toEqual([{ attempts: 2, percent: 75 }]);
    expect(back?.prefs).toEqual({ speed: 0.75, captionSize: 0, captionBackground: 2 });
  });

  it('writes nothing for the default settings and still reads records written before settings existed', () => {
    expect(encodeState({ ...base(), prefs: { speed: 1, captionSize: 0, captionBackground: 0 } }, fp, 4096)).toBe(encodeState(base(), fp, 4096));
    const old = encodeState(base(), fp, 4096);
    expect(decodeState(old, fp, 2, 1)?.prefs).toBeUndefined();
    expect(decodeState(old, fp, 2, 1)?.segments).toEqual([true, []]);
  });

  it('keeps the settings when the record must shrink to the limit', () => {
    const big: PlayerState = { ...base(), segments: [Array.from({ length: 200 }, (_, i) => [i * 10, i * 10 + 3] as [number, number]), []], prefs: { speed: 2, captionSize: 1, captionBackground: 0 } };
    const text = encodeState(big, fp, 300);
    expect(text.length).toBeLessThanOrEqual(300);
    expect(decodeState(text, fp, 2, 1)?.prefs?.speed).toBe(2);
  });

  it('falls back to the defaults for out-of-range values', () => {
    const text = encodeState({ ...base(), prefs: { speed: 2, captionSize: 1, captionBackground: 1 } }, fp, 4096).replace(/~[^~]*$/, '~zz.9.9');
    expect(decodeState(text, fp, 2, 1)?.prefs).toEqual({ speed: 1, captionSize: 0, captionBackground: 0 });
  });
});

describe('quiz feedback', () => {
  it('says the verdict once: not again when the author\'s feedback starts with one', () => {
    expect(feedbackText(false, ['No. enable turns mobile access on for one folder.'])).toBe('No. enable turns mobile access on for one folder.');
    expect(feedbackText(true, ['Right. It prints the count.'])).toBe('Right. It prints the count.');
    expect(feedbackText(false, ['Only synced folders can be on mobile.'])).toBe('Not quite. Only synced folders can be on mobile.');
    expect(feedbackText(true, [])).toBe('Correct.');
  });

  it('drops an author text given twice', () => {
    expect(feedbackText(false, ['Sync the folder first.', 'Sync the folder first.'])).toBe('Not quite. Sync the folder first.');
  });
});

describe('chapters track', () => {
  it('writes each chapter up to the next one, the last to the end, titles on one line', () => {
    expect(chaptersVtt([{ time: 0, title: 'Opening' }, { time: 8, title: 'Two\nlines --> here' }], 24.5)).toBe(
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:08.000\nOpening\n\n2\n00:00:08.000 --> 00:00:24.500\nTwo lines -> here\n',
    );
  });
});
