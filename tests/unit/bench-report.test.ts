import { expect, test } from 'vitest';
import { timeline, type EngineEvent } from '../../bench/events.ts';
import {
  benchDocument,
  BENCH_VERSION,
  floorSummary,
  markdownTable,
  median,
  type BenchInput,
} from '../../bench/report.ts';
import type { TimedVerify } from '../../bench/verify-timed.ts';

const verify = (wallMs: number): TimedVerify => ({
  runId: 'r',
  exitCode: 0,
  wallMs,
  suites: {},
  tests: { passed: 1, failed: 0, skipped: 0 },
  failures: [],
  platforms: {},
  cpuBusy: 0.9,
  imagesLoaded: 0,
  stderrTail: '',
});
const quiet = { waitedMs: 0, busy: 0.05, foreign: 0, quiet: true };

function input(over: Partial<BenchInput> = {}): BenchInput {
  return {
    generatedAt: '2026-01-01T00:00:00.000Z',
    host: { cpus: 2, node: '20.20.2', engine: '20.10.24 (API 1.41)' },
    floor: [
      { platform: 'linux/amd64', allHealthyMs: 1000, perService: {} },
      { platform: 'linux/amd64', allHealthyMs: 3000, perService: {} },
      { platform: 'linux/amd64', allHealthyMs: 2000, perService: {} },
      { platform: 'linux/arm64', allHealthyMs: 8000, perService: {} },
    ],
    floorCortexA57: [],
    verify: { cold: verify(18_000), warm: verify(13_500) },
    naive: { wallMs: 54_000, exitCode: 0, summary: 'naive: 116 checks, 0 failed', platforms: {} },
    static: [
      { target: 'a', coldMs: 400, coldBuiltMs: 200, coldInRunMs: 400, warmDiskMs: 20, memoMs: 5, findings: 0 },
      { target: 'b', coldMs: 600, coldBuiltMs: 250, coldInRunMs: 20, warmDiskMs: 20, memoMs: 5, findings: 0 },
    ],
    notice: [
      { platform: 'linux/amd64', httpDelayMs: 40, dockerDelayMs: 150, answerAfterMs: 500, healthyAfterMs: 1200 },
      { platform: 'linux/arm64', httpDelayMs: -10, dockerDelayMs: 10, answerAfterMs: 2500, healthyAfterMs: 4000 },
    ],
    quiet: {
      floor: quiet,
      'verify-warm': { ...quiet, quiet: false, busy: 0.9 },
      naive: { ...quiet, foreignStartsDuring: 3 },
    },
    ...over,
  };
}

test('median and the floor: best of the repeats per platform, summed over platforms', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([1, 2, 3, 4])).toBe(2.5);
  expect(floorSummary(input().floor)).toEqual({
    perPlatformMs: { 'linux/amd64': 1000, 'linux/arm64': 8000 },
    medianPerPlatformMs: { 'linux/amd64': 2000, 'linux/arm64': 8000 },
    totalMs: 9000,
  });
});

test('ratios against the targets, with early notices counted as no delay', () => {
  const doc = benchDocument(input());
  expect(doc.version).toBe(BENCH_VERSION);
  expect(doc.summary.ratios).toMatchObject({ verifyOverFloor: 1.5, verifyColdOverFloor: 2, naiveOverVerify: 4 });
  expect(doc.summary.met).toEqual({
    verifyOverFloor: true,
    naiveOverVerify: true,
    staticCold: true,
    staticWarm: true,
    notice: true,
  });
  expect(doc.summary.notice).toEqual({ httpMedianMs: 20, httpMaxMs: 40, dockerMedianMs: 80, dockerMaxMs: 150 });
  expect(benchDocument(input({ verify: { cold: verify(40_000), warm: verify(30_000) } })).summary.met).toMatchObject({
    verifyOverFloor: false,
    naiveOverVerify: false,
  });
});

test('the markdown table has one row per measure and says when the box was not quiet', () => {
  const md = markdownTable(input());
  expect(md.split('\n')[0]).toBe('| measure | time | ratio / target | met |');
  expect(md).toContain('| full verify, warm caches | 13.5 s (CPU 90% busy) | 1.5× floor (target ≤ 1.5×) | yes |');
  expect(md).toContain('| naive script (bench/naive.sh) | 54.0 s | verify 4× faster (target ≥ 4×) | yes |');
  expect(md).toContain('Not quiet during: verify-warm, naive (3 foreign container start(s))');
});

test('engine events become a per-platform timeline of one run', () => {
  const ev = (t: number, action: string, id: string, platform = 'linux/amd64', run = 'r1'): EngineEvent => ({
    t,
    seenAt: t,
    action,
    id,
    run,
    platform,
    role: 'service',
  });
  const events = [
    ev(100, 'create', 'a'),
    ev(150, 'start', 'a'),
    ev(1150, 'die', 'a'),
    ev(1200, 'destroy', 'a'),
    ev(300, 'create', 'b'),
    ev(400, 'start', 'b'),
    ev(900, 'die', 'b'),
    ev(1000, 'destroy', 'b'),
    ev(50, 'create', 'x', 'linux/amd64', 'other'),
  ];
  expect(timeline(events, 'r1', 0)).toEqual({
    'linux/amd64': { containers: 2, spanMs: 1100, busyMs: 1500, firstCreateMs: 100, lastDestroyMs: 1200 },
  });
});
