import type { Contract, Service } from '../contract/schema.ts';
import type { ContainerEnd, MachineFacts, ProcessFact, RunFacts, SmokeRuntimeFacts } from '../model/runtime-facts.ts';
import { shellExecCandidates } from '../checks/shell-candidates.ts';
import { docker, isEmulated } from '../engine/docker.ts';
import { runHealthcheckOnce } from './healthcheck-exec.ts';
import { QUIET_HEALTHCHECK } from './lucid-container.ts';
import type { ImageFacts } from '../model/image-facts.ts';
import { waitForDockerHealthEvents } from './docker-health-events.ts';
import { execIn } from './exec.ts';
import { probeHealthEndpoints } from './probe-health.ts';
import { listProcesses } from './processes.ts';
import type { ImageTarget } from '../model/target.ts';
import { StartError, startService, type StartedService } from './start-service.ts';
import { exitStory } from './diagnostics.ts';
import { runShellsInFreshContainers } from './fresh-shell.ts';
import { tryShellsInService } from './shells-in-service.ts';

/** A start that failed: the reason, and what the container showed (logs, exit code) when it could be seen. */
const startFailed = (e: unknown): RunFacts => ({
  startError: e instanceof StartError ? e.message.split('\n')[0]! : (e as Error).message,
  ...(e instanceof StartError && e.diagnostics && { startStory: exitStory(e.diagnostics) }),
  where: e instanceof StartError ? e.where : undefined,
  health: [],
});

/** How the container stands now, for the still-running check. */
export async function containerEnd(s: StartedService): Promise<ContainerEnd> {
  const d = await s.diagnostics();
  return {
    running: d.state === 'running',
    restartCount: d.restartCount,
    story: exitStory(d),
    where: s.describe(d),
    listeningPorts: d.listeningPorts,
  };
}

/**
 * Who runs the image's HEALTHCHECK in an own container. The engine, in the native run as the image asks: the
 * docker-health check then reads Docker's own status. The harness, through exec with the contract's timing, in
 * the hardened run and under QEMU: the engine's probe every interval kept an idle container busy (native 1 s:
 * 13 % of a core; emulated 2 s: 20 %, measured), a large share of the smoke matrix's CPU.
 */
const harnessRunsHealthcheck = (emulated: boolean, hardened: boolean) => emulated || hardened;

async function observe(contract: Contract, s: StartedService, hardened: boolean): Promise<RunFacts> {
  const health = await probeHealthEndpoints(contract, s);
  const kind = s.emulated ? 'emulated' : 'native';
  const budget = contract.budgets[kind].dockerHealthyMs;
  const container = docker().getContainer(s.container.getId());
  // The engine's status is woken by its health_status events: noticed ~1.5 ms after it records one.
  const dockerHealth = harnessRunsHealthcheck(s.emulated, hardened)
    ? await runHealthcheckOnce(container, contract.runtimeHealthcheck[kind], s.startedAt, budget)
    : await waitForDockerHealthEvents(container, s.startedAt, budget);
  const ok = health.every((h) => h.ok) && dockerHealth.status === 'healthy';
  return { health, dockerHealth, where: ok ? undefined : s.describe(await s.diagnostics()) };
}

/**
 * A service must still run a while after it became healthy (contract: still alive at the end): an own-container
 * run is kept at least `survivesMs` from its first healthy answer (from its start when it never answered) before
 * its end state is read. Counted from the start request, a slow create on a busy box ate the window: a service
 * that exited 4.5 s after its own start passed (CI, smoke matrix).
 */
async function settle(contract: Contract, s: StartedService, observed: RunFacts): Promise<void> {
  const main = observed.health[0];
  const healthyAt = s.startedAt + (main?.ok ? main.elapsedMs : 0);
  const wait = healthyAt + contract.budgets[s.emulated ? 'emulated' : 'native'].survivesMs - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** Asks the image's own python (no shell needed) what machine it runs on and the page size it sees. */
async function machineOf(s: StartedService, python: string): Promise<MachineFacts> {
  const r = await execIn(
    docker().getContainer(s.container.getId()),
    [python, '-S', '-c', "import os; print(os.uname().machine, os.sysconf('SC_PAGE_SIZE'))"],
    { timeoutMs: 30_000 },
  );
  const m = /^(\S+) (\d+)$/m.exec(r.output);
  if (r.exitCode !== 0 || !m) return { error: `exec of ${python} exited ${r.exitCode}: ${r.output.slice(0, 200)}` };
  return { machine: m[1], pageSize: Number(m[2]) };
}

/**
 * What the normal run adds to health: who runs, whether a shell starts, what machine the code sees. A container
 * that is no longer running cannot be asked (docker top and exec answer 409): those facts stay unobserved, and
 * the shells are tried in fresh containers of the same image instead.
 */
export async function inspectRunning(
  contract: Contract,
  s: StartedService,
  facts?: ImageFacts,
): Promise<Omit<SmokeRuntimeFacts['normal'], keyof RunFacts>> {
  const container = docker().getContainer(s.container.getId());
  const runningNow = async () => (await container.inspect().catch(() => undefined))?.State.Running === true;
  const running = await runningNow();
  const candidates = shellExecCandidates(contract, facts);
  if (!running) {
    const shellExecs = await runShellsInFreshContainers(
      contract,
      s.service,
      s.target.image,
      s.target.platform,
      candidates,
    );
    return { shellExecs, shellsIn: 'fresh', runningAtInspect: false };
  }
  let processes: ProcessFact[] | undefined;
  let processError: string | undefined;
  try {
    processes = await listProcesses(container, contract.base.python);
  } catch (e) {
    processError = (e as Error).message;
  }
  const shells = await tryShellsInService(
    candidates,
    (cmd) => execIn(container, cmd, { timeoutMs: 15_000 }),
    runningNow,
    (cmds) => runShellsInFreshContainers(contract, s.service, s.target.image, s.target.platform, cmds),
  );
  const machine = await machineOf(s, contract.base.python);
  return { processes, processError, ...shells, machine, runningAtInspect: true };
}

/** A service that could not start: its shells are still tried, each in a fresh container of the image. */
async function shellsWithoutService(
  contract: Contract,
  service: Service,
  target: ImageTarget,
  facts?: ImageFacts,
): Promise<Pick<SmokeRuntimeFacts['normal'], 'shellExecs' | 'shellsIn'>> {
  return {
    shellExecs: await runShellsInFreshContainers(
      contract,
      service,
      target.image,
      target.platform,
      shellExecCandidates(contract, facts),
    ),
    shellsIn: 'fresh',
  };
}

/** Runs a job while holding a start slot (see prefetchSmoke); by default no limit. */
export type StartSlot = <T>(job: () => Promise<T>) => Promise<T>;

/**
 * Gathers every runtime fact of the smoke checks in two containers started side by side: one as the image
 * asks, one hardened the way the real compose runs them. Nothing is judged here; the suites judge.
 * Each container holds a start slot while it boots and is probed (CPU-bound, above all under QEMU), and
 * gives it back for the survival window, which is idle waiting: the next targets boot meanwhile.
 */
export async function gatherSmokeRuntime(
  contract: Contract,
  service: Service,
  target: ImageTarget,
  network: string,
  facts?: ImageFacts,
  slot: StartSlot = (job) => job(),
): Promise<SmokeRuntimeFacts> {
  const emulated = await isEmulated(target.platform);
  const quiet = (hardened: boolean) =>
    harnessRunsHealthcheck(emulated, hardened) ? { healthcheckTiming: QUIET_HEALTHCHECK } : {};
  const normal = async (): Promise<SmokeRuntimeFacts['normal']> => {
    let s: StartedService | undefined;
    try {
      type Busy =
        | { observed: RunFacts; inspected: Awaited<ReturnType<typeof inspectRunning>> }
        | { failed: SmokeRuntimeFacts['normal'] };
      const busy = await slot(async (): Promise<Busy> => {
        try {
          s = await startService(contract, service, target, { network, ...quiet(false) });
          const observed = await observe(contract, s, false);
          return { observed, inspected: await inspectRunning(contract, s, facts) };
        } catch (e) {
          await s?.stop();
          s = undefined;
          return { failed: { ...startFailed(e), ...(await shellsWithoutService(contract, service, target, facts)) } };
        }
      });
      if ('failed' in busy) return busy.failed;
      await settle(contract, s!, busy.observed);
      return { ...busy.observed, ...busy.inspected, end: await containerEnd(s!) };
    } catch (e) {
      return { ...startFailed(e), ...(await shellsWithoutService(contract, service, target, facts)) };
    } finally {
      await s?.stop();
    }
  };
  const hardened = async (): Promise<RunFacts> => {
    let s: StartedService | undefined;
    try {
      const observed = await slot(async () => {
        s = await startService(contract, service, target, { network, hardened: true, ...quiet(true) });
        return observe(contract, s, true);
      });
      await settle(contract, s!, observed);
      return { ...observed, end: await containerEnd(s!) };
    } catch (e) {
      return startFailed(e);
    } finally {
      await s?.stop();
    }
  };
  const [n, h] = await Promise.all([normal(), hardened()]);
  return { normal: n, hardened: h, source: 'own-containers' };
}
