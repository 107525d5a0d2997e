/**
 * waitForDockerHealth driven by the engine's own events instead of a 200 ms inspect poll: the status is
 * read once (it may have changed before the stream opened), then again at each health_status / die /
 * destroy event of the container, so "healthy" is noticed within milliseconds of the engine recording it.
 * Same result shape and semantics as waitForDockerHealth (docker-health.ts).
 */
import type Dockerode from 'dockerode';
import { docker } from '../engine/docker.ts';
import type { DockerHealthFacts } from '../model/runtime-facts.ts';
import { engineHealthFacts, engineHealthStatus } from './docker-health.ts';

async function judge(
  container: Dockerode.Container,
  since: number,
  budgetMs: number,
): Promise<{ done: boolean; facts: DockerHealthFacts }> {
  const info = await container.inspect().catch(() => undefined);
  const { final, status } = engineHealthStatus(info);
  return { done: final || Date.now() - since >= budgetMs, facts: engineHealthFacts(info, status, since, budgetMs) };
}

export async function waitForDockerHealthEvents(
  container: Dockerode.Container,
  since: number,
  budgetMs: number,
): Promise<DockerHealthFacts> {
  const filters: Record<string, string[]> = {
    type: ['container'],
    container: [container.id],
    event: ['health_status', 'die', 'destroy'],
  };
  const stream = (await docker().getEvents({ filters })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  let wake: () => void = () => {};
  stream.on('data', () => wake());
  stream.on('error', () => wake());
  stream.on('end', () => wake());
  try {
    for (;;) {
      const r = await judge(container, since, budgetMs);
      if (r.done) return r.facts;
      // Sleep until an event or the end of the budget; a lost stream falls back to a 1 s re-check.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          resolve,
          Math.min(Math.max(0, since + budgetMs - Date.now()), stream.readable ? 60_000 : 1000),
        );
        wake = () => (clearTimeout(timer), resolve());
      });
    }
  } finally {
    stream.destroy();
  }
}
