/**
 * The knowledge check as the learner sees it: one fieldset per question (radio buttons,
 * checkboxes or a text box, each labelled), a submit button, per-question feedback, the score
 * against the pass mark, and "Try again" while attempts remain and the quiz is not passed.
 * Keyboard only works throughout; results are announced through a live region. Author text
 * goes in through textContent only.
 */
import type { Quiz, QuizQuestion } from '../../core/workbook/quiz-types.js';
import { h } from '../dom.js';
import { feedbackText } from './feedback.js';
import { isCorrect, scoreAttempt, shuffled, type QuizOutcome, type QuizResponse } from './grade.js';

/** One answered question of a submitted attempt. */
export interface SubmittedAnswer {
  question: QuizQuestion;
  response: QuizResponse;
  correct: boolean;
  /** From the start of the attempt to the last change of this answer, ms. */
  latencyMs: number;
}

/** Options for {@link createQuizView}. */
export interface QuizViewOptions {
  /** The lesson's quiz. */
  quiz: Quiz;
  /** The lesson id (element ids). */
  lessonId: string;
  /** The saved outcome, when the learner took the quiz before. */
  outcome?: QuizOutcome;
  /** False when the LMS only lets the learner look (browse/review): answers are not recorded. */
  recording: boolean;
  /** Called once per submitted attempt, after grading. */
  onSubmit(answers: SubmittedAnswer[], percent: number): void;
}

/** The rendered quiz. */
export interface QuizView {
  /** The section to insert after the lesson's videos. */
  element: HTMLElement;
  /** Moves focus to the quiz heading (after the last video of the lesson). */
  focus(): void;
}

/** Builds the quiz section for one lesson. */
export function createQuizView(options: QuizViewOptions): QuizView {
  const { quiz, lessonId } = options;
  const prefix = `lk-quiz-${lessonId}`;
  let outcome: QuizOutcome | undefined = options.outcome;
  const heading = h('h3', { id: `${prefix}-h`, tabindex: '-1' }, quiz.title);
  const intro = h('p', { class: 'lk-quiz-intro' });
  const form = h('form', { class: 'lk-quiz-form', novalidate: true, 'aria-labelledby': `${prefix}-h` });
  const status = h('div', { class: 'lk-quiz-result', role: 'status', 'aria-live': 'polite', id: `${prefix}-result`, tabindex: '-1' });
  const retry = h('button', { type: 'button', class: 'lk-quiz-retry' }, 'Try again');
  retry.hidden = true;
  const element = h('section', { class: 'lk-panel lk-quiz', 'aria-labelledby': `${prefix}-h` }, heading, intro, form, status, retry);

  const attemptsLeft = () => (quiz.attempts === 0 ? Infinity : quiz.attempts - (outcome?.attempts ?? 0));
  const passed = () => outcome !== undefined && outcome.percent >= quiz.passMark;

  function renderIntro(): void {
    const n = quiz.questions.length;
    const parts = [`${n} question${n === 1 ? '' : 's'}. Pass mark: ${quiz.passMark}%.`];
    if (quiz.attempts > 0) parts.push(`Attempts: ${quiz.attempts}${outcome ? ` (${Math.max(0, attemptsLeft())} left)` : ''}.`);
    intro.textContent = parts.join(' ');
  }

  function renderOutcome(): void {
    if (!outcome) {
      status.textContent = '';
      retry.hidden = true;
      return;
    }
    const verdict = passed() ? 'Passed.' : attemptsLeft() > 0 ? 'Not passed yet.' : 'Not passed.';
    status.textContent = `Your score: ${outcome.percent}% (pass mark ${quiz.passMark}%). ${verdict}`;
    retry.hidden = passed() || attemptsLeft() <= 0;
  }

  function renderAttempt(): void {
    const started = performance.now();
    const changed = new Map<string, number>();
    const questions = quiz.shuffle ? shuffled(quiz.questions) : quiz.questions;
    const blocks = questions.map((q, qi) => {
      const qid = `${prefix}-${q.id}`;
      const feedback = h('p', { class: 'lk-q-feedback', id: `${qid}-fb` });
      feedback.hidden = true;
      const touch = () => changed.set(q.id, performance.now());
      let read: () => QuizResponse;
      let body: HTMLElement;
      if (q.type === 'text') {
        const input = h('input', { type: 'text', id: `${qid}-in`, name: qid, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${qid}-fb` });
        input.addEventListener('input', touch);
        body = h('div', { class: 'lk-q lk-q-text', 'data-question': q.id }, h('label', { for: `${qid}-in`, class: 'lk-q-prompt' }, `${qi + 1}. ${q.prompt}`), input, feedback);
        read = () => (input.value.trim() ? [input.value] : []);
      } else {
        const multiple = q.type === 'multiple';
        const options =
          q.type === 'true-false'
            ? [
                { id: 'true', text: 'True' },
                { id: 'false', text: 'False' },
              ]
            : quiz.shuffle
              ? shuffled(q.choices ?? [])
              : (q.choices ?? []);
        const inputs = options.map((c) => {
          const input = h('input', { type: multiple ? 'checkbox' : 'radio', name: qid, id: `${qid}-${c.id}`, value: c.id });
          input.addEventListener('change', touch);
          return { input, row: h('div', { class: 'lk-q-choice' }, input, h('label', { for: `${qid}-${c.id}` }, c.text)) };
        });
        body = h(
          'fieldset',
          { class: 'lk-q', 'data-question': q.id, 'aria-describedby': `${qid}-fb` },
          h('legend', { class: 'lk-q-prompt' }, `${qi + 1}. ${q.prompt}${multiple ? ' (choose all that apply)' : ''}`),
          ...inputs.map((i) => i.row),
          feedback,
        );
        read = () => inputs.filter((i) => i.input.checked).map((i) => i.input.value);
      }
      return { q, body, feedback, read };
    });
    const submit = h('button', { type: 'submit', class: 'lk-quiz-submit' }, 'Check my answers');
    const missing = h('p', { class: 'lk-quiz-missing', role: 'alert' });
    missing.hidden = true;
    form.replaceChildren(...blocks.map((b) => b.body), missing, submit);
    form.onsubmit = (event) => {
      event.preventDefault();
      if (!options.recording) {
        missing.textContent = 'This is a preview: your answers are not recorded.';
        missing.hidden = false;
      }
      const empty = blocks.find((b) => b.read().length === 0);
      if (empty) {
        missing.textContent = `Answer every question first: question ${blocks.indexOf(empty) + 1} has no answer yet.`;
        missing.hidden = false;
        empty.body.querySelector<HTMLElement>('input')?.focus();
        return;
      }
      missing.hidden = true;
      const responses = new Map(blocks.map((b) => [b.q.id, b.read()] as const));
      const result = scoreAttempt(quiz, responses);
      const answers: SubmittedAnswer[] = quiz.questions.map((q) => ({
        question: q,
        response: responses.get(q.id) ?? [],
        correct: isCorrect(q, responses.get(q.id) ?? []),
        latencyMs: (changed.get(q.id) ?? performance.now()) - started,
      }));
      for (const b of blocks) {
        const ok = result.correct.get(b.q.id) === true;
        const chosen = responses.get(b.q.id) ?? [];
        const choiceFeedback = (b.q.choices ?? []).filter((c) => chosen.includes(c.id) && c.feedback).map((c) => c.feedback as string);
        const general = ok ? b.q.feedback?.correct : b.q.feedback?.incorrect;
        b.feedback.textContent = feedbackText(ok, [...choiceFeedback, ...(general ? [general] : [])]);
        b.feedback.className = `lk-q-feedback ${ok ? 'lk-q-right' : 'lk-q-wrong'}`;
        b.feedback.hidden = false;
        for (const input of b.body.querySelectorAll('input')) input.disabled = true;
      }
      submit.disabled = true;
      if (options.recording) {
        outcome = { attempts: (outcome?.attempts ?? 0) + 1, percent: result.percent };
        options.onSubmit(answers, result.percent);
      }
      renderIntro();
      if (options.recording) renderOutcome();
      else status.textContent = `Your score: ${result.percent}% (pass mark ${quiz.passMark}%). Not recorded in preview.`;
      status.focus();
    };
  }

  retry.addEventListener('click', () => {
    renderAttempt();
    renderOutcome();
    retry.hidden = true;
    form.querySelector<HTMLElement>('input')?.focus();
  });

  function renderSettled(): void {
    // Taken in an earlier session: the result, and Try again while attempts remain.
    const text = passed() ? 'You have passed this knowledge check.' : attemptsLeft() > 0 ? 'Press Try again for another attempt.' : 'You have used every attempt of this knowledge check.';
    form.replaceChildren(h('p', {}, text));
  }

  renderIntro();
  if (outcome) renderSettled();
  else renderAttempt();
  renderOutcome();
  return { element, focus: () => heading.focus() };
}

