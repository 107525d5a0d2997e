// Reading the flow suite's vitest JSON report and judging a defect's row of the matrix.
import { describe, expect, test } from 'vitest';
import type { TestOutcome } from '../../helpers/plan/run-suites.ts';
import { flowOutcomes, judgeOutcomes, matrixRow, renderMatrixMarkdown, stepOf } from '../../helpers/plan/flow-matrix.ts';

const TESTS = ['anchoring-end-to-end', 'gateway-read-back', 'auth-and-validation', 'discovery-and-faults'];
const failure = (test: string, step: string) => `FlowFailed: ${test} [linux/amd64] failed at step "${step}"\n  request:  GET x /y\n    at runFlow (helpers/flows/run.ts:1:1)`;
const result = (title: string, status: TestOutcome['status'], messages: string[] = [], platform = 'linux/amd64'): TestOutcome => ({ ancestors: [`${platform} flows`], title, status, failureMessages: messages, durationMs: 1 });

describe('flow outcomes from the suite\'s test outcomes', () => {
  test('the step comes from the failure message', () => {
    expect(stepOf(failure('a', 'tree-root'))).toBe('tree-root');
    expect(stepOf('AssertionError: nope')).toBeUndefined();
  });
  test('only the tests of the asked platform, with their failure step', () => {
    const r = [result('anchoring-end-to-end', 'failed', [failure('anchoring-end-to-end', 'tree-root')]), result('gateway-read-back', 'passed'), result('gateway-read-back', 'failed', ['x'], 'linux/arm64')];
    expect(flowOutcomes(r, 'linux/amd64')).toEqual([
      { test: 'anchoring-end-to-end', status: 'failed', step: 'tree-root', message: failure('anchoring-end-to-end', 'tree-root') },
      { test: 'gateway-read-back', status: 'passed' },
    ]);
  });
  test('other suites\' tests are not flow outcomes', () => expect(flowOutcomes([{ ...result('x', 'failed'), ancestors: ['data-chain [linux/amd64]'] }], 'linux/amd64')).toEqual([]));
});

describe('judging a row', () => {
  const outcomes = (failed: Record<string, string | null>, status = 'passed') =>
    TESTS.map((test) => (test in failed ? { test, status: 'failed', ...(failed[test] ? { step: failed[test]! } : {}), message: failed[test] ? failure(test, failed[test]!) : 'Error: hook failed' } : { test, status }));
  test('exactly the expected tests at the expected steps: no problem', () => expect(judgeOutcomes({ 'auth-and-validation': 'no-token-401' }, outcomes({ 'auth-and-validation': 'no-token-401' }), TESTS)).toEqual([]));
  test('a test failing beyond the expected set', () =>
    expect(judgeOutcomes({}, outcomes({ 'gateway-read-back': 'gateway-anchor' }), TESTS)).toEqual(['gateway-read-back: expected to pass, was failed at step "gateway-anchor"']));
  test('an expected failure that passed', () =>
    expect(judgeOutcomes({ 'gateway-read-back': 'gateway-anchor' }, outcomes({}), TESTS)).toEqual(['gateway-read-back: expected to fail at step "gateway-anchor", was passed']));
  test('the wrong step, or no step named', () => {
    expect(judgeOutcomes({ 'auth-and-validation': 'no-token-401' }, outcomes({ 'auth-and-validation': 'bad-signature-401' }), TESTS)).toEqual(['auth-and-validation: expected to fail at step "no-token-401", failed at step "bad-signature-401"']);
    expect(judgeOutcomes({ 'auth-and-validation': 'no-token-401' }, outcomes({ 'auth-and-validation': null }), TESTS)).toEqual(['auth-and-validation: expected to fail at step "no-token-401", failed without naming a step: Error: hook failed']);
  });
  test('skipped or missing tests are not passes', () => {
    expect(judgeOutcomes({}, outcomes({}, 'skipped'), TESTS)).toHaveLength(4);
    expect(judgeOutcomes({}, [], TESTS)).toEqual(TESTS.map((t) => `${t}: not in the report`));
    expect(judgeOutcomes({ 'no-such-flow': 'x' }, outcomes({}), TESTS)).toEqual(['no-such-flow: the defect expects a flow test the suite does not have']);
  });
  test('a row and its markdown', () => {
    const meta = { defect: 'gateway-501', service: 'api-gateway', module: 'gateway.py', summary: 'anchoring routes answer 501', expected: { 'gateway-read-back': 'gateway-anchor' }, ms: 11_000 };
    const ok = matrixRow(meta, outcomes({ 'gateway-read-back': 'gateway-anchor' }), TESTS);
    expect(ok).toMatchObject({ ok: true, observed: { 'gateway-read-back': 'gateway-anchor' }, problems: [] });
    const bad = matrixRow(meta, outcomes({}), TESTS);
    const md = renderMatrixMarkdown([ok, bad], { platform: 'linux/amd64', totalMs: 22_000, generatedAt: 'T' });
    expect(md).toContain('| gateway-501 | api-gateway | gateway-read-back @ `gateway-anchor` | gateway-read-back @ `gateway-anchor` | yes | 11.0 s |');
    expect(md).toContain('| gateway-501 | api-gateway | gateway-read-back @ `gateway-anchor` | (none) | **NO** | 11.0 s |');
    expect(md).toContain('1/2 rows as declared');
    expect(md).toContain('  - gateway-read-back: expected to fail at step "gateway-anchor", was passed');
  });
});
