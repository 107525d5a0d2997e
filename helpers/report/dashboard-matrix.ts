import { failureGist } from './compare.ts';
import { tagOf } from './history.ts';
import { formatTime, formatValue } from './format.ts';
import { esc, when } from './html.ts';
import type { CheckResult, Results } from './results-schema.ts';

/** The image × platform × check matrix of one run per tag, and the failure details its red cells link to. */
export interface MatrixRun {
  run: Results;
  /** Prefix of this run's failure anchors, unique on the page. */
  anchor: string;
  open: boolean;
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];
const rowKey = (c: CheckResult) => `${c.image}\u0000${c.platform}`;
const suiteLabel = (suite: string) => suite.replace(/^.*\//, '').replace(/\.(suite|test|spec)\.[cm]?[jt]s$/, '');

export function counts(r: Results): { passed: number; failed: number; notRun: number } {
  const n = (s: string) => r.checks.filter((c) => c.status === s).length;
  return { passed: n('passed'), failed: n('failed'), notRun: n('not-run') };
}

/** Failure anchors in page order, so matrix links and detail articles agree. */
function failureAnchors(m: MatrixRun): Map<CheckResult, string> {
  return new Map(m.run.checks.filter((c) => c.status === 'failed').map((c, i) => [c, `${m.anchor}-${i + 1}`]));
}

function cell(c: CheckResult | undefined, anchors: Map<CheckResult, string>): string {
  if (!c) return '<td class="c none" title="not part of this run"></td>';
  const tip = (s: string) => esc(`${c.image} [${c.platform}] · ${c.check}: ${s}`);
  if (c.status === 'passed') return `<td class="c pass" title="${tip('passed')}">✓</td>`;
  if (c.status === 'not-run')
    return `<td class="c skip" title="${tip(`not run: ${c.reason ?? 'no reason recorded'}`)}">–</td>`;
  return `<td class="c fail"><a href="#${anchors.get(c)}" title="${tip(failureGist(c) || 'failed')}">✗</a></td>`;
}

function suiteTable(checks: CheckResult[], anchors: Map<CheckResult, string>): string {
  const columns = uniq(checks.map((c) => c.check));
  // Rows by image, both platforms side by side: a platform-only failure stands out.
  const images = uniq(checks.map((c) => c.image));
  const rows = uniq(checks.map(rowKey)).sort((a, b) => {
    const [ia, pa] = a.split('\u0000') as [string, string];
    const [ib, pb] = b.split('\u0000') as [string, string];
    return images.indexOf(ia) - images.indexOf(ib) || pa.localeCompare(pb);
  });
  const at = new Map(checks.map((c) => [`${rowKey(c)}\u0000${c.check}`, c]));
  const head = `<tr><th class="row">image [platform]</th>${columns.map((c) => `<th class="col" title="${esc(c)}"><span>${esc(c)}</span></th>`).join('')}<th class="col"><span>passed</span></th></tr>`;
  const body = rows.map((r) => {
    const [image, platform] = r.split('\u0000') as [string, string];
    const mine = columns.map((c) => at.get(`${r}\u0000${c}`));
    const ran = mine.filter((c) => c && c.status !== 'not-run');
    const ok = ran.filter((c) => c!.status === 'passed').length;
    const label = platform === 'any' ? esc(image) : `${esc(image)} <span class="plat">[${esc(platform)}]</span>`;
    return `<tr><th class="row">${label}</th>${mine.map((c) => cell(c, anchors)).join('')}<td class="tot ${ok === ran.length ? 'n-pass' : 'n-fail'}">${ok}/${ran.length}</td></tr>`;
  });
  return `<table class="matrix">${head}${body.join('')}</table>`;
}

export function renderMatrix(m: MatrixRun): string {
  const { run } = m;
  const anchors = failureAnchors(m);
  const n = counts(run);
  const suites = uniq(run.checks.map((c) => c.suite));
  const tables = suites
    .map(
      (s) =>
        `<h4>${esc(suiteLabel(s))} <span class="muted">(${esc(s)})</span></h4>${suiteTable(
          run.checks.filter((c) => c.suite === s),
          anchors,
        )}`,
    )
    .join('');
  const badge = n.failed
    ? `<span class="badge fail">${n.failed} failed</span>`
    : '<span class="badge pass">all passed</span>';
  const summary = `tag <code>${esc(tagOf(run))}</code> · ${badge} <span class="muted">${n.passed} passed${n.notRun ? `, ${n.notRun} not run` : ''} · run ${esc(run.run.id)} · ${esc(formatTime(run.run.started))}</span>`;
  return `<details class="tag" id="matrix-${esc(m.anchor)}"${m.open ? ' open' : ''}><summary>${summary}</summary>${tables || '<p class="muted">No checks recorded.</p>'}</details>`;
}

export const MATRIX_LEGEND =
  '<p class="legend-line"><b class="n-pass">✓</b> passed · <b class="n-fail">✗</b> failed (click for details) · <b class="n-skip">–</b> not run (hover for the reason) · hatched: not part of this run</p>';

export function renderFailures(m: MatrixRun): string {
  const anchors = failureAnchors(m);
  if (!anchors.size) return '';
  const items = [...anchors].map(([c, id]) => {
    const more = c.detail && c.detail !== c.message;
    return (
      `<article class="failure" id="${esc(id)}"><h4>✗ ${esc(c.image)} [${esc(c.platform)}] · ${esc(c.check)}</h4>` +
      `<div class="muted">${esc(c.suite)} · ${esc(formatValue(c.durationMs, 'ms'))}${c.tag ? ` · tag ${esc(c.tag)}` : ''}</div>` +
      `<pre>${esc(c.message ?? 'no message')}</pre>` +
      when(
        more,
        () => `<details><summary>full failure and log excerpt</summary><pre>${esc(c.detail!)}</pre></details>`,
      ) +
      '</article>'
    );
  });
  return `<h3>tag <code>${esc(tagOf(m.run))}</code> <span class="muted">run ${esc(m.run.run.id)}</span></h3>${items.join('')}`;
}
