// The flow tests, by their stable names (the defect matrix and CI filters refer to these names).
import { anchoringEndToEnd } from './anchoring.ts';
import { authAndValidation } from './auth.ts';
import type { Flow } from './context.ts';
import { discoveryAndFaults } from './discovery.ts';
import { gatewayReadBack } from './gateway.ts';

/** In run order: discovery-and-faults stops and restarts data-chain, so it goes last. */
export const FLOWS: readonly (readonly [string, (f: Flow) => Promise<void>])[] = [
  ['anchoring-end-to-end', anchoringEndToEnd],
  ['gateway-read-back', gatewayReadBack],
  ['auth-and-validation', authAndValidation],
  ['discovery-and-faults', discoveryAndFaults],
];

export const FLOW_TESTS: readonly string[] = FLOWS.map(([name]) => name);

/** Flows that stop or restart what the others use: each runs alone, after the ones before it. */
export const STACK_DISTURBING: ReadonlySet<string> = new Set(['discovery-and-faults']);
