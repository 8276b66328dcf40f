import { chmodSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * The npm-shipped binary of `pkg`, made executable when npm held back the package's own
 * install script. Tests pin these (unless the developer sets LESSONKIT_FFMPEG/FFPROBE), so a
 * system ffmpeg on PATH never changes what the suite measures.
 */
function npmBinary(pkg: string): string {
  const file = (require(pkg) as { path: string }).path;
  // Executable for everyone: a test runs the CLI as an unprivileged user (uid 65534) too.
  if ((statSync(file).mode & 0o111) !== 0o111) chmodSync(file, 0o755);
  return file;
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['test/setup/global.ts'],
    env: {
      LESSONKIT_FFMPEG: process.env.LESSONKIT_FFMPEG ?? npmBinary('@ffmpeg-installer/ffmpeg'),
      LESSONKIT_FFPROBE: process.env.LESSONKIT_FFPROBE ?? npmBinary('@ffprobe-installer/ffprobe'),
    },
    // Media and browser tests are CPU-heavy; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
  },
});
