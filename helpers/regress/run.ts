/**
 * A regression run: list the repositories' tags, pick the timestamped ones, run the suites once per tag
 * (each into <reportDir>/tags/<tag>/, as `verify --registry --tag` would), compare each tag with its baseline,
 * write regression.json and re-render the dashboard over every tag's run.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryOf, serviceNamed } from '../contract/load.ts';
import type { Platform } from '../model/platform.ts';
import type { Contract } from '../contract/schema.ts';
import { PublishedImageWrong, registryTargets } from '../registry/plan-targets.ts';
import { runSuites } from '../plan/run-suites.ts';
import type { RunPlan } from '../plan/plan.ts';
import { RegistryClient } from '../registry/client.ts';
import { defaultRegressionConfig, type RegressionConfig } from '../report/compare.ts';
import { RESULTS_FILE, writeDashboard } from '../report/dashboard-write.ts';
import { formatDuration } from '../report/format.ts';
import { storeRun, tagDir } from '../report/history.ts';
import { readResults, resultsJson, type Results } from '../report/results-schema.ts';
import { checkCounts, comparePairs } from './pairs.ts';
import { REGRESSION_FILE, regressionJson, type RegressionReport, type TagRun } from '../report/regression-schema.ts';
import { checkBaseline, planComparisons, selectTags, type Selector, type TagListing } from './select.ts';
import { summarizeRegression } from './summary.ts';

interface RegressInput {
  contract: Contract;
  contractSource: RunPlan['contract'];
  registry: string;
  plainHttp?: boolean;
  selector: Selector;
  baseline?: string;
  services: string[];
  platforms: Platform[];
  reportDir: string;
  config?: RegressionConfig;
  /** Progress lines (the CLI sends them to stderr). */
  log?: (line: string) => void;
  /** Show the child vitest's own output instead of a dot reporter kept in memory. */
  verbose?: boolean;
}

interface RegressOutcome {
  report: RegressionReport;
  file: string;
  summary: string;
  dashboard?: string;
  /** 1 a regression or a published image that is wrong; else 2 when a tag's suites could not run; else 0. */
  exitCode: 0 | 1 | 2;
}

const selectionValue = (s: Selector) => (s.kind === 'pattern' ? s.pattern : s.kind === 'last' ? String(s.n) : s.since);

async function listings(client: RegistryClient, contract: Contract, services: string[]): Promise<TagListing[]> {
  const out: TagListing[] = [];
  for (const s of services) {
    const repository = repositoryOf(contract, serviceNamed(contract, s));
    out.push({ repository, tags: await client.listTags(repository) });
  }
  return out;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Runs the suites on one tag; a wrong published image or a broken suites run is recorded, not thrown. */
async function checkTag(
  input: RegressInput,
  client: RegistryClient,
  tag: string,
  step: string,
): Promise<{ run: TagRun; results?: Results }> {
  const log = input.log ?? (() => {});
  const dir = join('tags', tagDir(tag));
  const reportDir = join(input.reportDir, dir);
  const t0 = Date.now();
  const noResults = (
    error: string,
    errorKind: TagRun['errorKind'],
    targets: TagRun['targets'] = [],
    exitCode?: number,
  ): { run: TagRun } => ({
    run: {
      tag,
      dir,
      ...(exitCode !== undefined && { exitCode }),
      checks: { passed: 0, failed: 0, notRun: 0 },
      durationMs: Date.now() - t0,
      error,
      errorKind,
      targets,
    },
  });
  log(`regress: ${step} ${tag}: resolving images`);
  let targets: RunPlan['targets'];
  let tagProblems: RunPlan['tagProblems'];
  try {
    ({ targets, tagProblems } = await registryTargets({
      contract: input.contract,
      registry: input.registry,
      tags: [tag],
      plainHttp: !!input.plainHttp,
      services: input.services,
      platforms: input.platforms,
      log: (l) => log(`  ${l}`),
    }));
  } catch (e) {
    if (!(e instanceof PublishedImageWrong)) throw e;
    log(`regress: ${step} ${tag}: ${e.message}`);
    return noResults(e.message, 'published-image');
  }
  const pulled = targets.map((t) => ({
    service: t.service,
    platform: t.platform,
    image: t.image,
    ...(t.indexDigest && { indexDigest: t.indexDigest }),
    ...(t.manifestDigest && {
      manifestDigest: t.manifestDigest,
      reference: `${client.host}/${repositoryOf(input.contract, serviceNamed(input.contract, t.service))}@${t.manifestDigest}`,
    }),
  }));
  // A results.json left by an earlier run must not be mistaken for this one's.
  mkdirSync(reportDir, { recursive: true });
  rmSync(join(reportDir, RESULTS_FILE), { force: true });
  log(`regress: ${step} ${tag}: running the suites on ${targets.length} image(s)`);
  const plan: RunPlan = {
    version: 1,
    source: 'registry',
    contract: input.contractSource,
    targets,
    tagProblems,
    reportDir,
    registry: input.registry,
    tag,
    plainHttp: !!input.plainHttp,
  };
  const suites = await runSuites(plan, { quiet: !input.verbose });
  const file = join(reportDir, RESULTS_FILE);
  if (suites.exitCode > 1 || !existsSync(file))
    return noResults(
      `the suites did not finish (vitest exit ${suites.exitCode}${existsSync(file) ? '' : ', no results.json'}); see ${reportDir}`,
      'environment',
      pulled,
      suites.exitCode,
    );
  const results = readResults(file);
  // The reporter takes the tag from the plan; a run that lost it would be compared under the wrong name.
  if (results.run.tag !== tag)
    return noResults(
      `${file} names tag ${results.run.tag ?? '(none)'}, expected ${tag}`,
      'environment',
      pulled,
      suites.exitCode,
    );
  const checks = checkCounts(results);
  const run: TagRun = {
    tag,
    runId: results.run.id,
    dir,
    exitCode: suites.exitCode,
    ...(results.run.outcome && { outcome: results.run.outcome }),
    checks,
    durationMs: Date.now() - t0,
    targets: pulled,
  };
  log(
    `regress: ${step} ${tag}: ${checks.passed} passed, ${checks.failed} failed, ${checks.notRun} not run in ${formatDuration(run.durationMs)}`,
  );
  return { run, results };
}

export async function regress(input: RegressInput): Promise<RegressOutcome> {
  const log = input.log ?? (() => {});
  const started = new Date();
  const config = input.config ?? defaultRegressionConfig();
  const client = new RegistryClient({ registry: input.registry, plainHttp: input.plainHttp || undefined, log });
  const tagLists = await listings(client, input.contract, input.services);
  const selection = selectTags(tagLists, new RegExp(input.contract.registry.timestampTagPattern), input.selector);
  if (input.baseline !== undefined) checkBaseline(tagLists, input.baseline);
  const plan = planComparisons(selection.tags, input.baseline);
  for (const i of selection.incomplete) log(`regress: skipping ${i.tag}: missing in ${i.missingIn.join(', ')}`);
  log(
    `regress: ${plan.order.length} tag(s)${input.baseline !== undefined ? ', baseline first, then oldest first' : ', oldest first'}: ${plan.order.join(', ')}`,
  );

  const runs: TagRun[] = [];
  const results = new Map<string, Results>();
  for (const [i, tag] of plan.order.entries()) {
    const checked = await checkTag(input, client, tag, `[${i + 1}/${plan.order.length}]`);
    runs.push(checked.run);
    if (checked.results) {
      results.set(tag, checked.results);
      storeRun(input.reportDir, checked.results); // the top-level history holds every tag, for the dashboard
    }
  }

  const pairs = comparePairs(plan.pairs, results, config);
  const finished = new Date();
  const report: RegressionReport = {
    version: 1,
    started: started.toISOString(),
    finished: finished.toISOString(),
    durationMs: finished.getTime() - started.getTime(),
    registry: client.host,
    selection: {
      kind: input.selector.kind,
      value: selectionValue(input.selector),
      ...(input.baseline !== undefined && { baseline: input.baseline }),
    },
    services: input.services,
    platforms: input.platforms,
    thresholds: config.metrics,
    tags: runs,
    incomplete: selection.incomplete,
    pairs,
    regression: pairs.some((p) => p.regression),
  };
  mkdirSync(input.reportDir, { recursive: true });
  const file = join(input.reportDir, REGRESSION_FILE);
  writeAtomic(file, regressionJson(report));
  // The dashboard's "latest" is the last tag checked (the newest, unless a newer --baseline ran first).
  const newest = [...plan.order]
    .reverse()
    .map((t) => results.get(t))
    .find(Boolean);
  if (newest) writeAtomic(join(input.reportDir, RESULTS_FILE), resultsJson(newest));
  const dashboard = writeDashboard(input.reportDir, { config });
  const envError = runs.some((r) => r.errorKind === 'environment');
  const wrong = runs.some((r) => r.errorKind === 'published-image');
  // A regression found is news even when another tag could not be checked; otherwise a broken run is exit 2.
  const exitCode = report.regression || wrong ? 1 : envError ? 2 : 0;
  return { report, file, summary: summarizeRegression(report), exitCode, ...(dashboard && { dashboard }) };
}
