import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import {
  FACTS_ANNOTATION,
  METRIC_ANNOTATION,
  metricsFromFacts,
  parseMetricAnnotation,
  type MetricAnnotation,
} from '../model/metrics.ts';
import type { Outcome, Subject } from '../model/verdict.ts';
import {
  parseResults,
  RESULTS_VERSION,
  type CheckResult,
  type CheckStatus,
  type FactsResult,
  type MetricResult,
  type Results,
  type RunInfo,
  type TargetResult,
} from './results-schema.ts';

/** One finished test as the reporter saw it; plain data so the mapping below is testable without vitest. */
export interface CaseRecord {
  suite: string;
  /** describe titles from the outside in: only the check name of a case without an outcome is made of them. */
  ancestors: string[];
  title: string;
  /** vitest's `skipped` arrives as not-run, with the skip note as its reason. */
  status: CheckStatus | 'pending';
  reason?: string;
  /** The outcome the suite attached (task.meta), when it did: subject, check, verdict, findings. */
  outcome?: Outcome;
  /** The subject its describe declared (meta): what a case without an outcome (timed out, a failed hook) is about. */
  subject?: Subject;
  durationMs: number;
  errors: string[];
  annotations: { type: string; message: string }[];
}

/** The plan fields results.json needs; optional ones appear once the plan carries registry runs. */
export interface PlanView {
  source: RunInfo['source'];
  registry?: string;
  tag?: string;
  contract: { file?: string; overrides: string[] };
  peers?: { service: string; platform: string; image: string; label: string }[];
  targets: {
    service: string;
    platform: string;
    image: string;
    label: string;
    name?: string;
    tag?: string;
    indexDigest?: string;
    compressedSize?: number;
  }[];
}

interface CollectInput {
  run: Omit<RunInfo, 'source' | 'registry' | 'tag' | 'contractFile' | 'contractProfiles'>;
  plan?: PlanView;
  cases: CaseRecord[];
}

function firstLines(text: string, lines: number, chars: number): string {
  const cut = text.split('\n').slice(0, lines).join('\n');
  return cut.length > chars ? `${cut.slice(0, chars - 1)}…` : cut;
}

/** A run id sorts by time and names a file: 20260127T085852Z-3fa1. */
export function makeRunId(started: Date): string {
  return `${started
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
}

const suiteName = (suite: string) => basename(suite).replace(/\.(suite|test|spec)\.[cm]?[jt]s$/, '');

function targetsOf(plan: PlanView | undefined): TargetResult[] {
  return (plan?.targets ?? []).map((t) => ({
    name: t.name ?? t.service,
    service: t.service,
    platform: t.platform,
    imageId: t.image,
    label: t.label,
    ...((t.tag ?? plan?.tag) && { tag: t.tag ?? plan?.tag }),
    ...(t.indexDigest && { indexDigest: t.indexDigest }),
    ...(t.compressedSize !== undefined && { compressedSize: t.compressedSize }),
  }));
}

type About = { image: string; platform: string; tag?: string };
const targetKey = (x: { image: string; platform: string }) => `${x.image}\u0000${x.platform}`;

/**
 * The image and platform a case is about, as data: its outcome's, else its describe's declared subject, else (a
 * module that failed to load, a test outside any subject) its suite file on any platform; with its target's tag.
 */
function aboutOf(c: CaseRecord, targets: Map<string, TargetResult>): About {
  const s = c.outcome ?? c.subject;
  if (!s) return { image: suiteName(c.suite), platform: 'any' };
  const t = targets.get(targetKey(s));
  return { image: s.image, platform: s.platform, ...(t?.tag && { tag: t.tag }) };
}

function checkOf(c: CaseRecord, subject: About): CheckResult {
  const text = c.errors
    .map((e) => stripVTControlCharacters(e).trim())
    .filter(Boolean)
    .join('\n\n');
  const message = text ? firstLines(text, 6, 800) : undefined;
  return {
    ...subject,
    check: c.outcome?.check ?? [...c.ancestors.slice(1), c.title].join(' > '),
    suite: c.suite,
    status: c.status === 'pending' ? 'not-run' : c.status,
    ...(c.status !== 'passed' &&
      c.status !== 'failed' && {
        reason:
          c.outcome?.reason ?? c.reason ?? (c.status === 'pending' ? 'pending: the run ended before it' : 'skipped'),
      }),
    ...(c.outcome && { outcome: { ...c.outcome } }),
    durationMs: Math.max(0, Math.round(c.durationMs * 10) / 10),
    ...(message && { message }),
    ...(text.length > (message?.length ?? 0) && { detail: firstLines(text, 80, 8000) }),
  };
}

/** Pure: the results document of one run from its test cases and plan. */
export function buildResults({ run, plan, cases }: CollectInput): Results {
  const targets = targetsOf(plan);
  const byTarget = new Map(targets.map((t) => [targetKey({ image: t.name, platform: t.platform }), t]));
  const checks: CheckResult[] = [];
  // Keyed so a figure recorded twice keeps its last value; facts-derived ones yield to explicit ones.
  const derived = new Map<string, MetricResult>();
  const explicit = new Map<string, MetricResult>();
  const facts = new Map<string, FactsResult>();
  for (const c of cases) {
    const subject = aboutOf(c, byTarget);
    const key = (m: MetricAnnotation) => `${subject.image}\u0000${subject.platform}\u0000${m.name}`;
    checks.push(checkOf(c, subject));
    for (const a of c.annotations) {
      if (a.type === METRIC_ANNOTATION) {
        const m = parseMetricAnnotation(a.message);
        if (m) explicit.set(key(m), { ...subject, ...m });
      } else if (a.type === FACTS_ANNOTATION) {
        let f: unknown;
        try {
          f = JSON.parse(a.message);
        } catch {
          continue;
        }
        if (!f || typeof f !== 'object' || Array.isArray(f)) continue;
        facts.set(`${subject.image}\u0000${subject.platform}`, { ...subject, facts: f as Record<string, unknown> });
        for (const m of metricsFromFacts(f as Record<string, unknown>)) derived.set(key(m), { ...subject, ...m });
      }
    }
  }
  return parseResults({
    version: RESULTS_VERSION,
    run: {
      ...run,
      source: plan?.source ?? 'reference',
      ...(plan?.registry && { registry: plan.registry }),
      ...(plan?.tag && { tag: plan.tag }),
      ...(plan?.contract.file && { contractFile: plan.contract.file }),
      contractProfiles: plan?.contract.overrides ?? [],
      ...(plan?.peers?.length && {
        peers: plan.peers.map((p) => ({ service: p.service, platform: p.platform, imageId: p.image, label: p.label })),
      }),
    },
    targets,
    checks,
    metrics: [...new Map([...derived, ...explicit]).values()],
    facts: [...facts.values()],
  });
}
