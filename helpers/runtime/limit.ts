import { availableParallelism } from 'node:os';

/** Runs async jobs with at most `n` in flight (order of results = order of jobs). */
export async function mapLimit<T, R>(
  items: readonly T[],
  n: number,
  job: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, worker));
  return out;
}

/**
 * How many containers to start at once. Emulated Python start-up is CPU-bound (~2 s of CPU per start, imports
 * 7x slower), so more starts than cores only makes every one of them slower; native starts are cheap.
 */
export function startConcurrency(emulated: boolean, env = process.env): number {
  const override = Number(env.LUCID_START_CONCURRENCY);
  if (Number.isInteger(override) && override > 0) return override;
  return emulated ? Math.max(1, availableParallelism()) : 6;
}
