import type Dockerode from 'dockerode';
import type { DockerHealthFacts } from '../model/runtime-facts.ts';

type EngineHealth = { Status: string; Log?: { ExitCode: number; Output: string }[] };

/** The facts of one look at a container's engine health (shared by the polling and the event-driven waits). */
export function engineHealthFacts(
  info: Dockerode.ContainerInspectInfo | undefined,
  status: string,
  since: number,
  budgetMs: number,
): DockerHealthFacts {
  const health = info?.State?.Health as EngineHealth | undefined;
  const timeoutNs = info?.Config?.Healthcheck?.Timeout;
  return {
    status,
    elapsedMs: Date.now() - since,
    budgetMs,
    declared: !!health,
    test: (info?.Config?.Healthcheck?.Test as string[] | undefined) ?? undefined,
    runner: 'engine',
    ...(timeoutNs ? { timeoutMs: Math.round(timeoutNs / 1_000_000) } : {}),
    log: (health?.Log ?? []).slice(-3).map((l) => ({ exitCode: l.ExitCode, output: l.Output.trim() })),
  };
}

/**
 * The HEALTHCHECK's program could not be started in the container at all (the runtime's exec failed: no such
 * file, not executable, wrong machine): no later probe can pass, so waiting out the budget would tell nothing more.
 */
export function probeCannotStart(output: string): boolean {
  return (
    /exec failed|unable to start container process/i.test(output) &&
    /no such file or directory|executable file not found|permission denied|exec format error/i.test(output)
  );
}

/**
 * Where one look at the engine's health leaves the wait: a final status, or not yet. "unhealthy" is not final
 * while the container runs: the harness's timing (interval 1 s, retries 3, the image's start period) lets the
 * probes of a slow start mark a correct service unhealthy, and the engine marks it healthy at its next passing probe.
 */
export function engineHealthStatus(info: Dockerode.ContainerInspectInfo | undefined): {
  final: boolean;
  status: string;
} {
  const health = info?.State?.Health as EngineHealth | undefined;
  if (!info) return { final: true, status: 'container gone' };
  if (!health) return { final: true, status: 'none' };
  if (health.Status === 'healthy') return { final: true, status: health.Status };
  if (!info.State.Running) return { final: true, status: `container ${info.State.Status}` };
  // Once the engine gave up on it (start period and retries spent), a program that never started will not.
  const recent = (health.Log ?? []).slice(-3);
  if (health.Status === 'unhealthy' && recent.length && recent.every((l) => probeCannotStart(l.Output)))
    return { final: true, status: health.Status };
  return { final: false, status: health.Status };
}

/** Waits until the engine's own health status of a container is "healthy", the container stops, or the budget ends. */
export async function waitForDockerHealth(
  container: Dockerode.Container,
  since: number,
  budgetMs: number,
  pollMs = 200,
): Promise<DockerHealthFacts> {
  for (;;) {
    const info = await container.inspect().catch(() => undefined);
    const { final, status } = engineHealthStatus(info);
    if (final || Date.now() - since >= budgetMs) return engineHealthFacts(info, status, since, budgetMs);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
