// Reading the flow suite's vitest JSON report and judging a defect's row of the matrix.
import { describe, expect, test } from 'vitest';
import { flowOutcome } from '../../helpers/flows/run.ts';
import type { FlowOutcome } from '../../helpers/model/verdict.ts';
import { parseVitestJson, type TestOutcome } from '../../helpers/plan/run-suites.ts';
import { flowTests, judgeOutcomes, matrixRow, renderMatrixMarkdown, type FlowTest } from '../support/flow-matrix.ts';

const TESTS = ['anchoring-end-to-end', 'gateway-read-back', 'auth-and-validation', 'discovery-and-faults'];
const failure = (test: string, step: string) =>
  `FlowFailed: ${test} [linux/amd64] failed at step "${step}"\n  check:    GET x /y\n    at runFlow (helpers/flows/run.ts:1:1)`;
/** A test of the JSON report as the flows suite leaves it: vitest's status and message, the outcome in its meta. */
const result = (
  title: string,
  status: TestOutcome['status'],
  outcome?: FlowOutcome,
  messages: string[] = [],
): TestOutcome => ({
  ancestors: ['whatever the describe says'],
  title,
  status,
  failureMessages: messages,
  durationMs: 1,
  meta: outcome ? { outcome } : {},
});
const finding = { check: 'POST session-anchoring /api/v1/anchoring/session', expected: 'HTTP 201', seen: 'HTTP 500' };

describe("flow tests from the suite's JSON report", () => {
  test("verdict and step come from each test's outcome; only the asked platform's", () => {
    const r = [
      result(
        'anchoring-end-to-end',
        'failed',
        flowOutcome('linux/amd64', 'anchoring-end-to-end', {
          verdict: 'failed',
          step: 'tree-root',
          findings: [finding],
        }),
        ['Error: whatever the message says'],
      ),
      result('gateway-read-back', 'passed', flowOutcome('linux/amd64', 'gateway-read-back', { verdict: 'passed' })),
      result(
        'gateway-read-back',
        'failed',
        flowOutcome('linux/arm64', 'gateway-read-back', { verdict: 'failed', step: 'x' }),
        ['x'],
      ),
    ];
    expect(flowTests(r, 'linux/amd64')).toEqual([
      {
        test: 'anchoring-end-to-end',
        status: 'failed',
        step: 'tree-root',
        message: 'Error: whatever the message says',
      },
      { test: 'gateway-read-back', status: 'passed' },
    ]);
  });
  test('a message naming a step is not read: no outcome step, no step', () => {
    const stackDown = flowOutcome('linux/amd64', 'auth-and-validation', { verdict: 'failed', findings: [finding] });
    expect(
      flowTests(
        [result('auth-and-validation', 'failed', stackDown, [failure('auth-and-validation', 'no-token-401')])],
        'linux/amd64',
      ),
    ).toEqual([
      { test: 'auth-and-validation', status: 'failed', message: failure('auth-and-validation', 'no-token-401') },
    ]);
  });
  test('not run is a verdict of its own, declared or attached', () =>
    expect(
      flowTests(
        [
          result(
            'discovery-and-faults',
            'skipped',
            flowOutcome('linux/amd64', 'discovery-and-faults', { verdict: 'not-run', reason: 'the engine went away' }),
          ),
        ],
        'linux/amd64',
      ),
    ).toEqual([{ test: 'discovery-and-faults', status: 'not-run' }]));
  test("a test without an outcome counts by its describe's declared subject and vitest's status", () => {
    const timedOut = {
      ...result('gateway-read-back', 'failed', undefined, ['Error: Test timed out in 300000ms.']),
      meta: { subject: { subject: 'linux/amd64 flows', image: 'flows', platform: 'linux/amd64' } },
    };
    expect(flowTests([timedOut], 'linux/amd64')).toEqual([
      { test: 'gateway-read-back', status: 'failed', message: 'Error: Test timed out in 300000ms.' },
    ]);
  });
  test("other subjects' tests are not flow tests, nor tests that declare nothing", () => {
    const smoke = {
      ...result('user', 'failed'),
      meta: {
        outcome: {
          kind: 'check',
          subject: 'data-chain [linux/amd64]',
          image: 'data-chain',
          platform: 'linux/amd64',
          check: 'user',
          verdict: 'failed',
          findings: [],
        },
      },
    };
    expect(flowTests([smoke, result('anchoring-end-to-end', 'failed')], 'linux/amd64')).toEqual([]);
  });
  test("a still-running check under the flows is one of its subject's tests too", () => {
    const still = {
      ...result('still-running: data-chain', 'failed'),
      meta: {
        outcome: {
          kind: 'check',
          subject: 'linux/amd64 flows',
          image: 'data-chain',
          platform: 'linux/amd64',
          check: 'still-running',
          verdict: 'failed',
          findings: [],
        },
      },
    };
    expect(flowTests([still], 'linux/amd64')).toEqual([{ test: 'still-running', status: 'failed' }]);
  });
  test('meta is read from the JSON report as vitest writes it', () => {
    const o = flowOutcome('linux/amd64', 'gateway-read-back', {
      verdict: 'failed',
      step: 'gateway-anchor',
      findings: [finding],
    });
    const json = JSON.stringify({
      testResults: [
        {
          assertionResults: [
            {
              ancestorTitles: ['linux/amd64 flows'],
              title: 'gateway-read-back',
              status: 'failed',
              failureMessages: ['m'],
              meta: { outcome: o },
            },
          ],
        },
      ],
    });
    const [t] = parseVitestJson(json);
    expect(t!.meta).toEqual({ outcome: o });
    expect(flowTests([t!], 'linux/amd64')).toEqual([
      { test: 'gateway-read-back', status: 'failed', step: 'gateway-anchor', message: 'm' },
    ]);
  });
});

describe('judging a row', () => {
  const outcomes = (failed: Record<string, string | null>, status: FlowTest['status'] = 'passed'): FlowTest[] =>
    TESTS.map((test) =>
      test in failed
        ? {
            test,
            status: 'failed',
            ...(failed[test] ? { step: failed[test]! } : {}),
            message: failed[test] ? failure(test, failed[test]!) : 'Error: the linux/amd64 stack did not come up',
          }
        : { test, status },
    );
  test('exactly the expected tests at the expected steps: no problem', () =>
    expect(
      judgeOutcomes(
        { 'auth-and-validation': 'no-token-401' },
        outcomes({ 'auth-and-validation': 'no-token-401' }),
        TESTS,
      ),
    ).toEqual([]));
  test('a test failing beyond the expected set', () =>
    expect(judgeOutcomes({}, outcomes({ 'gateway-read-back': 'gateway-anchor' }), TESTS)).toEqual([
      'gateway-read-back: expected to pass, was failed at step "gateway-anchor"',
    ]));
  test('an expected failure that passed', () =>
    expect(judgeOutcomes({ 'gateway-read-back': 'gateway-anchor' }, outcomes({}), TESTS)).toEqual([
      'gateway-read-back: expected to fail at step "gateway-anchor", was passed',
    ]));
  test('the wrong step, or none', () => {
    expect(
      judgeOutcomes(
        { 'auth-and-validation': 'no-token-401' },
        outcomes({ 'auth-and-validation': 'bad-signature-401' }),
        TESTS,
      ),
    ).toEqual(['auth-and-validation: expected to fail at step "no-token-401", failed at step "bad-signature-401"']);
    expect(
      judgeOutcomes({ 'auth-and-validation': 'no-token-401' }, outcomes({ 'auth-and-validation': null }), TESTS),
    ).toEqual([
      'auth-and-validation: expected to fail at step "no-token-401", failed outside any step: Error: the linux/amd64 stack did not come up',
    ]);
  });
  test('tests not run or missing are not passes', () => {
    expect(judgeOutcomes({}, outcomes({}, 'not-run'), TESTS)).toHaveLength(4);
    expect(judgeOutcomes({}, [], TESTS)).toEqual(TESTS.map((t) => `${t}: not in the report`));
    expect(judgeOutcomes({ 'no-such-flow': 'x' }, outcomes({}), TESTS)).toEqual([
      'no-such-flow: the defect expects a flow test the suite does not have',
    ]);
  });
  test('a row and its markdown', () => {
    const meta = {
      defect: 'gateway-501',
      service: 'api-gateway',
      module: 'gateway.py',
      summary: 'anchoring routes answer 501',
      expected: { 'gateway-read-back': 'gateway-anchor' },
      ms: 11_000,
    };
    const ok = matrixRow(meta, outcomes({ 'gateway-read-back': 'gateway-anchor' }), TESTS);
    expect(ok).toMatchObject({ ok: true, observed: { 'gateway-read-back': 'gateway-anchor' }, problems: [] });
    const bad = matrixRow(meta, outcomes({}), TESTS);
    const md = renderMatrixMarkdown([ok, bad], { platform: 'linux/amd64', totalMs: 22_000, generatedAt: 'T' });
    expect(md).toContain(
      '| gateway-501 | api-gateway | gateway-read-back @ `gateway-anchor` | gateway-read-back @ `gateway-anchor` | yes | 11.0 s |',
    );
    expect(md).toContain(
      '| gateway-501 | api-gateway | gateway-read-back @ `gateway-anchor` | (none) | **NO** | 11.0 s |',
    );
    expect(md).toContain('1/2 rows as declared');
    expect(md).toContain('  - gateway-read-back: expected to fail at step "gateway-anchor", was passed');
  });
});
