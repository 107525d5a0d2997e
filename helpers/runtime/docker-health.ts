import type Dockerode from 'dockerode';

export interface DockerHealthFacts {
  status: string;
  elapsedMs: number;
  budgetMs: number;
  /** The last HEALTHCHECK runs the engine kept: exit code and output. */
  log: { exitCode: number; output: string }[];
  declared: boolean;
  /** The HEALTHCHECK command the container runs (the image's, with the harness's timing). */
  test?: string[];
  /** Who ran the HEALTHCHECK: the engine on its interval (default), or the harness once through exec. */
  runner?: 'engine' | 'harness';
}

/** Waits until the engine's own health status of a container is "healthy" (or unhealthy, or the budget ends). */
export async function waitForDockerHealth(container: Dockerode.Container, since: number, budgetMs: number, pollMs = 200): Promise<DockerHealthFacts> {
  for (;;) {
    const info = await container.inspect().catch(() => undefined);
    const health = info?.State?.Health as { Status: string; Log?: { ExitCode: number; Output: string }[] } | undefined;
    const elapsedMs = Date.now() - since;
    const facts = (status: string): DockerHealthFacts => ({
      status,
      elapsedMs,
      budgetMs,
      declared: !!health,
      test: (info?.Config?.Healthcheck?.Test as string[] | undefined) ?? undefined,
      log: (health?.Log ?? []).slice(-3).map((l) => ({ exitCode: l.ExitCode, output: l.Output.trim() })),
    });
    if (!info) return facts('container gone');
    if (!health) return facts('none');
    if (health.Status === 'healthy' || health.Status === 'unhealthy') return facts(health.Status);
    if (!info.State.Running) return facts(`container ${info.State.Status}`);
    if (elapsedMs >= budgetMs) return facts(health.Status);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
