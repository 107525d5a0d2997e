/**
 * This box is shared (other runs use the same engine and two cores), so every timed phase first waits for
 * a quiet machine and records how quiet it was: a number taken under contention must say so.
 */
import { readFileSync } from 'node:fs';
import { docker } from '../helpers/engine/docker.ts';

export function cpuTimes(): { idle: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // idle + iowait count as idle.
  return { idle: (f[3] ?? 0) + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
}

/** Fraction of all cores busy over `ms`. */
async function cpuBusy(ms = 1500): Promise<number> {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  const total = b.total - a.total;
  return total > 0 ? 1 - (b.idle - a.idle) / total : 0;
}

/** Busy fraction of all cores between two cpuTimes() samples. */
export const busyBetween = (a: { idle: number; total: number }, b: { idle: number; total: number }) =>
  b.total > a.total ? Math.round((1 - (b.idle - a.idle) / (b.total - a.total)) * 100) / 100 : 0;

/** Running containers not started by the bench itself (its run ids). */
async function foreignContainers(ownRuns: Set<string>): Promise<number> {
  const list = await docker().listContainers();
  return list.filter((c) => !ownRuns.has(c.Labels?.['io.lucid.harness.run'] ?? '')).length;
}

export interface Quiet {
  waitedMs: number;
  /** CPU busy fraction in the last sample before the phase started. */
  busy: number;
  foreign: number;
  quiet: boolean;
  /** Containers other work started on the engine while the phase ran (filled in after the phase). */
  foreignStartsDuring?: number;
}

/** Waits until the CPU is mostly idle and no other run's containers are up, or gives up after maxWaitMs. */
export async function waitForQuiet(
  ownRuns: Set<string>,
  opts: { maxWaitMs?: number; maxBusy?: number; log?: (l: string) => void } = {},
): Promise<Quiet> {
  const t0 = Date.now();
  const maxWaitMs = opts.maxWaitMs ?? 300_000;
  let said = false;
  for (;;) {
    const [busy, foreign] = await Promise.all([cpuBusy(), foreignContainers(ownRuns)]);
    const quiet = busy <= (opts.maxBusy ?? 0.25) && foreign === 0;
    if (quiet || Date.now() - t0 > maxWaitMs)
      return { waitedMs: Date.now() - t0, busy: Math.round(busy * 100) / 100, foreign, quiet };
    if (!said)
      opts.log?.(
        `bench: waiting for a quiet box (cpu ${(busy * 100).toFixed(0)}% busy, ${foreign} other container(s) running)`,
      );
    said = true;
  }
}
