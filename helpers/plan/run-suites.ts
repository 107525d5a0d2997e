import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { PROJECT_ROOT } from '../contract/load.ts';
import { outcomeIn, subjectIn, type Verdict } from '../model/verdict.ts';
import { PLAN_ENV, writePlan, type RunPlan } from './plan.ts';
import { descendants, reap } from './process-tree.ts';

export interface SuiteRun {
  exitCode: number;
  junit: string;
  json: string;
  results: string;
  dashboard: string;
  planFile: string;
  /** Set when the user interrupted the run (Ctrl-C, SIGTERM): the child and its workers were stopped. */
  interrupted?: NodeJS.Signals;
}

/**
 * Runs the suites project in a child vitest, as `npx vitest` would, so its own signal handling and reporters
 * behave as users know them. `quiet` keeps a harness test's output small (dot reporter).
 */
export function runSuites(
  plan: RunPlan,
  opts: { files?: string[]; quiet?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<SuiteRun> {
  const planFile = writePlan(opts.files ? { ...plan, suiteFiles: opts.files } : plan);
  const junit = join(plan.reportDir, 'junit.xml');
  // vitest's own json; results.json is the harness's document (helpers/report/results-reporter.ts).
  const json = join(plan.reportDir, 'vitest-results.json');
  const args = [
    join(PROJECT_ROOT, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--project',
    'suites',
    ...(opts.files ?? []),
    // junit.xml is written by the results reporter from results.json (not-run checks keep their reason).
    `--reporter=${opts.quiet ? 'dot' : 'default'}`,
    '--reporter=json',
    `--reporter=${join(PROJECT_ROOT, 'helpers/report/results-reporter.ts')}`,
    `--outputFile.json=${json}`,
    // No image to run (a tag that lacks every platform asked for): only the registry suite has checks; the image
    // suites declare none, which is no failure of theirs ("No test suite found" would count as a broken setup).
    ...(plan.targets.length ? [] : ['--passWithNoTests']),
  ];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: PROJECT_ROOT,
      stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
      env: { ...process.env, ...opts.env, [PLAN_ENV]: planFile },
    });
    let tail = '';
    const keep = (b: Buffer) => (tail = (tail + b.toString()).slice(-4000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let interrupted: NodeJS.Signals | undefined;
    let workers: number[] = [];
    // vitest and its workers get the signal; the workers are waited for, or one could still start a
    // container after the caller's final sweep.
    const forward = (sig: NodeJS.Signals) => {
      interrupted ??= sig;
      workers = [...new Set([...workers, ...descendants(child.pid ?? -1)])];
      child.kill(sig);
      for (const pid of workers) {
        try {
          process.kill(pid, sig);
        } catch {
          /* already gone */
        }
      }
    };
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('error', fail);
    child.on('exit', async (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      if (interrupted) await reap(workers);
      else if (code === null) return fail(new Error(`vitest was killed by ${signal}; output tail:\n${tail}`));
      done({
        exitCode: code ?? 1,
        junit,
        json,
        planFile,
        results: join(plan.reportDir, 'results.json'),
        dashboard: join(plan.reportDir, 'index.html'),
        interrupted,
      });
    });
  });
}

export interface TestOutcome {
  /** describe titles from the outside in, e.g. ["data-chain [linux/amd64]"]. */
  ancestors: string[];
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
  /** Without the colour codes vitest may leave in them. */
  failureMessages: string[];
  durationMs: number;
  /** The test's task.meta as vitest's JSON reporter writes it: its outcome (meta.outcome) and declared subject (meta.subject). */
  meta: Record<string, unknown>;
}

/** Pure: the per-test outcomes of vitest's json reporter file. */
export function parseVitestJson(text: string): TestOutcome[] {
  type Assertion = {
    ancestorTitles: string[];
    title: string;
    status: TestOutcome['status'];
    failureMessages?: string[];
    duration?: number;
    meta?: Record<string, unknown>;
  };
  const doc = JSON.parse(text) as { testResults: { assertionResults: Assertion[] }[] };
  return doc.testResults.flatMap((f) =>
    f.assertionResults.map((a) => ({
      ancestors: a.ancestorTitles,
      title: a.title,
      status: a.status,
      failureMessages: (a.failureMessages ?? []).map(stripVTControlCharacters),
      durationMs: a.duration ?? 0,
      meta: a.meta ?? {},
    })),
  );
}

/** One test as the matrices judge it: what it is about, which check, its verdict (and a flow's failed step). */
interface JudgedTest {
  subject: string;
  platform: string;
  check: string;
  verdict: Verdict;
  /** Why it did not run, when it did not. */
  reason?: string;
  step?: string;
  /** Its failure messages, to show and to prove that they name a defect; never read for the verdict. */
  failureMessages: string[];
}

/**
 * Pure: subject, check, verdict and step of each test from its outcome (meta.outcome). A test that ended without
 * one (it timed out, its hook failed) counts by the subject its describe declared (meta.subject) and vitest's own
 * status; a test with neither is no subject's.
 */
export function judgedTests(outcomes: readonly TestOutcome[]): JudgedTest[] {
  return outcomes.flatMap((o): JudgedTest[] => {
    const out = outcomeIn(o.meta);
    if (out)
      return [
        {
          subject: out.subject,
          platform: out.platform,
          check: out.check,
          verdict: out.verdict,
          ...(out.reason !== undefined && { reason: out.reason }),
          ...(out.kind === 'flow' && out.step !== undefined && { step: out.step }),
          failureMessages: o.failureMessages,
        },
      ];
    const about = subjectIn(o.meta);
    if (!about) return [];
    const verdict: Verdict = o.status === 'passed' ? 'passed' : o.status === 'failed' ? 'failed' : 'not-run';
    return [
      { subject: about.subject, platform: about.platform, check: o.title, verdict, failureMessages: o.failureMessages },
    ];
  });
}

export const readOutcomes = (jsonFile: string) => parseVitestJson(readFileSync(jsonFile, 'utf8'));
