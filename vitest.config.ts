import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.data/**'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Integration files share one broker, and one of them restarts it: run files one at a time.
    fileParallelism: false,
    globalSetup: ['deploy/local/vitestSetup.ts'],
  },
});
