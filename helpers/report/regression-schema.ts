/**
 * regression.json: one `regress` run as data — which tags were checked, what changed from each baseline tag
 * to the next, and whether anything regressed. Versioned and validated like results.json; bump `version`
 * on any breaking change.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MetricThresholdSchema } from './compare.ts';
import { CheckStatusSchema } from './results-schema.ts';

export const REGRESSION_FILE = 'regression.json';

const name = z.string().min(1);
const isoTime = z.iso.datetime({ offset: true });

const CheckChangeSchema = z.object({
  image: name,
  platform: name,
  check: name,
  suite: z.string(),
  before: z.union([CheckStatusSchema, z.literal('absent')]),
  message: z.string().optional(),
  /** What the failure's outcome saw (its first finding): what the summary shows. */
  gist: z.string().optional(),
});

const MetricDeltaSchema = z.object({
  image: name,
  platform: name,
  name,
  unit: name,
  before: z.number().finite(),
  after: z.number().finite(),
  delta: z.number().finite(),
  ratio: z.number().finite().optional(),
  regression: z.boolean(),
});

const FindingSchema = z.object({
  kind: z.enum(['new-failure', 'metric']),
  where: name,
  expected: z.string(),
  seen: z.string(),
});

const TagRunSchema = z.object({
  tag: name,
  /** The results.json run id; absent when the tag could not be checked (see `error`). */
  runId: z.string().optional(),
  /** The tag's report directory, relative to the report dir (tags/<tag>). */
  dir: z.string(),
  /** The suites' exit code (0 all passed, 1 a check failed); absent when they did not run. */
  exitCode: z.number().int().optional(),
  outcome: z.enum(['passed', 'failed', 'interrupted']).optional(),
  checks: z.object({
    passed: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    notRun: z.number().int().nonnegative(),
  }),
  durationMs: z.number().nonnegative(),
  /** Why the tag has no results: a published image that is wrong, or a suites run that broke. */
  error: z.string().optional(),
  errorKind: z.enum(['published-image', 'environment']).optional(),
  /** What was pulled, so it can be removed afterwards (host/repository@manifest digest). */
  targets: z.array(
    z.object({
      service: name,
      platform: name,
      image: name,
      indexDigest: z.string().optional(),
      manifestDigest: z.string().optional(),
      reference: z.string().optional(),
    }),
  ),
});

const PairSchema = z.object({
  baseline: name,
  current: name,
  baselineRun: z.string().optional(),
  currentRun: z.string().optional(),
  /** Set when one side has no results, so nothing was compared. */
  skipped: z.string().optional(),
  regression: z.boolean(),
  newFailures: z.array(CheckChangeSchema),
  fixed: z.array(CheckChangeSchema),
  stillFailing: z.array(CheckChangeSchema),
  metrics: z.array(MetricDeltaSchema),
  findings: z.array(FindingSchema),
});

const RegressionReportSchema = z
  .object({
    version: z.literal(1),
    started: isoTime,
    finished: isoTime,
    durationMs: z.number().nonnegative(),
    registry: name,
    selection: z.object({ kind: z.enum(['pattern', 'last', 'since']), value: name, baseline: z.string().optional() }),
    services: z.array(name).min(1),
    platforms: z.array(name).min(1),
    thresholds: z.record(z.string(), MetricThresholdSchema),
    tags: z.array(TagRunSchema).min(1),
    incomplete: z.array(z.object({ tag: name, missingIn: z.array(name).min(1) })),
    pairs: z.array(PairSchema),
    /** True when any pair has a finding: a new failure or a metric over its threshold. */
    regression: z.boolean(),
  })
  .superRefine((r, ctx) => {
    const tags = new Set(r.tags.map((t) => t.tag));
    r.pairs.forEach((p, i) => {
      for (const side of ['baseline', 'current'] as const) {
        if (!tags.has(p[side]))
          ctx.addIssue({ code: 'custom', path: ['pairs', i, side], message: `tag ${p[side]} is not in tags` });
      }
      if (p.regression !== p.findings.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: ['pairs', i, 'regression'],
          message: 'must be true exactly when there are findings',
        });
    });
    if (r.regression !== r.pairs.some((p) => p.regression))
      ctx.addIssue({ code: 'custom', path: ['regression'], message: 'must be true exactly when a pair regressed' });
  });

export type RegressionReport = z.infer<typeof RegressionReportSchema>;
export type TagRun = RegressionReport['tags'][number];
export type Pair = RegressionReport['pairs'][number];

export class RegressionReportError extends Error {}

export function parseRegressionReport(data: unknown, source = 'regression report'): RegressionReport {
  const r = RegressionReportSchema.safeParse(data);
  if (!r.success)
    throw new RegressionReportError(
      `${source} is not a valid regression report: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}

export const readRegressionReport = (file: string): RegressionReport =>
  parseRegressionReport(JSON.parse(readFileSync(file, 'utf8')), file);

export const regressionJson = (r: RegressionReport): string =>
  `${JSON.stringify(RegressionReportSchema.parse(r), null, 2)}\n`;
