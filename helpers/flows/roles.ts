// Which contract service plays which part in the flows. The names are the contract's (§1); the flows run on
// the shared stack of each platform (helpers/runtime/stack.ts), which holds every contract service.
import type { Contract } from '../contract/schema.ts';

export const ROLE = {
  gateway: 'api-gateway',
  mesh: 'service-mesh-controller',
  engine: 'blockchain-engine',
  anchoring: 'session-anchoring',
  blocks: 'block-manager',
  dataChain: 'data-chain',
} as const;

export const FLOW_SERVICES: readonly string[] = Object.values(ROLE);

/** The stack instance hashing with SHA-256 (contract: flows.sha256DataChain, one of stack.extraInstances). */
export const sha256DataChain = (contract: Contract): string => contract.flows.sha256DataChain;

/** Roles the contract has no service for: the flows cannot run without them. */
export const missingRoles = (contract: Contract): string[] =>
  FLOW_SERVICES.filter((s) => !contract.services.some((x) => x.name === s));
