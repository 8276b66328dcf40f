import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCourse } from '../../../src/core/course/load.js';
import { accentPasses, contrastRatio, imageSize, parseHexColor, suggestAccent } from '../../../src/core/course/theme.js';
import { UserError } from '../../../src/errors.js';
import { makeTempDir } from '../../helpers/cli.js';

const course = (theme: string, chapters = '') => `id: brand
title: Brand
${theme}lessons:
  - id: one
    title: One
    segments:
      - id: a
        title: A
        source: rec.mp4
        from: 10
        to: 70
${chapters}`;

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir());
  await writeFile(path.join(dir, 'rec.mp4'), 'x');
});
afterEach(() => cleanup());

async function problems(yaml: string): Promise<string[]> {
  await writeFile(path.join(dir, 'course.yaml'), yaml);
  try {
    await loadCourse({ dir, cwd: dir });
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError & { details?: string[] }).details ?? [];
  }
}

describe('theme colours', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrastRatio([255, 255, 255], [255, 255, 255])).toBe(1);
    // #767676 is the well-known lightest grey that passes AA on white (4.54:1); #777777 fails (4.48:1).
    expect(contrastRatio(parseHexColor('#767676')!, [255, 255, 255])).toBeCloseTo(4.54, 2);
    expect(accentPasses(parseHexColor('#767676')!)).toBe(true);
    expect(accentPasses(parseHexColor('#777')!)).toBe(false);
  });

  it('suggests a nearby darker shade that passes for a light accent', () => {
    const light = parseHexColor('#4da3ff')!;
    expect(accentPasses(light)).toBe(false);
    const better = suggestAccent(light);
    expect(accentPasses(parseHexColor(better)!)).toBe(true);
    // Near: the same hue, only as much darker as needed (one step darker fails).
    const [r, g, b] = parseHexColor(better)!;
    expect(b).toBeGreaterThan(r + g / 2);
    expect(accentPasses([r * 1.02, g * 1.02, b * 1.02].map((c) => Math.min(255, Math.round(c))) as [number, number, number])).toBe(false);
  });

  it('reads the pixel size of PNG and GIF logos and refuses other bytes', () => {
    const png = Buffer.alloc(32);
    png.writeUInt32BE(0x89504e47, 0);
    png.write('IHDR', 12, 'latin1');
    png.writeUInt32BE(240, 16);
    png.writeUInt32BE(80, 20);
    expect(imageSize(png)).toEqual({ width: 240, height: 80 });
    const gif = Buffer.from('GIF89a\x10\x00\x08\x00', 'latin1');
    expect(imageSize(gif)).toEqual({ width: 16, height: 8 });
    expect(imageSize(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
  });
});

describe('theme and chapters in course.yaml', () => {
  it('fails a light accent at its line and column, with a darker colour that passes', async () => {
    const found = await problems(course('theme:\n  accent: "#4da3ff"\n'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^course\.yaml:4:11 +theme\.accent \("#4da3ff"\) is too light to read: white text on it reaches 2\.\d\d:1 and on the white page it reaches 2\.\d\d:1, and WCAG 2\.2 AA needs 4\.5:1/);
    const suggestion = /theme\.accent: "(#[0-9a-f]{6})"/.exec(found[0] ?? '')?.[1];
    expect(suggestion).toBe(suggestAccent(parseHexColor('#4da3ff')!));
    // The suggestion, written back, builds.
    expect(await problems(course(`theme:\n  accent: "${suggestion}"\n`))).toEqual([]);
  });

  it('loads a passing theme with its logo and font files', async () => {
    await mkdir(path.join(dir, 'brand'));
    await writeFile(path.join(dir, 'brand/logo.png'), 'x');
    await writeFile(path.join(dir, 'brand/Brand.woff2'), 'x');
    await writeFile(path.join(dir, 'course.yaml'), course('theme:\n  accent: "#8A1C7C"\n  logo: brand/logo.png\n  logoAlt: Acme\n  font: brand/Brand.woff2\n'));
    const { course: c } = await loadCourse({ dir, cwd: dir });
    expect(c.theme).toEqual({ accent: '#8a1c7c', logo: 'brand/logo.png', logoPath: path.join(dir, 'brand/logo.png'), logoAlt: 'Acme', font: 'brand/Brand.woff2', fontPath: path.join(dir, 'brand/Brand.woff2') });
  });

  it('refuses an SVG logo, a logo without a text alternative and a font that is no font file', async () => {
    const found = await problems(course('theme:\n  logo: logo.svg\n  font: comic\n'));
    expect(found.join('\n')).toMatch(/theme\.logo \("logo\.svg"\) is not a PNG, JPEG, GIF or WebP image/);
    expect(found.join('\n')).toMatch(/theme\.logo has no text alternative.*logoAlt/);
    expect(found.join('\n')).toMatch(/theme\.font \("comic"\) is neither system, serif nor a font file/);
  });

  it('keeps chapters inside the segment and in order', async () => {
    const good = '        chapters:\n          - { time: 0, title: Start }\n          - { time: "00:30", title: Middle }\n';
    await writeFile(path.join(dir, 'course.yaml'), course('', good));
    const { course: c } = await loadCourse({ dir, cwd: dir });
    expect(c.lessons[0]!.segments[0]!.chapters).toEqual([{ time: 0, title: 'Start' }, { time: 30, title: 'Middle' }]);
    const bad = '        chapters:\n          - { time: 30, title: Start }\n          - { time: 20, title: Back }\n          - { time: 65, title: Past }\n';
    const found = await problems(course('', bad));
    expect(found[0]).toMatch(/^course\.yaml:14:\d+ +lessons\[0\]\.segments\[0\]\.chapters\[1\]\.time \(00:00:20\) is not after the chapter before it/);
    expect(found[1]).toMatch(/chapters\[2\]\.time \(00:01:05\) is past the end of the segment, which is 00:01:00 long.*subtract the segment's from/);
  });
});
