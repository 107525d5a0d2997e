// A flow's figures are recorded whether it passes or fails, annotated on the test and kept per platform; its outcome
// (verdict, failed step, findings) is attached to the test either way.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { flowBudgets } from '../../helpers/flows/budgets.ts';
import type { FlowEnv } from '../../helpers/flows/context.ts';
import { FiguresBook, summarizeRecord } from '../../helpers/flows/figures.ts';
import { runFlow } from '../../helpers/flows/run.ts';
import { mismatch } from '../../helpers/flows/steps.ts';
import { flowTokens } from '../../helpers/flows/tokens.ts';
import { outcomeIn } from '../../helpers/model/verdict.ts';

const contract = loadContract({});
const env: FlowEnv = {
  platform: 'linux/amd64',
  emulated: false,
  contract,
  budgets: flowBudgets(contract, false),
  tokens: await flowTokens(contract),
  url: () => 'http://127.0.0.1:9',
  containerId: () => 'x',
  setUrl: () => undefined,
  standIns: new Map(),
  control: {
    stop: async () => undefined,
    start: async () => 'http://127.0.0.1:9',
    isRunning: async () => true,
    startStandIn: async () => ({ readyMs: 0 }),
  },
};

describe('runFlow and the figures book', () => {
  test('a failing flow still records its steps and figures, annotates, and rethrows the step failure', async () => {
    const book = new FiguresBook();
    const notes: string[] = [];
    const task = { meta: {} as Record<string, unknown> };
    const run = runFlow(
      env,
      'demo-flow',
      async (f) => {
        await f.step('first', async () => void (f.figures['anchorConfirmMs'] = 42));
        await f.step('second', async () => mismatch('HTTP 200', 'HTTP 500'));
      },
      book,
      { annotate: async (m) => void notes.push(m), task },
    );
    await expect(run).rejects.toThrow(/demo-flow \[linux\/amd64\] failed at step "second"/);
    const rec = book.platforms['linux/amd64']!.flows['demo-flow']!;
    expect(rec).toMatchObject({ ok: false, failedStep: 'second', figures: { anchorConfirmMs: 42 } });
    expect(rec.steps.map((s) => [s.step, s.ok])).toEqual([
      ['first', true],
      ['second', false],
    ]);
    // The outcome, as data: the failed step and its finding, the check named after the step (mismatch gave none).
    expect(task.meta['outcome']).toEqual({
      kind: 'flow',
      subject: 'linux/amd64 flows',
      image: 'flows',
      platform: 'linux/amd64',
      check: 'demo-flow',
      flow: 'demo-flow',
      verdict: 'failed',
      step: 'second',
      findings: [{ check: 'step "second"', expected: 'HTTP 200', seen: 'HTTP 500' }],
    });
    expect(notes[0]).toMatch(
      /^demo-flow \[linux\/amd64\]: \d\.\d\d s, 1\/2 steps passed, failed at second; anchorConfirmMs 42$/,
    );
  });

  test('a passing flow attaches a passed outcome with no findings', async () => {
    const task = { meta: {} as Record<string, unknown> };
    await runFlow(env, 'ok-flow', async (f) => void (await f.step('only', async () => undefined)), new FiguresBook(), {
      task,
    });
    expect(outcomeIn(task.meta)).toEqual({
      kind: 'flow',
      subject: 'linux/amd64 flows',
      image: 'flows',
      platform: 'linux/amd64',
      check: 'ok-flow',
      flow: 'ok-flow',
      verdict: 'passed',
      findings: [],
    });
  });

  test('an error outside any step fails the flow without a step, the error as its finding', async () => {
    const task = { meta: {} as Record<string, unknown> };
    await expect(
      runFlow(env, 'broken', async () => Promise.reject(new TypeError('no env')), new FiguresBook(), { task }),
    ).rejects.toThrow('no env');
    const o = outcomeIn(task.meta);
    expect(o).toMatchObject({
      kind: 'flow',
      verdict: 'failed',
      findings: [{ check: 'flow broken', expected: 'the flow to complete', seen: 'an error: no env' }],
    });
    expect(o && 'step' in o ? o.step : undefined).toBeUndefined();
  });

  test('per-platform totals and the JSON file', async () => {
    const book = new FiguresBook();
    await runFlow(env, 'a', async (f) => void (await f.step('s', async () => undefined)), book);
    await runFlow(env, 'b', async () => undefined, book);
    const p = book.platform('linux/amd64', false);
    p.stackStartMs = 1500;
    expect(p.totalFlowMs).toBe(p.flows['a']!.ms + p.flows['b']!.ms);
    const file = join(mkdtempSync(join(tmpdir(), 'flow-figures-')), 'sub', 'flow-figures.json');
    book.write(file);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.platforms['linux/amd64']).toMatchObject({
      emulated: false,
      stackStartMs: 1500,
      flows: { a: { ok: true }, b: { ok: true, steps: [] } },
    });
    expect(summarizeRecord(doc.platforms['linux/amd64'].flows.a)).toMatch(/^\d\.\d\d s, 1\/1 steps passed$/);
  });
});
