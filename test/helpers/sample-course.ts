/** The sample course, copied into a temp folder with shorter segments, for tests that play every video. */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO } from './cli.js';

/**
 * Copies fixtures/sample-course to `dir` with each segment cut to its first 8-10 seconds (26 s of
 * video instead of 100), same lessons, captions, workbooks and quizzes; `withoutQuizzes` drops
 * the `quiz:` lines (an untaken quiz keeps a course incomplete).
 */
export async function copyShortSampleCourse(dir: string, options: { withoutQuizzes?: boolean } = {}): Promise<void> {
  await cp(path.join(REPO, 'fixtures/sample-course'), dir, { recursive: true });
  const file = path.join(dir, 'course.yaml');
  let yaml = await readFile(file, 'utf8');
  for (const [from, to] of [['to: 00:00:24', 'to: 00:00:08'], ['to: 00:00:48', 'to: 00:00:32'], ['to: 00:01:40', 'to: 00:00:58']]) {
    if (!yaml.includes(from as string)) throw new Error(`fixtures/sample-course/course.yaml no longer has "${from}"`);
    yaml = yaml.replace(from as string, to as string);
  }
  if (options.withoutQuizzes) yaml = yaml.replace(/^ {4}quiz: .*\n/gm, '');
  await writeFile(file, yaml);
}
