/** Pure: tag pairs → comparisons as regression.json records them. */
import { compareRuns, type RegressionConfig } from '../report/compare.ts';
import type { Results } from '../report/results-schema.ts';
import type { Pair, TagRun } from '../report/regression-schema.ts';

export function checkCounts(r: Results): TagRun['checks'] {
  const n = (s: string) => r.checks.filter((c) => c.status === s).length;
  return { passed: n('passed'), failed: n('failed'), notRun: n('not-run') };
}

const emptyPair = (baseline: string, current: string, skipped: string): Pair => ({
  baseline,
  current,
  skipped,
  regression: false,
  newFailures: [],
  fixed: [],
  stillFailing: [],
  metrics: [],
  findings: [],
});

/**
 * Compares each pair whose two tags have results. A tag without results leaves its pairs `skipped` (the
 * tag's own error says why); it is not counted as a regression here.
 */
export function comparePairs(
  pairs: readonly [string, string][],
  results: ReadonlyMap<string, Results>,
  config: RegressionConfig,
): Pair[] {
  return pairs.map(([b, c]) => {
    const base = results.get(b);
    const cur = results.get(c);
    if (!base || !cur)
      return emptyPair(b, c, `no results for ${[!base && b, !cur && c].filter(Boolean).join(' and ')}`);
    const cmp = compareRuns(base, cur, config);
    return {
      baseline: b,
      current: c,
      baselineRun: base.run.id,
      currentRun: cur.run.id,
      regression: cmp.findings.length > 0,
      newFailures: cmp.newFailures,
      fixed: cmp.fixed,
      stillFailing: cmp.stillFailing,
      metrics: cmp.deltas,
      findings: cmp.findings,
    };
  });
}
