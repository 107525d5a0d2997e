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
  /** Service name (and data-chain-sha256) → where it answers and which container it is. */
  services: Record<string, { containerId: string; baseUrl: string }>;
  /** Stand-in name → its container on this stack's network, or why the harness did not start one. */
  standIns?: Record<string, { containerId?: string; skipped?: string }>;
  stackStartMs?: number;
  sha256StartMs?: number;
  /** The stack did not come up: the first failure, with what its container showed. */
  error?: string;
}

export interface SharedRun {
  stacks: SharedStackHandle[];
  /** Smoke runtime facts per target (targetKey), for every target of a stack that came up. */
  smoke: Record<string, SmokeRuntimeFacts>;
}

export const targetKey = (t: Pick<ImageTarget, 'platform' | 'image'>) => `${t.platform} ${t.image}`;
