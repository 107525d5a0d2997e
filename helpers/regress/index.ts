/**
 * Regression per timestamped tag: the suites run on each selected tag of the registry, and each tag is compared
 * with the one before it (or with a baseline tag) — new failures, fixes, metric deltas against thresholds.
 *
 * Exported API
 *
 *   regress({ contract, contractSource, registry, plainHttp?, selector, baseline?, services, platforms, reportDir,
 *             config?, log?, verbose? }) → { report, file, summary, dashboard?, exitCode }
 *     Each tag's run goes to <reportDir>/tags/<tag>/ (results.json with run.tag, junit, its own history/) and
 *     into <reportDir>/history/<tag>/; <reportDir>/regression.json, results.json (the newest tag) and index.html
 *     are rewritten. Registry errors (unreachable, auth, a tag gone) and SelectionError are thrown.
 *   Selector = { kind: 'pattern', pattern } | { kind: 'last', n } | { kind: 'since', since }             select.ts
 *   selectTags(listings, timestampPattern, selector) → { tags (oldest first, in every repository), incomplete }
 *   tagMatcher(pattern), sinceKey(date), planComparisons(tags, baseline?), checkBaseline(listings, baseline)
 *   SelectionError                                        nothing (or one tag) selected: a usage error
 *   comparePairs(pairs, resultsByTag, config), checkCounts(results)                                      pairs.ts
 *   RegressionReportSchema (version 1), parseRegressionReport, readRegressionReport, regressionJson,
 *   REGRESSION_FILE (the dashboard reads regression.json too)                       ../report/regression-schema.ts
 *   summarizeRegression(report), pairBlock(pair), verdictLine(report)                                    summary.ts
 *   readThresholds(file), parseThresholds(data) → RegressionConfig (merged over DEFAULT_THRESHOLDS);
 *   ThresholdsError                                                                                      thresholds.ts
 */
export { regress, type RegressInput, type RegressOutcome } from './run.ts';
export { checkBaseline, planComparisons, SelectionError, selectTags, sinceKey, tagMatcher, type ComparisonPlan, type Selector, type TagListing, type TagSelection } from './select.ts';
export { checkCounts, comparePairs } from './pairs.ts';
export { pairBlock, summarizeRegression, verdictLine } from './summary.ts';
export { parseThresholds, readThresholds, ThresholdsError } from './thresholds.ts';
