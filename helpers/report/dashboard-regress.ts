/**
 * The Regressions section of a `regress` run: every tag pair's new failures, metrics over threshold and fixes,
 * newest pair first, under the verdict the command exited with (regression.json's `regression`). Pure.
 */
import type { Pair, RegressionReport } from './regression-schema.ts';
import { formatDelta, formatPercent, formatValue } from './format.ts';
import { esc, when } from './html.ts';
import { subjectOf } from './results-schema.ts';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Does this regression.json describe the run the page is about (its latest run is one of the report's tags)? */
export const regressionCovers = (r: RegressionReport, runId: string) => r.tags.some((t) => t.runId === runId);

function pairBlock(p: Pair): string {
  const title = `<code>${esc(p.baseline)}</code> → <code>${esc(p.current)}</code>`;
  if (p.skipped)
    return `<h3>${title} <span class="badge warn">not compared</span></h3><p class="muted">${esc(p.skipped)}</p>`;
  const badge = p.regression
    ? `<span class="badge fail">${plural(p.findings.length, 'regression')}</span>`
    : '<span class="badge pass">no regressions</span>';
  const findings = when(p.findings.length, () => {
    const rows = p.findings.map(
      (f) =>
        `<tr><td><span class="badge ${f.kind === 'new-failure' ? 'fail' : 'warn'}">${f.kind === 'new-failure' ? 'new failure' : 'metric'}</span></td><td>${esc(f.where)}</td><td>${esc(f.expected)}</td><td>${esc(f.seen)}</td></tr>`,
    );
    return `<table class="data findings"><tr><th>kind</th><th>where</th><th>expected</th><th>seen</th></tr>${rows.join('')}</table>`;
  });
  const names = (xs: Pair['fixed']) => xs.map((x) => esc(`${subjectOf(x)} · ${x.check}`)).join(', ');
  const fixed = p.fixed.length
    ? `<p><span class="badge pass">${plural(p.fixed.length, 'fix', 'fixes')}</span> ${names(p.fixed)}</p>`
    : '';
  const changed = p.metrics.filter((d) => d.delta !== 0);
  const deltas = when(changed.length, () => {
    const rows = changed.map(
      (d) =>
        `<tr><td>${esc(subjectOf(d))}</td><td>${esc(d.name)}</td><td class="num">${esc(formatValue(d.before, d.unit))}</td><td class="num">${esc(formatValue(d.after, d.unit))}</td><td class="num ${d.regression ? 'n-fail' : ''}">${esc(formatDelta(d.delta, d.unit))}${d.ratio !== undefined ? ` (${esc(formatPercent(d.ratio))})` : ''}</td></tr>`,
    );
    return `<details><summary>Changed metrics (${changed.length})</summary><table class="data"><tr><th>image</th><th>metric</th><th class="num">${esc(p.baseline)}</th><th class="num">${esc(p.current)}</th><th class="num">change</th></tr>${rows.join('')}</table></details>`;
  });
  const tail = `<p class="muted">still failing: ${p.stillFailing.length}; metrics compared: ${p.metrics.length}.</p>`;
  return `<h3>${title} ${badge}</h3>${findings}${fixed}${tail}${deltas}`;
}

export function regressSection(r: RegressionReport): string {
  const regressed = r.pairs.filter((p) => p.regression);
  const failures = regressed.reduce((n, p) => n + p.newFailures.length, 0);
  const metrics = regressed.reduce((n, p) => n + p.findings.filter((f) => f.kind === 'metric').length, 0);
  const head = r.regression
    ? `<p><span class="badge fail">REGRESSION</span> ${regressed.length} of ${plural(r.pairs.length, 'tag pair')} regressed (${plural(failures, 'new failure')}, ${plural(metrics, 'metric')} over threshold); <code>regress</code> exited 1.</p>`
    : `<p class="ok-note">No regression across ${plural(r.pairs.length, 'tag pair')}.</p>`;
  const blocks = [...r.pairs].reverse().map(pairBlock).join('');
  return `<section id="regressions"><h2>Regressions</h2>${head}<p class="muted">Tag pairs, newest first.</p>${blocks}</section>`;
}
