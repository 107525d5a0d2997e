/**
 * The boot floor: the six services of one platform started with nothing else — plain create/start of the
 * image ids, a published port on 127.0.0.1, a 20 ms poll of the health path — until all six answer 200.
 * No harness code runs in the timed part, so this is what any tool must at least pay to see six healthy.
 */
import { request } from 'undici';
import type { Platform } from '../helpers/model/platform.ts';
import type { Contract } from '../helpers/contract/schema.ts';
import { resolveServiceEnv, serviceNamed } from '../helpers/contract/load.ts';
import { docker } from '../helpers/engine/docker.ts';
import { harnessLabels } from '../helpers/engine/labels.ts';
import type { ImageTarget } from '../helpers/model/target.ts';

export interface FloorRun {
  platform: Platform;
  /** First create request → the last of the six answering 200. */
  allHealthyMs: number;
  /** Per service: create request → its first 200. */
  perService: Record<string, number>;
}

const POLL_MS = 20;

async function firstOk(url: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const r = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
      await r.body.dump();
      if (r.statusCode === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${url}: no 200 before the deadline`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Boots the six targets of one platform at once, as `docker compose up -d` would, and removes them. */
export async function bootFloor(
  contract: Contract,
  targets: ImageTarget[],
  opts: { extraEnv?: Record<string, string>; timeoutMs?: number; network?: string } = {},
): Promise<FloorRun> {
  const platform = targets[0]!.platform;
  const ids: string[] = [];
  const t0 = performance.now();
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  const perService: Record<string, number> = {};
  try {
    await Promise.all(
      targets.map(async (t) => {
        const service = serviceNamed(contract, t.service);
        const port = `${service.port}/tcp`;
        const c = await docker().createContainer({
          Image: t.image,
          Env: Object.entries({ ...resolveServiceEnv(contract, service), ...opts.extraEnv }).map(
            ([k, v]) => `${k}=${v}`,
          ),
          Labels: harnessLabels('bench-floor'),
          ExposedPorts: { [port]: {} },
          // On the bench network, where the stand-ins already run (bench/standins.ts), when given.
          HostConfig: {
            PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] },
            ...(opts.network ? { NetworkMode: opts.network } : {}),
          },
        });
        ids.push(c.id);
        await c.start();
        const info = await c.inspect();
        const hostPort = info.NetworkSettings.Ports[port]?.[0]?.HostPort;
        await firstOk(`http://127.0.0.1:${hostPort}${service.healthPath}`, deadline);
        perService[t.service] = Math.round(performance.now() - t0);
      }),
    );
    return { platform, allHealthyMs: Math.round(performance.now() - t0), perService };
  } finally {
    await Promise.all(
      ids.map((id) =>
        docker()
          .getContainer(id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
  }
}
