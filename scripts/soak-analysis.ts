/** Pure: a soak's runs → failures, flaky tests (failed in some runs, passed in others) and leaks. */
export const SOAK_VERSION = 1;

type Status = 'passed' | 'failed' | 'skipped';

export interface SoakRun {
  run: number;
  runId: string;
  exitCode: number | null;
  wallMs: number;
  /** "describe > ... > test" → status; empty when vitest wrote no results (the run broke early). */
  tests: Record<string, Status>;
  /** Containers / networks of the run still there after it exited. */
  leakedContainers: number;
  leakedNetworks: number;
  stderrTail?: string;
}

interface SoakSummary {
  runs: number;
  failedRuns: number;
  flaky: { test: string; passed: number; failed: number }[];
  alwaysFailing: string[];
  leaks: { containers: number; networks: number };
  wallMs: { min: number; median: number; max: number };
  ok: boolean;
}

export function analyseSoak(runs: SoakRun[]): SoakSummary {
  const counts = new Map<string, { passed: number; failed: number }>();
  for (const r of runs) {
    for (const [test, status] of Object.entries(r.tests)) {
      const c = counts.get(test) ?? { passed: 0, failed: 0 };
      if (status === 'passed') c.passed++;
      if (status === 'failed') c.failed++;
      counts.set(test, c);
    }
  }
  const flaky = [...counts].filter(([, c]) => c.passed > 0 && c.failed > 0).map(([test, c]) => ({ test, ...c }));
  const alwaysFailing = [...counts].filter(([, c]) => c.failed > 0 && c.passed === 0).map(([test]) => test);
  const failedRuns = runs.filter((r) => r.exitCode !== 0).length;
  const leaks = {
    containers: runs.reduce((n, r) => n + r.leakedContainers, 0),
    networks: runs.reduce((n, r) => n + r.leakedNetworks, 0),
  };
  const walls = runs.map((r) => r.wallMs).sort((a, b) => a - b);
  const wallMs = {
    min: walls[0] ?? 0,
    median: walls[Math.floor(walls.length / 2)] ?? 0,
    max: walls[walls.length - 1] ?? 0,
  };
  return {
    runs: runs.length,
    failedRuns,
    flaky,
    alwaysFailing,
    leaks,
    wallMs,
    ok: runs.length > 0 && !failedRuns && !flaky.length && !leaks.containers && !leaks.networks,
  };
}

/** vitest's outcome list → the keyed statuses a SoakRun holds. */
export function keyedStatuses(
  outcomes: { ancestors: string[]; title: string; status: string }[],
): Record<string, Status> {
  const out: Record<string, Status> = {};
  for (const o of outcomes)
    out[[...o.ancestors, o.title].join(' > ')] =
      o.status === 'passed' ? 'passed' : o.status === 'failed' ? 'failed' : 'skipped';
  return out;
}
