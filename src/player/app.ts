/**
 * The lesson player: lesson list, segment playlist, video with captions and transcript,
 * materials, progress, Previous/Next and auto-advance. It knows nothing about SCORM or xAPI:
 * it reads the saved state from the adapter once and reports progress to it.
 */
import type { PlayerConfig, PlayerLesson, PlayerMaterial } from '../core/player-build/config.js';
import type { LmsAdapter, MediaEvent, ProgressReason } from './adapters/types.js';
import { formatClock, h, spokenDuration } from './dom.js';
import { summarize, type ProgressSummary } from './progress.js';
import { addRange, type Range } from './ranges.js';
import { DEFAULT_PREFS, decodeState, encodeState, layoutFingerprint, SPEEDS, watchedShare, type PlayerState } from './state.js';
import { createShortcutsDialog, installShortcuts } from './shortcuts.js';
import { applyTheme } from './theme.js';
import { createTranscript } from './transcript.js';
import { followTimeLinks } from './time-links.js';
import { mergeWatched, trackPlayback } from './tracker.js';
import { combineScores, interactionFor } from './quiz/grade.js';
import { createQuizView, type SubmittedAnswer } from './quiz/view.js';

/** How often (ms of wall time, while playing) the position is reported without a commit. */
const TICK_MS = 5000;

const MATERIAL_LABEL: Record<PlayerMaterial['kind'], string> = {
  workbook: 'Workbook',
  cheatsheet: 'Cheat-sheet',
  attachment: 'Download',
};

/** What the running player exposes (tests and the launch page use it). */
export interface PlayerHandle {
  /** The current state (what would be stored). */
  state(): PlayerState;
  /** The current progress summary. */
  summary(): ProgressSummary;
  /** Ends the session as the Exit control does. */
  exit(): Promise<void>;
}

/** Where the adapter's connection reports reach the player (see AdapterOptions.onConnection). */
export interface ConnectionWatch {
  /** Set by the player: called with false when the LMS stops taking the learner's data, true when it takes it again. */
  listener?: (ok: boolean) => void;
}

const CONNECTION_LOST =
  'Your progress is not reaching your learning system at the moment. Keep this page open: it keeps trying, and this browser keeps a copy of your progress meanwhile.';

/** Starts the player inside `root`. */
export async function startPlayer(root: HTMLElement, config: PlayerConfig, adapter: LmsAdapter, connection: ConnectionWatch = {}): Promise<PlayerHandle> {
  const { lessons } = config;
  const flatIndex: number[] = [];
  const segmentIds: string[] = [];
  let count = 0;
  for (const lesson of lessons) {
    flatIndex.push(count);
    for (const seg of lesson.segments) segmentIds.push(`${lesson.id}/${seg.id}`);
    count += lesson.segments.length;
  }
  const fingerprint = layoutFingerprint([config.course.id, config.course.version, ...segmentIds]);
  const url = (p: string) => config.base + p.split('/').map(encodeURIComponent).join('/');
  const need = config.completion.watchedPercent / 100;

  // ---- session start ------------------------------------------------------------------
  // A local copy of progress the LMS did not take (the connection check failed last time).
  const localKey = `lessonkit:pending:${fingerprint}`;
  const local = {
    read: (): string | undefined => {
      try {
        return window.localStorage.getItem(localKey) ?? undefined;
      } catch {
        return undefined;
      }
    },
    write: (text: string | null): void => {
      try {
        if (text === null) window.localStorage.removeItem(localKey);
        else window.localStorage.setItem(localKey, text);
      } catch {
        // Storage blocked (private mode, LMS sandbox): nothing more can be kept.
      }
    },
  };
  let connectionDown = false;
  connection.listener = (ok) => {
    connectionDown = !ok;
    if (ok) {
      local.write(null);
      if (notice.textContent === CONNECTION_LOST) notice.hidden = true;
    } else {
      showNotice(CONNECTION_LOST);
      local.write(encodeState(state, fingerprint, adapter.stateLimit));
    }
  };
  const init = await adapter.initialize();
  const saved = init.ok ? decodeState(init.resume || local.read(), fingerprint, count, lessons.length) : undefined;
  const state: PlayerState = saved ?? {
    lesson: 0,
    segment: 0,
    position: 0,
    segments: Array.from({ length: count }, () => [] as Range[]),
    workbooks: lessons.map(() => false),
  };
  state.quizzes ??= lessons.map(() => undefined);
  // The LMS's pass mark (cmi5 LaunchData, SCORM 2004 scaled_passing_score) overrides course.yaml's, on screen too.
  const lmsPassMark = init.ok && init.masteryScore !== undefined ? Math.round(init.masteryScore * 10000) / 100 : undefined;
  const quizOf = (lesson: PlayerLesson) => (lesson.quiz && lmsPassMark !== undefined ? { ...lesson.quiz, passMark: lmsPassMark } : lesson.quiz);
  if (!lessons[state.lesson] || state.segment >= Math.max(1, lessons[state.lesson]?.segments.length ?? 0)) {
    state.lesson = 0;
    state.segment = 0;
    state.position = 0;
  }
  const prefs = (state.prefs ??= { ...DEFAULT_PREFS });
  // Resuming mid-course: offer to continue there or to start over (progress is kept either way).
  const resumeAt = saved && (saved.lesson > 0 || saved.segment > 0 || saved.position >= 1) ? { lesson: saved.lesson, position: saved.position } : undefined;
  let terminated = false;
  let autoAdvance = true;
  let lastCompleted = false;

  // ---- layout -------------------------------------------------------------------------
  const overallBar = h('progress', { max: '100', value: '0', id: 'lk-overall', 'aria-labelledby': 'lk-overall-label' });
  const overallText = h('span', { class: 'lk-overall-text' }, '0%');
  const exitButton = h('button', { type: 'button', class: 'lk-exit' }, 'Exit course');
  const notice = h('div', { class: 'lk-notice', role: 'alert' });
  notice.hidden = true;
  const lessonList = h('ol', { class: 'lk-lesson-list' });
  const lessonTitle = h('h2', { class: 'lk-lesson-title', id: 'lk-lesson-title' });
  const segmentTitle = h('p', { class: 'lk-segment-title', 'aria-live': 'polite' });
  const video = h('video', { controls: true, preload: 'metadata', playsinline: true, class: 'lk-video' });
  const logo = applyTheme(config.theme, url);
  const menuButton = h('button', { type: 'button', class: 'lk-menu', 'aria-expanded': 'false', 'aria-controls': 'lk-lesson-list' }, 'Lessons');
  const resume = h('div', { class: 'lk-resume' });
  const option = (value: string, text: string, selected: boolean) => h('option', { value, selected }, text);
  const pick = (id: string, label: string, items: HTMLOptionElement[]) => {
    const select = h('select', { id }, ...items);
    return [select, h('span', { class: 'lk-pick' }, h('label', { for: id }, label), select)] as const;
  };
  const [speedSelect, speedPick] = pick('lk-speed', 'Speed', SPEEDS.map((v) => option(String(v), `${v}x`, v === prefs.speed)));
  const [sizeSelect, sizePick] = pick('lk-cap-size', 'Caption size', ['Normal', 'Large', 'Larger'].map((t, i) => option(String(i), t, i === prefs.captionSize)));
  const [bgSelect, bgPick] = pick('lk-cap-bg', 'Caption background', ['Dark box', 'Black', 'None'].map((t, i) => option(String(i), t, i === prefs.captionBackground)));
  const keysButton = h('button', { type: 'button', class: 'lk-keys-button', 'aria-haspopup': 'dialog' }, 'Keyboard shortcuts');
  const shortcuts = createShortcutsDialog();
  const said = h('p', { class: 'lk-sr', role: 'status' });
  const timeline = h('div', { class: 'lk-timeline', 'aria-hidden': 'true' }, h('div', { class: 'lk-played' }));
  const chapterList = h('ol', { class: 'lk-chapters' });
  const chaptersSection = h('section', { class: 'lk-panel', 'aria-labelledby': 'lk-ch-h' }, h('h3', { id: 'lk-ch-h' }, 'Chapters'), chapterList);
  const player = h(
    'div',
    { class: 'lk-player', role: 'region', 'aria-label': 'Video player' },
    h('div', { class: 'lk-video-wrap' }, video),
    timeline,
    h('div', { class: 'lk-bar' }, speedPick, sizePick, bgPick, keysButton),
    said,
  );
  const prevButton = h('button', { type: 'button', class: 'lk-prev' }, '\u2190 Previous');
  const nextButton = h('button', { type: 'button', class: 'lk-next' }, 'Next \u2192');
  const autoBox = h('input', { type: 'checkbox', id: 'lk-auto', checked: true });
  const playlist = h('ol', { class: 'lk-playlist' });
  const objectives = h('ul', { class: 'lk-objectives' });
  const objectivesSection = h('section', { class: 'lk-panel', 'aria-labelledby': 'lk-obj-h' }, h('h3', { id: 'lk-obj-h' }, 'You will be able to'), objectives);
  // The lesson's knowledge check, after its videos.
  const quizSlot = h('div', { class: 'lk-quiz-slot' });
  const materials = h('ul', { class: 'lk-materials' });
  const materialsSection = h('section', { class: 'lk-panel', 'aria-labelledby': 'lk-mat-h' }, h('h3', { id: 'lk-mat-h' }, 'Workbook and downloads'), materials);
  const transcript = createTranscript((t) => {
    video.currentTime = t;
  });
  const transcriptSection = h(
    'section',
    { class: 'lk-panel lk-transcript', 'aria-labelledby': 'lk-tr-h' },
    h('h3', { id: 'lk-tr-h' }, 'Transcript'),
    transcript.element,
  );

  root.replaceChildren(
    h('a', { class: 'lk-skip', href: '#lk-main' }, 'Skip to the video'),
    h(
      'header',
      { class: 'lk-header' },
      logo,
      h('h1', { class: 'lk-course-title' }, config.course.title),
      h('div', { class: 'lk-overall' }, h('span', { id: 'lk-overall-label' }, 'Course progress'), overallBar, overallText),
      init.learnerName ? h('p', { class: 'lk-learner' }, `Learner: ${init.learnerName}`) : undefined,
      exitButton,
    ),
    notice,
    h(
      'div',
      { class: 'lk-layout' },
      h('nav', { class: 'lk-lessons', 'aria-labelledby': 'lk-lessons-h' }, h('h2', { id: 'lk-lessons-h' }, 'Lessons'), menuButton, lessonList),
      h(
        'main',
        { id: 'lk-main', class: 'lk-main', tabindex: '-1' },
        lessonTitle,
        segmentTitle,
        resume,
        player,
        h(
          'div',
          { class: 'lk-controls' },
          prevButton,
          nextButton,
          h('span', { class: 'lk-auto' }, autoBox, h('label', { for: 'lk-auto' }, 'Play the next video automatically')),
        ),
        chaptersSection,
        h('section', { class: 'lk-panel', 'aria-labelledby': 'lk-pl-h' }, h('h3', { id: 'lk-pl-h' }, 'Videos in this lesson'), playlist),
        quizSlot,
        objectivesSection,
        materialsSection,
        transcriptSection,
      ),
    ),
    shortcuts.dialog,
  );
  lessonList.id = 'lk-lesson-list';
  if (!init.ok) showNotice(init.message ?? 'Your progress cannot be recorded.');

  function showNotice(message: string): void {
    notice.textContent = message;
    notice.hidden = false;
  }

  // ---- progress -----------------------------------------------------------------------
  let summary = summarize(lessons, state, config.completion);

  function entryOf(li: number, si: number): true | Range[] {
    return state.segments[(flatIndex[li] ?? 0) + si] ?? [];
  }

  function report(reason: ProgressReason): void {
    summary = summarize(lessons, state, config.completion);
    if (summary.completed && !lastCompleted) reason = 'milestone';
    lastCompleted = lastCompleted || summary.completed;
    renderProgress();
    if (!init.ok || terminated) return;
    const lesson = lessons[state.lesson];
    const seg = lesson?.segments[state.segment];
    const text = encodeState(state, fingerprint, adapter.stateLimit);
    if (connectionDown) local.write(text);
    const result = adapter.reportProgress({
      overall: summary.overall,
      completed: lastCompleted,
      lessons: summary.lessons,
      location: lesson ? `${lesson.id}/${seg?.id ?? ''}` : '',
      state: text,
      reason,
      current: lesson && seg ? { lessonId: lesson.id, segmentId: seg.id, position: state.position } : undefined,
    });
    void Promise.resolve(result).catch((err: unknown) => console.error('lessonkit: reporting progress failed', err));
  }

  function renderProgress(): void {
    const pct = Math.round(summary.overall * 100);
    overallBar.value = pct;
    overallText.textContent = `${pct}%${lastCompleted ? ' \u2013 completed' : ''}`;
    lessons.forEach((lesson, li) => {
      const lp = summary.lessons[li];
      const status = lessonList.querySelector<HTMLElement>(`[data-lesson="${li}"] .lk-lesson-status`);
      if (status && lp) status.textContent = lp.completed ? 'Completed' : lesson.segments.length === 0 ? 'No videos yet' : `${Math.round(lp.progress * 100)}% done`;
      if (li === state.lesson) {
        lesson.segments.forEach((seg, si) => {
          const s = playlist.querySelector<HTMLElement>(`[data-segment="${si}"] .lk-seg-status`);
          const share = watchedShare(entryOf(li, si), seg.duration);
          const met = entryOf(li, si) === true || share >= need;
          if (s) s.textContent = met ? 'Watched' : share > 0 ? `${Math.round(share * 100)}% watched` : 'Not watched yet';
        });
      }
    });
  }

  // ---- navigation -----------------------------------------------------------------------
  function renderLessonList(): void {
    lessonList.replaceChildren(
      ...lessons.map((lesson, li) => {
        const button = h(
          'button',
          { type: 'button', class: 'lk-lesson-button', 'aria-current': li === state.lesson ? 'true' : undefined },
          h('span', { class: 'lk-lesson-name' }, lesson.title),
          h('span', { class: 'lk-lesson-status' }),
        );
        button.addEventListener('click', () => select(li, 0, 0, false));
        return h('li', { 'data-lesson': String(li) }, button);
      }),
    );
  }

  function renderQuiz(lesson: PlayerLesson, li: number): void {
    const quiz = quizOf(lesson);
    if (!quiz) {
      quizSlot.replaceChildren();
      return;
    }
    const view = createQuizView({
      quiz,
      lessonId: lesson.id,
      ...(state.quizzes?.[li] ? { outcome: state.quizzes[li] } : {}),
      recording: init.ok && (init.mode ?? 'normal') === 'normal' && !terminated,
      onSubmit: (answers, percent) => submitQuiz(li, answers, percent),
    });
    quizSlot.replaceChildren(view.element);
  }

  /** Records a submitted attempt: each answer as an interaction, then the page's combined score. */
  function submitQuiz(li: number, answers: SubmittedAnswer[], percent: number): void {
    const lesson = lessons[li];
    if (!lesson || !state.quizzes) return;
    state.quizzes[li] = { attempts: (state.quizzes[li]?.attempts ?? 0) + 1, percent };
    const score = combineScores(lessons.flatMap((l, i) => {
      const quiz = quizOf(l);
      return quiz ? [{ quiz, ...(state.quizzes?.[i] ? { outcome: state.quizzes[i] } : {}) }] : [];
    }));
    if (init.ok && !terminated) {
      // In order: interactions first, then the score, then a commit with the new resume state.
      let chain: Promise<unknown> = Promise.resolve();
      for (const a of answers) chain = chain.then(() => adapter.reportInteraction?.(interactionFor(lesson.id, a.question, a.response, a.correct, a.latencyMs)));
      if (score) chain = chain.then(() => adapter.reportScore(score));
      void chain.then(() => report('milestone')).catch((err: unknown) => console.error('lessonkit: reporting the knowledge check failed', err));
    }
  }

  /** A time link followed in a workbook page: that segment (this lesson's first) at that time, video focused. */
  function seekToLink(li: number, segmentId: string, time: number): void {
    let target: [number, number] | undefined;
    const own = lessons[li]?.segments.findIndex((s) => s.id === segmentId) ?? -1;
    if (own >= 0) target = [li, own];
    else
      lessons.forEach((l, i) => {
        const si = l.segments.findIndex((s) => s.id === segmentId);
        if (!target && si >= 0) target = [i, si];
      });
    if (!target) return;
    select(target[0], target[1], time, false);
    window.focus();
    video.focus();
    say(`Video ${target[1] + 1}: ${lessons[target[0]]?.segments[target[1]]?.title ?? ''} at ${formatClock(time)}`);
  }

  function renderLesson(lesson: PlayerLesson): void {
    lessonTitle.textContent = lesson.title;
    renderQuiz(lesson, lessons.indexOf(lesson));
    playlist.replaceChildren(
      ...lesson.segments.map((seg, si) => {
        const button = h(
          'button',
          { type: 'button', class: 'lk-seg-button', 'aria-current': si === state.segment ? 'true' : undefined },
          seg.poster ? h('img', { src: url(seg.poster), alt: '', class: 'lk-poster', width: '96', height: '54', loading: 'lazy' }) : undefined,
          h(
            'span',
            { class: 'lk-seg-text' },
            h('span', { class: 'lk-seg-name' }, seg.title),
            h('span', { class: 'lk-seg-meta' }, h('span', { 'aria-hidden': 'true' }, formatClock(seg.duration)), h('span', { class: 'lk-sr' }, spokenDuration(seg.duration)), ' \u00b7 ', h('span', { class: 'lk-seg-status' })),
          ),
        );
        button.addEventListener('click', () => select(state.lesson, si, 0, true));
        return h('li', { 'data-segment': String(si) }, button);
      }),
    );
    objectives.replaceChildren(...lesson.objectives.map((o) => h('li', {}, o)));
    objectivesSection.hidden = lesson.objectives.length === 0;
    materials.replaceChildren(
      ...lesson.materials.map((m) => {
        const detail = m.typeLabel && m.sizeLabel ? ` (${m.typeLabel}, ${m.sizeLabel})` : '';
        const link = h('a', { href: url(m.href), target: '_blank', rel: 'noopener', download: m.kind === 'attachment' ? '' : undefined }, `${MATERIAL_LABEL[m.kind]}: ${m.label}${detail}`);
        if (m.kind !== 'attachment' && !m.typeLabel) {
          // A rendered page (no typeLabel): opened by the player (not noopener) so that its time links can seek this video.
          link.addEventListener('click', (event) => {
            const opened = window.open(link.href, '_blank');
            if (!opened) return;
            event.preventDefault();
            const li = lessons.indexOf(lesson);
            followTimeLinks(opened, (t) => seekToLink(li, t.segmentId, t.time));
          });
        }
        if (m.kind === 'workbook') {
          link.addEventListener('click', () => {
            if (!state.workbooks[state.lesson]) {
              state.workbooks[state.lesson] = true;
              report('milestone');
            }
          });
        }
        return h('li', {}, link);
      }),
    );
    materialsSection.hidden = lesson.materials.length === 0;
  }

  function loadSegment(position: number, play: boolean): void {
    const lesson = lessons[state.lesson];
    const seg = lesson?.segments[state.segment];
    tracker.reset();
    transcript.clear();
    video.replaceChildren();
    renderChapters(seg);
    if (!lesson || !seg) {
      video.removeAttribute('src');
      video.hidden = true;
      segmentTitle.textContent = lesson ? 'This lesson has no videos.' : '';
      transcriptSection.hidden = true;
      return;
    }
    video.hidden = false;
    segmentTitle.textContent = `Video ${state.segment + 1} of ${lesson.segments.length}: ${seg.title}`;
    video.setAttribute('aria-label', `Video: ${seg.title}`);
    if (seg.poster) video.poster = url(seg.poster);
    else video.removeAttribute('poster');
    transcriptSection.hidden = !seg.captions;
    if (seg.captions) {
      const track = h('track', { kind: 'captions', src: url(seg.captions), srclang: config.course.language, label: 'Captions', default: true });
      track.addEventListener('load', () => transcript.show(track.track, seg.id));
      video.append(track);
    }
    if (seg.chaptersTrack) video.append(h('track', { kind: 'chapters', src: url(seg.chaptersTrack), srclang: config.course.language, label: 'Chapters' }));
    video.src = url(seg.video);
    const start = Math.max(0, position);
    const seekAndPlay = () => {
      if (start > 0 && start < (Number.isFinite(video.duration) ? video.duration : Infinity)) video.currentTime = start;
      if (play) {
        // Browsers may refuse to start playback without a click (autoplay policies, some LMS
        // frames): say so instead of leaving a paused video that looks stuck.
        video.play().catch((err: unknown) => {
          if ((err as { name?: string } | undefined)?.name !== 'NotAllowedError') return;
          segmentTitle.textContent = `Video ${state.segment + 1} of ${lesson.segments.length}: ${seg.title} \u2013 press Play to start`;
        });
      }
    };
    video.addEventListener('loadedmetadata', seekAndPlay, { once: true });
    updateButtons();
  }

  function renderChapters(seg: PlayerLesson['segments'][number] | undefined): void {
    const chapters = seg?.chapters ?? [];
    chaptersSection.hidden = chapters.length === 0;
    timeline.querySelectorAll('.lk-mark').forEach((m) => m.remove());
    chapterList.replaceChildren(
      ...chapters.map((c) => {
        const go = () => {
          video.currentTime = c.time;
        };
        const b = h('button', { type: 'button', class: 'lk-chapter' }, h('span', { class: 'lk-cue-time' }, formatClock(c.time)), ' ', c.title);
        b.addEventListener('click', go);
        // The marks repeat the list for pointer users; the list is what keyboards and screen readers use.
        const mark = h('span', { class: 'lk-mark', title: c.title });
        mark.style.left = `${Math.min(100, (c.time / (seg?.duration || 1)) * 100)}%`;
        mark.addEventListener('click', go);
        timeline.append(mark);
        return h('li', {}, b);
      }),
    );
  }

  function neighbour(delta: 1 | -1): [number, number] | undefined {
    let li = state.lesson;
    let si = state.segment + delta;
    for (;;) {
      const lesson = lessons[li];
      if (!lesson) return undefined;
      if (si >= 0 && si < lesson.segments.length) return [li, si];
      li += delta;
      const next = lessons[li];
      if (!next) return undefined;
      si = delta === 1 ? 0 : next.segments.length - 1;
      if (next.segments.length === 0) return [li, 0];
    }
  }

  function updateButtons(): void {
    const prev = neighbour(-1);
    const next = neighbour(1);
    prevButton.disabled = !prev;
    nextButton.disabled = !next;
    prevButton.setAttribute('aria-label', prev ? `Previous video: ${describe(prev)}` : 'Previous video (none)');
    nextButton.setAttribute('aria-label', next ? `Next video: ${describe(next)}` : 'Next video (none)');
  }

  function describe([li, si]: [number, number]): string {
    const lesson = lessons[li];
    return lesson?.segments[si]?.title ?? lesson?.title ?? '';
  }

  function select(li: number, si: number, position: number, play: boolean): void {
    const lessonChanged = li !== state.lesson;
    state.lesson = li;
    state.segment = si;
    state.position = position;
    renderLessonList();
    const lesson = lessons[li];
    if (lesson && (lessonChanged || playlist.childElementCount !== lesson.segments.length)) renderLesson(lesson);
    playlist.querySelectorAll('.lk-seg-button').forEach((b, i) => {
      if (i === si) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
    loadSegment(position, play);
    report('milestone');
  }

  // ---- video events for adapters that report them (xAPI/cmi5: ADL video profile) -------------
  // Played ranges per segment are kept apart from the resume state, which drops them once a
  // segment is complete; the video profile wants them on every paused/completed statement.
  const mediaPlayed = new Map<string, Range[]>();
  let mediaTime = 0;
  let seekFrom: number | undefined;
  function media(type: MediaEvent['type'], time: number, from?: number): void {
    if (!adapter.reportMedia || !init.ok || terminated) return;
    const lesson = lessons[state.lesson];
    const seg = lesson?.segments[state.segment];
    if (!lesson || !seg) return;
    const length = Number.isFinite(video.duration) && video.duration > 0 ? video.duration : seg.duration;
    const event: MediaEvent = { type, lessonId: lesson.id, segmentId: seg.id, segmentTitle: seg.title, time, length, played: mediaPlayed.get(`${lesson.id}/${seg.id}`) ?? [] };
    if (from !== undefined) event.from = from;
    void Promise.resolve(adapter.reportMedia(event)).catch((err: unknown) => console.error('lessonkit: reporting a video event failed', err));
  }
  video.addEventListener('play', () => media('play', video.currentTime));
  video.addEventListener('pause', () => {
    if (!video.ended) media('pause', video.currentTime);
  });
  video.addEventListener('seeking', () => {
    if (seekFrom === undefined) seekFrom = mediaTime;
  });
  video.addEventListener('seeked', () => {
    const from = seekFrom ?? mediaTime;
    seekFrom = undefined;
    mediaTime = video.currentTime;
    if (Math.abs(from - video.currentTime) >= 0.5) media('seek', video.currentTime, from);
  });
  video.addEventListener('timeupdate', () => {
    if (!video.seeking) mediaTime = video.currentTime;
  });
  video.addEventListener('emptied', () => {
    mediaTime = 0;
    seekFrom = undefined;
  });

  // ---- playback tracking ----------------------------------------------------------------
  const tracker = trackPlayback(video, {
    onWatched(start, end) {
      const idx = (flatIndex[state.lesson] ?? 0) + state.segment;
      const seg = lessons[state.lesson]?.segments[state.segment];
      const lessonId = lessons[state.lesson]?.id;
      if (seg && lessonId) mediaPlayed.set(`${lessonId}/${seg.id}`, addRange(mediaPlayed.get(`${lessonId}/${seg.id}`) ?? [], start, end));
      const entry = state.segments[idx];
      if (!seg || entry === undefined || entry === true) return;
      const merged = mergeWatched(entry, start, end);
      const duration = Number.isFinite(video.duration) && video.duration > 0 ? video.duration : seg.duration;
      const met = watchedShare(merged, duration) >= need;
      state.segments[idx] = met ? true : merged;
      if (met) {
        media('complete', video.currentTime);
        report('milestone');
      }
    },
  });

  let lastTick = 0;
  video.addEventListener('timeupdate', () => {
    if (video.seeking) return;
    state.position = video.currentTime;
    const now = performance.now();
    if (now - lastTick >= TICK_MS) {
      lastTick = now;
      report('tick');
    }
  });
  video.addEventListener('pause', () => {
    if (!video.ended) report('milestone');
  });
  video.addEventListener('ended', () => {
    state.position = 0;
    const next = neighbour(1);
    report('milestone');
    if (!autoAdvance || !next) return;
    // The knowledge check comes after the lesson's videos: stop there instead of carrying the
    // learner into the next lesson past a quiz they have not taken (Next still moves on).
    const lesson = lessons[state.lesson];
    if (next[0] !== state.lesson && lesson && quizOf(lesson) && !state.quizzes?.[state.lesson]) {
      const heading = quizSlot.querySelector<HTMLElement>('h3');
      heading?.scrollIntoView({ block: 'start' });
      heading?.focus();
      return;
    }
    select(next[0], next[1], 0, true);
  });
  video.addEventListener('error', () => {
    if (video.getAttribute('src')) showNotice('This video could not be played. Try again later, or tell your course administrator.');
  });

  prevButton.addEventListener('click', () => {
    const p = neighbour(-1);
    if (p) select(p[0], p[1], 0, true);
  });
  nextButton.addEventListener('click', () => {
    const n = neighbour(1);
    if (n) select(n[0], n[1], 0, true);
  });
  autoBox.addEventListener('change', () => {
    autoAdvance = autoBox.checked;
  });

  // ---- player settings, chapters, shortcuts ------------------------------------------------
  const say = (text: string) => {
    said.textContent = text;
  };
  const setSpeed = (rate: number) => {
    video.defaultPlaybackRate = rate;
    video.playbackRate = rate;
  };
  setSpeed(prefs.speed);
  speedSelect.addEventListener('change', () => setSpeed(Number(speedSelect.value)));
  video.addEventListener('ratechange', () => {
    // Also the browser's own speed menu: remember any speed the player offers.
    const rate = video.playbackRate;
    if (!(SPEEDS as readonly number[]).includes(rate) || rate === prefs.speed) return;
    prefs.speed = rate;
    speedSelect.value = String(rate);
    report('milestone');
  });
  const captionLook = () => {
    video.classList.remove('lk-cs1', 'lk-cs2', 'lk-cb1', 'lk-cb2');
    if (prefs.captionSize) video.classList.add(`lk-cs${prefs.captionSize}`);
    if (prefs.captionBackground) video.classList.add(`lk-cb${prefs.captionBackground}`);
  };
  captionLook();
  for (const [select, key] of [[sizeSelect, 'captionSize'], [bgSelect, 'captionBackground']] as const) {
    select.addEventListener('change', () => {
      prefs[key] = Number(select.value);
      captionLook();
      report('milestone');
    });
  }
  video.addEventListener('timeupdate', () => {
    const seg = lessons[state.lesson]?.segments[state.segment];
    const length = Number.isFinite(video.duration) && video.duration > 0 ? video.duration : seg?.duration || 1;
    timeline.style.setProperty('--lk-at', `${Math.min(100, (video.currentTime / length) * 100)}%`);
    const chapters = seg?.chapters ?? [];
    let current = -1;
    chapters.forEach((c, i) => {
      if (video.currentTime >= c.time - 0.05) current = i;
    });
    chapterList.querySelectorAll('.lk-chapter').forEach((b, i) => {
      if (i === current) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
  });
  keysButton.addEventListener('click', shortcuts.open);
  installShortcuts(
    player,
    {
      togglePlay: () => {
        if (video.paused) void video.play().catch(() => undefined);
        else video.pause();
      },
      skip: (seconds) => {
        const end = Number.isFinite(video.duration) ? video.duration : Infinity;
        video.currentTime = Math.max(0, Math.min(end, video.currentTime + seconds));
        say(`${seconds < 0 ? 'Back' : 'Forward'} ${Math.abs(seconds)} seconds`);
      },
      toggleCaptions: () => {
        const track = Array.from(video.textTracks).find((t) => t.kind === 'captions');
        if (!track) return say('This video has no captions');
        // Hidden, not disabled: the transcript keeps following the cues.
        track.mode = track.mode === 'showing' ? 'hidden' : 'showing';
        say(track.mode === 'showing' ? 'Captions on' : 'Captions off');
      },
      toggleFullscreen: () => {
        if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
        else void player.requestFullscreen?.().catch(() => say('Full screen is not available here'));
      },
      toggleMute: () => {
        video.muted = !video.muted;
        say(video.muted ? 'Sound off' : 'Sound on');
      },
    },
    shortcuts.open,
  );
  menuButton.addEventListener('click', () => {
    const open = menuButton.getAttribute('aria-expanded') !== 'true';
    menuButton.setAttribute('aria-expanded', String(open));
    root.querySelector('.lk-lessons')?.classList.toggle('lk-open', open);
  });
  if (resumeAt) {
    const go = h('button', { type: 'button' }, `Continue where you left off (lesson ${resumeAt.lesson + 1}, ${formatClock(resumeAt.position)})`);
    const over = h('button', { type: 'button', class: 'lk-secondary' }, 'Start over');
    go.addEventListener('click', () => {
      resume.hidden = true;
      void video.play().catch(() => undefined);
      video.focus();
    });
    over.addEventListener('click', () => {
      resume.hidden = true;
      select(0, 0, 0, false);
      video.focus();
    });
    resume.replaceChildren(go, over);
  } else resume.hidden = true;

  // ---- leaving --------------------------------------------------------------------------
  async function finish(reason: 'exit' | 'unload'): Promise<void> {
    if (terminated) return;
    tracker.flush();
    if (!video.paused && !video.seeking) state.position = video.currentTime;
    report('final');
    terminated = true;
    if (init.ok) await adapter.terminate(reason);
  }
  exitButton.addEventListener('click', () => {
    video.pause();
    void finish('exit').then(() => {
      root.querySelector('.lk-layout')?.setAttribute('hidden', '');
      exitButton.disabled = true;
      showNotice(
        connectionDown
          ? 'Your progress could not be saved in your learning system. This browser keeps a copy: open the course again from your learning system to continue, or tell your course administrator.'
          : 'Your progress is saved. You can close this window now.',
      );
    });
  });
  // Browsers no longer run `unload` reliably in LMS frames: commit when hidden, finish on pagehide.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'hidden' || terminated) return;
    // The last timeupdate may be a quarter second old: this commit may be the last one.
    tracker.flush();
    if (!video.paused && !video.seeking) state.position = video.currentTime;
    report('hide');
  });
  window.addEventListener('pagehide', () => {
    void finish('unload');
  });

  // ---- first render ---------------------------------------------------------------------
  renderLessonList();
  const first = lessons[state.lesson];
  if (first) renderLesson(first);
  loadSegment(state.position, false);
  summary = summarize(lessons, state, config.completion);
  lastCompleted = Boolean(init.alreadyCompleted) || summary.completed;
  renderProgress();
  if (init.ok) report('milestone');

  return {
    state: () => state,
    summary: () => summary,
    exit: () => finish('exit'),
  };
}
