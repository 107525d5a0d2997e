import { z } from 'zod';
import { tagOf } from './history.ts';
import { formatDelta, formatPercent, formatValue } from './format.ts';
import { METRIC, METRIC_LABELS } from '../model/metrics.ts';
import { readOutcome } from '../model/verdict.ts';
import { subjectOf, type CheckResult, type CheckStatus, type MetricResult, type Results } from './results-schema.ts';

/**
 * How much a figure may grow from one tag to the next before it counts as a regression. `relative` is a
 * fraction (0.05 = +5 %), `absolute` is in the metric's unit. With `combine: 'any'` crossing either limit
 * flags it (image size: +5 % or +1 MiB); with `all` every limit must be crossed, which keeps small, noisy
 * timings quiet (time to healthy: +50 % and +1 s).
 */
export const MetricThresholdSchema = z
  .object({
    label: z.string().optional(),
    relative: z.number().nonnegative().optional(),
    absolute: z.number().nonnegative().optional(),
    combine: z.enum(['any', 'all']).default('any'),
  })
  .refine((t) => t.relative !== undefined || t.absolute !== undefined, { message: 'give relative, absolute, or both' });
type MetricThreshold = z.infer<typeof MetricThresholdSchema>;

export const DEFAULT_THRESHOLDS: Record<string, MetricThreshold> = {
  [METRIC.imageSize]: { relative: 0.05, absolute: 1024 * 1024, combine: 'any' },
  [METRIC.layerCount]: { absolute: 1, combine: 'any' },
  // Start-up timings of identical images moved by up to +3.4 s / +406 % between runs on a loaded 2-core host,
  // anchoring latency by +53 %: timing thresholds must sit above that noise (both limits must be crossed).
  [METRIC.dockerHealthy]: { relative: 1, absolute: 5000, combine: 'all' },
  [METRIC.firstOk]: { relative: 1, absolute: 5000, combine: 'all' },
  [METRIC.anchoringLatency]: { relative: 1, absolute: 500, combine: 'all' },
  [METRIC.stackStart]: { relative: 0.5, absolute: 5000, combine: 'all' },
};

/**
 * The regression config (destined for the contract file). Given metrics replace the default of the same
 * name; `false` turns a default off; metrics without a threshold are compared but never flagged.
 */
export const RegressionConfigSchema = z
  .object({ metrics: z.record(z.string(), z.union([MetricThresholdSchema, z.literal(false)])).default({}) })
  .transform(({ metrics }) => {
    const merged: Record<string, MetricThreshold> = { ...DEFAULT_THRESHOLDS };
    for (const [k, v] of Object.entries(metrics)) {
      if (v === false) delete merged[k];
      else merged[k] = v;
    }
    return { metrics: merged };
  });
export type RegressionConfig = z.output<typeof RegressionConfigSchema>;
export const defaultRegressionConfig = (): RegressionConfig => RegressionConfigSchema.parse({});

interface CheckChange {
  image: string;
  platform: string;
  check: string;
  suite: string;
  before: CheckStatus | 'absent';
  message?: string;
  /** A failure's gist (failureGist): what its outcome's first finding saw. */
  gist?: string;
}

interface MetricDelta {
  image: string;
  platform: string;
  name: string;
  unit: string;
  before: number;
  after: number;
  delta: number;
  /** delta / before; absent when before is 0. */
  ratio?: number;
  regression: boolean;
}

interface RegressionFinding {
  kind: 'new-failure' | 'metric';
  where: string;
  expected: string;
  seen: string;
}

interface RunRef {
  id: string;
  tag: string;
  started: string;
}

export interface Comparison {
  current: RunRef;
  baseline: RunRef;
  newFailures: CheckChange[];
  fixed: CheckChange[];
  stillFailing: CheckChange[];
  deltas: MetricDelta[];
  /** New failures first, then metrics over threshold: exactly what needs a look. */
  findings: RegressionFinding[];
  summary: string;
}

const ref = (r: Results): RunRef => ({ id: r.run.id, tag: tagOf(r), started: r.run.started });
const checkKey = (c: CheckResult) => `${c.image}\u0000${c.platform}\u0000${c.check}`;
const metricKey = (m: MetricResult) => `${m.image}\u0000${m.platform}\u0000${m.name}`;
/**
 * The gist of a failure, as data: what its outcome's first finding saw. A failure with no finding (results from
 * before outcomes, a test that timed out) shows its message's first line as it is: shown, never parsed.
 */
export function failureGist(c: Pick<CheckResult, 'outcome' | 'message'>): string {
  const seen = readOutcome(c.outcome)?.findings[0]?.seen;
  return (
    seen ??
    (c.message ?? '')
      .split('\n')
      .map((l) => l.trim())
      .find(Boolean) ??
    ''
  );
}

/** Is the growth from before to after over the threshold? Growth only: a figure that shrinks never regresses. */
export function crosses(t: MetricThreshold, before: number, after: number): boolean {
  const delta = after - before;
  if (delta <= 0) return false;
  const verdicts: boolean[] = [];
  if (t.relative !== undefined) verdicts.push(before > 0 ? delta / before >= t.relative : true);
  if (t.absolute !== undefined) verdicts.push(delta >= t.absolute);
  return t.combine === 'all' ? verdicts.every(Boolean) : verdicts.some(Boolean);
}

/** The largest value that still passes, for "expected" wording. */
function limitText(t: MetricThreshold, before: number, unit: string): string {
  const limits = [
    t.relative !== undefined ? before * (1 + t.relative) : undefined,
    t.absolute !== undefined ? before + t.absolute : undefined,
  ].filter((x): x is number => x !== undefined);
  const bound = t.combine === 'all' ? Math.max(...limits) : Math.min(...limits);
  const rule = [
    t.relative !== undefined ? `+${(t.relative * 100).toFixed(0)} %` : undefined,
    t.absolute !== undefined ? `+${formatValue(t.absolute, unit)}` : undefined,
  ]
    .filter(Boolean)
    .join(t.combine === 'all' ? ' and ' : ' or ');
  return `under ${formatValue(bound, unit)} (limit ${rule})`;
}

function classifyChecks(baseline: Results, current: Results) {
  const before = new Map(baseline.checks.map((c) => [checkKey(c), c]));
  const newFailures: CheckChange[] = [];
  const fixed: CheckChange[] = [];
  const stillFailing: CheckChange[] = [];
  for (const c of current.checks) {
    const b = before.get(checkKey(c));
    const gist = c.status === 'failed' ? failureGist(c) : '';
    const change: CheckChange = {
      image: c.image,
      platform: c.platform,
      check: c.check,
      suite: c.suite,
      before: b?.status ?? 'absent',
      ...(c.message && { message: c.message }),
      ...(gist && { gist }),
    };
    if (c.status === 'failed') (b?.status === 'failed' ? stillFailing : newFailures).push(change);
    else if (c.status === 'passed' && b?.status === 'failed') fixed.push(change);
  }
  return { newFailures, fixed, stillFailing };
}

function metricDeltas(baseline: Results, current: Results, config: RegressionConfig): MetricDelta[] {
  const before = new Map(baseline.metrics.map((m) => [metricKey(m), m]));
  return current.metrics.flatMap((m) => {
    const b = before.get(metricKey(m));
    if (!b || b.unit !== m.unit) return [];
    const t = config.metrics[m.name];
    const delta = m.value - b.value;
    return [
      {
        image: m.image,
        platform: m.platform,
        name: m.name,
        unit: m.unit,
        before: b.value,
        after: m.value,
        delta,
        ...(b.value !== 0 && { ratio: delta / b.value }),
        regression: !!t && crosses(t, b.value, m.value),
      },
    ];
  });
}

/** Pure: what changed from the baseline run to the current one, and which changes are regressions. */
export function compareRuns(
  baseline: Results,
  current: Results,
  config: RegressionConfig = defaultRegressionConfig(),
): Comparison {
  const base = ref(baseline);
  const { newFailures, fixed, stillFailing } = classifyChecks(baseline, current);
  const deltas = metricDeltas(baseline, current, config);
  const findings: RegressionFinding[] = [
    ...newFailures.map((c) => ({
      kind: 'new-failure' as const,
      where: `${subjectOf(c)} · check ${c.check} (${c.suite})`,
      expected:
        c.before === 'absent'
          ? `passes (the check did not run in ${base.tag})`
          : c.before === 'not-run'
            ? `passes (not run in ${base.tag})`
            : `passes, as in ${base.tag} (run ${base.id})`,
      seen: `fails: ${c.gist || 'no message'}`,
    })),
    ...deltas
      .filter((d) => d.regression)
      .map((d) => {
        const t = config.metrics[d.name]!;
        return {
          kind: 'metric' as const,
          where: `${subjectOf(d)} · ${t.label ?? METRIC_LABELS[d.name] ?? d.name}`,
          expected: `${limitText(t, d.before, d.unit)}; ${base.tag} had ${formatValue(d.before, d.unit)}`,
          seen: `${formatValue(d.after, d.unit)} (${formatDelta(d.delta, d.unit)}${d.ratio !== undefined ? `, ${formatPercent(d.ratio)}` : ''})`,
        };
      }),
  ];
  const comparison = {
    current: ref(current),
    baseline: base,
    newFailures,
    fixed,
    stillFailing,
    deltas,
    findings,
    summary: '',
  };
  return { ...comparison, summary: summarize(comparison) };
}

function summarize(c: Omit<Comparison, 'summary'>): string {
  const metricFindings = c.findings.filter((f) => f.kind === 'metric').length;
  const head =
    `${c.current.tag} (run ${c.current.id}) against ${c.baseline.tag} (run ${c.baseline.id}): ` +
    (c.findings.length
      ? `${c.findings.length} regression(s) — ${c.newFailures.length} new failure(s), ${metricFindings} metric(s) over threshold.`
      : 'no regressions.');
  const lines = c.findings.map(
    (f) =>
      `  ${f.kind === 'new-failure' ? 'new failure' : 'metric'}: ${f.where}\n    expected: ${f.expected}\n    seen:     ${f.seen}`,
  );
  const tail = `Fixed: ${c.fixed.length}; still failing: ${c.stillFailing.length}; metrics compared: ${c.deltas.length}.`;
  return [head, ...lines, tail].join('\n');
}
