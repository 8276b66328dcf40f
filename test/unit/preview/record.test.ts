/** The learner's record as the preview shows it, from scorm-again's commit object and from statements. */
import { describe, expect, it } from 'vitest';
import { scormRecord, suspendLevel, xapiRecord } from '../../../src/core/preview/record.js';

const meta = { sessions: 1, finished: true };

describe('learner record', () => {
  it('SCORM 1.2: passed counts as completed; suspend_data measured against 4096', () => {
    const r = scormRecord('scorm12', { suspend_data: 'x'.repeat(3300), core: { lesson_status: 'passed', lesson_location: 'l2', total_time: '00:01:00', session_time: '00:00:30', exit: 'suspend', score: { raw: '85', min: '0', max: '100' } } }, meta);
    expect(r).toMatchObject({ completion: 'completed', success: 'passed', completed: true, location: 'l2', totalTime: '00:01:00', score: { raw: 85, min: 0, max: 100 } });
    expect(r.suspendData).toEqual({ size: 3300, limit: 4096, level: 'warning' });
    expect(scormRecord('scorm12', { core: { lesson_status: 'incomplete' } }, meta).completed).toBe(false);
    expect(scormRecord('scorm12', undefined, { sessions: 0, finished: false }).completion).toBe('not attempted');
  });

  it('SCORM 2004: completion and success apart, progress and scaled score', () => {
    const r = scormRecord('scorm2004', { completion_status: 'completed', success_status: 'failed', progress_measure: '1', score: { scaled: '0.4' }, suspend_data: 'abc' }, meta);
    expect(r).toMatchObject({ completion: 'completed', success: 'failed', completed: true, progress: 1, score: { scaled: 0.4 } });
    expect(r.suspendData).toEqual({ size: 3, limit: 64000, level: 'ok' });
  });

  it('suspend_data: warning from 80 % of the limit, error past it', () => {
    expect(suspendLevel(3276, 4096)).toBe('ok');
    expect(suspendLevel(3277, 4096)).toBe('warning');
    expect(suspendLevel(4096, 4096)).toBe('warning');
    expect(suspendLevel(4097, 4096)).toBe('error');
    expect(suspendLevel(10 ** 6, undefined)).toBe('ok');
  });

  it('xAPI: completed and passed from the verbs about the activity, time from terminated', () => {
    const A = 'https://x.example/course';
    const st = (verb: string, result?: object, id = A) => ({ actor: {}, verb: { id: `http://adlnet.gov/expapi/verbs/${verb}` }, object: { id }, ...(result ? { result } : {}) });
    const r = xapiRecord('xapi', [st('initialized'), st('completed', { completion: true }), st('completed', {}, `${A}/video`), st('passed', { success: true, score: { scaled: 0.9 } }), st('terminated', { duration: 'PT1M30S' })], A, { sessions: 1, stateBytes: 42 });
    expect(r).toMatchObject({ completion: 'completed', success: 'passed', completed: true, score: { scaled: 0.9 }, totalTime: 'PT90S', sessionTime: 'PT1M30S', finished: true, suspendData: { size: 42 } });
    const started = xapiRecord('xapi', [st('initialized'), st('completed', {}, `${A}/video`)], A, { sessions: 1, stateBytes: 0 });
    expect(started).toMatchObject({ completion: 'incomplete', completed: false, finished: false });
  });
});
