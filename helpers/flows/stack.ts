// What a flow needs of a platform's running shared stack (helpers/runtime/stack.ts, started once per run by
// helpers/runtime/shared-stack.ts): where each member answers and which container it is, in whichever process runs it.
import type { Platform } from '../model/platform.ts';
import type { Contract } from '../contract/schema.ts';
import { flowBudgets } from './budgets.ts';
import type { FlowEnv } from './context.ts';
import { engineStackControl, type StackControl } from './containers.ts';
import { flowTokens } from './tokens.ts';

/** What a flow needs of a running stack: where each service answers and which container it is. */
export async function flowEnvOf(
  contract: Contract,
  platform: Platform,
  emulated: boolean,
  urls: Map<string, string>,
  ids: ReadonlyMap<string, string>,
  standIns: ReadonlyMap<string, { containerId?: string; skipped?: string }> = new Map(),
  control: StackControl = engineStackControl,
): Promise<FlowEnv> {
  return {
    platform,
    emulated,
    contract,
    budgets: flowBudgets(contract, emulated),
    tokens: await flowTokens(contract),
    url: (name) => urls.get(name) ?? missing(name, urls),
    containerId: (name) => ids.get(name) ?? missing(name, ids),
    setUrl: (name, url) => void urls.set(name, url),
    standIns,
    control,
  };
}

function missing(name: string, known: ReadonlyMap<string, string>): never {
  throw new Error(`service ${name} is not part of the flow stack (${[...known.keys()].join(', ')})`);
}
