import { defineConfig } from 'vitest/config';
import { UNIT_NEEDS_ISOLATION } from './tests/support/unit-isolation.ts';

// Projects run in order (groupOrder) so Docker-heavy groups never compete for this 2-core box:
// `unit` needs no Docker; `docker` is the harness's own tests against a real engine; `suites` are the
// checks users run against images (driven by the run plan, see helpers/plan).
export default defineConfig({
  test: {
    // Transformed modules kept on disk (node_modules/.vitest-cache, keyed by content): every verify is a fresh
    // vitest, and re-transforming the same files cost each one ~1.5 s.
    experimental: { fsModuleCache: true },
    // The results reporter acts on the suites project only: results.json, history and the dashboard.
    reporters: ['default', './helpers/report/results-reporter.ts'],
    projects: [
      {
        test: {
          // Pure functions over facts: one module graph per worker instead of one per file (77 files: 76 s
          // isolated on one worker, 22 s shared on two). Files that stub the environment, mock a module or
          // touch process-wide state stay isolated, below.
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          exclude: UNIT_NEEDS_ISOLATION,
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'unit-isolated',
          include: UNIT_NEEDS_ISOLATION,
          maxWorkers: 2, // one group with unit: vitest wants the same worker count
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
          // Its global setup starts the shared stacks, and vitest runs every project's global setup before any
          // test: in a run with the docker project the stacks would sit through it (and its sweeps). `npm test`
          // therefore runs this project in a vitest run of its own, after unit and docker.
          name: 'suites',
          include: ['suites/**/*.suite.ts'],
          globalSetup: ['helpers/plan/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 900_000,
          // The global setup already read the smoke facts from the shared stacks, so the smoke suite (judging,
          // or own containers without aliases) and the flows can run side by side; one after the other, each
          // file also paid a fresh worker's start (2.3 s measured between flows and smoke).
          fileParallelism: true,
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
