import type { Contract, Service } from '../contract/schema.ts';
import type { HealthFacts } from '../checks/health.ts';
import { shellExecCandidates } from '../checks/shell-candidates.ts';
import { docker } from '../engine/docker.ts';
import type { ImageFacts } from '../facts/types.ts';
import type { DockerHealthFacts } from './docker-health.ts';
import { waitForDockerHealthEvents } from './docker-health-events.ts';
import { execIn, type ExecOutcome } from './exec.ts';
import { probeHealthEndpoints } from './probe-health.ts';
import { listProcesses, type ProcessFact } from './processes.ts';
import { StartError, startService, type ImageTarget, type StartedService } from './start-service.ts';

/** A start that failed: the reason, and what the container showed (logs, exit code) when it could be seen. */
const startFailed = (e: unknown): RunFacts => ({
  startError: e instanceof StartError ? e.message.split('\n')[0]! : (e as Error).message,
  where: e instanceof StartError ? e.where : undefined,
  health: [],
});

export interface RunFacts {
  /** Set when the container could not even be created or started. */
  startError?: string;
  health: HealthFacts[];
  dockerHealth?: DockerHealthFacts;
  /** Diagnostics text gathered after everything else, for findings that need "where to look". */
  where?: string;
}

export interface SmokeRuntimeFacts {
  normal: RunFacts & { processes?: ProcessFact[]; processError?: string; shellExecs: ExecOutcome[]; machine?: MachineFacts };
  hardened: RunFacts;
  /**
   * own-containers: one container as the image asks plus one hardened, HEALTHCHECK run by the engine.
   * shared-stack: the image's hardened container in the platform's shared stack, which answered, so both
   * runs are that one; its HEALTHCHECK was run once by the harness (the engine's probe is paused there).
   */
  source: 'own-containers' | 'shared-stack';
}

async function observe(contract: Contract, s: StartedService): Promise<RunFacts> {
  const health = await probeHealthEndpoints(contract, s);
  const budget = contract.budgets[s.emulated ? 'emulated' : 'native'].dockerHealthyMs;
  // Woken by the engine's health_status events: noticed ~1.5 ms after the engine records it, not up to a poll later.
  const dockerHealth = await waitForDockerHealthEvents(docker().getContainer(s.container.getId()), s.startedAt, budget);
  const ok = health.every((h) => h.ok) && dockerHealth.status === 'healthy';
  return { health, dockerHealth, where: ok ? undefined : s.describe(await s.diagnostics()) };
}

export interface MachineFacts {
  /** uname machine seen by a program in the container (aarch64 under QEMU for arm64). */
  machine?: string;
  pageSize?: number;
  error?: string;
}

/** Asks the image's own python (no shell needed) what machine it runs on and the page size it sees. */
async function machineOf(s: StartedService, python: string): Promise<MachineFacts> {
  const r = await execIn(docker().getContainer(s.container.getId()), [python, '-S', '-c', "import os; print(os.uname().machine, os.sysconf('SC_PAGE_SIZE'))"], { timeoutMs: 30_000 });
  const m = /^(\S+) (\d+)$/m.exec(r.output);
  if (r.exitCode !== 0 || !m) return { error: `exec of ${python} exited ${r.exitCode}: ${r.output.slice(0, 200)}` };
  return { machine: m[1], pageSize: Number(m[2]) };
}

/**
 * Gathers every runtime fact of the smoke checks in two containers started side by side: one as the image
 * asks, one hardened the way the real compose runs them. Nothing is judged here; the suites judge.
 */
/** What the normal run adds to health: who runs, whether a shell starts, what machine the code sees. */
export async function inspectRunning(contract: Contract, s: StartedService, facts?: ImageFacts): Promise<Omit<SmokeRuntimeFacts['normal'], keyof RunFacts>> {
  const container = docker().getContainer(s.container.getId());
  let processes: ProcessFact[] | undefined;
  let processError: string | undefined;
  try {
    processes = await listProcesses(container);
  } catch (e) {
    processError = (e as Error).message;
  }
  const shellExecs: ExecOutcome[] = [];
  for (const cmd of shellExecCandidates(contract, facts)) shellExecs.push(await execIn(container, cmd, { timeoutMs: 15_000 }));
  const machine = await machineOf(s, contract.base.python);
  return { processes, processError, shellExecs, machine };
}

/**
 * Gathers every runtime fact of the smoke checks in two containers started side by side: one as the image
 * asks, one hardened the way the real compose runs them. Nothing is judged here; the suites judge.
 */
export async function gatherSmokeRuntime(contract: Contract, service: Service, target: ImageTarget, network: string, facts?: ImageFacts): Promise<SmokeRuntimeFacts> {
  const normal = async (): Promise<SmokeRuntimeFacts['normal']> => {
    let s: StartedService | undefined;
    try {
      s = await startService(contract, service, target, { network });
      const observed = await observe(contract, s);
      return { ...observed, ...(await inspectRunning(contract, s, facts)) };
    } catch (e) {
      return { ...startFailed(e), shellExecs: [] };
    } finally {
      await s?.stop();
    }
  };
  const hardened = async (): Promise<RunFacts> => {
    let s: StartedService | undefined;
    try {
      s = await startService(contract, service, target, { network, hardened: true });
      return await observe(contract, s);
    } catch (e) {
      return startFailed(e);
    } finally {
      await s?.stop();
    }
  };
  const [n, h] = await Promise.all([normal(), hardened()]);
  return { normal: n, hardened: h, source: 'own-containers' };
}
