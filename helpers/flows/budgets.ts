// How long a flow waits for things, from the contract's per-platform budgets (emulated arm64 is several
// times slower). The contract has no flow budgets yet; these derive from its start-up budgets.
import type { Contract } from '../contract/schema.ts';

export interface FlowBudgets {
  /** Anchoring submitted → status confirmed. */
  confirmMs: number;
  /** A stopped/started service seen by the mesh and the gateway's dependencies. */
  discoveryMs: number;
  /** A restarted container answering its health path again. */
  restartMs: number;
  /** One request. */
  requestMs: number;
  /** Between two polls. */
  pollMs: number;
}

export function flowBudgets(contract: Contract, emulated: boolean): FlowBudgets {
  const b = contract.budgets[emulated ? 'emulated' : 'native'];
  return {
    confirmMs: b.firstHealthyResponseMs,
    discoveryMs: b.firstHealthyResponseMs,
    restartMs: b.firstHealthyResponseMs,
    requestMs: emulated ? 30_000 : 10_000,
    // Each poll is a request the emulated Python has to parse: poll less often there.
    pollMs: emulated ? 250 : 100,
  };
}
