import { expect, test } from 'vitest';
import { analyseSoak, keyedStatuses, type SoakRun } from '../../scripts/soak-analysis.ts';

const run = (i: number, tests: SoakRun['tests'], over: Partial<SoakRun> = {}): SoakRun => ({
  run: i,
  runId: `r${i}`,
  exitCode: Object.values(tests).includes('failed') ? 1 : 0,
  wallMs: 1000 * i,
  tests,
  leakedContainers: 0,
  leakedNetworks: 0,
  ...over,
});

test('a test that failed in some runs and passed in others is flaky; one that always failed is not', () => {
  const s = analyseSoak([
    run(1, { 'a > health': 'passed', 'b > x': 'failed', 'c > y': 'skipped' }),
    run(2, { 'a > health': 'failed', 'b > x': 'failed', 'c > y': 'skipped' }),
    run(3, { 'a > health': 'passed', 'b > x': 'failed', 'c > y': 'skipped' }),
  ]);
  expect(s.flaky).toEqual([{ test: 'a > health', passed: 2, failed: 1 }]);
  expect(s.alwaysFailing).toEqual(['b > x']);
  expect(s.failedRuns).toBe(3);
  expect(s.wallMs).toEqual({ min: 1000, median: 2000, max: 3000 });
  expect(s.ok).toBe(false);
});

test('clean runs are ok; a leak or a run that broke before vitest wrote results is not', () => {
  expect(analyseSoak([run(1, { t: 'passed' }), run(2, { t: 'passed' })]).ok).toBe(true);
  expect(analyseSoak([run(1, { t: 'passed' }, { leakedContainers: 2 })])).toMatchObject({
    ok: false,
    leaks: { containers: 2, networks: 0 },
  });
  expect(analyseSoak([run(1, {}, { exitCode: 2 })])).toMatchObject({ ok: false, failedRuns: 1, flaky: [] });
  expect(analyseSoak([]).ok).toBe(false);
});

test('vitest outcomes are keyed by their describe path and title', () => {
  expect(
    keyedStatuses([
      { ancestors: ['data-chain [linux/arm64]'], title: 'health', status: 'passed' },
      { ancestors: ['x'], title: 'y', status: 'pending' },
    ]),
  ).toEqual({
    'data-chain [linux/arm64] > health': 'passed',
    'x > y': 'skipped',
  });
});
