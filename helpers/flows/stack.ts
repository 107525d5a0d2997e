// The flow stack of one platform: the six services (startStack) plus a second data-chain hashing with
// SHA-256, same image, its own alias on the same network. Started once per run by helpers/flows/shared-stack.ts.
import type { Platform } from '../model/platform.ts';
import type { Contract } from '../contract/schema.ts';
import { serviceNamed } from '../contract/load.ts';
import { isEmulated } from '../engine/docker.ts';
import { QUIET_HEALTHCHECK, startStack, type Stack } from '../runtime/stack.ts';
import { lockNetworkAliases } from '../runtime/alias-lock.ts';
import type { ImageTarget } from '../model/target.ts';
import { startService, type StartedService } from '../runtime/start-service.ts';
import { waitForHttp200 } from '../runtime/wait.ts';
import { exitStory } from '../runtime/diagnostics.ts';
import { docker } from '../engine/docker.ts';
import { CheckFailed } from '../model/finding.ts';
import { flowBudgets } from './budgets.ts';
import type { FlowEnv } from './context.ts';
import { ROLE, SHA256_DATA_CHAIN } from './roles.ts';
import { flowTokens } from './tokens.ts';


/** The running stack; the flows get a FlowEnv from its handle (flowEnvOf), in whichever process runs them. */
export interface FlowStack {
  stack: Stack;
  sha256: StartedService;
  /** Six services to all answering their health path. */
  stackStartMs: number;
  /** The extra SHA-256 data-chain: its own start to its first 200 (it boots alongside the six). */
  sha256StartMs: number;
  stop(): Promise<void>;
}

export interface FlowStackOptions {
  /** Read-only rootfs, cap-drop ALL, no-new-privileges, tmpfs: how compose runs them on the Pi. */
  hardened?: boolean;
  /** Take the engine-wide alias lock of `network` (needed on a shared network such as the contract's). */
  lockAliases?: boolean;
}

export async function startFlowStack(contract: Contract, targets: ImageTarget[], network: string, opts: FlowStackOptions = {}): Promise<FlowStack> {
  const platform = targets[0]!.platform;
  const emulated = await isEmulated(platform);
  const unlock = opts.lockAliases === false ? async () => undefined : await lockNetworkAliases(network, { log: (l) => console.error(l) });
  // The SHA-256 data-chain boots alongside the six, as one compose project would: under emulation the
  // seven share the cores either way, and waiting for the six first only added its boot on top.
  const startSha256 = async (): Promise<{ service: StartedService; ms: number }> => {
    const dc = serviceNamed(contract, ROLE.dataChain);
    const target = targets.find((t) => t.service === ROLE.dataChain)!;
    const t0 = Date.now();
    const s = await startService(contract, dc, target, {
      network,
      aliases: [SHA256_DATA_CHAIN],
      extraEnv: { DATA_CHAIN_HASH_ALGORITHM: 'SHA256' },
      healthcheckTiming: QUIET_HEALTHCHECK,
      hardened: opts.hardened,
    });
    const budget = contract.budgets[emulated ? 'emulated' : 'native'].firstHealthyResponseMs;
    const w = await waitForHttp200(`${s.baseUrl}${dc.healthPath}`, { budgetMs: budget, since: s.startedAt, container: docker().getContainer(s.container.getId()) });
    if (!w.ok) {
      const where = s.describe(await s.diagnostics());
      await s.stop();
      throw new CheckFailed(`flow stack [${platform}]`, [
        { check: `${SHA256_DATA_CHAIN} (data-chain with DATA_CHAIN_HASH_ALGORITHM=SHA256) starts`, expected: `HTTP 200 on ${dc.healthPath} within ${budget / 1000} s`, seen: w.exited ? `the container ${exitStory(await s.diagnostics())}` : w.last ? `HTTP ${w.last.status}` : (w.lastError ?? 'no answer'), where },
      ]);
    }
    return { service: s, ms: Date.now() - t0 };
  };
  const [six, seventh] = await Promise.allSettled([startStack(contract, targets, network, { hardened: opts.hardened }), startSha256()]);
  if (six.status === 'rejected' || seventh.status === 'rejected') {
    await Promise.all([six.status === 'fulfilled' && six.value.stop(), seventh.status === 'fulfilled' && seventh.value.service.stop()]);
    await unlock();
    // Both halves' findings in one error: every service that did not come up is named.
    const reasons = [six, seventh].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
    if (reasons.length === 2 && reasons.every((r) => r instanceof CheckFailed)) {
      const all = reasons.flatMap((r) => (r as CheckFailed).findings);
      throw new CheckFailed(`flow stack [${platform}]: ${all.length} container(s) did not come up`, all);
    }
    throw reasons[0];
  }
  const stack = six.value;
  const extra = seventh.value.service;
  const sha256StartMs = seventh.value.ms;
  return {
    stack,
    sha256: extra,
    stackStartMs: stack.startMs,
    sha256StartMs,
    stop: async () => {
      await Promise.all([stack.stop(), extra.stop()]);
      await unlock();
    },
  };
}

/** What a flow needs of a running stack: where each service answers and which container it is. */
export async function flowEnvOf(
  contract: Contract,
  platform: Platform,
  emulated: boolean,
  urls: Map<string, string>,
  ids: ReadonlyMap<string, string>,
  standIns: ReadonlyMap<string, { containerId?: string; skipped?: string }> = new Map(),
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
  };
}

function missing(name: string, known: ReadonlyMap<string, string>): never {
  throw new Error(`service ${name} is not part of the flow stack (${[...known.keys()].join(', ')})`);
}
