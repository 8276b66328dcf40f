import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Course } from '../../../../src/core/course/load.js';
import { LMS_NAMES, LMS_PROFILES, lmsRuntime, resolveLmsProfile } from '../../../../src/core/package/lms/index.js';
import { renderLaunchPage } from '../../../../src/core/player-build/launch-page.js';
import { scorm12Target } from '../../../../src/core/package/targets/scorm12.js';
import type { TargetInput } from '../../../../src/core/package/targets/types.js';
import { UserError } from '../../../../src/errors.js';
import { REPO } from '../../../helpers/cli.js';

const course = {
  dir: '/c',
  file: '/c/course.yaml',
  id: 'quiz-course',
  title: 'Q',
  version: '1.0.0',
  language: 'en',
  authors: [],
  completion: { watchedPercent: 90, requireWorkbook: false, masteryScore: 80 },
  lessons: [{ id: 'a', title: 'A', objectives: [], segments: [], attachments: [], quiz: 'quizzes/a.yaml' }],
  targets: ['scorm12'],
} as unknown as Course;

describe('LMS profiles', () => {
  it('has one file and one docs/lms.md section per named LMS the issue asks for', () => {
    const doc = readFileSync(path.join(REPO, 'docs/lms.md'), 'utf8');
    const sections: Record<string, string> = { moodle: 'Moodle', canvas: 'Canvas', cornerstone: 'Cornerstone', successfactors: 'SuccessFactors', workday: 'Workday', docebo: 'Docebo', blackboard: 'Blackboard', 'scorm-cloud': 'SCORM Cloud' };
    for (const [name, section] of Object.entries(sections)) {
      expect(LMS_NAMES).toContain(name);
      expect(LMS_PROFILES[name as (typeof LMS_NAMES)[number]].name).toBe(name);
      expect(doc).toContain(`\n## ${section}\n`);
    }
  });

  it('refuses an unknown name, naming where it came from and listing the profiles', () => {
    expect(resolveLmsProfile(undefined, 'course.yaml').name).toBe('generic');
    expect(resolveLmsProfile('Moodle', '--lms').name).toBe('moodle');
    try {
      resolveLmsProfile('totara', '--lms');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toBe('Unknown LMS profile "totara" (from --lms).');
      expect((err as UserError).hint).toContain('generic, moodle, canvas, cornerstone');
    }
  });

  it('reaches the launch page: the player reads the profile from its configuration', async () => {
    const page = await renderLaunchPage(course, [], { path: 'index.html', adapter: 'scorm12' }, undefined, lmsRuntime(LMS_PROFILES.cornerstone));
    const json = /id="lessonkit-config">(.*?)<\/script>/s.exec(String(page.content))?.[1] ?? '';
    expect(JSON.parse(json).lms).toMatchObject({ profile: 'cornerstone', failedStatus: 'incomplete', commitBeforeTerminate: false });
    const plain = await renderLaunchPage(course, [], { path: 'index.html', adapter: 'scorm12' });
    expect(JSON.parse(/id="lessonkit-config">(.*?)<\/script>/s.exec(String(plain.content))?.[1] ?? '').lms.profile).toBe('generic');
  });

  it('Cornerstone: the SCORM 1.2 manifest carries no masteryscore (the LMS would set failed itself)', async () => {
    const manifest = async (lms?: TargetInput['lms']) => {
      const out = await scorm12Target.write({ course, shared: [], unitPerLesson: false, ...(lms ? { lms } : {}), renderLaunchPage: async (o) => ({ path: o.path, content: '' }) });
      return String(out.files.find((f) => f.path === 'imsmanifest.xml')?.content);
    };
    expect(await manifest()).toContain('<adlcp:masteryscore>80</adlcp:masteryscore>');
    expect(await manifest(LMS_PROFILES.generic)).toContain('<adlcp:masteryscore>80</adlcp:masteryscore>');
    expect(await manifest(LMS_PROFILES.cornerstone)).not.toContain('masteryscore');
  });
});
