import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Hang guards, not speed checks: cases that run several actions in turn take
    // a minute on two shared cores, more while other work loads the machine.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // End-to-end tests start child processes and servers; two cores.
    maxWorkers: 2,
  },
});
