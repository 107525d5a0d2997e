import { afterEach, beforeEach, vi } from 'vitest';

/** Collects what a verb prints (console.error / console.log) for the tests of one describe block. */
export function captureConsole(): { err: string[]; out: string[] } {
  const seen = { err: [] as string[], out: [] as string[] };
  beforeEach(() => {
    seen.err.length = 0;
    seen.out.length = 0;
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void seen.err.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void seen.out.push(a.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());
  return seen;
}
