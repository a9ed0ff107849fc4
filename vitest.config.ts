import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `unit` runs from the TypeScript sources in seconds: pure decisions (the verdict, the
 * watchdog's detectors, the lock graph, the contract, the architecture). `e2e` drives the built
 * harness (dist/) as users do: real child processes, worker threads, files, pipes and sockets.
 */
export default defineConfig({
  test: {
    // Tests start real child processes and threads; on two cores, two files at a time is plenty.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
