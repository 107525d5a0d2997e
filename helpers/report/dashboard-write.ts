import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegressionConfig } from './compare.ts';
import { renderDashboard } from './dashboard.ts';
import { loadHistory } from './history.ts';
import { readResults, type Results } from './results-schema.ts';
import { readRegressionReport, REGRESSION_FILE, type RegressionReport } from './regression-schema.ts';

/** The file side of the dashboard: read what a report directory holds, write index.html next to it. */
export const RESULTS_FILE = 'results.json';
const DASHBOARD_FILE = 'index.html';

interface StoredReport {
  runs: Results[];
  /** results.json of the directory when readable, else the newest stored run. */
  latest?: Results;
  problems: string[];
}

export function loadReport(reportDir: string): StoredReport {
  const { runs, problems } = loadHistory(reportDir);
  let latest: Results | undefined;
  const file = join(reportDir, RESULTS_FILE);
  if (existsSync(file)) {
    try {
      latest = readResults(file);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  return { runs, latest: latest ?? runs.at(-1), problems };
}

/** regression.json of the directory, when a `regress` run left one. */
function readRegression(reportDir: string, problems: string[]): RegressionReport | undefined {
  const file = join(reportDir, REGRESSION_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return readRegressionReport(file);
  } catch (e) {
    problems.push((e as Error).message);
    return undefined;
  }
}

export function writeDashboard(
  reportDir: string,
  opts: { config?: RegressionConfig; now?: Date } = {},
): string | undefined {
  const { runs, latest, problems } = loadReport(reportDir);
  if (!latest) return undefined;
  const regression = readRegression(reportDir, problems);
  const html = renderDashboard({
    runs,
    latest,
    problems,
    ...(regression && { regression }),
    generatedAt: (opts.now ?? new Date()).toISOString(),
    ...(opts.config && { config: opts.config }),
  });
  mkdirSync(reportDir, { recursive: true });
  const out = join(reportDir, DASHBOARD_FILE);
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, html);
  renameSync(tmp, out);
  return out;
}
