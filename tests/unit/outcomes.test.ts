// Outcomes as data: every check and flow test attaches {subject, check, verdict, findings[]} (flows also the
// failed step) to task.meta, whatever its end; the readers trust only what the schema accepts.
import type { TestContext } from 'vitest';
import { describe, expect, test, vi } from 'vitest';
import { flowOutcome, stackDownOutcome, withServicesDown } from '../../helpers/flows/run.ts';
import { CheckFailed } from '../../helpers/model/finding.ts';
import { NotRun, outcomeIn, type Outcome } from '../../helpers/model/verdict.ts';
import { judged } from '../../suites/judged.ts';

// The engine answers: a failure here is the check's, not the engine's going away.
vi.mock('../../helpers/engine/gone.ts', () => ({ engineAnswers: async () => true, engineGone: () => false }));

class Skipped extends Error {}
const fakeCtx = () => {
  const notes: string[] = [];
  const ctx = {
    task: { meta: {} as Record<string, unknown> },
    skip: (note?: string): never => {
      throw new Skipped(note);
    },
    annotate: async (m: string) => void notes.push(m),
  };
  return { ctx: ctx as unknown as TestContext, meta: ctx.task.meta, notes };
};
const subject = {
  subject: 'data-chain [linux/amd64]',
  image: 'data-chain',
  platform: 'linux/amd64',
  check: 'user',
  title: 'data-chain [linux/amd64]: the user',
};
const finding = { check: 'Config.User', expected: 'a non-root user', seen: 'root' };

describe('a smoke check attaches its outcome', () => {
  test('passed, with no findings', async () => {
    const { ctx, meta } = fakeCtx();
    await judged(ctx, subject, async () => []);
    expect(outcomeIn(meta)).toEqual({
      kind: 'check',
      subject: 'data-chain [linux/amd64]',
      image: 'data-chain',
      platform: 'linux/amd64',
      check: 'user',
      verdict: 'passed',
      findings: [],
    });
  });
  test('failed, with its findings, and the test fails', async () => {
    const { ctx, meta } = fakeCtx();
    await expect(judged(ctx, subject, async () => [finding])).rejects.toBeInstanceOf(CheckFailed);
    expect(outcomeIn(meta)).toMatchObject({ verdict: 'failed', findings: [finding] });
  });
  test('not run, with its reason, and the test is skipped', async () => {
    const { ctx, meta, notes } = fakeCtx();
    await expect(
      judged(ctx, subject, async () => Promise.reject(new NotRun('the container had exited'))),
    ).rejects.toBeInstanceOf(Skipped);
    expect(outcomeIn(meta)).toMatchObject({ verdict: 'not-run', reason: 'the container had exited', findings: [] });
    expect(notes).toEqual(['the container had exited']);
  });
  test('a judge that throws fails the check, the error as its finding', async () => {
    const { ctx, meta } = fakeCtx();
    await expect(judged(ctx, subject, async () => Promise.reject(new TypeError('x is undefined')))).rejects.toThrow(
      'x is undefined',
    );
    expect(outcomeIn(meta)).toMatchObject({
      verdict: 'failed',
      findings: [{ check: 'user', expected: 'the check to complete', seen: 'an error: x is undefined' }],
    });
  });
});

describe('a flow outcome', () => {
  test("names the platform's flows as its subject and the flow as its check", () =>
    expect(flowOutcome('linux/arm64', 'gateway-read-back', { verdict: 'not-run', reason: 'no registry' })).toEqual({
      kind: 'flow',
      subject: 'linux/arm64 flows',
      image: 'flows',
      platform: 'linux/arm64',
      check: 'gateway-read-back',
      flow: 'gateway-read-back',
      verdict: 'not-run',
      reason: 'no registry',
      findings: [],
    }));
  test("a stack that did not come up fails the flow before any step, the stack's error as the finding", () => {
    const o = stackDownOutcome(
      'linux/amd64',
      'anchoring-end-to-end',
      'lucid-net',
      'data-chain exited 1\nlogs:\n  | boom',
    );
    expect(o).toMatchObject({
      verdict: 'failed',
      findings: [
        { check: 'the linux/amd64 stack on lucid-net', seen: 'data-chain exited 1', where: 'logs:\n  | boom' },
      ],
    });
    expect(o.step).toBeUndefined();
  });
  test('services down while it ran are added to its findings', () => {
    const failed = flowOutcome('linux/amd64', 'f', { verdict: 'failed', step: 's', findings: [finding] });
    expect(withServicesDown(failed, ['data-chain: exited 137', 'api-gateway: exited 1']).findings).toEqual([
      finding,
      {
        check: 'the linux/amd64 stack while the flow ran',
        expected: 'every service of the stack up',
        seen: 'data-chain: exited 137; api-gateway: exited 1',
      },
    ]);
  });
});

describe('reading an outcome back', () => {
  const o: Outcome = flowOutcome('linux/amd64', 'f', { verdict: 'failed', step: 's', findings: [finding] });
  test("from task.meta or a report's meta, as it was attached", () =>
    expect(outcomeIn(JSON.parse(JSON.stringify({ outcome: o })))).toEqual(o));
  test('anything else is no outcome', () => {
    expect(outcomeIn(undefined)).toBeUndefined();
    expect(outcomeIn({})).toBeUndefined();
    expect(outcomeIn({ outcome: { ...o, verdict: 'skipped' } })).toBeUndefined();
    expect(outcomeIn({ outcome: { ...o, findings: [{ expected: 'a', received: 'b' }] } })).toBeUndefined();
  });
});
