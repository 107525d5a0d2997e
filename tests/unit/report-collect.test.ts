import { describe, expect, test } from 'vitest';
import { buildResults, makeRunId, type CaseRecord, type PlanView } from '../../helpers/report/collect.ts';
import type { CheckOutcome } from '../../helpers/model/verdict.ts';
import { recordMetric } from '../../helpers/model/metrics.ts';

const plan: PlanView = {
  source: 'reference',
  contract: { overrides: ['real-mesh-8088'] },
  targets: [
    {
      service: 'api-gateway',
      platform: 'linux/amd64',
      image: 'sha256:aaa',
      label: 'lucid-ref/lucid-api-gateway:amd64',
    },
    {
      service: 'data-chain',
      platform: 'linux/arm64',
      image: 'sha256:bbb',
      label: 'lucid-defect/root-user:arm64',
      name: 'root-user',
      tag: 'd1',
    },
  ],
};
const run = {
  id: '20260101T000000Z-0000',
  started: '2026-01-01T00:00:00.000Z',
  finished: '2026-01-01T00:10:00.000Z',
  hostArch: 'amd64',
};
const tc = (ancestors: string[], title: string, extra: Partial<CaseRecord> = {}): CaseRecord => ({
  suite: 'suites/smoke.suite.ts',
  ancestors,
  title,
  status: 'passed',
  durationMs: 12.345,
  errors: [],
  annotations: [],
  ...extra,
});
/** The subject a describe declares (meta), as the reporter hands it on. */
const about = (image: string, platform: string) => ({
  subject: { subject: `${image} [${platform}]`, image, platform },
});
const outcome = (
  image: string,
  platform: string,
  check: string,
  o: Partial<CheckOutcome> = {},
): { outcome: CheckOutcome } => ({
  outcome: {
    kind: 'check',
    subject: `${image} [${platform}]`,
    image,
    platform,
    check,
    verdict: 'passed',
    findings: [],
    ...o,
  },
});

describe('mapping test cases to results.json', () => {
  test('outcomes name image, platform and check; their plan target adds its tag, defect names included', () => {
    const finding = { check: 'Config.User', expected: 'a non-root user', seen: 'root' };
    const failed = outcome('root-user', 'linux/arm64', 'user', { verdict: 'failed', findings: [finding] });
    const r = buildResults({
      run,
      plan,
      cases: [
        tc(['api-gateway [linux/amd64]'], 'user', outcome('api-gateway', 'linux/amd64', 'user')),
        tc(['root-user [linux/arm64]'], 'user', { status: 'failed', errors: ['x'], ...failed }),
      ],
    });
    expect(r.checks.map((c) => [c.image, c.platform, c.tag, c.check, c.status])).toEqual([
      ['api-gateway', 'linux/amd64', undefined, 'user', 'passed'],
      ['root-user', 'linux/arm64', 'd1', 'user', 'failed'],
    ]);
    expect(r.checks[1]!.outcome).toEqual(failed.outcome);
    expect(r.targets[1]).toMatchObject({ name: 'root-user', service: 'data-chain', imageId: 'sha256:bbb', tag: 'd1' });
    expect(r.run).toMatchObject({ source: 'reference', contractProfiles: ['real-mesh-8088'] });
  });

  test('a flow outcome is about image flows on its platform, its check the flow; a not-run one keeps its reason', () => {
    const flow = {
      kind: 'flow' as const,
      subject: 'linux/arm64 flows',
      image: 'flows' as const,
      platform: 'linux/arm64',
      check: 'gateway-read-back',
      flow: 'gateway-read-back',
      verdict: 'not-run' as const,
      reason: 'needs every contract service',
      findings: [],
    };
    const r = buildResults({
      run,
      plan,
      cases: [
        tc(['linux/arm64 flows'], 'gateway-read-back', { status: 'not-run', reason: 'not run: needs…', outcome: flow }),
      ],
    });
    expect(r.checks[0]).toMatchObject({
      image: 'flows',
      platform: 'linux/arm64',
      check: 'gateway-read-back',
      status: 'not-run',
      reason: 'needs every contract service',
      outcome: flow,
    });
  });

  test('a case without an outcome is about the subject its describe declared; titles are never parsed', () => {
    const r = buildResults({
      run,
      plan,
      cases: [
        tc(['linux/amd64 flows'], '(setup)', {
          status: 'failed',
          errors: ['stack did not start'],
          subject: { subject: 'linux/amd64 flows', image: 'flows', platform: 'linux/amd64' },
        }),
        tc(['root-user [linux/arm64]'], 'user', { status: 'failed', ...about('root-user', 'linux/arm64') }),
      ],
    });
    expect(r.checks.map((c) => [c.image, c.platform, c.tag, c.check])).toEqual([
      ['flows', 'linux/amd64', undefined, '(setup)'],
      ['root-user', 'linux/arm64', 'd1', 'user'],
    ]);
  });

  test('a case with neither (a module that did not load) is about its suite file, on any platform', () => {
    const r = buildResults({
      run,
      plan,
      cases: [
        tc([], '(setup)', { status: 'failed', errors: ['SyntaxError'] }),
        tc(['api-gateway [linux/amd64]'], 'user'),
      ],
    });
    expect(r.checks.map((c) => [c.image, c.platform, c.check])).toEqual([
      ['smoke', 'any', '(setup)'],
      ['smoke', 'any', 'user'],
    ]);
  });

  test('nested describes become part of the check name; pending counts as not run', () => {
    const r = buildResults({
      run,
      plan,
      cases: [
        tc(['api-gateway [linux/amd64]', 'inner'], 'deep', {
          status: 'pending',
          ...about('api-gateway', 'linux/amd64'),
        }),
      ],
    });
    expect(r.checks[0]).toMatchObject({
      check: 'inner > deep',
      status: 'not-run',
      reason: 'pending: the run ended before it',
    });
  });

  test('failure messages lose colour codes; the first lines are the message, the rest goes to detail', () => {
    const long = [
      '\u001b[31msubject: check\u001b[39m',
      '  expected: a',
      '  seen:     b',
      '  where to look:',
      ...Array.from({ length: 10 }, (_, i) => `    log ${i}`),
    ].join('\n');
    const r = buildResults({
      run,
      plan,
      cases: [tc(['api-gateway [linux/amd64]'], 'health', { status: 'failed', errors: [long] })],
    });
    expect(r.checks[0]!.message).toBe(
      'subject: check\n  expected: a\n  seen:     b\n  where to look:\n    log 0\n    log 1',
    );
    expect(r.checks[0]!.detail).toContain('    log 9');
    expect(r.checks[0]!.detail).not.toContain('\u001b');
  });

  test('metric annotations and image facts become metrics; explicit ones win; junk is ignored', async () => {
    const annotations: { type: string; message: string }[] = [];
    const annotate = async (message: string, type?: string) => annotations.push({ type: type ?? 'notice', message });
    annotations.push({
      type: 'image-facts',
      message: JSON.stringify({ sizeBytes: 58_000_000, layerCount: 10, base: 'Debian 12' }),
    });
    await recordMetric(annotate, 'layer-count', 11, 'count');
    await recordMetric(annotate, 'time-to-docker-healthy', 1834, 'ms');
    await recordMetric(annotate, 'skipped', undefined, 'ms');
    annotations.push(
      { type: 'metric', message: 'not json' },
      { type: 'image-facts', message: '[1,2]' },
      { type: 'page-size', message: 'page size inside the container: 4096 bytes' },
    );
    const r = buildResults({
      run,
      plan,
      cases: [tc(['api-gateway [linux/amd64]'], 'user', { annotations, ...about('api-gateway', 'linux/amd64') })],
    });
    expect(r.metrics.map((m) => [m.name, m.value, m.unit])).toEqual([
      ['image-size', 58_000_000, 'bytes'],
      ['layer-count', 11, 'count'],
      ['time-to-docker-healthy', 1834, 'ms'],
    ]);
    expect(r.facts).toEqual([
      {
        image: 'api-gateway',
        platform: 'linux/amd64',
        facts: { sizeBytes: 58_000_000, layerCount: 10, base: 'Debian 12' },
      },
    ]);
  });

  test('without a plan the run is still a valid document', () => {
    const r = buildResults({ run, cases: [tc(['x [linux/amd64]'], 'user')] });
    expect(r.targets).toEqual([]);
    expect(r.run.source).toBe('reference');
  });

  test('run ids sort by time and are file-safe', () => {
    const id = makeRunId(new Date('2026-01-27T08:58:52.123Z'));
    expect(id).toMatch(/^20260127T085852Z-[0-9a-f]{4}$/);
  });
});

describe('plan view', () => {
  test('registry fields come from the raw plan file, or from the plan object once its schema has them', async () => {
    const { planView } = await import('../../helpers/report/plan-view.ts');
    const plan = {
      version: 1 as const,
      source: 'registry' as const,
      contract: { overrides: [] },
      targets: [{ service: 'data-chain', platform: 'linux/arm64' as const, image: 'sha256:1', label: 'l' }],
      reportDir: '/r',
    };
    const raw = {
      ...plan,
      registry: 'docker.io/pickme',
      tag: 'v3',
      targets: [{ ...plan.targets[0], indexDigest: 'sha256:idx', compressedSize: 'not a number' }],
    };
    expect(planView(plan, raw)).toMatchObject({
      registry: 'docker.io/pickme',
      tag: 'v3',
      targets: [{ service: 'data-chain', indexDigest: 'sha256:idx' }],
    });
    expect(planView(plan, raw).targets[0]).not.toHaveProperty('compressedSize');
    expect(planView({ ...plan, tag: 'v4' } as typeof plan)).toMatchObject({ tag: 'v4' });
  });
});
