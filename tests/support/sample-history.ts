import { METRIC } from '../../helpers/model/metrics.ts';
import { FLOWS_IMAGE, flowsSubject, type Outcome } from '../../helpers/model/verdict.ts';
import {
  parseResults,
  type CheckResult,
  type MetricResult,
  type Results,
} from '../../helpers/report/results-schema.ts';

/**
 * Realistic results documents for the report's own tests: six services on two platforms, the smoke checks,
 * the flows, and metrics with small run-to-run noise (deterministic, from a seed).
 */
export const SAMPLE_SERVICES = [
  'api-gateway',
  'service-mesh-controller',
  'blockchain-engine',
  'session-anchoring',
  'block-manager',
  'data-chain',
] as const;
export const SAMPLE_PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
export const SAMPLE_SMOKE_CHECKS = [
  'user',
  'platform',
  'exposed-port',
  'healthcheck',
  'entrypoint',
  'no-shell',
  'no-package-manager',
  'no-setuid',
  'no-world-writable',
  'passwd-nonroot',
  'no-secrets',
  'health',
  'process-user',
  'shell-exec',
  'docker-health',
  'hardened',
] as const;
export const SAMPLE_FLOWS = [
  'anchoring-end-to-end',
  'gateway-read-back',
  'auth-and-validation',
  'discovery-and-faults',
] as const;

interface SampleFailure {
  image: string;
  platform: string;
  check: string;
  /** The failing check's finding, as its outcome carries it (defaults: the contract holds / it does not). */
  expected?: string;
  seen?: string;
  /** The failure message; by default one finding printed the way the suites print it. */
  message?: string;
  detail?: string;
}

export interface SampleRunOptions {
  id: string;
  tag?: string;
  started: string;
  seed?: number;
  failures?: SampleFailure[];
  /** Added to a metric of one image: `${image}|${platform}|${metric}` → delta. */
  shift?: Record<string, number>;
  /** Relative noise on timings (default 0.03) and sizes (default 0.001). */
  noise?: { timing?: number; size?: number };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE_SIZE = [57.2, 55.9, 58.4, 56.3, 55.8, 59.1].map((mb) => Math.round(mb * 1024 * 1024));

const expectedOf = (f: SampleFailure) => f.expected ?? 'the contract holds';
const seenOf = (f: SampleFailure) => f.seen ?? 'it does not';

function defaultMessage(f: SampleFailure): string {
  return `${f.image} [${f.platform}] — image pickme/lucid-${f.image}: ${f.check}\n  expected: ${expectedOf(f)}\n  seen:     ${seenOf(f)}`;
}

/** The outcome a suite attaches to the failing test: a flow's or a smoke check's, with its one finding. */
function failedOutcome(f: SampleFailure): Outcome {
  const findings = [{ check: f.check, expected: expectedOf(f), seen: seenOf(f) }];
  return f.image === FLOWS_IMAGE
    ? {
        kind: 'flow',
        subject: flowsSubject(f.platform),
        image: FLOWS_IMAGE,
        platform: f.platform,
        check: f.check,
        flow: f.check,
        verdict: 'failed',
        step: 'sample-step',
        findings,
      }
    : {
        kind: 'check',
        subject: `${f.image} [${f.platform}]`,
        image: f.image,
        platform: f.platform,
        check: f.check,
        verdict: 'failed',
        findings,
      };
}

export function sampleRun(o: SampleRunOptions): Results {
  const rand = rng(o.seed ?? 1);
  const jitter = (v: number, rel: number) => v * (1 + (rand() * 2 - 1) * rel);
  const t = o.noise?.timing ?? 0.03;
  const z = o.noise?.size ?? 0.001;
  const fail = (image: string, platform: string, check: string) =>
    o.failures?.find((f) => f.image === image && f.platform === platform && f.check === check);
  const checks: CheckResult[] = [];
  const metrics: MetricResult[] = [];
  const metric = (image: string, platform: string, name: string, value: number, unit: string) =>
    metrics.push({
      image,
      platform,
      ...(o.tag && { tag: o.tag }),
      name,
      value: Math.round(value + (o.shift?.[`${image}|${platform}|${name}`] ?? 0)),
      unit,
    });
  const check = (image: string, platform: string, name: string, suite: string, ms: number) => {
    const f = fail(image, platform, name);
    checks.push({
      image,
      platform,
      ...(o.tag && { tag: o.tag }),
      check: name,
      suite,
      status: f ? 'failed' : 'passed',
      durationMs: Math.round(ms),
      ...(f && { message: f.message ?? defaultMessage(f), outcome: { ...failedOutcome(f) } }),
      ...(f?.detail && { detail: f.detail }),
    });
  };
  SAMPLE_SERVICES.forEach((svc, i) => {
    for (const p of SAMPLE_PLATFORMS) {
      const emu = p === 'linux/arm64' ? 4.5 : 1;
      for (const c of SAMPLE_SMOKE_CHECKS)
        check(svc, p, c, 'suites/smoke.suite.ts', jitter(c === 'hardened' || c === 'health' ? 2500 * emu : 20, t));
      metric(svc, p, METRIC.imageSize, jitter(BASE_SIZE[i]! + (p === 'linux/arm64' ? -1_200_000 : 0), z), 'bytes');
      metric(svc, p, METRIC.layerCount, 10, 'count');
      metric(svc, p, METRIC.firstOk, jitter(650 * emu, t), 'ms');
      metric(svc, p, METRIC.dockerHealthy, jitter(1800 * emu, t), 'ms');
    }
  });
  for (const p of SAMPLE_PLATFORMS) {
    const emu = p === 'linux/arm64' ? 4.5 : 1;
    for (const f of SAMPLE_FLOWS) check('flows', p, f, 'suites/flows.suite.ts', jitter(3000 * emu, t));
    metric('flows', p, METRIC.anchoringLatency, jitter(420 * emu, t), 'ms');
    metric('flows', p, METRIC.stackStart, jitter(14_000 * emu, t), 'ms');
  }
  const facts = SAMPLE_SERVICES.flatMap((svc) =>
    SAMPLE_PLATFORMS.map((p) => {
      const size = metrics.find((m) => m.image === svc && m.platform === p && m.name === METRIC.imageSize)!.value;
      return {
        image: svc,
        platform: p,
        facts: {
          base: 'Debian GNU/Linux 12 (bookworm)',
          osId: 'debian',
          osVersionId: '12',
          python: '3.11',
          sizeBytes: size,
          sizeText: `${(size / 1e6).toFixed(1)} MB`,
          layerCount: 10,
          architecture: p.slice(6),
          notes: ['distroless debian12 reached end of support in 2026 (2026-06-10): plan a move to a debian13 base'],
        },
      };
    }),
  );
  const finished = new Date(Date.parse(o.started) + 14 * 60_000 + Math.round(rand() * 60_000)).toISOString();
  return parseResults({
    version: 1,
    run: {
      id: o.id,
      started: o.started,
      finished,
      hostArch: 'amd64',
      engineVersion: '26.1.5+dfsg1',
      source: o.tag ? 'registry' : 'reference',
      ...(o.tag && { registry: 'docker.io/pickme', tag: o.tag }),
      contractProfiles: [],
      outcome: checks.some((c) => c.status === 'failed') ? 'failed' : 'passed',
    },
    targets: SAMPLE_SERVICES.flatMap((svc, i) =>
      SAMPLE_PLATFORMS.map((p) => ({
        name: svc,
        service: svc,
        platform: p,
        imageId: `sha256:${(i + 1).toString(16).repeat(64)}`,
        label: o.tag ? `pickme/lucid-${svc}:${o.tag}` : `lucid-ref/lucid-${svc}:${p.slice(6)}`,
        ...(o.tag && { tag: o.tag }),
      })),
    ),
    checks,
    metrics,
    facts,
  });
}

const GROWN = 8 * 1024 * 1024;

/** Three tags; the newest breaks `user` on data-chain arm64 and grows api-gateway amd64 by 8 MiB. */
export function sampleHistory(): Results[] {
  const hardenedFailure: SampleFailure = {
    image: 'session-anchoring',
    platform: 'linux/arm64',
    check: 'hardened',
    expected: 'HTTP 200 within 90 s',
    seen: 'the container stopped after 3.2 s',
    message:
      'session-anchoring [linux/arm64] — image pickme/lucid-session-anchoring:v1.1.0 (sha256:4444444444444) (read-only, cap-drop ALL, no-new-privileges, tmpfs on /data/anchoring): hardened run: GET /health on 8085\n  expected: HTTP 200 within 90 s\n  seen:     the container stopped after 3.2 s',
    detail:
      'session-anchoring [linux/arm64] — image pickme/lucid-session-anchoring:v1.1.0 (sha256:4444444444444) (read-only, cap-drop ALL, no-new-privileges, tmpfs on /data/anchoring): hardened run: GET /health on 8085\n  expected: HTTP 200 within 90 s\n  seen:     the container stopped after 3.2 s\n  where to look:\n    container exited with code 1\n    last log lines:\n      Traceback (most recent call last):\n        File "/app/main.py", line 12, in <module>\n      OSError: [Errno 30] Read-only file system: \'/app/cache\'',
  };
  const userFailure: SampleFailure = {
    image: 'data-chain',
    platform: 'linux/arm64',
    check: 'user',
    expected: 'User 65532:65532 (nonroot)',
    seen: 'User is "" <empty>: the container runs as root (uid 0)',
    message:
      'data-chain [linux/arm64] — image pickme/lucid-data-chain:v1.2.0 (sha256:6666666666666): User resolves to the contract uid:gid\n  expected: User 65532:65532 (nonroot)\n  seen:     User is "" <empty>: the container runs as root (uid 0)',
  };
  return [
    sampleRun({ id: '20260105T090000Z-a1b2', tag: 'v1.0.0', started: '2026-01-05T09:00:00.000Z', seed: 11 }),
    sampleRun({
      id: '20260112T090000Z-c3d4',
      tag: 'v1.1.0',
      started: '2026-01-12T09:00:00.000Z',
      seed: 12,
      failures: [hardenedFailure],
      shift: { 'api-gateway|linux/amd64|image-size': 300_000 },
    }),
    sampleRun({
      id: '20260119T090000Z-e5f6',
      tag: 'v1.2.0',
      started: '2026-01-19T09:00:00.000Z',
      seed: 13,
      failures: [userFailure],
      shift: { 'api-gateway|linux/amd64|image-size': 300_000 + GROWN },
    }),
  ];
}
