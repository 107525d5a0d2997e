import { expect, test } from 'vitest';
import { renderDashboard } from '../../helpers/report/dashboard.ts';
import { regressSection } from '../../helpers/report/dashboard-regress.ts';
import { parseRegressionReport, type Pair, type RegressionReport } from '../../helpers/report/regression-schema.ts';
import { sampleRun } from '../support/sample-history.ts';

const [T1, T2, T3] = ['latest-20261127-101500', 'latest-20261127-101600', 'latest-20261127-101700'];
const change = { image: 'data-chain', platform: 'linux/amd64', check: 'no-secrets', suite: 'suites/smoke.suite.ts' };
const pair = (baseline: string, current: string, p: Partial<Pair>): Pair => ({
  baseline,
  current,
  baselineRun: `run-${baseline}`,
  currentRun: `run-${current}`,
  regression: false,
  newFailures: [],
  fixed: [],
  stillFailing: [],
  metrics: [],
  findings: [],
  ...p,
});

/** Three tags; the middle one broke data-chain and the newest fixed it: the newest pair alone looks green. */
function middleBroke(): RegressionReport {
  return parseRegressionReport({
    version: 1,
    started: '2026-11-27T10:20:00.000Z',
    finished: '2026-11-27T10:22:00.000Z',
    durationMs: 120_000,
    registry: '127.0.0.1:5000',
    selection: { kind: 'last', value: '3' },
    services: ['data-chain'],
    platforms: ['linux/amd64'],
    thresholds: {},
    tags: [T1, T2, T3].map((tag) => ({
      tag,
      runId: `run-${tag}`,
      dir: `tags/${tag}`,
      exitCode: 0,
      checks: { passed: 10, failed: 0, notRun: 0 },
      durationMs: 1000,
      targets: [],
    })),
    incomplete: [],
    pairs: [
      pair(T1, T2, {
        regression: true,
        newFailures: [{ ...change, before: 'passed', message: 'Env holds a password' }],
        findings: [
          {
            kind: 'new-failure',
            where: 'data-chain [linux/amd64] · no-secrets',
            expected: 'passed (as in T1)',
            seen: 'failed: Env holds a password',
          },
        ],
      }),
      pair(T2, T3, { fixed: [{ ...change, before: 'failed' }] }),
    ],
    regression: true,
  });
}

test('the Regressions section tells the regress verdict: every pair, newest first', () => {
  const html = regressSection(middleBroke());
  expect(html).toContain('1 of 2 tag pairs regressed (1 new failure, 0 metrics over threshold)');
  expect(html).not.toContain('No regression');
  const newest = html.indexOf(`<code>${T2}</code> → <code>${T3}</code>`);
  const older = html.indexOf(`<code>${T1}</code> → <code>${T2}</code>`);
  expect(newest).toBeGreaterThan(-1);
  expect(older).toBeGreaterThan(newest);
  expect(html.slice(newest, older)).toContain('1 fix</span> data-chain [linux/amd64] · no-secrets');
  expect(html.slice(older)).toContain('data-chain [linux/amd64] · no-secrets</td><td>passed (as in T1)');
});

test('the dashboard uses regression.json when it covers the latest run, and only then', () => {
  const report = middleBroke();
  const latest = sampleRun({ id: `run-${T3}`, tag: T3, started: '2026-11-27T10:21:00.000Z' });
  const earlier = sampleRun({ id: `run-${T2}`, tag: T2, started: '2026-11-27T10:20:30.000Z' });
  const page = renderDashboard({ runs: [earlier, latest], latest, regression: report });
  expect(page).toContain('1 of 2 tag pairs regressed');
  expect(page).not.toContain('No regressions against tag');
  expect(page).toContain('source <code>registry</code>');
  const other = sampleRun({ id: 'a-later-verify', tag: T3, started: '2026-11-28T10:00:00.000Z' });
  expect(renderDashboard({ runs: [earlier, other], latest: other, regression: report })).not.toContain(
    'tag pairs regressed',
  );
  const green = parseRegressionReport({
    ...report,
    pairs: [report.pairs[1]!, { ...report.pairs[1]!, baseline: T1, current: T2, fixed: [] }],
    regression: false,
  });
  expect(regressSection(green)).toContain('No regression across 2 tag pairs.');
});
