import { describe, expect, it } from 'vitest';
import type { Course } from '../../../../src/core/course/load.js';
import { scorm12Target } from '../../../../src/core/package/targets/scorm12.js';
import { scorm2004FourthTarget, scorm2004ThirdTarget } from '../../../../src/core/package/targets/scorm2004.js';
import type { BundleFile, PackageTarget, TargetInput } from '../../../../src/core/package/targets/types.js';
import { validateXsd } from '../../../../src/core/validate/xsd.js';

/** A course whose id starts with a digit (not an XML NCName on its own) and whose text needs escaping. */
const course = {
  dir: '/courses/x',
  file: '/courses/x/course.yaml',
  id: '2026-onboarding',
  title: 'Onboarding & "setup" <2026>',
  version: '2.1.0',
  language: 'de-DE',
  authors: [],
  completion: { watchedPercent: 90, requireWorkbook: false },
  lessons: [
    { id: 'a', title: 'First', objectives: [], segments: [], attachments: [] },
    { id: 'b', title: 'Second', objectives: [], segments: [], attachments: [] },
  ],
  targets: ['scorm12'],
} as unknown as Course;

const shared: BundleFile[] = [
  { path: 'media/a/one.mp4', content: 'x' },
  { path: 'player/player.css', content: 'x' },
  { path: 'player/player.js', content: 'x' },
];

function input(unitPerLesson: boolean): TargetInput {
  return { course, shared, unitPerLesson, renderLaunchPage: async (o) => ({ path: o.path, content: `<!-- ${o.adapter} ${o.lessonIds?.join(',') ?? 'all'} -->` }) };
}

async function manifestOf(target: PackageTarget, unitPerLesson: boolean): Promise<{ xml: string; files: string[] }> {
  const out = await target.write(input(unitPerLesson));
  const m = out.files.find((f) => f.path === 'imsmanifest.xml');
  return { xml: String(m?.content ?? ''), files: out.files.map((f) => f.path) };
}

describe('SCORM manifests', () => {
  for (const [target, set] of [
    [scorm12Target, 'scorm12'],
    [scorm2004ThirdTarget, 'scorm2004-3rd'],
    [scorm2004FourthTarget, 'scorm2004-4th'],
  ] as const) {
    for (const perLesson of [false, true]) {
      it(`${target.name}${perLesson ? ' (one SCO per lesson)' : ''}: schema-valid, identifiers from the course id, text escaped`, async () => {
        const { xml, files } = await manifestOf(target, perLesson);
        expect((await validateXsd(xml, set, 'imsmanifest.xml')).errors).toEqual([]);
        expect(xml).toContain('identifier="lk-2026-onboarding.manifest" version="2.1.0"');
        expect(xml).toContain('Onboarding &amp; &quot;setup&quot; &lt;2026&gt;');
        expect(xml).toMatch(/language>de-DE</);
        if (perLesson) {
          expect(files).toEqual(expect.arrayContaining(['lessons/a.html', 'lessons/b.html']));
          expect(xml).toContain('identifierref="lk-2026-onboarding.sco.a"');
          expect(xml).toContain('identifierref="lk-2026-onboarding.sco.b"');
          // The shared player and media are one asset both SCOs depend on.
          expect(xml.match(/<dependency identifierref="lk-2026-onboarding.shared"\/>/g)?.length).toBe(2);
        } else {
          expect(files).toContain('index.html');
          for (const f of ['index.html', ...shared.map((s) => s.path)]) expect(xml).toContain(`<file href="${f}"/>`);
        }
        // Rendering twice gives the same text: identifiers are stable.
        expect((await manifestOf(target, perLesson)).xml).toBe(xml);
      });
    }
  }
});
