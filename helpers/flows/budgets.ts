// How long a flow waits for things: the contract's flow budgets for the platform (emulated arm64 is several
// times slower than native).
import type { Contract, FlowsContract } from '../contract/schema.ts';

export type FlowBudgets = FlowsContract['budgets']['native'];

export function flowBudgets(contract: Contract, emulated: boolean): FlowBudgets {
  return contract.flows.budgets[emulated ? 'emulated' : 'native'];
}
