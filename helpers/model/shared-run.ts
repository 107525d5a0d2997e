// The shared stacks as the suites see them: serialisable handles that global setup hands to the workers
// (vitest provide/inject), and the smoke facts read from the stacks, keyed by target.
import type { Platform } from './platform.ts';
import type { SmokeRuntimeFacts } from './runtime-facts.ts';
import type { ImageTarget } from './target.ts';

/** What a suite worker needs of a running shared stack (serialisable: it crosses into the workers). */
export interface SharedStackHandle {
  platform: Platform;
  network: string;
  emulated: boolean;
  /** Stack member (service or extra instance, e.g. data-chain-sha256) → where it answers, which container it is. */
  services: Record<string, { containerId: string; baseUrl: string; instanceOf?: string }>;
  /** Stand-in name → its container on this stack's network, or why the harness did not start one. */
  standIns?: Record<string, { containerId?: string; skipped?: string }>;
  /** First start request → every member answering its health path. */
  stackStartMs?: number;
  /** Per member: its own start → its first 200. */
  firstOkMs?: Record<string, number>;
  /** The stack did not come up: the first failure, with what its container showed. */
  error?: string;
}

export interface SharedRun {
  stacks: SharedStackHandle[];
  /** Smoke runtime facts per target (targetKey), for every target of a stack that came up. */
  smoke: Record<string, SmokeRuntimeFacts>;
}

export const targetKey = (t: Pick<ImageTarget, 'platform' | 'image'>) => `${t.platform} ${t.image}`;
