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
  return {
    status,
    elapsedMs: Date.now() - since,
    budgetMs,
    declared: !!health,
    test: (info?.Config?.Healthcheck?.Test as string[] | undefined) ?? undefined,
    runner: 'engine',
    log: (health?.Log ?? []).slice(-3).map((l) => ({ exitCode: l.ExitCode, output: l.Output.trim() })),
  };
}

/** Where one look at the engine's health leaves the wait: a final status, or still starting. */
export function engineHealthStatus(info: Dockerode.ContainerInspectInfo | undefined): {
  final: boolean;
  status: string;
} {
  const health = info?.State?.Health as EngineHealth | undefined;
  if (!info) return { final: true, status: 'container gone' };
  if (!health) return { final: true, status: 'none' };
  if (health.Status === 'healthy' || health.Status === 'unhealthy') return { final: true, status: health.Status };
  if (!info.State.Running) return { final: true, status: `container ${info.State.Status}` };
  return { final: false, status: health.Status };
}

/** Waits until the engine's own health status of a container is "healthy" (or unhealthy, or the budget ends). */
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
