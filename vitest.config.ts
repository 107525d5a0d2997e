import { defineConfig } from 'vitest/config';

// Projects run in order (groupOrder) so Docker-heavy groups never compete for this 2-core box:
// `unit` needs no Docker; `docker` is the harness's own tests against a real engine; `suites` are the
// checks users run against images (driven by the run plan, see helpers/plan).
export default defineConfig({
  test: {
    // The results reporter acts on the suites project only: results.json, history and the dashboard.
    reporters: ['default', './helpers/report/results-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'docker',
          include: ['tests/docker/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'suites',
          include: ['suites/**/*.suite.ts'],
          globalSetup: ['helpers/plan/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
