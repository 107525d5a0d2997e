// Runs the flow suite in a child vitest for one plan (as the CLI runs the suites), with its own run id
// so its teardown sweeps only its own containers, and a JSON report to read back.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../contract/load.ts';
import { PLAN_ENV } from '../plan/plan.ts';

export interface ChildRun {
  code: number | null;
  ms: number;
  /** The end of the child's console output, for a failure message. */
  outputTail: string;
}

export const FLOW_SUITE_FILE = 'suites/flows.suite.ts';

export function runFlowSuiteChild(opts: { planFile: string; jsonReport: string; runId: string; timeoutMs: number }): Promise<ChildRun> {
  const args = [join(PROJECT_ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--project', 'suites', FLOW_SUITE_FILE, '--reporter=dot', '--reporter=json', `--outputFile.json=${opts.jsonReport}`];
  const t0 = Date.now();
  return new Promise((done) => {
    // LUCID_RUN_PID stays the parent's, so the children's containers are not "stale" while it lives.
    const env = { ...process.env, [PLAN_ENV]: opts.planFile, LUCID_RUN_ID: opts.runId };
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (b: Buffer) => {
      out = (out + b.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, ms: Date.now() - t0, outputTail: out });
    });
  });
}
