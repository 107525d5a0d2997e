import { describe, expect, test } from 'vitest';
import { renderDashboard } from '../../helpers/report/dashboard.ts';
import { niceTicks, lineChart } from '../../helpers/report/svg-chart.ts';
import {
  sampleHistory,
  sampleRun,
  SAMPLE_FLOWS,
  SAMPLE_SMOKE_CHECKS,
  SAMPLE_SERVICES,
} from '../support/sample-history.ts';

const EVIL = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

function history() {
  const runs = sampleHistory();
  const latest = runs.at(-1)!;
  const failed = latest.checks.find((c) => c.status === 'failed')!;
  failed.message = `seen: ${EVIL}`;
  failed.detail = `log line\n${EVIL}`;
  // The tooltip shows what the outcome's finding saw: escaped too.
  failed.outcome = { ...failed.outcome, findings: [{ check: 'user', expected: 'x', seen: EVIL }] };
  return runs;
}

describe('dashboard HTML', () => {
  const html = renderDashboard({ runs: history(), generatedAt: '2026-01-19T09:30:00.000Z' });

  test('messages and logs are escaped: no script, no injected element', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;',
    );
    expect(html).toContain('title="data-chain [linux/arm64] · user: &lt;script&gt;');
  });

  test('it loads nothing from anywhere: no http(s) URL, only in-page links, a CSP that forbids fetching', () => {
    expect(html).not.toMatch(/https?:\/\//);
    // Attribute names only: quoted values (tooltips) may mention anything, escaped.
    const assetAttr = /<\w+(?:\s+[\w-]+(?:="[^"]*")?)*\s+(src|srcset|data|action|formaction|background)=/i;
    expect('<img class="a" src="x.png">').toMatch(assetAttr);
    expect(html).not.toMatch(assetAttr);
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.startsWith('#'))).not.toContain(false);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  test('the latest matrix has every check of every image and platform', () => {
    const latest = html.slice(html.indexOf('id="matrix-fail-1"'), html.indexOf('id="matrix-fail-2"'));
    for (const check of [...SAMPLE_SMOKE_CHECKS, ...SAMPLE_FLOWS]) expect(latest).toContain(`<span>${check}</span>`);
    for (const s of SAMPLE_SERVICES)
      for (const p of ['linux/amd64', 'linux/arm64']) expect(latest).toContain(`${s} <span class="plat">[${p}]</span>`);
    expect(latest.match(/<td class="c pass"/g)).toHaveLength(6 * 2 * 16 + 2 * 4 - 1);
    expect(latest.match(/<td class="c fail"/g)).toHaveLength(1);
  });

  test('every red cell links to a failure detail on the page', () => {
    const links = [...html.matchAll(/<td class="c fail"><a href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(links).toHaveLength(2);
    for (const id of links) expect(html).toContain(`<article class="failure" id="${id}">`);
  });

  test('one matrix per tag, newest open; history lists every tag', () => {
    expect(html.match(/<details class="tag"/g)).toHaveLength(3);
    expect(html).toMatch(/<details class="tag" id="matrix-fail-1" open><summary>tag <code>v1\.2\.0<\/code>/);
    const history = html.slice(html.indexOf('id="history"'), html.indexOf('id="trends"'));
    for (const t of ['v1.0.0', 'v1.1.0', 'v1.2.0']) expect(history).toContain(`<code>${t}</code>`);
    expect(history).toContain('2 vs v1.1.0');
  });

  test('trend plots are inline SVG with axis labels', () => {
    const svgs = html.match(/<svg class="chart"[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBe(4);
    for (const svg of svgs) {
      expect(svg).toContain('tag (oldest → newest)');
      expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+L/);
    }
    expect(svgs[0]).toContain('total size (MiB)');
  });

  test('the regression section names the seeded regressions', () => {
    const section = html.slice(html.indexOf('id="regressions"'), html.indexOf('id="matrix"'));
    expect(section).toContain('2 regressions</span> against tag <code>v1.1.0</code>');
    expect(section).toContain('data-chain [linux/arm64] · check user (suites/smoke.suite.ts)');
    expect(section).toContain('api-gateway [linux/amd64] · image size');
    expect(section).toContain('Fixed since then: 1');
  });

  test('a first run has nothing to compare with, and still renders', () => {
    const one = renderDashboard({ runs: [sampleRun({ id: 'only', started: '2026-01-01T00:00:00.000Z' })] });
    expect(one).toContain('Nothing to compare with: no earlier local run in the history.');
    expect(one).toContain('<p class="ok-note">No failures.</p>');
    expect(one).toMatch(/<svg class="chart"/);
  });

  test('tag names and ids are escaped like everything else', () => {
    const r = sampleRun({ id: 'x1', tag: 'v<b>1', started: '2026-01-01T00:00:00.000Z' });
    const out = renderDashboard({ runs: [r] });
    expect(out).not.toContain('v<b>1');
    expect(out).toContain('v&lt;b&gt;1');
  });

  test('no runs is an error, not an empty page', () => expect(() => renderDashboard({ runs: [] })).toThrow(/no runs/));
});

describe('SVG line chart', () => {
  test('ticks are round numbers covering the range', () => {
    expect(niceTicks(0, 9.3)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(310, 351)).toEqual([310, 320, 330, 340, 350, 360]);
  });

  test('gaps in a series break the line; an empty chart renders nothing', () => {
    const svg = lineChart({
      title: 't',
      categories: ['a', 'b', 'c'],
      series: [{ name: 's', color: '#000', values: [1, undefined, 3] }],
      unit: 'count',
      xLabel: 'x',
      yLabel: 'y',
    });
    expect(svg.match(/<path d="([^"]*)"/)![1]).toMatch(/^M[\d.,]+M[\d.,]+$/);
    expect(
      lineChart({
        title: 't',
        categories: ['a'],
        series: [{ name: 's', color: '#000', values: [undefined] }],
        unit: 'ms',
        xLabel: 'x',
        yLabel: 'y',
      }),
    ).toBe('');
  });
});
