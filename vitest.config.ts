import { defineConfig } from 'vitest/config';

// Projects: `unit` needs no Docker; `docker` is the harness's own tests against a real engine;
// `suites` are the checks users run against images (driven by the run plan, see helpers/plan).
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'docker',
          include: ['tests/docker/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
