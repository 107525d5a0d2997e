import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_REPORT_DIR } from '../plan/plan.ts';
import { compareRuns } from '../report/compare.ts';
import { loadReport, writeDashboard } from '../report/dashboard-write.ts';
import { baselineFor } from '../report/history.ts';
import { UsageError, verbFlags } from './args.ts';

const HELP = `usage: lucid-harness report [--report-dir DIR]

Re-renders the dashboard (DIR/index.html) from the stored results: DIR/results.json and DIR/history/.
It opens from disk, offline. Prints the comparison of the latest run with the previous tag.

  --report-dir D   the report directory (default reports/; env LUCID_REPORT_DIR)

Exit codes: 0 written, 2 usage error or no results to show.`;

const SPEC = { 'report-dir': { env: 'LUCID_REPORT_DIR' }, help: { boolean: true } } as const;

export async function run(argv: string[]): Promise<number> {
  let dir: string;
  try {
    const flags = verbFlags(argv, SPEC, 'report', HELP);
    if (!flags) return 0;
    dir = resolve((flags['report-dir'] as string | undefined) ?? DEFAULT_REPORT_DIR);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`lucid-harness report: ${e.message}`);
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
    console.error(`lucid-harness report: no results in ${dir}: neither a valid results.json nor history/ runs${problems.length ? ` (${problems[0]})` : ''}`);
    return 2;
  }
  for (const p of problems) console.error(`report: skipped: ${p}`);
  const file = writeDashboard(dir)!;
  const base = baselineFor(runs, latest);
  console.log(base ? compareRuns(base, latest).summary : `${latest.run.tag ?? 'local'} (run ${latest.run.id}): nothing earlier to compare with.`);
  console.log(`dashboard: ${file}`);
  return 0;
}
