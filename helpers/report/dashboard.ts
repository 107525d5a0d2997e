import { compareRuns, defaultRegressionConfig, type RegressionConfig } from './compare.ts';
import { MATRIX_LEGEND, renderFailures, renderMatrix, type MatrixRun } from './dashboard-matrix.ts';
import {
  historySection,
  imagesSection,
  regressionSection,
  summarySection,
  trendSection,
  verdictOf,
} from './dashboard-sections.ts';
import { DASHBOARD_CSS } from './dashboard-style.ts';
import { formatTime } from './format.ts';
import { baselineFor, newestPerTag, tagOf } from './history.ts';
import { esc, when } from './html.ts';
import type { Results } from './results-schema.ts';
import type { RegressionReport } from './regression-schema.ts';
import { regressionCovers, regressSection } from './dashboard-regress.ts';

interface DashboardInput {
  /** Every stored run (any order); `latest` is added when missing. */
  runs: readonly Results[];
  /** The run the page is about; default: the newest of `runs`. */
  latest?: Results;
  config?: RegressionConfig;
  /** Shown in the header; passed in so rendering stays a pure function. */
  generatedAt?: string;
  /** History files that could not be read. */
  problems?: string[];
  /** regression.json of a `regress` run: when it covers `latest`, the Regressions section shows all its tag pairs. */
  regression?: RegressionReport;
}

// default-src 'none': even text smuggled into a message cannot make the page fetch anything.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Pure: the whole dashboard as one self-contained HTML page. */
export function renderDashboard(input: DashboardInput): string {
  const byId = new Map(input.runs.map((r) => [r.run.id, r]));
  if (input.latest) byId.set(input.latest.run.id, input.latest);
  const runs = [...byId.values()].sort((a, b) => a.run.started.localeCompare(b.run.started));
  const latest = input.latest ?? runs.at(-1);
  if (!latest) throw new Error('renderDashboard: no runs to show');
  const config = input.config ?? defaultRegressionConfig();
  const perTag = newestPerTag(runs);
  // The latest run stands for its tag even if an older run of that tag started later (re-render of an old results.json).
  const shown = [latest, ...[...perTag].reverse().filter((r) => tagOf(r) !== tagOf(latest))];
  const matrices: MatrixRun[] = shown.map((run, i) => ({ run, anchor: `fail-${i + 1}`, open: i === 0 }));
  const baseline = baselineFor(runs, latest);
  const comparison = baseline && compareRuns(baseline, latest, config);
  const failures = matrices.map(renderFailures).filter(Boolean);
  const nav = [
    'summary',
    'regressions',
    'matrix',
    'history',
    'trends',
    'failures',
    ...(latest.targets.length ? ['images'] : []),
  ]
    .map((s) => `<a href="#${s}">${s}</a>`)
    .join('');
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>lucid-harness · ${esc(tagOf(latest))} · ${verdictOf(latest)}</title>`,
    `<style>${DASHBOARD_CSS}</style></head><body>`,
    `<header><h1>lucid-harness report</h1><p>latest run ${esc(latest.run.id)} · tag <code>${esc(tagOf(latest))}</code> · source <code>${esc(latest.run.source)}</code>${latest.shards?.length ? ` · merged from ${latest.shards.length} shards` : ''} · ${runs.length} run${runs.length === 1 ? '' : 's'} over ${perTag.length} tag${perTag.length === 1 ? '' : 's'}${input.generatedAt ? ` · generated ${esc(formatTime(input.generatedAt))}` : ''}</p><nav>${nav}</nav></header>`,
    '<main>',
    when(
      input.problems?.length,
      () => `<p class="problems">Skipped unreadable history files:<br>${input.problems!.map(esc).join('<br>')}</p>`,
    ),
    summarySection(latest),
    input.regression && regressionCovers(input.regression, latest.run.id)
      ? regressSection(input.regression)
      : regressionSection(comparison, latest),
    `<section id="matrix"><h2>Checks per image, platform and tag</h2>${MATRIX_LEGEND}${matrices.map(renderMatrix).join('')}</section>`,
    historySection(runs, perTag, config),
    trendSection(runs, perTag),
    `<section id="failures"><h2>Failure details</h2>${failures.length ? failures.join('') : '<p class="ok-note">No failures.</p>'}</section>`,
    imagesSection(latest),
    '</main></body></html>',
  ].join('\n');
}
