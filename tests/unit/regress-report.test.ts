import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { defaultRegressionConfig } from '../../helpers/report/compare.ts';
import { sampleRun } from '../support/sample-history.ts';
import type { Results } from '../../helpers/report/results-schema.ts';
import { checkCounts, comparePairs } from '../../helpers/regress/pairs.ts';
import {
  parseRegressionReport,
  readRegressionReport,
  RegressionReportError,
  regressionJson,
  type RegressionReport,
  type TagRun,
} from '../../helpers/report/regression-schema.ts';
import { pairBlock, summarizeRegression } from '../../helpers/regress/summary.ts';

const MiB = 1024 * 1024;
const T = ['latest-20261127-101500', 'latest-20261127-101600', 'latest-20261127-101700'] as const;
const noise = { timing: 0.15, size: 0.002 };
const secret = {
  expected: 'no password, token or private key baked into the image',
  seen: 'Env MONGODB_URI carries a URL with a password: ch****',
};

/** The seeded regression of the real test, as sample data: tag 3 breaks no-secrets and grows data-chain by 3 MiB. */
function sampleTags(): Map<string, Results> {
  return new Map([
    [T[0], sampleRun({ id: '20261127T102000Z-0001', tag: T[0], started: '2026-11-27T10:20:00.000Z', seed: 21, noise })],
    [T[1], sampleRun({ id: '20261127T102100Z-0002', tag: T[1], started: '2026-11-27T10:21:00.000Z', seed: 22, noise })],
    [
      T[2],
      sampleRun({
        id: '20261127T102200Z-0003',
        tag: T[2],
        started: '2026-11-27T10:22:00.000Z',
        seed: 23,
        noise,
        failures: [{ image: 'service-mesh-controller', platform: 'linux/amd64', check: 'no-secrets', ...secret }],
        shift: { 'data-chain|linux/amd64|image-size': 3 * MiB },
      }),
    ],
  ]);
}

function sampleReport(
  results = sampleTags(),
  pairs: [string, string][] = [
    [T[0], T[1]],
    [T[1], T[2]],
  ],
): RegressionReport {
  const config = defaultRegressionConfig();
  const compared = comparePairs(pairs, results, config);
  const tags: TagRun[] = T.map((tag) => {
    const r = results.get(tag);
    return r
      ? {
          tag,
          runId: r.run.id,
          dir: `tags/${tag}`,
          exitCode: 0,
          checks: checkCounts(r),
          durationMs: 41_000,
          targets: [
            {
              service: 'data-chain',
              platform: 'linux/amd64',
              image: 'sha256:1',
              reference: `127.0.0.1:5000/pickme/lucid-data-chain@sha256:${'a'.repeat(64)}`,
            },
          ],
        }
      : {
          tag,
          dir: `tags/${tag}`,
          checks: { passed: 0, failed: 0, notRun: 0 },
          durationMs: 900,
          error: 'pickme/lucid-data-chain:x has no linux/amd64 image',
          errorKind: 'published-image',
          targets: [],
        };
  });
  return parseRegressionReport({
    version: 1,
    started: '2026-11-27T10:19:30.000Z',
    finished: '2026-11-27T10:22:40.000Z',
    durationMs: 190_000,
    registry: '127.0.0.1:5000',
    selection: { kind: 'last', value: '3' },
    services: ['data-chain', 'service-mesh-controller'],
    platforms: ['linux/amd64'],
    thresholds: config.metrics,
    tags,
    incomplete: [{ tag: 'latest-20261127-101630', missingIn: ['pickme/lucid-service-mesh-controller'] }],
    pairs: compared,
    regression: compared.some((p) => p.regression),
  });
}

describe('regression.json', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test('the seeded regression is flagged in the second pair only, exactly', () => {
    const r = sampleReport();
    expect(r.regression).toBe(true);
    const [first, second] = r.pairs;
    expect(first!.findings).toEqual([]);
    expect(first!.metrics.length).toBeGreaterThan(0);
    expect(second!.newFailures.map((c) => [c.image, c.platform, c.check, c.before])).toEqual([
      ['service-mesh-controller', 'linux/amd64', 'no-secrets', 'passed'],
    ]);
    expect(second!.metrics.filter((m) => m.regression).map((m) => [m.image, m.platform, m.name])).toEqual([
      ['data-chain', 'linux/amd64', 'image-size'],
    ]);
    expect(second!.findings.map((f) => f.kind)).toEqual(['new-failure', 'metric']);
  });

  test('writes and reads back; version, consistency and bad fields are checked', () => {
    const r = sampleReport();
    const dir = mkdtempSync(join(tmpdir(), 'lucid-regress-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'regression.json'), regressionJson(r));
    expect(readRegressionReport(join(dir, 'regression.json'))).toEqual(r);
    expect(() => parseRegressionReport({ ...r, version: 2 })).toThrow(RegressionReportError);
    expect(() => parseRegressionReport({ ...r, regression: false })).toThrow(
      'regression: must be true exactly when a pair regressed',
    );
    expect(() =>
      parseRegressionReport({ ...r, pairs: [{ ...r.pairs[1]!, current: 'latest-19990101-000000' }] }),
    ).toThrow('pairs.0.current: tag latest-19990101-000000 is not in tags');
    expect(() => parseRegressionReport({ ...r, pairs: [{ ...r.pairs[1]!, regression: false }] })).toThrow(
      /pairs\.0\.regression: must be true exactly when there are findings/,
    );
    expect(() => parseRegressionReport({ ...r, started: 'yesterday', tags: [] })).toThrow(/started: .*; tags: /);
    expect(() => parseRegressionReport({ ...r, thresholds: { 'image-size': {} } })).toThrow(/thresholds\.image-size/);
  });

  test('a tag without results leaves its pairs uncompared, not regressed', () => {
    const results = sampleTags();
    results.delete(T[1]);
    const r = sampleReport(results);
    expect(r.pairs.map((p) => [p.skipped, p.regression])).toEqual([
      [`no results for ${T[1]}`, false],
      [`no results for ${T[1]}`, false],
    ]);
    expect(r.regression).toBe(false);
  });
});

describe('the summary', () => {
  test('one block per tag pair, findings with expected and seen, and a verdict', () => {
    const text = summarizeRegression(sampleReport());
    const blocks = text.split('\n\n');
    expect(blocks).toHaveLength(4);
    expect(blocks[0]!.split('\n')).toEqual([
      'Regression run of 3 tags at 127.0.0.1:5000 (--last 3): data-chain, service-mesh-controller on linux/amd64',
      expect.stringMatching(
        new RegExp(`^  ${T[0]}  \\d+ passed, 0 failed, 0 not run \\(run 20261127T102000Z-0001, 41\\.0 s\\)$`),
      ),
      expect.stringMatching(new RegExp(`^  ${T[1]}  \\d+ passed, 0 failed`)),
      expect.stringMatching(new RegExp(`^  ${T[2]}  \\d+ passed, 1 failed`)),
      '  latest-20261127-101630  not checked: missing in pickme/lucid-service-mesh-controller',
    ]);
    expect(blocks[1]).toMatch(
      new RegExp(
        `^${T[0]} → ${T[1]}: no regressions\\n  52 metrics compared; largest rise under threshold: .+ \\(\\+\\d+\\.\\d %\\)$`,
      ),
    );
    const second = blocks[2]!.split('\n');
    expect(second[0]).toBe(`${T[1]} → ${T[2]}: 2 regressions (1 new failure, 1 metric over threshold)`);
    expect(second.slice(1, 7)).toEqual([
      '  new failure  service-mesh-controller [linux/amd64] · check no-secrets (suites/smoke.suite.ts)',
      `               expected: passes, as in ${T[1]} (run 20261127T102100Z-0002)`,
      '               seen:     fails: Env MONGODB_URI carries a URL with a password: ch****',
      '  metric       data-chain [linux/amd64] · image size',
      expect.stringMatching(
        /^               expected: under \d+\.\d MiB \(limit \+5 % or \+1\.0 MiB\); latest-20261127-101600 had \d+\.\d MiB$/,
      ),
      expect.stringMatching(/^               seen:     \d+\.\d MiB \(\+3\.\d MiB, \+5\.\d %\)$/),
    ]);
    expect(blocks[3]).toBe(
      'REGRESSION: 1 of 2 tag pairs regressed (1 new failure, 1 metric over threshold). Took 3 min 10 s.',
    );
  });

  test('fixes, failures that persist, skipped pairs and tags that could not be checked are said plainly', () => {
    const r = sampleReport();
    const fixedPair = {
      ...r.pairs[0]!,
      fixed: [
        {
          image: 'data-chain',
          platform: 'linux/arm64',
          check: 'user',
          suite: 'suites/smoke.suite.ts',
          before: 'failed' as const,
        },
      ],
      stillFailing: [
        {
          image: 'flows',
          platform: 'linux/amd64',
          check: 'anchoring-end-to-end',
          suite: 'suites/flows.suite.ts',
          before: 'failed' as const,
        },
      ],
    };
    expect(pairBlock(fixedPair).split('\n').slice(1, 3)).toEqual([
      '  fixed: data-chain [linux/arm64] user',
      '  still failing: flows [linux/amd64] anchoring-end-to-end',
    ]);
    const results = sampleTags();
    results.delete(T[2]);
    const partial = sampleReport(results);
    const text = summarizeRegression(partial);
    expect(text).toContain(`${T[1]} → ${T[2]}: not compared (no results for ${T[2]})`);
    expect(text).toContain(`  ${T[2]}  not checked: pickme/lucid-data-chain:x has no linux/amd64 image`);
    expect(text.split('\n').at(-1)).toBe(
      'No regression across 2 tag pairs. 1 tag could not be checked. Took 3 min 10 s.',
    );
  });
});
