/**
 * How late the harness notices a service that answers. One reference container is started through the
 * harness (startService, as the suites do); then, side by side in this process:
 *   - a bench poller hits the health URL every 5 ms: the moment the service first answers 200 (t_answer);
 *   - the harness's own waitForHttp200 (its default 100 ms poll, as the suites call it): t_noticed;
 *   - the engine's event stream: the moment Docker records health_status: healthy (t_healthy);
 *   - the harness's waitForDockerHealth (200 ms inspect poll): t_docker_noticed;
 *   - the event-driven waitForDockerHealthEvents (used by own-container smoke runs): t_events_noticed.
 * Delays are t_noticed − t_answer and t_(docker|events)_noticed − t_healthy, all on this process's clock.
 */
import { request } from 'undici';
import type { Contract } from '../helpers/contract/schema.ts';
import { serviceNamed } from '../helpers/contract/load.ts';
import { docker } from '../helpers/engine/docker.ts';
import type { ImageTarget } from '../helpers/model/target.ts';
import { startService } from '../helpers/runtime/start-service.ts';
import { waitForHttp200 } from '../helpers/runtime/wait.ts';
import { waitForDockerHealth } from '../helpers/runtime/docker-health.ts';
import { waitForDockerHealthEvents } from '../helpers/runtime/docker-health-events.ts';

export interface NoticeSample {
  platform: string;
  httpDelayMs: number;
  dockerDelayMs: number;
  /** The same with the event-driven wait (helpers/runtime/docker-health-events.ts). */
  dockerEventsDelayMs?: number;
  /** Container start → first 200 / → healthy, for context. */
  answerAfterMs: number;
  healthyAfterMs: number;
}

async function firstOk(url: string, pollMs: number, deadline: number): Promise<number> {
  for (;;) {
    try {
      const r = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
      await r.body.dump();
      if (r.statusCode === 200) return performance.now();
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`${url}: no 200 in time`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Resolves with this process's clock when the engine reports the container healthy. */
async function healthyEvent(id: string, deadline: number): Promise<number> {
  const stream = (await docker().getEvents({
    filters: { type: ['container'], container: [id], event: ['health_status'] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => (stream.destroy(), reject(new Error('no healthy event in time'))),
      deadline - Date.now(),
    );
    stream.on('data', (b: Buffer) => {
      if (b.toString().includes('health_status: healthy')) {
        const t = performance.now();
        clearTimeout(timer);
        stream.destroy();
        resolve(t);
      }
    });
  });
}

export async function noticeSample(contract: Contract, target: ImageTarget, network?: string): Promise<NoticeSample> {
  const service = serviceNamed(contract, target.service);
  const s = await startService(contract, service, target, { network });
  const t0 = performance.now();
  try {
    const deadline = Date.now() + 120_000;
    const url = `${s.baseUrl}${service.healthPath}`;
    const container = docker().getContainer(s.container.getId());
    const healthy = healthyEvent(container.id, deadline);
    const [answer, noticed, healthyAt, dockerNoticed, eventsNoticed] = await Promise.all([
      firstOk(url, 5, deadline),
      waitForHttp200(url, { budgetMs: 120_000, container }).then(() => performance.now()),
      healthy,
      waitForDockerHealth(container, Date.now(), 120_000).then(() => performance.now()),
      waitForDockerHealthEvents(container, Date.now(), 120_000).then(() => performance.now()),
    ]);
    return {
      platform: target.platform,
      httpDelayMs: Math.round(noticed - answer),
      dockerDelayMs: Math.round(dockerNoticed - healthyAt),
      dockerEventsDelayMs: Math.round(eventsNoticed - healthyAt),
      answerAfterMs: Math.round(answer - t0),
      healthyAfterMs: Math.round(healthyAt - t0),
    };
  } finally {
    await s.stop();
  }
}
