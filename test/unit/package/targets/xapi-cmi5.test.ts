import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { Course } from '../../../../src/core/course/load.js';
import { cmi5Target } from '../../../../src/core/package/targets/cmi5.js';
import { getPackageTarget } from '../../../../src/core/package/targets/index.js';
import type { LaunchPageOptions, TargetInput } from '../../../../src/core/package/targets/types.js';
import { xapiTarget } from '../../../../src/core/package/targets/xapi.js';
import { validateXsd } from '../../../../src/core/validate/xsd.js';
import { UserError } from '../../../../src/errors.js';

function course(overrides: Partial<Course> = {}): Course {
  return {
    dir: '/courses/c1',
    file: '/courses/c1/course.yaml',
    id: 'mobile-access',
    title: 'Opening client files <from> your "phone" & tablet',
    version: '1.0.0',
    language: 'en-US',
    description: 'Short lessons',
    authors: [],
    iri: 'https://training.example.com/courses/mobile-access',
    completion: { watchedPercent: 90, requireWorkbook: false },
    lessons: [
      { id: 'intro', title: 'Why mobile', objectives: ['Open a file'], segments: [], attachments: [] },
      { id: 'setup', title: 'Setting up', objectives: [], segments: [], attachments: [] },
    ],
    targets: ['xapi', 'cmi5'],
    ...overrides,
  };
}

function input(c: Course, unitPerLesson = false): TargetInput & { pages: LaunchPageOptions[] } {
  const pages: LaunchPageOptions[] = [];
  return {
    course: c,
    shared: [],
    unitPerLesson,
    pages,
    async renderLaunchPage(options) {
      pages.push(options);
      return { path: options.path, content: `<!doctype html><title>${options.adapter}</title>` };
    },
  };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['activity', 'au', 'langstring'].includes(name) });

describe('xapi target', () => {
  it('is registered', () => {
    expect(getPackageTarget('xapi')).toBe(xapiTarget);
    expect(getPackageTarget('cmi5')).toBe(cmi5Target);
  });

  it('writes tincan.xml with exactly one launchable activity whose id is the course IRI', async () => {
    const inp = input(course());
    const out = await xapiTarget.write(inp);
    expect(inp.pages).toEqual([{ path: 'index.html', adapter: 'xapi' }]);
    expect(out.descriptors).toEqual([{ path: 'tincan.xml' }]);
    const xml = String(out.files.find((f) => f.path === 'tincan.xml')?.content);
    const doc = parser.parse(xml) as { tincan: { '@xmlns': string; activities: { activity: Record<string, unknown>[] } } };
    expect(doc.tincan['@xmlns']).toBe('http://projecttincan.com/tincan.xsd');
    const acts = doc.tincan.activities.activity;
    const launchable = acts.filter((a) => a.launch !== undefined);
    expect(launchable).toHaveLength(1);
    expect(launchable[0]).toMatchObject({ '@id': 'https://training.example.com/courses/mobile-access', '@type': 'http://adlnet.gov/expapi/activities/course' });
    expect((launchable[0]?.launch as { '#text': string })['#text']).toBe('index.html');
    expect(acts.map((a) => a['@id'])).toEqual([
      'https://training.example.com/courses/mobile-access',
      'https://training.example.com/courses/mobile-access/lessons/intro',
      'https://training.example.com/courses/mobile-access/lessons/setup',
    ]);
    // Author text is escaped, not markup.
    expect(xml).toContain('Opening client files &lt;from&gt; your &quot;phone&quot; &amp; tablet');
  });

  it('refuses a course without iri with a UserError naming course.yaml and the fix', async () => {
    const c = course({ iri: undefined });
    expect(() => xapiTarget.check?.(c)).toThrow(UserError);
    expect(() => xapiTarget.check?.(c)).toThrow(/course\.yaml.*iri/);
    await expect(cmi5Target.write(input(c))).rejects.toThrow(/iri/);
  });
});

describe('cmi5 target', () => {
  it('writes one AU per course by default; cmi5.xml passes the official XSD', async () => {
    const inp = input(course({ completion: { watchedPercent: 90, requireWorkbook: false, masteryScore: 80 } }));
    const out = await cmi5Target.write(inp);
    expect(inp.pages).toEqual([{ path: 'index.html', adapter: 'cmi5' }]);
    expect(out.descriptors).toEqual([{ path: 'cmi5.xml', schema: 'cmi5' }]);
    const xml = String(out.files.find((f) => f.path === 'cmi5.xml')?.content);
    const result = await validateXsd(xml, 'cmi5', 'cmi5.xml');
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    const doc = parser.parse(xml) as { courseStructure: { course: Record<string, unknown>; au: Record<string, unknown>[] } };
    expect(doc.courseStructure.course['@id']).toBe('https://training.example.com/courses/mobile-access');
    expect(doc.courseStructure.au).toHaveLength(1);
    expect(doc.courseStructure.au[0]).toMatchObject({ '@id': 'https://training.example.com/courses/mobile-access/au', '@moveOn': 'Completed', '@masteryScore': '0.8', url: 'index.html' });
  });

  it('writes one AU per lesson with unitPerLesson, with unique absolute ids and relative URLs', async () => {
    const inp = input(course({ completion: { watchedPercent: 90, requireWorkbook: false, moveOn: 'CompletedOrPassed' } }), true);
    const out = await cmi5Target.write(inp);
    expect(inp.pages).toEqual([
      { path: 'lessons/intro.html', adapter: 'cmi5', lessonIds: ['intro'] },
      { path: 'lessons/setup.html', adapter: 'cmi5', lessonIds: ['setup'] },
    ]);
    const xml = String(out.files.find((f) => f.path === 'cmi5.xml')?.content);
    expect((await validateXsd(xml, 'cmi5', 'cmi5.xml')).valid).toBe(true);
    const aus = (parser.parse(xml) as { courseStructure: { au: Record<string, unknown>[] } }).courseStructure.au;
    expect(aus.map((a) => [a['@id'], a.url, a['@moveOn']])).toEqual([
      ['https://training.example.com/courses/mobile-access/lessons/intro/au', 'lessons/intro.html', 'CompletedOrPassed'],
      ['https://training.example.com/courses/mobile-access/lessons/setup/au', 'lessons/setup.html', 'CompletedOrPassed'],
    ]);
    expect(xml).not.toContain('masteryScore');
  });

  it('refuses moveOn Passed when nothing can be passed', () => {
    const c = course({ completion: { watchedPercent: 90, requireWorkbook: false, moveOn: 'Passed' } });
    expect(() => cmi5Target.check?.(c)).toThrow(/moveOn is Passed/);
  });
});
