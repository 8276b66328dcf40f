import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Media and browser tests are CPU-heavy; two workers keep a 2-core machine responsive.
    maxWorkers: 2,
  },
});
