import { esc } from './html.ts';

/** Inline SVG line charts for the dashboard: no script, no external asset, readable when printed. */
interface Series {
  name: string;
  color: string;
  /** One value per category; undefined leaves a gap. */
  values: (number | undefined)[];
}

interface LineChartSpec {
  title: string;
  categories: string[];
  series: Series[];
  /** bytes or ms pick a readable scale (MiB, s); anything else is shown as is. */
  unit: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
}

function scaleFor(unit: string, max: number): { div: number; suffix: string } {
  if (unit === 'bytes') return max >= 1024 * 1024 ? { div: 1024 * 1024, suffix: 'MiB' } : { div: 1024, suffix: 'KiB' };
  if (unit === 'ms') return max >= 2000 ? { div: 1000, suffix: 's' } : { div: 1, suffix: 'ms' };
  return { div: 1, suffix: unit === 'count' ? '' : unit };
}

/** Round tick steps (1, 2, 2.5, 5 × 10ⁿ) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) hi = lo + 1;
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let t = first; t < hi + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const trim = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function lineChart(spec: LineChartSpec): string {
  const W = spec.width ?? 560;
  const H = spec.height ?? 260;
  const m = { left: 64, right: 40, top: 34, bottom: 52 };
  const all = spec.series.flatMap((s) => s.values.filter((v): v is number => v !== undefined));
  if (!all.length) return '';
  const { div, suffix } = scaleFor(spec.unit, Math.max(...all));
  const min = Math.min(...all) / div;
  const max = Math.max(...all) / div;
  // A zero baseline hides a 10 % change on a 50 MiB image; zoom in when the values sit far above zero.
  const lo = min > max * 0.5 && max > min ? Math.max(0, min - (max - min) * 1.5) : 0;
  const ticks = niceTicks(lo, max === lo ? lo + 1 : max);
  const y0 = ticks[0]!;
  const y1 = ticks.at(-1)!;
  const px = (i: number) =>
    m.left +
    (spec.categories.length === 1
      ? (W - m.left - m.right) / 2
      : ((W - m.left - m.right) * i) / (spec.categories.length - 1));
  const py = (v: number) => m.top + (H - m.top - m.bottom) * (1 - (v / div - y0) / (y1 - y0 || 1));
  const fmt = (v: number) => `${Number((v / div).toFixed(v / div >= 100 ? 0 : 1))}${suffix ? ` ${suffix}` : ''}`;
  const grid = ticks
    .map((t) => {
      const y = py(t * div).toFixed(1);
      return `<line x1="${m.left}" x2="${W - m.right}" y1="${y}" y2="${y}" class="grid"/><text x="${m.left - 6}" y="${y}" class="tick" text-anchor="end" dominant-baseline="middle">${esc(Number(t.toFixed(2)))}</text>`;
    })
    .join('');
  const xTicks = spec.categories
    .map(
      (c, i) =>
        `<line x1="${px(i).toFixed(1)}" x2="${px(i).toFixed(1)}" y1="${H - m.bottom}" y2="${H - m.bottom + 4}" class="axis"/><text x="${px(i).toFixed(1)}" y="${H - m.bottom + 16}" class="tick" text-anchor="middle">${esc(trim(c, 18))}</text>`,
    )
    .join('');
  const lines = spec.series
    .map((s) => {
      const pts = s.values.map((v, i) => (v === undefined ? undefined : ([px(i), py(v)] as const)));
      const path = pts.reduce(
        (d, p, i) => (p ? `${d}${d && pts[i - 1] ? 'L' : 'M'}${p[0].toFixed(1)},${p[1].toFixed(1)}` : d),
        '',
      );
      const dots = pts
        .map((p, i) =>
          p
            ? `<circle cx="${p[0].toFixed(1)}" cy="${p[1].toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(`${s.name} · ${spec.categories[i]}: ${fmt(s.values[i]!)}`)}</title></circle>`
            : '',
        )
        .join('');
      return `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}`;
    })
    .join('');
  const legend = spec.series
    .map(
      (s, i) =>
        `<g transform="translate(${m.left + i * 130},14)"><rect width="12" height="4" y="-2" fill="${s.color}"/><text x="18" y="0" class="legend" dominant-baseline="middle">${esc(trim(s.name, 16))}</text></g>`,
    )
    .join('');
  const yAxisTitle = `${spec.yLabel}${suffix ? ` (${suffix})` : ''}`;
  return [
    `<svg class="chart" role="img" aria-label="${esc(spec.title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">`,
    `<title>${esc(spec.title)}</title>`,
    grid,
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" class="axis"/><line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" class="axis"/>`,
    xTicks,
    lines,
    legend,
    `<text class="axis-label" x="${(m.left + W - m.right) / 2}" y="${H - 10}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
    `<text class="axis-label" transform="translate(14,${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yAxisTitle)}</text>`,
    '</svg>',
  ].join('');
}
