/** Pure: the readable summary of a regression report — the tags, then one block per tag pair, then a verdict. */
import { formatDelta, formatDuration, formatPercent } from '../report/format.ts';
import { METRIC_LABELS } from '../model/metrics.ts';
import { subjectOf } from '../report/results-schema.ts';
import type { Pair, RegressionReport } from '../report/regression-schema.ts';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function selectionText(r: RegressionReport): string {
  const s = r.selection;
  const flag = s.kind === 'pattern' ? `--tags ${s.value}` : `--${s.kind} ${s.value}`;
  return s.baseline ? `${flag}, baseline ${s.baseline}` : flag;
}

function tagLines(r: RegressionReport): string[] {
  const width = Math.max(...r.tags.map((t) => t.tag.length));
  const lines = r.tags.map((t) => {
    const what = t.error
      ? `not checked: ${t.error}`
      : `${t.checks.passed} passed, ${t.checks.failed} failed, ${t.checks.notRun} not run (run ${t.runId}, ${formatDuration(t.durationMs)})`;
    return `  ${t.tag.padEnd(width)}  ${what}`;
  });
  for (const i of r.incomplete)
    lines.push(`  ${i.tag.padEnd(width)}  not checked: missing in ${i.missingIn.join(', ')}`);
  return lines;
}

/** The largest rise that stayed under its threshold: shows how much headroom the noise left. */
function largestQuietRise(p: Pair): string | undefined {
  const quiet = p.metrics.filter((m) => !m.regression && m.ratio !== undefined && m.ratio > 0);
  const top = quiet.sort((a, b) => b.ratio! - a.ratio!)[0];
  if (!top) return undefined;
  return `largest rise under threshold: ${subjectOf(top)} ${METRIC_LABELS[top.name] ?? top.name} ${formatDelta(top.delta, top.unit)} (${formatPercent(top.ratio!)})`;
}

export function pairBlock(p: Pair): string {
  const head = `${p.baseline} → ${p.current}: `;
  if (p.skipped) return `${head}not compared (${p.skipped})`;
  const metricCount = p.findings.filter((f) => f.kind === 'metric').length;
  const lines = [
    head +
      (p.regression
        ? `${plural(p.findings.length, 'regression')} (${plural(p.newFailures.length, 'new failure')}, ${plural(metricCount, 'metric')} over threshold)`
        : 'no regressions'),
  ];
  for (const f of p.findings) {
    lines.push(
      `  ${(f.kind === 'new-failure' ? 'new failure' : 'metric').padEnd(11)}  ${f.where}`,
      `               expected: ${f.expected}`,
      `               seen:     ${f.seen}`,
    );
  }
  const names = (xs: Pair['fixed']) => xs.map((x) => `${subjectOf(x)} ${x.check}`).join(', ');
  if (p.fixed.length) lines.push(`  fixed: ${names(p.fixed)}`);
  if (p.stillFailing.length) lines.push(`  still failing: ${names(p.stillFailing)}`);
  const rise = largestQuietRise(p);
  lines.push(`  ${plural(p.metrics.length, 'metric')} compared${rise ? `; ${rise}` : ''}`);
  return lines.join('\n');
}

function verdictLine(r: RegressionReport): string {
  const regressed = r.pairs.filter((p) => p.regression);
  const took = formatDuration(r.durationMs);
  const errors = r.tags.filter((t) => t.error).length;
  const errorText = errors ? ` ${plural(errors, 'tag')} could not be checked.` : '';
  if (!regressed.length) return `No regression across ${plural(r.pairs.length, 'tag pair')}.${errorText} Took ${took}.`;
  const failures = regressed.reduce((n, p) => n + p.newFailures.length, 0);
  const metrics = regressed.reduce((n, p) => n + p.findings.filter((f) => f.kind === 'metric').length, 0);
  return `REGRESSION: ${regressed.length} of ${plural(r.pairs.length, 'tag pair')} regressed (${plural(failures, 'new failure')}, ${plural(metrics, 'metric')} over threshold).${errorText} Took ${took}.`;
}

export function summarizeRegression(r: RegressionReport): string {
  const head = `Regression run of ${plural(r.tags.length, 'tag')} at ${r.registry} (${selectionText(r)}): ${r.services.join(', ')} on ${r.platforms.join(', ')}`;
  return [[head, ...tagLines(r)].join('\n'), ...r.pairs.map(pairBlock), verdictLine(r)].join('\n\n');
}
