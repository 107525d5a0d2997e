import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { HostFactsSchema } from '../host/schema.ts';

/**
 * results.json: one run of the suites as data, independent of vitest's own report formats, so history,
 * comparison and the dashboard read one versioned document. Bump `version` on any breaking change.
 */
const name = z.string().min(1);
/** `linux/amd64`, or `any` for checks not tied to one platform. */
const platform = z.string().min(1);
const isoTime = z.iso.datetime({ offset: true });

const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Three verdicts: a check that could not observe its fact did not run (with its reason); it did not fail. */
export const CheckStatusSchema = z.enum(['passed', 'failed', 'not-run']);
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

const RunInfoSchema = z.object({
  id: z.string().regex(RUN_ID_PATTERN, { message: 'letters, digits, dot, dash, underscore (it names a file)' }),
  started: isoTime,
  finished: isoTime,
  hostArch: name,
  engineVersion: z.string().optional(),
  source: z.enum(['reference', 'local', 'oci-layout', 'registry']),
  registry: z.string().optional(),
  tag: z.string().optional(),
  contractFile: z.string().optional(),
  contractProfiles: z.array(z.string()).default([]),
  /** sha256 of the contract as loaded (file + profiles merged): what `report --merge` compares across shards. */
  contractDigest: z.string().optional(),
  /** Facts of the host that change verdicts (helpers/host): engine and userland architecture, page size, limits. */
  host: HostFactsSchema.optional(),
  /** Reference images that filled in for services the run was not given (verify --peers): in the stack, not judged. */
  peers: z.array(z.object({ service: name, platform, imageId: name, label: z.string() })).optional(),
  /** vitest's verdict: `interrupted` means the checks below are incomplete. */
  outcome: z.enum(['passed', 'failed', 'interrupted']).optional(),
});

const TargetSchema = z.object({
  /** What the checks call the image: the target's `name` (defect images) or its service. */
  name,
  service: name,
  platform,
  imageId: name,
  label: z.string(),
  tag: z.string().optional(),
  indexDigest: z.string().optional(),
  compressedSize: z.number().int().nonnegative().optional(),
});

const CheckResultSchema = z.object({
  image: name,
  platform,
  tag: z.string().optional(),
  /** The test title, e.g. `user` or `health`. */
  check: name,
  /** The suite file, relative to the project root. */
  suite: z.string(),
  status: CheckStatusSchema,
  durationMs: z.number().nonnegative(),
  /** Why a check did not run (not-run only): what it could not observe, and the root cause. */
  reason: z.string().optional(),
  /** First lines of the failure, without colour codes. */
  message: z.string().optional(),
  /** The outcome the suite attached (helpers/model/verdict.ts: subject, check, verdict, findings; a flow's failed step), when there is one. */
  outcome: z.record(z.string(), z.unknown()).optional(),
  /** A longer excerpt of the failure (findings with their "where to look" logs). */
  detail: z.string().optional(),
});

const MetricSchema = z.object({
  image: name,
  platform,
  tag: z.string().optional(),
  name,
  value: z.number().finite(),
  /** bytes, ms or count (free text so suites can add their own). */
  unit: name,
});

const FactsSchema = z.object({
  image: name,
  platform,
  tag: z.string().optional(),
  /** describeImage's output as the suite annotated it. */
  facts: z.record(z.string(), z.unknown()),
});

/** One shard of a merged report (`report --merge`): the run it was, on which host, for which platforms. */
const ShardSchema = z.object({
  runId: name,
  dir: z.string(),
  platforms: z.array(name),
  hostArch: name,
  engineVersion: z.string().optional(),
  started: isoTime,
  finished: isoTime,
  outcome: z.string().optional(),
  host: HostFactsSchema.optional(),
});
export const RESULTS_VERSION = 2;

const ResultsSchema = z.object({
  /** 2: check status passed | failed | not-run (1 had skipped, read as not-run). */
  version: z.literal(RESULTS_VERSION),
  run: RunInfoSchema,
  targets: z.array(TargetSchema),
  checks: z.array(CheckResultSchema),
  metrics: z.array(MetricSchema).default([]),
  facts: z.array(FactsSchema).default([]),
  /** Present on a merged report: the shards it was made of. */
  shards: z.array(ShardSchema).optional(),
});

export type Results = z.infer<typeof ResultsSchema>;
export type RunInfo = Results['run'];
export type TargetResult = Results['targets'][number];
export type CheckResult = Results['checks'][number];
export type MetricResult = Results['metrics'][number];
export type FactsResult = Results['facts'][number];

export class ResultsError extends Error {}

/** A version 1 document (history of older runs) read as version 2: its `skipped` checks did not run. */
function upgrade(data: unknown): unknown {
  const d = data as { version?: unknown; checks?: unknown } | null;
  if (!d || typeof d !== 'object' || d.version !== 1 || !Array.isArray(d.checks)) return data;
  const checks = d.checks.map((c: Record<string, unknown>) =>
    c && c['status'] === 'skipped'
      ? { ...c, status: 'not-run', reason: c['reason'] ?? 'skipped (results version 1)' }
      : c,
  );
  return { ...d, version: RESULTS_VERSION, checks };
}

/** Validates parsed JSON; the error names the file and every bad field. */
export function parseResults(data: unknown, source = 'results'): Results {
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof version === 'number' && version > RESULTS_VERSION)
    throw new ResultsError(
      `${source} is results version ${version}, written by a newer lucid-harness (this one reads up to ${RESULTS_VERSION}): update lucid-harness`,
    );
  const r = ResultsSchema.safeParse(upgrade(data));
  if (!r.success)
    throw new ResultsError(
      `${source} is not a valid results document: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return r.data;
}

export function readResults(file: string): Results {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ResultsError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ResultsError(`${file} is not JSON: ${(e as Error).message}`);
  }
  return parseResults(data, file);
}

export const resultsJson = (r: Results): string => `${JSON.stringify(ResultsSchema.parse(r), null, 2)}\n`;

/** The key of one image on one platform, as the dashboard and comparison show it. */
export const subjectOf = (x: { image: string; platform: string }): string =>
  x.platform === 'any' ? x.image : `${x.image} [${x.platform}]`;
