import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A private redis-server for the whole run (never the machine's own Redis): test/support/.
    globalSetup: ['test/support/global-redis.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Redis-backed suites use their own DB numbers / prefixes on it, so files may run in parallel.
    pool: 'forks',
  },
});
