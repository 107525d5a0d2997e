import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import type { Reporter, TestCase, TestModule, TestRunEndReason, TestSuite, Vitest } from 'vitest/node';
import { DEFAULT_REPORT_DIR, PLAN_ENV, type RunPlan } from '../plan/plan.ts';
import { buildResults, makeRunId, type CaseRecord } from './collect.ts';
import { RESULTS_FILE, writeDashboard } from './dashboard-write.ts';
import { storeRun } from './history.ts';
import { resolvePlan } from './plan-view.ts';
import { resultsJson, type Results } from './results-schema.ts';
import type { HostFacts } from '../host/schema.ts';
import { outcomeIn, subjectIn } from '../model/verdict.ts';
import { writeJunit } from './junit.ts';

interface ResultsReporterOptions {
  /** Where results.json goes; default env LUCID_RESULTS_FILE, else <plan reportDir>/results.json. */
  outputFile?: string;
  /** Only modules of this vitest project count ('' = all); default `suites`. */
  project?: string;
  /** Engine version to record; default: ask the engine (2 s at most); false: leave it out. */
  engineVersion?: string | false;
  /** Keep a copy under <reportDir>/history/<tag>/ (default true). */
  history?: boolean;
  /** Re-render <reportDir>/index.html (default true). */
  dashboard?: boolean;
}

const OUTPUT_ENV = 'LUCID_RESULTS_FILE';
const NODE_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

async function askHost(): Promise<HostFacts | undefined> {
  try {
    const { gatherHostFacts } = await import('../host/gather.ts');
    return await gatherHostFacts({ timeoutMs: 2000 });
  } catch {
    return undefined;
  }
}

/** sha256 of the contract as the run loaded it, so shards of one report can be shown to share it. */
async function contractDigestOf(
  contract: { file?: string; overrides: string[] } | undefined,
): Promise<string | undefined> {
  if (!contract) return undefined;
  try {
    const { loadContract } = await import('../contract/load.ts');
    const { canonicalJson } = await import('../crypto/canonical-json.ts');
    return `sha256:${createHash('sha256')
      .update(canonicalJson(loadContract(contract)))
      .digest('hex')}`;
  } catch {
    return undefined;
  }
}

async function askEngine(): Promise<string | undefined> {
  try {
    const { engineFacts } = await import('../engine/docker.ts');
    const timeout = new Promise<undefined>((r) => (setTimeout(r, 2000) as unknown as NodeJS.Timeout).unref());
    return (await Promise.race([engineFacts(), timeout]))?.version;
  } catch {
    return undefined;
  }
}

/** describe titles around a test or suite, from the outside in. */
function ancestors(t: TestCase | TestSuite): string[] {
  const names: string[] = [];
  for (let p: TestSuite | TestModule = t.parent; p.type === 'suite'; p = p.parent) names.unshift(p.name);
  return names;
}

function caseRecord(t: TestCase, suite: string): CaseRecord {
  const r = t.result();
  // The outcome and the declared subject are read as data (task.meta); titles only name a check without an outcome.
  const outcome = outcomeIn(t.meta());
  const subject = subjectIn(t.meta());
  return {
    suite,
    ancestors: ancestors(t),
    title: t.name,
    status: r.state === 'skipped' ? 'not-run' : r.state,
    ...(r.state === 'skipped' && { reason: r.note || (t.options.mode === 'skip' ? 'skipped by the plan' : 'skipped') }),
    ...(outcome && { outcome }),
    ...(subject && { subject }),
    durationMs: t.diagnostic()?.duration ?? 0,
    errors: (r.errors ?? []).map((e) => e.message || e.name || 'error'),
    annotations: t.annotations().map((a) => ({ type: a.type, message: a.message })),
  };
}

/**
 * A module that failed to load, or a suite hook (beforeAll/afterAll) that threw while no test of the suite
 * failed: vitest then marks the tests skipped, so a `(setup)` check carries the error.
 */
function setupFailures(m: TestModule, suite: string): CaseRecord[] {
  const out: CaseRecord[] = [];
  const record = (errors: { message: string }[], path: string[], meta?: unknown) => {
    const subject = subjectIn(meta);
    if (errors.length)
      out.push({
        suite,
        ancestors: path,
        title: '(setup)',
        status: 'failed',
        durationMs: 0,
        errors: errors.map((e) => e.message),
        annotations: [],
        ...(subject && { subject }),
      });
  };
  record(m.errors(), []);
  for (const s of m.children.allSuites()) {
    const failedTest = [...s.children.allTests()].some((t) => t.result().state === 'failed');
    // The suite's declared subject (describe meta) says what its failed hook was about.
    if (!failedTest) record(s.errors(), [...ancestors(s), s.name], s.meta());
  }
  return out;
}

/**
 * vitest reporter writing results.json (helpers/report/results-schema.ts) at the end of a run, then its
 * history copy and the dashboard. It never fails the run: a problem here is printed, not thrown.
 */
export default class ResultsReporter implements Reporter {
  private vitest?: Vitest;
  private started = new Date();

  constructor(private readonly options: ResultsReporterOptions = {}) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    this.started = new Date();
  }

  onTestRunStart(): void {
    this.started = new Date();
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>, _errors: unknown, reason: TestRunEndReason): Promise<void> {
    try {
      const written = await this.write(modules, reason);
      if (written)
        console.error(`results: ${written.file}${written.dashboard ? `; dashboard: ${written.dashboard}` : ''}`);
    } catch (e) {
      console.error(`results reporter: could not write results: ${(e as Error).message}`);
    }
  }

  private async write(
    modules: ReadonlyArray<TestModule>,
    reason: TestRunEndReason,
  ): Promise<{ file: string; dashboard?: string } | undefined> {
    const project = this.options.project ?? 'suites';
    const mine = modules.filter((m) => !project || m.project.name === project);
    if (!mine.length) return undefined;
    const root = this.vitest?.config.root ?? process.cwd();
    let provided: RunPlan | undefined;
    try {
      provided = (mine[0]!.project.getProvidedContext() as { plan?: RunPlan }).plan;
    } catch {
      provided = undefined;
    }
    const { view, reportDir } = resolvePlan(provided, process.env[PLAN_ENV]);
    const file = resolve(
      this.options.outputFile || process.env[OUTPUT_ENV] || join(reportDir ?? DEFAULT_REPORT_DIR, RESULTS_FILE),
    );
    const cases = mine.flatMap((m) => {
      const suite = relative(root, m.moduleId);
      return [...[...m.children.allTests()].map((t) => caseRecord(t, suite)), ...setupFailures(m, suite)];
    });
    const engineVersion =
      this.options.engineVersion === false ? undefined : (this.options.engineVersion ?? (await askEngine()));
    const host = this.options.engineVersion === false ? undefined : await askHost();
    const contractDigest = await contractDigestOf(view?.contract);
    const results: Results = buildResults({
      run: {
        id: makeRunId(this.started),
        started: this.started.toISOString(),
        finished: new Date().toISOString(),
        hostArch: NODE_ARCH[arch()] ?? arch(),
        ...(engineVersion && { engineVersion }),
        ...(host && { host }),
        ...(contractDigest && { contractDigest }),
        outcome: reason,
      },
      ...(view && { plan: view }),
      cases,
    });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, resultsJson(results));
    renameSync(`${file}.tmp`, file);
    const dir = dirname(file);
    writeJunit(join(dir, 'junit.xml'), results);
    if (this.options.history !== false) storeRun(dir, results);
    const dashboard = this.options.dashboard !== false ? writeDashboard(dir) : undefined;
    return { file, ...(dashboard && { dashboard }) };
  }
}
