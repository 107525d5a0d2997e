import { describe, expect, test } from 'vitest';
import { junitXml } from '../../helpers/report/junit.ts';
import type { Results } from '../../helpers/report/results-schema.ts';

const results = (checks: Partial<Results['checks'][number]>[]): Results => ({
  version: 2,
  run: {
    id: 'r1',
    started: '2026-12-02T10:00:00.000Z',
    finished: '2026-12-02T10:01:00.000Z',
    hostArch: 'amd64',
    source: 'reference',
    contractProfiles: [],
  },
  targets: [],
  checks: checks.map((c) => ({
    image: 'data-chain',
    platform: 'linux/arm64',
    check: 'x',
    suite: 'suites/smoke.suite.ts',
    status: 'passed',
    durationMs: 12,
    ...c,
  })),
  metrics: [],
  facts: [],
});

describe('junit.xml from results', () => {
  test('passed, failed with message and detail, not run with its reason', () => {
    const xml = junitXml(
      results([
        { check: 'no-shell' },
        {
          check: 'health',
          status: 'failed',
          message: 'expected 200\nseen 503',
          detail: 'expected 200\nseen 503\nlog <tail>',
        },
        { check: 'process-user', status: 'not-run', reason: 'the container exited 127 after 0.4 s' },
      ]),
    );
    expect(xml).toContain('<testsuites name="lucid-harness" tests="3" failures="1" skipped="1" errors="0">');
    expect(xml).toContain(
      '<testcase classname="suites/smoke.suite.ts" name="data-chain [linux/arm64] &gt; no-shell" time="0.012"/>',
    );
    expect(xml).toContain('<failure message="expected 200">expected 200\nseen 503\nlog &lt;tail&gt;</failure>');
    expect(xml).toContain('<skipped message="not run: the container exited 127 after 0.4 s"/>');
  });
});
