/** bench.json (versioned) and its markdown table. Pure: no engine, no clock. */
import type { FloorRun } from './floor.ts';
import type { NoticeSample } from './notice.ts';
import type { Quiet } from './quiet.ts';
import type { StaticTiming } from './static.ts';
import type { TimedVerify } from './verify-timed.ts';

export const BENCH_VERSION = 1;

const TARGETS = {
  /** full verify ÷ boot floor (both platforms): at most */
  verifyOverFloor: 1.5,
  /** naive script ÷ full verify: at least */
  naiveOverVerify: 4,
  /** static checks per image, cold: at most (ms) */
  staticColdMs: 500,
  /** static checks per image, warm: "≈ 0", taken as at most (ms) */
  staticWarmMs: 50,
  /** health answered → noticed by the harness: at most (ms) */
  noticeMs: 100,
} as const;

export interface BenchInput {
  generatedAt: string;
  host: { cpus: number; node: string; engine: string; qemuCpu?: string };
  floor: FloorRun[];
  /** Same floor on arm64 with QEMU_CPU=cortex-a57 in the containers (empty when not measured). */
  floorCortexA57: FloorRun[];
  verify: { cold: TimedVerify; warm: TimedVerify };
  naive: { wallMs: number; exitCode: number | null; summary: string; platforms: Record<string, unknown> };
  static: StaticTiming[];
  notice: NoticeSample[];
  quiet: Record<string, Quiet>;
}

export const median = (xs: number[]): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const max = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * The floor per platform is the best of its repeats (a floor: other work on a shared box only ever adds),
 * summed over platforms (verify covers both); medians are kept alongside.
 */
export function floorSummary(runs: FloorRun[]): {
  perPlatformMs: Record<string, number>;
  medianPerPlatformMs: Record<string, number>;
  totalMs: number;
} {
  const perPlatformMs: Record<string, number> = {};
  const medianPerPlatformMs: Record<string, number> = {};
  for (const p of [...new Set(runs.map((r) => r.platform))]) {
    const xs = runs.filter((r) => r.platform === p).map((r) => r.allHealthyMs);
    perPlatformMs[p] = Math.min(...xs);
    medianPerPlatformMs[p] = median(xs);
  }
  return { perPlatformMs, medianPerPlatformMs, totalMs: Object.values(perPlatformMs).reduce((a, b) => a + b, 0) };
}

function summarise(input: BenchInput) {
  const floor = floorSummary(input.floor);
  const verifyMs = input.verify.warm.wallMs;
  // Noticing earlier than the 5 ms poller (its own request in flight) counts as no delay.
  const http = input.notice.map((n) => Math.max(0, n.httpDelayMs));
  const dockerH = input.notice.map((n) => Math.max(0, n.dockerDelayMs));
  const dockerEv = input.notice.flatMap((n) =>
    n.dockerEventsDelayMs === undefined ? [] : [Math.max(0, n.dockerEventsDelayMs)],
  );
  const stat = {
    coldIsolatedMedianMs: median(input.static.map((s) => s.coldMs)),
    coldIsolatedMaxMs: max(input.static.map((s) => s.coldMs)),
    coldBuiltMedianMs: median(input.static.map((s) => s.coldBuiltMs)),
    coldInRunMeanMs: Math.round(mean(input.static.map((s) => s.coldInRunMs))),
    warmDiskMeanMs: Math.round(mean(input.static.map((s) => s.warmDiskMs))),
    memoMeanMs: Math.round(mean(input.static.map((s) => s.memoMs))),
  };
  const ratios = {
    verifyOverFloor: r2(verifyMs / floor.totalMs),
    verifyColdOverFloor: r2(input.verify.cold.wallMs / floor.totalMs),
    naiveOverVerify: r2(input.naive.wallMs / verifyMs),
    staticColdOverTarget: r2(stat.coldIsolatedMedianMs / TARGETS.staticColdMs),
    noticeHttpMaxOverTarget: r2(max(http) / TARGETS.noticeMs),
  };
  const met = {
    verifyOverFloor: ratios.verifyOverFloor <= TARGETS.verifyOverFloor,
    naiveOverVerify: ratios.naiveOverVerify >= TARGETS.naiveOverVerify,
    staticCold: stat.coldIsolatedMedianMs <= TARGETS.staticColdMs,
    staticWarm: stat.memoMeanMs <= TARGETS.staticWarmMs,
    notice: max(http) <= TARGETS.noticeMs,
  };
  return {
    floor,
    floorCortexA57: input.floorCortexA57.length ? floorSummary(input.floorCortexA57) : undefined,
    verifyMs,
    static: stat,
    notice: {
      httpMedianMs: median(http),
      httpMaxMs: max(http),
      dockerMedianMs: median(dockerH),
      dockerMaxMs: max(dockerH),
      ...(dockerEv.length && { dockerEventsMedianMs: median(dockerEv), dockerEventsMaxMs: max(dockerEv) }),
    },
    ratios,
    met,
  };
}

export function benchDocument(input: BenchInput) {
  return { version: BENCH_VERSION, targets: TARGETS, summary: summarise(input), ...input };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const yes = (b: boolean) => (b ? 'yes' : '**no**');
const cpu = (v: TimedVerify) =>
  `${v.cpuBusy === undefined ? '' : ` (CPU ${Math.round(v.cpuBusy * 100)}% busy)`}${v.imagesLoaded ? ` [loaded ${v.imagesLoaded} image(s) first]` : ''}`;

export function markdownTable(input: BenchInput): string {
  const m = summarise(input);
  const fp = Object.entries(m.floor.perPlatformMs)
    .map(([p, ms]) => `${p.split('/')[1]} ${s(ms)}`)
    .join(' + ');
  const rows = [
    ['boot floor (six services, plain start, first 200; best of repeats)', `${s(m.floor.totalMs)} (${fp})`, '—', '—'],
    [
      'full verify, cold caches',
      `${s(input.verify.cold.wallMs)}${cpu(input.verify.cold)}`,
      `${m.ratios.verifyColdOverFloor}× floor`,
      '—',
    ],
    [
      'full verify, warm caches',
      `${s(m.verifyMs)}${cpu(input.verify.warm)}`,
      `${m.ratios.verifyOverFloor}× floor (target ≤ ${TARGETS.verifyOverFloor}×)`,
      yes(m.met.verifyOverFloor),
    ],
    [
      'naive script (bench/naive.sh)',
      s(input.naive.wallMs),
      `verify ${m.ratios.naiveOverVerify}× faster (target ≥ ${TARGETS.naiveOverVerify}×)`,
      yes(m.met.naiveOverVerify),
    ],
    [
      'static checks per image, cold (median, max)',
      `${m.static.coldIsolatedMedianMs} ms, ${m.static.coldIsolatedMaxMs} ms`,
      `target ≤ ${TARGETS.staticColdMs} ms`,
      yes(m.met.staticCold),
    ],
    [
      'static checks per image, cold with the build cache (median)',
      `${m.static.coldBuiltMedianMs} ms`,
      'no image facts yet, layer tars from the build',
      '—',
    ],
    [
      'static checks per image, cold within a run (mean)',
      `${m.static.coldInRunMeanMs} ms`,
      'shared layers indexed once',
      '—',
    ],
    [
      'static checks per image, warm: disk cache / memo (mean)',
      `${m.static.warmDiskMeanMs} ms / ${m.static.memoMeanMs} ms`,
      `target ≈ 0 (≤ ${TARGETS.staticWarmMs} ms)`,
      yes(m.met.staticWarm),
    ],
    [
      'health answered → noticed (HTTP, median / max)',
      `${m.notice.httpMedianMs} ms / ${m.notice.httpMaxMs} ms`,
      `target ≤ ${TARGETS.noticeMs} ms`,
      yes(m.met.notice),
    ],
    [
      'Docker healthy → noticed, 200 ms poll (median / max)',
      `${m.notice.dockerMedianMs} ms / ${m.notice.dockerMaxMs} ms`,
      '—',
      '—',
    ],
  ];
  if (m.notice.dockerEventsMedianMs !== undefined)
    rows.push([
      'Docker healthy → noticed, engine events (what own-container runs use; median / max)',
      `${m.notice.dockerEventsMedianMs} ms / ${m.notice.dockerEventsMaxMs} ms`,
      '—',
      '—',
    ]);
  if (m.floorCortexA57)
    rows.splice(1, 0, ['boot floor arm64 with QEMU_CPU=cortex-a57', s(m.floorCortexA57.totalMs), '—', '—']);
  const quiet = Object.entries(input.quiet)
    .filter(([, q]) => !q.quiet || q.foreignStartsDuring)
    .map(([k, q]) => (q.foreignStartsDuring ? `${k} (${q.foreignStartsDuring} foreign container start(s))` : k));
  return [
    '| measure | time | ratio / target | met |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `${input.host.cpus} cores, node ${input.host.node}, engine ${input.host.engine}; ${input.generatedAt}.${quiet.length ? ` Not quiet during: ${quiet.join(', ')} (other work on the box).` : ''}`,
  ].join('\n');
}
