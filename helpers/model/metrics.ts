// Figures the suites and flows record and the reporter, dashboard and regress read: shared, so in helpers/model.
import { z } from 'zod';

/**
 * Suites report figures as vitest annotations of type `metric` (message = JSON), so they travel through
 * vitest's own channels to the results reporter in the main process — no side files, no shared state.
 */
export const METRIC_ANNOTATION = 'metric';
export const FACTS_ANNOTATION = 'image-facts';

/** Names the comparison and dashboard know; suites may record others too. */
export const METRIC = {
  imageSize: 'image-size',
  layerCount: 'layer-count',
  firstOk: 'time-to-first-200',
  dockerHealthy: 'time-to-docker-healthy',
  pageSize: 'page-size',
  anchoringLatency: 'anchoring-latency',
  stackStart: 'stack-start',
} as const;

/** How people call them, for findings and the dashboard. */
export const METRIC_LABELS: Record<string, string> = {
  [METRIC.imageSize]: 'image size',
  [METRIC.layerCount]: 'layer count',
  [METRIC.firstOk]: 'time to first 200',
  [METRIC.dockerHealthy]: 'time to Docker healthy',
  [METRIC.pageSize]: 'page size',
  [METRIC.anchoringLatency]: 'anchoring latency',
  [METRIC.stackStart]: 'stack start',
};

type MetricUnit = 'bytes' | 'ms' | 'count' | (string & {});

const MetricAnnotationSchema = z.object({
  name: z.string().min(1),
  value: z.number().finite(),
  unit: z.string().min(1),
});
export type MetricAnnotation = z.infer<typeof MetricAnnotationSchema>;

/** vitest's `annotate` from the test context (structural, so plain functions work in unit tests). */
type Annotate = (message: string, type?: string) => Promise<unknown>;

/**
 * Records one figure of the current test. A missing or non-finite value is skipped rather than thrown:
 * a metric is never the reason a check fails.
 */
export async function recordMetric(
  annotate: Annotate | undefined,
  name: string,
  value: number | undefined,
  unit: MetricUnit,
): Promise<void> {
  if (!annotate || value === undefined || !Number.isFinite(value)) return;
  await annotate(JSON.stringify({ name, value, unit }), METRIC_ANNOTATION);
}

export function parseMetricAnnotation(message: string): MetricAnnotation | undefined {
  try {
    const r = MetricAnnotationSchema.safeParse(JSON.parse(message));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** image-facts carry size and layer count already; the reporter turns them into metrics too. */
export function metricsFromFacts(facts: Record<string, unknown>): MetricAnnotation[] {
  const out: MetricAnnotation[] = [];
  if (typeof facts.sizeBytes === 'number' && Number.isFinite(facts.sizeBytes))
    out.push({ name: METRIC.imageSize, value: facts.sizeBytes, unit: 'bytes' });
  if (typeof facts.layerCount === 'number' && Number.isFinite(facts.layerCount))
    out.push({ name: METRIC.layerCount, value: facts.layerCount, unit: 'count' });
  return out;
}
