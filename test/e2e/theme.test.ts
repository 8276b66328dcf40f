/** A brand theme whose accent is too light fails `build` before any encoding, at its line, with a colour that passes. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, runCli } from '../helpers/cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('lessonkit-theme-'));
  await writeFile(path.join(dir, 'rec.mp4'), 'not even a video: the theme fails first');
  await writeFile(
    path.join(dir, 'course.yaml'),
    'id: brand\ntitle: Brand\ntheme:\n  accent: "#ffcc00"   # the vendor yellow\nlessons:\n  - id: one\n    title: One\n    segments:\n      - { id: a, title: A, source: rec.mp4, from: 0, to: 2 }\n',
  );
});
afterAll(() => cleanup());

describe('build with a theme that fails contrast', () => {
  it('exits 2 naming course.yaml:line:column, both ratios and a darker accent that passes', async () => {
    const r = await runCli(['build', '--target', 'web'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/course\.yaml:4:11 +theme\.accent \("#ffcc00"\) is too light to read: white text on it reaches 1\.\d\d:1 and on the white page it reaches 1\.\d\d:1, and WCAG 2\.2 AA needs 4\.5:1/);
    const better = /such as theme\.accent: "(#[0-9a-f]{6})"/.exec(r.stderr)?.[1];
    expect(better).toBeDefined();
    // The suggestion keeps the hue: still a yellow-brown (red and green well above blue).
    const [red, green, blue] = [1, 3, 5].map((i) => parseInt(better!.slice(i, i + 2), 16)) as [number, number, number];
    expect(red).toBeGreaterThan(blue + 50);
    expect(green).toBeGreaterThan(blue + 30);
  });
});
