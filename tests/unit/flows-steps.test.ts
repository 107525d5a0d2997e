import { describe, expect, test } from 'vitest';
import { JsonNumberText } from '../../helpers/crypto/canonical-json.ts';
import { bodyWithNumberText, requestLine, seenOf, stableJson, type Exchange } from '../../helpers/flows/exchange.ts';
import { expectAll, expectField, expectNoProblems, expectStatus } from '../../helpers/flows/expect.ts';
import { FlowFailed, FlowRun, formatFlowFailure, StepProblem } from '../../helpers/flows/steps.ts';
import { pollUntil } from '../../helpers/flows/poll.ts';

const ex = (over: Partial<Exchange> = {}): Exchange => ({
  service: 'block-manager',
  method: 'GET',
  path: '/api/v1/blocks/latest',
  status: 200,
  body: {},
  text: '{}',
  ms: 1,
  ...over,
});

describe('exchanges in messages', () => {
  test('request line names method, service and path', () =>
    expect(requestLine(ex())).toBe('GET block-manager /api/v1/blocks/latest'));
  test('seenOf shows the status and a flattened excerpt of the body', () => {
    expect(seenOf(ex({ status: 404, text: '{"detail":\n  "no"}' }))).toBe('HTTP 404 {"detail": "no"}');
    expect(seenOf(ex({ status: 500, text: 'x'.repeat(400) }))).toMatch(/^HTTP 500 x{300}…$/);
  });
  test('no answer shows the connection error', () =>
    expect(seenOf(ex({ status: 0, error: 'ECONNREFUSED connect' }))).toBe('no answer (ECONNREFUSED connect)'));
  test('stableJson ignores key order', () =>
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(stableJson({ a: [{ c: 2, d: 1 }], b: 1 })));
  test('bodyWithNumberText keeps every number as written; a repeated key keeps its last value', () => {
    const n = (t: string) => new JsonNumberText(t);
    expect(bodyWithNumberText({ text: '{"fee": 0.0, "ns": [1733580123456789012], "k": 1, "k": 2.50}' })).toEqual({
      fee: n('0.0'),
      ns: [n('1733580123456789012')],
      k: n('2.50'),
    });
    expect(bodyWithNumberText({ text: 'not json' })).toBeUndefined();
  });
});

describe('expectations', () => {
  test('a wrong status fails with a finding: the request as its check, expectation and answer', () => {
    const e = (() => {
      try {
        expectStatus(ex({ status: 404, text: '{"detail":"gone"}' }), 200);
      } catch (err) {
        return err as StepProblem;
      }
    })();
    expect(e).toBeInstanceOf(StepProblem);
    expect(e!.findings).toEqual([
      { check: 'GET block-manager /api/v1/blocks/latest', expected: 'HTTP 200', seen: 'HTTP 404 {"detail":"gone"}' },
    ]);
  });
  test('a 500 where a 4xx is due is called a defect', () => {
    expect(() => expectStatus(ex({ status: 500, text: '{}' }), 401)).toThrow(
      /server error where 401 is due is a defect/,
    );
    expect(() => expectStatus(ex({ status: 403, text: '{}' }), 401)).not.toThrow(/defect/);
  });
  test('one of several statuses is fine', () => expect(expectStatus(ex({ status: 201 }), [200, 201]).status).toBe(201));
  test('a field compares by JSON value', () => {
    expect(() =>
      expectField(ex({ body: { verified: true }, text: '{"verified":true}' }), 'verified', true),
    ).not.toThrow();
    expect(() =>
      expectField(ex({ body: { verified: true }, text: '{"verified":true}' }), 'verified', false, 'another root'),
    ).toThrow(/verified = false \(another root\), seen verified = true/);
    expect(() => expectField(ex({ body: 'text', text: 'text' }), 'verified', false)).toThrow(/a JSON object body/);
  });
  test('expectAll reports every failing item at once', () => {
    const xs = [
      ex({ service: 'a', status: 401 }),
      ex({ service: 'b', status: 500 }),
      ex({ service: 'c', status: 200 }),
    ];
    try {
      expectAll(xs, (x) => expectStatus(x, 401));
      throw new Error('should have failed');
    } catch (e) {
      expect((e as StepProblem).findings.map((f) => f.check)).toEqual([
        'GET b /api/v1/blocks/latest',
        'GET c /api/v1/blocks/latest',
      ]);
    }
  });
  test('findings of a pure check name the request they judged, unless they name their own check', () => {
    expect(() => expectNoProblems([], ex())).not.toThrow();
    expect(() => expectNoProblems([{ expected: 'x', seen: 'y' }], ex())).toThrow(
      /GET block-manager \/api\/v1\/blocks\/latest: expected x, seen y/,
    );
    try {
      expectNoProblems(
        [
          { expected: 'x', seen: 'y' },
          { check: 'the block at height 3', expected: 'a', seen: 'b' },
        ],
        ex(),
      );
    } catch (e) {
      expect((e as StepProblem).findings.map((f) => f.check)).toEqual([
        'GET block-manager /api/v1/blocks/latest',
        'the block at height 3',
      ]);
    }
  });
});

describe('the step runner', () => {
  test('a failure names the step, the request and the steps that passed before it', async () => {
    const run = new FlowRun('anchoring-end-to-end', 'linux/amd64');
    await run.step('upload-chunks', async () =>
      run.record({ method: 'POST', service: 'data-chain', path: '/api/v1/chunks' }),
    );
    const failing = run.step('status-confirmed', async () => {
      run.record({ method: 'GET', service: 'session-anchoring', path: '/api/v1/anchoring/session/x' });
      expectStatus(
        ex({ service: 'session-anchoring', path: '/api/v1/anchoring/session/x', status: 404, text: '{"detail":"no"}' }),
        200,
      );
    });
    const err = await failing.then(
      () => undefined,
      (e: unknown) => e as FlowFailed,
    );
    expect(err).toBeInstanceOf(FlowFailed);
    expect(err!.info.step).toBe('status-confirmed');
    expect(err!.message).toMatch(
      /^anchoring-end-to-end \[linux\/amd64\] failed at step "status-confirmed"\n {2}check: {4}GET session-anchoring \/api\/v1\/anchoring\/session\/x\n {2}expected: HTTP 200\n {2}seen: {5}HTTP 404 \{"detail":"no"\}\nsteps passed before it:\n {2}✓ upload-chunks \(\d\.\d\d s, 1 request\)$/,
    );
    expect(run.trail.map((t) => [t.step, t.ok])).toEqual([
      ['upload-chunks', true],
      ['status-confirmed', false],
    ]);
  });
  test('an unexpected error still fails as the step, naming its last request', async () => {
    const run = new FlowRun('f', 'p');
    const err = await run
      .step('s', async () => {
        run.record({ method: 'GET', service: 'x', path: '/y' });
        throw new TypeError('boom');
      })
      .catch((e: FlowFailed) => e);
    expect(err.info.findings).toEqual([
      { check: 'GET x /y', expected: 'the step to complete', seen: 'an error: boom' },
    ]);
  });
  test('a finding with no check of its own is named after its step', async () => {
    const run = new FlowRun('f', 'p');
    const err = (await run
      .step('local', async () => expectNoProblems([{ expected: 'a', seen: 'b' }]))
      .catch((e: unknown) => e)) as FlowFailed;
    expect(err.info.findings).toEqual([{ check: 'step "local"', expected: 'a', seen: 'b' }]);
    const crash = (await run
      .step('no-request', () => Promise.reject(new Error('boom')))
      .catch((e: unknown) => e)) as FlowFailed;
    expect(crash.info.findings).toEqual([
      { check: 'step "no-request"', expected: 'the step to complete', seen: 'an error: boom' },
    ]);
  });
  test('the first step failing says no step passed', () =>
    expect(
      formatFlowFailure({
        flow: 'f',
        subject: 'p',
        step: 's',
        findings: [{ check: 'step "s"', expected: 'a', seen: 'b', where: 'log 1\nlog 2' }],
        trail: [],
      }),
    ).toBe(
      'f [p] failed at step "s"\n  check:    step "s"\n  expected: a\n  seen:     b\n  where to look:\n    log 1\n    log 2\nno step passed before it',
    ));
});

describe('bounded polling', () => {
  test('stops when done, on a fatal answer, or when the budget runs out', async () => {
    let n = 0;
    const done = await pollUntil(async () => (++n >= 3 ? { done: true, value: n } : { done: false, value: n }), {
      budgetMs: 1000,
      intervalMs: 1,
    });
    expect(done).toMatchObject({ ok: true, value: 3, attempts: 3, fatal: false });
    const fatal = await pollUntil(async () => ({ done: false, value: 'gone', fatal: true }), {
      budgetMs: 1000,
      intervalMs: 1,
    });
    expect(fatal).toMatchObject({ ok: false, value: 'gone', attempts: 1, fatal: true });
    const out = await pollUntil(async () => ({ done: false, value: 'pending' }), { budgetMs: 20, intervalMs: 5 });
    expect(out.ok).toBe(false);
    expect(out.fatal).toBe(false);
    expect(out.elapsedMs).toBeGreaterThanOrEqual(20);
  });
});
