// Runs one named flow as a vitest test body: records its figures (also when it fails), annotates the
// test with them, attaches its outcome (task.meta) and rethrows the flow's failure as the test's error.
import type { Finding } from '../model/finding.ts';
import { METRIC, recordMetric } from '../model/metrics.ts';
import { attachOutcome, FLOWS_IMAGE, flowsSubject, type FlowOutcome } from '../model/verdict.ts';
import { Flow, type FlowEnv } from './context.ts';
import { flowRecord, summarizeRecord, type FiguresBook, type FlowRecord } from './figures.ts';
import { FlowFailed } from './steps.ts';

/** The parts of vitest's test context used here (kept structural so unit tests can fake it). */
interface TestHooks {
  annotate?: (message: string, type?: string) => Promise<unknown>;
  task?: { meta: object };
}

/** The outcome of flow `flow` on `platform`: what the reports, regress and the flow matrix read. */
export function flowOutcome(
  platform: string,
  flow: string,
  o: Pick<FlowOutcome, 'verdict' | 'step' | 'reason'> & { findings?: Finding[] },
): FlowOutcome {
  return {
    kind: 'flow',
    subject: flowsSubject(platform),
    image: FLOWS_IMAGE,
    platform,
    check: flow,
    flow,
    ...o,
    findings: o.findings ?? [],
  };
}

/** A stack that did not come up fails each of its flows before any step: the stack's error is the finding. */
export function stackDownOutcome(platform: string, flow: string, network: string, error: string): FlowOutcome {
  const [first = '', ...rest] = error.split('\n');
  const finding: Finding = {
    check: `the ${platform} stack on ${network}`,
    expected: 'every service of the stack up, hardened as compose runs them',
    seen: first,
    ...(rest.length && { where: rest.join('\n') }),
  };
  return flowOutcome(platform, flow, { verdict: 'failed', findings: [finding] });
}

/** A failed flow during which services of its stack were down says so among its findings: that is usually the cause. */
export function withServicesDown(o: FlowOutcome, down: readonly string[]): FlowOutcome {
  return {
    ...o,
    findings: [
      ...o.findings,
      {
        check: `the ${o.platform} stack while the flow ran`,
        expected: 'every service of the stack up',
        seen: down.join('; '),
      },
    ],
  };
}

/** A flow's error as its outcome: a failed step names itself and its findings; anything else failed outside the steps. */
function failedOutcome(platform: string, flow: string, e: unknown): FlowOutcome {
  if (e instanceof FlowFailed)
    return flowOutcome(platform, flow, { verdict: 'failed', step: e.info.step, findings: e.info.findings });
  return flowOutcome(platform, flow, {
    verdict: 'failed',
    findings: [
      {
        check: `flow ${flow}`,
        expected: 'the flow to complete',
        seen: `an error: ${(e as Error)?.message ?? String(e)}`,
      },
    ],
  });
}

export async function runFlow(
  env: FlowEnv,
  name: string,
  body: (f: Flow) => Promise<void>,
  book: FiguresBook,
  hooks: TestHooks = {},
): Promise<FlowRecord> {
  const f = new Flow(env, name);
  let failed = false;
  let error: unknown;
  try {
    await body(f);
  } catch (e) {
    failed = true;
    error = e;
  }
  const rec = flowRecord(f.run.trail, f.run.elapsedMs, f.figures);
  book.addFlow(env.platform, env.emulated, name, rec);
  // The outcome lands in vitest's JSON report and in results.json; the annotation in the console and junit.xml.
  if (hooks.task)
    attachOutcome(
      { task: hooks.task },
      failed ? failedOutcome(env.platform, name, error) : flowOutcome(env.platform, name, { verdict: 'passed' }),
    );
  await hooks.annotate?.(`${name} [${env.platform}]: ${summarizeRecord(rec)}`, 'flow-figures').catch(() => undefined);
  await recordMetric(hooks.annotate, METRIC.anchoringLatency, rec.figures['anchorConfirmMs'], 'ms').catch(
    () => undefined,
  );
  if (failed) throw error;
  return rec;
}
