import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_REPORT_DIR } from '../plan/plan.ts';
import { compareRuns } from '../report/compare.ts';
import { loadReport, RESULTS_FILE, writeDashboard } from '../report/dashboard-write.ts';
import { baselineFor, storeRun } from '../report/history.ts';
import { junitXml } from '../report/junit.ts';
import { MergeError, mergeShards, shardLines, type Shard } from '../report/merge.ts';
import { readResults, ResultsError, resultsJson } from '../report/results-schema.ts';
import { oneLine, UsageError } from '../model/errors.ts';
import { parseArgs, requireReportDir } from './args.ts';

const HELP = `usage: lucid-harness report [--report-dir DIR]
       lucid-harness report --merge SHARD_DIR... [--report-dir DIR]

Re-renders the dashboard (DIR/index.html) from the stored results: DIR/results.json and DIR/history/.
It opens from disk, offline. Prints the comparison of the latest run with the previous tag.

With --merge: one report out of shards — verify runs of the same images on different machines, e.g.
  verify --platform linux/amd64 --report-dir A   (on an amd64 runner)
  verify --platform linux/arm64 --report-dir B   (on a native arm64 runner)
  report --merge A B                             → reports/results.json, junit.xml, index.html
Each shard keeps its own verdicts (native arm64 keeps its native budgets). Shards of different tags,
sources or contracts, or with different images for the same service × platform, are refused.

  --report-dir D   the report directory (default reports/; env LUCID_REPORT_DIR); with --merge, where the
                   merged report goes (not one of the shards)

Exit codes: 0 written (merged: every check passed), 1 merged, and a check failed, 2 usage error, no results,
or shards that do not belong together.`;

export const SPEC = {
  'report-dir': { env: 'LUCID_REPORT_DIR' },
  merge: { boolean: true },
  help: { boolean: true },
} as const;

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function merge(dirs: string[], out: string): number {
  if (!dirs.length)
    throw new UsageError(
      '--merge needs the report directories of the shards, e.g. report --merge shards/amd64 shards/arm64',
    );
  if (dirs.some((d) => resolve(d) === out))
    throw new UsageError(`the merged report would overwrite shard ${out}: give another --report-dir`);
  requireReportDir(out);
  const shards: Shard[] = dirs.map((dir) => {
    const file = join(dir, RESULTS_FILE);
    if (!existsSync(file)) throw new MergeError(`shard ${dir} has no ${RESULTS_FILE} (is it a verify --report-dir?)`);
    return { dir, results: readResults(file) };
  });
  const merged = mergeShards(shards);
  mkdirSync(out, { recursive: true });
  writeAtomic(join(out, RESULTS_FILE), resultsJson(merged));
  writeAtomic(join(out, 'junit.xml'), junitXml(merged));
  storeRun(out, merged);
  const dashboard = writeDashboard(out);
  const failed = merged.checks.filter((c) => c.status === 'failed').length;
  console.log(`merged ${shards.length} shard(s), tag ${merged.run.tag ?? 'local'}:\n${shardLines(merged).join('\n')}`);
  console.log(
    `${merged.checks.length} checks, ${merged.checks.filter((c) => c.status === 'passed').length} passed, ${failed} failed`,
  );
  console.log(`results: ${join(out, RESULTS_FILE)}; junit: ${join(out, 'junit.xml')}; dashboard: ${dashboard}`);
  return failed ? 1 : 0;
}

export async function run(argv: string[]): Promise<number> {
  let dir: string;
  try {
    const { flags, positionals } = parseArgs(argv, SPEC, process.env, 'report');
    if (flags.help) {
      console.log(HELP);
      return 0;
    }
    dir = resolve((flags['report-dir'] as string | undefined) ?? DEFAULT_REPORT_DIR);
    if (flags.merge) return merge(positionals, dir);
    if (positionals.length)
      throw new UsageError(`unexpected argument "${positionals[0]}" (to merge shards: report --merge DIR...)`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof MergeError || e instanceof ResultsError) {
      console.error(`lucid-harness report: ${oneLine(e.message)}`);
      return 2;
    }
    throw e;
  }
  if (!existsSync(dir)) {
    console.error(`lucid-harness report: no results: ${dir} does not exist (run lucid-harness verify first)`);
    return 2;
  }
  const { runs, latest, problems } = loadReport(dir);
  if (!latest) {
    console.error(
      `lucid-harness report: no results in ${dir}: neither a valid results.json nor history/ runs${problems.length ? ` (${oneLine(problems[0]!)})` : ''}`,
    );
    return 2;
  }
  for (const p of problems) console.error(`report: skipped: ${oneLine(p)}`);
  const file = writeDashboard(dir)!;
  const base = baselineFor(runs, latest);
  console.log(
    base
      ? compareRuns(base, latest).summary
      : `${latest.run.tag ?? 'local'} (run ${latest.run.id}): nothing earlier to compare with.`,
  );
  console.log(`dashboard: ${file}`);
  return 0;
}
