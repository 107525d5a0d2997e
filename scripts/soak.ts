/**
 * npm run soak -- [N] [verify options]: the full verify N times in a row (default 20), each its own run.
 * Writes reports/soak.json: failed runs, flaky tests (failed in some runs and passed in others), always
 * failing tests, containers or networks a run left behind. Exit 0 only when every run passed with no
 * flake and no leak; 1 otherwise (a flake is a failure of the harness, not of the images).
 */
import { mkdirSync, mkdtempSync, readFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../helpers/contract/load.ts';
import { parseVitestJson } from '../helpers/plan/run-suites.ts';
import { leftovers } from '../helpers/reliability/child.ts';
import { timedVerify } from '../bench/verify-timed.ts';
import { analyseSoak, keyedStatuses, SOAK_VERSION, type SoakRun } from './soak-analysis.ts';

const args = process.argv.slice(2);
const n = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 20;
const out = join(PROJECT_ROOT, 'reports/soak.json');
const stamp = Date.now().toString(36);
const tmp = mkdtempSync(join(tmpdir(), 'lucid-soak-'));
const runs: SoakRun[] = [];
const startedAt = new Date().toISOString();

function write(): ReturnType<typeof analyseSoak> {
  const summary = analyseSoak(runs);
  mkdirSync(join(PROJECT_ROOT, 'reports'), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ version: SOAK_VERSION, startedAt, finishedAt: new Date().toISOString(), requested: n, verifyArgs: args, summary, runs }, null, 2)}\n`,
  );
  return summary;
}

try {
  for (let i = 1; i <= n; i++) {
    const runId = `soak-${stamp}-${i}`;
    const reportDir = join(tmp, String(i));
    const v = await timedVerify(args, { runId, reportDir });
    const json = join(reportDir, 'vitest-results.json');
    const tests = existsSync(json) ? keyedStatuses(parseVitestJson(readFileSync(json, 'utf8'))) : {};
    const left = await leftovers(runId);
    runs.push({
      run: i,
      runId,
      exitCode: v.exitCode,
      wallMs: v.wallMs,
      tests,
      leakedContainers: left.containers.length,
      leakedNetworks: left.networks.length,
      ...(v.exitCode !== 0 && { stderrTail: v.stderrTail }),
    });
    const failed = Object.entries(tests)
      .filter(([, s]) => s === 'failed')
      .map(([t]) => t);
    console.error(
      `soak ${i}/${n}: exit ${v.exitCode} in ${(v.wallMs / 1000).toFixed(1)} s${failed.length ? `; failed: ${failed.join('; ')}` : ''}${left.containers.length ? `; leaked ${left.containers.length} container(s)` : ''}`,
    );
    write(); // after every run, so an interrupted soak still reports what it saw
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const s = write();
console.log(
  `soak: ${s.runs} run(s), ${s.failedRuns} failed, ${s.flaky.length} flaky test(s), ${s.alwaysFailing.length} always failing, leaks ${s.leaks.containers} container(s) / ${s.leaks.networks} network(s); verify ${(s.wallMs.median / 1000).toFixed(1)} s median (${(s.wallMs.min / 1000).toFixed(1)}–${(s.wallMs.max / 1000).toFixed(1)} s)`,
);
for (const f of s.flaky) console.log(`flaky: ${f.test} (passed ${f.passed}, failed ${f.failed})`);
console.log(`soak: wrote ${out}`);
process.exit(s.ok ? 0 : 1);
