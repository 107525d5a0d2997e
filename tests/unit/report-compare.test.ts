import { describe, expect, test } from 'vitest';
import {
  compareRuns,
  crosses,
  defaultRegressionConfig,
  failureGist,
  RegressionConfigSchema,
} from '../../helpers/report/compare.ts';
import { sampleRun, SAMPLE_PLATFORMS, SAMPLE_SERVICES, type SampleRunOptions } from '../support/sample-history.ts';

const MiB = 1024 * 1024;
const v1 = (o: Partial<SampleRunOptions> = {}) =>
  sampleRun({ id: 'run-a', tag: 'v1', started: '2026-01-01T00:00:00.000Z', seed: 1, ...o });
const v2 = (o: Partial<SampleRunOptions> = {}) =>
  sampleRun({ id: 'run-b', tag: 'v2', started: '2026-01-08T00:00:00.000Z', seed: 2, ...o });

describe('comparing a tag with the previous one', () => {
  test('a seeded regression — one check breaks, one image grows — is flagged, and nothing else', () => {
    const c = compareRuns(
      v1(),
      v2({
        failures: [
          { image: 'data-chain', platform: 'linux/arm64', check: 'user', expected: '65532', seen: 'User is "" (root)' },
        ],
        shift: { 'api-gateway|linux/amd64|image-size': 3 * MiB },
      }),
    );
    expect(c.findings).toEqual([
      {
        kind: 'new-failure',
        where: 'data-chain [linux/arm64] · check user (suites/smoke.suite.ts)',
        expected: 'passes, as in v1 (run run-a)',
        seen: 'fails: User is "" (root)',
      },
      {
        kind: 'metric',
        where: 'api-gateway [linux/amd64] · image size',
        expected: expect.stringMatching(/^under \d+\.\d MiB \(limit \+5 % or \+1\.0 MiB\); v1 had \d+\.\d MiB$/),
        seen: expect.stringMatching(/^\d+\.\d MiB \(\+3\.\d MiB, \+5\.\d %\)$/),
      },
    ]);
    expect(c.newFailures).toHaveLength(1);
    expect(c.fixed).toEqual([]);
    expect(c.deltas.filter((d) => d.regression).map((d) => d.name)).toEqual(['image-size']);
    expect(c.deltas).toHaveLength(SAMPLE_SERVICES.length * SAMPLE_PLATFORMS.length * 4 + SAMPLE_PLATFORMS.length * 2);
  });

  test.each([3, 4, 5, 6])('run-to-run noise below the thresholds flags nothing (seed %i)', (seed) => {
    const noise = { timing: 0.15, size: 0.004 };
    const c = compareRuns(v1({ noise }), v2({ seed, noise }));
    expect(c.findings).toEqual([]);
    expect(c.deltas.some((d) => d.delta !== 0)).toBe(true);
    expect(c.summary).toMatch(
      /^v2 \(run run-b\) against v1 \(run run-a\): no regressions\.\nFixed: 0; still failing: 0; metrics compared: 52\.$/,
    );
  });

  test('fixes and failures that persist are told apart from new failures', () => {
    const broken = { image: 'block-manager', platform: 'linux/amd64', check: 'hardened' };
    const fixedLater = { image: 'data-chain', platform: 'linux/amd64', check: 'no-shell' };
    const c = compareRuns(v1({ failures: [broken, fixedLater] }), v2({ failures: [broken] }));
    expect(c.findings).toEqual([]);
    expect(c.stillFailing.map((x) => `${x.image} ${x.check}`)).toEqual(['block-manager hardened']);
    expect(c.fixed.map((x) => `${x.image} ${x.check}`)).toEqual(['data-chain no-shell']);
  });

  test('a failing check the previous tag did not run is a new failure too', () => {
    const base = v1();
    base.checks = base.checks.filter((x) => !(x.image === 'flows' && x.platform === 'linux/arm64'));
    const c = compareRuns(
      base,
      v2({ failures: [{ image: 'flows', platform: 'linux/arm64', check: 'anchoring-end-to-end' }] }),
    );
    expect(c.findings.map((f) => [f.where, f.expected])).toEqual([
      [
        'flows [linux/arm64] · check anchoring-end-to-end (suites/flows.suite.ts)',
        'passes (the check did not run in v1)',
      ],
    ]);
  });

  test('layer count +1, time to healthy +100 % and +5 s, anchoring latency +100 % and +500 ms', () => {
    const c = compareRuns(
      v1({ noise: { timing: 0, size: 0 } }),
      v2({
        noise: { timing: 0, size: 0 },
        shift: {
          'api-gateway|linux/amd64|layer-count': 1,
          // amd64 healthy is 1.8 s: +2 s is +111 % but under +5 s → quiet; arm64 (8.1 s) +9 s → flagged.
          'data-chain|linux/amd64|time-to-docker-healthy': 2000,
          'data-chain|linux/arm64|time-to-docker-healthy': 9000,
          'flows|linux/amd64|anchoring-latency': 400, // 420 ms +400 ms = +95 %: quiet
          'flows|linux/arm64|anchoring-latency': 3000,
        },
      }),
    );
    expect(c.findings.map((f) => f.where)).toEqual([
      'api-gateway [linux/amd64] · layer count',
      'data-chain [linux/arm64] · time to Docker healthy',
      'flows [linux/arm64] · anchoring latency',
    ]);
    expect(c.findings[1]!.expected).toBe('under 16.20 s (limit +100 % and +5.00 s); v1 had 8.10 s');
  });

  test('the summary is readable on its own', () => {
    const c = compareRuns(v1(), v2({ failures: [{ image: 'data-chain', platform: 'linux/arm64', check: 'user' }] }));
    expect(c.summary.split('\n').slice(0, 4)).toEqual([
      'v2 (run run-b) against v1 (run run-a): 1 regression(s) — 1 new failure(s), 0 metric(s) over threshold.',
      '  new failure: data-chain [linux/arm64] · check user (suites/smoke.suite.ts)',
      '    expected: passes, as in v1 (run run-a)',
      '    seen:     fails: it does not',
    ]);
  });
});

describe('thresholds', () => {
  test('growth only, and any/all combine as documented', () => {
    const either = { relative: 0.05, absolute: 100, combine: 'any' as const };
    const both = { relative: 0.5, absolute: 1000, combine: 'all' as const };
    expect(crosses(either, 1000, 1049)).toBe(false);
    expect(crosses(either, 1000, 1050)).toBe(true);
    expect(crosses(either, 100_000, 100_100)).toBe(true);
    expect(crosses(either, 1000, 900)).toBe(false);
    expect(crosses(both, 1000, 2100)).toBe(true);
    expect(crosses(both, 1000, 1900)).toBe(false);
    expect(crosses(both, 10_000, 11_500)).toBe(false);
    expect(crosses({ relative: 0.5, combine: 'any' }, 0, 1)).toBe(true);
  });

  test('the config has defaults; given metrics replace one default; false turns one off', () => {
    expect(Object.keys(defaultRegressionConfig().metrics)).toEqual([
      'image-size',
      'layer-count',
      'time-to-docker-healthy',
      'time-to-first-200',
      'anchoring-latency',
      'stack-start',
    ]);
    const c = RegressionConfigSchema.parse({
      metrics: { 'image-size': { relative: 0.1 }, 'layer-count': false, 'page-size': { absolute: 1 } },
    });
    expect(c.metrics['image-size']).toEqual({ relative: 0.1, combine: 'any' });
    expect(c.metrics['layer-count']).toBeUndefined();
    expect(c.metrics['page-size']).toEqual({ absolute: 1, combine: 'any' });
    expect(c.metrics['time-to-docker-healthy']).toMatchObject({ relative: 1, absolute: 5000, combine: 'all' });
  });

  test('a threshold without a limit, or with a negative one, is refused', () => {
    expect(RegressionConfigSchema.safeParse({ metrics: { x: {} } }).success).toBe(false);
    expect(RegressionConfigSchema.safeParse({ metrics: { x: { relative: -1 } } }).success).toBe(false);
  });

  test('a stricter config flags what the default lets pass', () => {
    const strict = RegressionConfigSchema.parse({ metrics: { 'image-size': { absolute: 1 } } });
    const c = compareRuns(
      v1({ noise: { size: 0 } }),
      v2({ noise: { size: 0 }, shift: { 'block-manager|linux/arm64|image-size': 10 } }),
      strict,
    );
    expect(c.findings.map((f) => f.where)).toEqual(['block-manager [linux/arm64] · image size']);
  });

  test("the gist of a failure is what its outcome's first finding saw; without one, its message's first line as it is", () => {
    const outcome = {
      kind: 'check',
      subject: 'a [linux/amd64]',
      image: 'a',
      platform: 'linux/amd64',
      check: 'user',
      verdict: 'failed',
      findings: [
        { check: 'User', expected: 'a', seen: 'b' },
        { check: 'x', expected: 'c', seen: 'd' },
      ],
    };
    expect(failureGist({ outcome, message: 's: c\n  expected: a\n  seen:     not read' })).toBe('b');
    expect(failureGist({ message: 's: c\n  expected: a\n  seen:     not read' })).toBe('s: c');
    expect(failureGist({ outcome: { ...outcome, findings: [] }, message: '\nError: Test timed out\nmore' })).toBe(
      'Error: Test timed out',
    );
    expect(failureGist({})).toBe('');
  });
});
