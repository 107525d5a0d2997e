import { compareRuns, type Comparison, type RegressionConfig } from './compare.ts';
import { counts } from './dashboard-matrix.ts';
import { formatDelta, formatDuration, formatPercent, formatTime, formatValue } from './format.ts';
import { baselineFor, LOCAL_TAG, runsOfTag, tagOf } from './history.ts';
import { esc, when } from './html.ts';
import { METRIC } from '../model/metrics.ts';
import { subjectOf, type Results } from './results-schema.ts';
import { lineChart } from './svg-chart.ts';
import { hostProblems, hostWarnings } from '../host/judge.ts';

/** Dashboard sections other than the matrix: each a pure function of results documents. */
const PLATFORM_COLORS: Record<string, string> = { 'linux/amd64': '#0969da', 'linux/arm64': '#bf3989' };
const EXTRA_COLORS = ['#1a7f37', '#9a6700', '#8250df', '#57606a'];

const card = (k: string, v: string, cls = '') =>
  `<div class="card ${cls}"><div class="k">${esc(k)}</div><div class="v">${v}</div></div>`;

export function verdictOf(r: Results): 'passed' | 'failed' | 'interrupted' {
  if (r.run.outcome === 'interrupted') return 'interrupted';
  return counts(r).failed || r.run.outcome === 'failed' ? 'failed' : 'passed';
}

export function summarySection(r: Results): string {
  const n = counts(r);
  const v = verdictOf(r);
  // Without a plan (targets empty) the checks still say which images ran.
  const subjects = r.targets.length
    ? r.targets.map((t) => ({ image: t.name, platform: t.platform }))
    : r.checks.filter((c) => c.platform !== 'any');
  const images = new Set(subjects.map((t) => t.image)).size;
  const platforms = [...new Set(subjects.map((t) => t.platform))];
  const ms = Date.parse(r.run.finished) - Date.parse(r.run.started);
  const peers = [...new Set((r.run.peers ?? []).map((p) => p.service))];
  const source = `${esc(r.run.source)}${r.run.registry ? ` · ${esc(r.run.registry)}` : ''}${peers.length ? ` · peers (reference, not judged): ${esc(peers.join(', '))}` : ''}`;
  const hosts = r.shards?.length
    ? r.shards.map((s) => `${s.hostArch} (${s.platforms.join(', ')})`).join(' + ')
    : r.run.hostArch;
  const hostNotes = [
    ...(r.shards?.length
      ? r.shards.map((s) => ({ who: `shard ${s.dir}: `, host: s.host }))
      : [{ who: '', host: r.run.host }]),
  ].flatMap(({ who, host }) => (host ? [...hostProblems(host), ...hostWarnings(host)].map((w) => who + w) : []));
  return `<section id="summary"><h2>Latest run</h2><div class="cards">${[
    card('verdict', v.toUpperCase(), `verdict-${v}`),
    card(
      'checks',
      `<span class="n-pass">${n.passed} ✓</span> · <span class="n-fail">${n.failed} ✗</span>${n.notRun ? ` · <span class="n-skip">${n.notRun} not run</span>` : ''}`,
    ),
    card('tag', `<code>${esc(tagOf(r))}</code>`),
    card('source', source),
    card('engine', esc(r.run.engineVersion ? `Docker ${r.run.engineVersion}` : 'unknown')),
    card(r.shards?.length ? `hosts (${r.shards.length} shards)` : 'host', esc(hosts)),
    card('images', `${images} × ${platforms.length} platform${platforms.length === 1 ? '' : 's'}`),
    card('contract', esc([r.run.contractFile, ...r.run.contractProfiles].filter(Boolean).join(' + ') || 'default')),
    card('started', esc(formatTime(r.run.started))),
    card('duration', esc(formatDuration(Math.max(0, ms)))),
  ].join(
    '',
  )}</div>${when(hostNotes.length, () => `<p class="problems">Host: ${hostNotes.map(esc).join('<br>')}</p>`)}<p class="muted">run <code>${esc(r.run.id)}</code>${r.run.host?.pageSize ? ` · host page size ${r.run.host.pageSize / 1024} KiB` : ''}</p></section>`;
}

const notesOf = (f: Record<string, unknown>): string[] => (Array.isArray(f.notes) ? f.notes.map(String) : []);

export function imagesSection(r: Results): string {
  const factsOf = (name: string, platform: string) =>
    r.facts.find((x) => x.image === name && x.platform === platform)?.facts ?? {};
  // A note every image shares (the base's end of support) is said once, under the table.
  const all = r.targets.map((t) => notesOf(factsOf(t.name, t.platform)));
  const shared = all[0]?.filter((n) => all.every((ns) => ns.includes(n))) ?? [];
  const anyNotes = all.some((ns) => ns.some((n) => !shared.includes(n)));
  const rows = r.targets.map((t) => {
    const f = factsOf(t.name, t.platform);
    const metric = (name: string) =>
      r.metrics.find((m) => m.image === t.name && m.platform === t.platform && m.name === name);
    const figure = (name: string) => {
      const m = metric(name);
      return m ? esc(formatValue(m.value, m.unit)) : '<span class="muted">—</span>';
    };
    const text = (k: string) => (typeof f[k] === 'string' ? esc(f[k] as string) : '<span class="muted">—</span>');
    const notes = notesOf(f).filter((n) => !shared.includes(n));
    return `<tr><td class="nowrap">${esc(t.name)} <span class="muted">[${esc(t.platform)}]</span></td><td class="mono nowrap">${esc(t.label)}</td><td>${text('base')}</td><td>${text('python')}</td><td class="num">${figure(METRIC.imageSize)}</td><td class="num">${figure(METRIC.layerCount)}</td><td class="num">${figure(METRIC.firstOk)}</td><td class="num">${figure(METRIC.dockerHealthy)}</td>${when(anyNotes, () => `<td>${notes.map(esc).join('<br>')}</td>`)}</tr>`;
  });
  if (!rows.length) return '';
  const head = `<tr><th>image</th><th>label</th><th>base</th><th>python</th><th class="num">size</th><th class="num">layers</th><th class="num">first 200</th><th class="num">healthy</th>${when(anyNotes, () => '<th>notes</th>')}</tr>`;
  const foot = when(shared.length, () => `<p class="muted">All images: ${shared.map(esc).join('; ')}</p>`);
  return `<section id="images"><h2>Images of the latest run</h2><table class="data">${head}${rows.join('')}</table>${foot}</section>`;
}

export function regressionSection(c: Comparison | undefined, current: Results): string {
  if (!c) {
    const what = tagOf(current) === LOCAL_TAG ? 'no earlier local run' : 'no earlier tag';
    return `<section id="regressions"><h2>Regressions</h2><p class="muted">Nothing to compare with: ${what} in the history.</p></section>`;
  }
  const head = c.findings.length
    ? `<p><span class="badge fail">${c.findings.length} regression${c.findings.length === 1 ? '' : 's'}</span> against tag <code>${esc(c.baseline.tag)}</code> (run ${esc(c.baseline.id)}).</p>`
    : `<p class="ok-note">No regressions against tag ${esc(c.baseline.tag)} (run ${esc(c.baseline.id)}).</p>`;
  const table = when(c.findings.length, () => {
    const rows = c.findings.map(
      (f) =>
        `<tr><td><span class="badge ${f.kind === 'new-failure' ? 'fail' : 'warn'}">${f.kind === 'new-failure' ? 'new failure' : 'metric'}</span></td><td>${esc(f.where)}</td><td>${esc(f.expected)}</td><td>${esc(f.seen)}</td></tr>`,
    );
    return `<table class="data findings"><tr><th>kind</th><th>where</th><th>expected</th><th>seen</th></tr>${rows.join('')}</table>`;
  });
  const tail = `<p class="muted">Fixed since then: ${c.fixed.length}${c.fixed.length ? ` (${c.fixed.map((x) => esc(`${subjectOf(x)} · ${x.check}`)).join(', ')})` : ''}; still failing: ${c.stillFailing.length}; metrics compared: ${c.deltas.length}.</p>`;
  const changed = c.deltas.filter((d) => d.delta !== 0);
  const deltas = when(changed.length, () => {
    const rows = changed.map(
      (d) =>
        `<tr><td>${esc(subjectOf(d))}</td><td>${esc(d.name)}</td><td class="num">${esc(formatValue(d.before, d.unit))}</td><td class="num">${esc(formatValue(d.after, d.unit))}</td><td class="num ${d.regression ? 'n-fail' : ''}">${esc(formatDelta(d.delta, d.unit))}${d.ratio !== undefined ? ` (${esc(formatPercent(d.ratio))})` : ''}</td></tr>`,
    );
    return `<details><summary>All changed metrics (${changed.length})</summary><table class="data"><tr><th>image</th><th>metric</th><th class="num">${esc(c.baseline.tag)}</th><th class="num">${esc(c.current.tag)}</th><th class="num">change</th></tr>${rows.join('')}</table></details>`;
  });
  return `<section id="regressions"><h2>Regressions</h2>${head}${table}${tail}${deltas}</section>`;
}

/** One aggregate figure per platform of a run, e.g. the sum of all image sizes on linux/arm64. */
function perPlatform(r: Results, metric: string, agg: 'sum' | 'max'): Map<string, { value: number; unit: string }> {
  const out = new Map<string, { value: number; unit: string }>();
  for (const m of r.metrics.filter((x) => x.name === metric)) {
    const prev = out.get(m.platform);
    out.set(m.platform, {
      value: prev ? (agg === 'sum' ? prev.value + m.value : Math.max(prev.value, m.value)) : m.value,
      unit: m.unit,
    });
  }
  return out;
}

export function historySection(runs: readonly Results[], perTag: Results[], config: RegressionConfig): string {
  const platforms = [
    ...new Set(perTag.flatMap((r) => r.metrics.filter((m) => m.name === METRIC.imageSize).map((m) => m.platform))),
  ].sort();
  const rows = [...perTag].reverse().map((r) => {
    const n = counts(r);
    const size = perPlatform(r, METRIC.imageSize, 'sum');
    const healthy = perPlatform(r, METRIC.dockerHealthy, 'max');
    const anchoring = perPlatform(r, METRIC.anchoringLatency, 'max');
    const slowest = [...healthy.values()].sort((a, b) => b.value - a.value)[0];
    const latency = [...anchoring.values()].sort((a, b) => b.value - a.value)[0];
    const base = baselineFor(runs, r);
    const regressions = base ? compareRuns(base, r, config).findings.length : undefined;
    const vs =
      regressions === undefined
        ? '<span class="muted">—</span>'
        : regressions
          ? `<span class="badge fail">${regressions} vs ${esc(tagOf(base!))}</span>`
          : `<span class="badge pass">0 vs ${esc(tagOf(base!))}</span>`;
    return `<tr><td><code>${esc(tagOf(r))}</code></td><td class="num">${runsOfTag(runs, tagOf(r)).length}</td><td>${esc(formatTime(r.run.started))}</td><td>${esc(r.run.source)}</td><td class="num n-pass">${n.passed}</td><td class="num ${n.failed ? 'n-fail' : ''}">${n.failed}</td>${platforms.map((p) => `<td class="num">${size.get(p) ? esc(formatValue(size.get(p)!.value, 'bytes')) : '—'}</td>`).join('')}<td class="num">${slowest ? esc(formatValue(slowest.value, slowest.unit)) : '—'}</td><td class="num">${latency ? esc(formatValue(latency.value, latency.unit)) : '—'}</td><td>${vs}</td></tr>`;
  });
  const sizeHeads = platforms.map((p) => `<th class="num">size Σ ${esc(p.replace('linux/', ''))}</th>`).join('');
  return `<section id="history"><h2>History per tag</h2><table class="data"><tr><th>tag</th><th class="num">runs</th><th>newest run</th><th>source</th><th class="num">passed</th><th class="num">failed</th>${sizeHeads}<th class="num">slowest to healthy</th><th class="num">anchoring latency</th><th>regressions</th></tr>${rows.join('')}</table></section>`;
}

const TRENDS: { metric: string; agg: 'sum' | 'max'; title: string; yLabel: string }[] = [
  { metric: METRIC.imageSize, agg: 'sum', title: 'Image size per platform (sum of all images)', yLabel: 'total size' },
  {
    metric: METRIC.dockerHealthy,
    agg: 'max',
    title: 'Time to Docker healthy (slowest image)',
    yLabel: 'time to healthy',
  },
  { metric: METRIC.firstOk, agg: 'max', title: 'Time to first 200 (slowest image)', yLabel: 'time to first 200' },
  { metric: METRIC.anchoringLatency, agg: 'max', title: 'Anchoring latency', yLabel: 'latency' },
];

/** Points over tags (newest run of each); with no registry tags yet, over the local runs instead. */
export function trendSection(runs: readonly Results[], perTag: Results[]): string {
  const tagged = perTag.filter((r) => tagOf(r) !== LOCAL_TAG);
  const points = tagged.length ? tagged : runsOfTag(runs, LOCAL_TAG).slice(-12);
  const labels = points.map((r) => (tagged.length ? tagOf(r) : formatTime(r.run.started).slice(5, 16)));
  const charts = TRENDS.map((t) => {
    const per = points.map((r) => perPlatform(r, t.metric, t.agg));
    const platforms = [...new Set(per.flatMap((m) => [...m.keys()]))].sort();
    const unit = per.flatMap((m) => [...m.values()])[0]?.unit ?? '';
    const series = platforms.map((p, i) => ({
      name: p,
      color: PLATFORM_COLORS[p] ?? EXTRA_COLORS[i % EXTRA_COLORS.length]!,
      values: per.map((m) => m.get(p)?.value),
    }));
    const svg = lineChart({
      title: t.title,
      categories: labels,
      series,
      unit,
      xLabel: tagged.length ? 'tag (oldest → newest)' : 'local run (UTC)',
      yLabel: t.yLabel,
    });
    return svg && `<figure><figcaption>${esc(t.title)}</figcaption>${svg}</figure>`;
  }).filter(Boolean);
  return `<section id="trends"><h2>Trends</h2>${charts.length ? `<div class="charts">${charts.join('')}</div>` : '<p class="muted">No metrics recorded yet.</p>'}</section>`;
}
