// Runs one named flow as a vitest test body: records its figures (also when it fails), annotates the
// test with them, and rethrows the flow's failure as the test's error.
import { METRIC, recordMetric } from '../model/metrics.ts';
import { Flow, type FlowEnv } from './context.ts';
import { flowRecord, summarizeRecord, type FiguresBook, type FlowRecord } from './figures.ts';

/** The parts of vitest's test context used here (kept structural so unit tests can fake it). */
export interface TestHooks {
  annotate?: (message: string, type?: string) => Promise<unknown>;
  task?: { meta: object };
}

export async function runFlow(env: FlowEnv, name: string, body: (f: Flow) => Promise<void>, book: FiguresBook, hooks: TestHooks = {}): Promise<FlowRecord> {
  const f = new Flow(env, name);
  let error: unknown;
  try {
    await body(f);
  } catch (e) {
    error = e;
  }
  const rec = flowRecord(f.run.trail, f.run.elapsedMs, f.figures);
  book.addFlow(env.platform, env.emulated, name, rec);
  // task.meta lands in the JSON report (results.json); the annotation in the console and junit.xml.
  if (hooks.task) (hooks.task.meta as Record<string, unknown>)['flow'] = rec;
  await hooks.annotate?.(`${name} [${env.platform}]: ${summarizeRecord(rec)}`, 'flow-figures').catch(() => undefined);
  await recordMetric(hooks.annotate, METRIC.anchoringLatency, rec.figures['anchorConfirmMs'], 'ms').catch(() => undefined);
  if (error) throw error;
  return rec;
}
