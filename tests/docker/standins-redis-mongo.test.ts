// The Redis and Mongo stand-ins as the suites get them, and a stand-in from an image the user names: each
// started by startStandIns on a network under its contract alias, ready by its own probe (a real PING/PONG,
// a MongoDB hello over OP_MSG, a TCP connect), reached by alias from containers on that network and by the
// real `mongodb` driver through the published loopback port; and data-chain's storage following the
// Mongo stand-in being stopped and started (contract §3).
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fromEnv, loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import type { Platform } from '../../helpers/model/platform.ts';
import type { Contract, StandIn } from '../../helpers/contract/schema.ts';
import { docker } from '../../helpers/engine/docker.ts';
import { harnessLabels, LABEL_ROLE, LABEL_RUN, RUN_ID } from '../../helpers/engine/labels.ts';
import { demux } from '../../helpers/runtime/diagnostics.ts';
import { execIn } from '../../helpers/runtime/exec.ts';
import { httpGet } from '../../helpers/runtime/http-probe.ts';
import { listProcesses } from '../../helpers/runtime/processes.ts';
import { startService, type StartedService } from '../../helpers/runtime/start-service.ts';
import {
  LABEL_STANDIN,
  nativePlatform,
  restartStandIn,
  startStandIns,
  type StandIns,
} from '../../helpers/runtime/standins.ts';
import { ensureBaseImage } from '../../fixtures/base/image.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';

const NETWORK = `lucid-standins-rm-${RUN_ID}`;
const full = loadContract(fromEnv());
const only = (...names: string[]): Contract => ({
  ...full,
  standIns: full.standIns.filter((s) => names.includes(s.name)),
});
const log = (l: string) => console.error(l);

let platform: Platform;
const running: { stop(): Promise<unknown> }[] = [];

beforeAll(async () => {
  platform = await nativePlatform();
  await docker().createNetwork({ Name: NETWORK, Driver: 'bridge', Labels: harnessLabels('network') });
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.stop().catch(() => undefined)));
  await docker()
    .getNetwork(NETWORK)
    .remove()
    .catch(() => undefined);
});

/** Runs a one-off program in `image` on the test network and returns its exit code and output. */
async function runOnNetwork(
  image: string,
  entrypoint: string[],
  cmd: string[],
): Promise<{ code: number; output: string }> {
  const c = await docker().createContainer({
    Image: image,
    Entrypoint: entrypoint,
    Cmd: cmd,
    User: '65532:65532',
    Labels: harnessLabels('test-client'),
    HostConfig: { NetworkMode: NETWORK, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'] },
  });
  try {
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    const raw = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    return { code: StatusCode, output: demux(raw).trim() };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

// RESP over a plain socket, from the reference base image's own python: no client library, no shell.
const RESP_CLIENT = `
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection((host, port), timeout=5)
def cmd(*args):
    s.sendall(("*%d\\r\\n" % len(args) + "".join("$%d\\r\\n%s\\r\\n" % (len(a), a) for a in args)).encode())
    data = b""
    while not data.endswith(b"\\r\\n"):
        data += s.recv(4096)
    return data.decode().strip()
print(cmd("PING"))
print(cmd("SET", "lucid:standin", "reached-by-alias"))
print(cmd("GET", "lucid:standin").split("\\r\\n")[-1])
`;

test('redis stand-in: Debian redis-server, nonroot and shell-less, PING/PONG ready, reached by its alias from the network', async () => {
  const t0 = Date.now();
  const contract = only('redis');
  const redis = contract.standIns[0]!;
  const s: StandIns = await startStandIns(contract, NETWORK, { platform, services: ['block-manager'], log });
  running.push(s);
  const r = s.started[0]!;
  expect(r.ready.summary).toBe('PING → PONG');
  const raw = docker().getContainer(r.container.getId());
  const info = await raw.inspect();
  expect(info.Config.Labels[LABEL_ROLE]).toBe('standin');
  expect(info.Config.Labels[LABEL_RUN]).toBe(RUN_ID);
  expect(info.Config.Labels[LABEL_STANDIN]).toBe('redis');
  expect(info.NetworkSettings.Networks[NETWORK]?.Aliases).toContain('lucid-redis-standin');
  expect(info.HostConfig.CapDrop).toEqual(['ALL']);
  const image = await docker().getImage(info.Image).inspect();
  expect(image.Config.User).toBe('65532:65532');
  expect(image.Config.Entrypoint).toEqual(['/usr/bin/redis-server']);
  expect((await listProcesses(raw)).map((p) => [p.uid, p.gid])).toEqual([[65532, 65532]]);
  // Its HEALTHCHECK (redis-cli ping), run directly; and no shell to run anything else.
  const hc = await execIn(raw, image.Config.Healthcheck!.Test!.slice(1));
  expect([hc.exitCode, hc.output.trim()]).toEqual([0, 'PONG']);
  for (const sh of ['/bin/sh', '/bin/bash', '/usr/bin/sh'])
    expect((await execIn(raw, [sh, '-c', 'true'])).exitCode, sh).not.toBe(0);
  const version = await execIn(raw, ['/usr/bin/redis-server', '--version']);
  expect(version.output).toMatch(/^Redis server v=7\.0\.\d+/);

  // A service container on the stack network reaches it by its alias, the way REDIS_URL names it.
  const base = await ensureBaseImage(platform, { log });
  const url = new URL(serviceNamed(full, 'block-manager').env['REDIS_URL']!);
  expect(url.hostname).toBe(redis.aliases[0]);
  const client = await runOnNetwork(base.id, [full.base.python, '-c', RESP_CLIENT], [url.hostname, url.port]);
  expect(client).toEqual({ code: 0, output: '+PONG\n+OK\nreached-by-alias' });
  await s.stop();
  expect(
    await docker().listContainers({
      all: true,
      filters: { label: [`${LABEL_STANDIN}=redis`, `${LABEL_RUN}=${RUN_ID}`] },
    }),
  ).toEqual([]);
  console.error(`redis stand-in docker test: ${((Date.now() - t0) / 1000).toFixed(1)} s (ready after ${r.readyMs} ms)`);
}, 120_000);

test('mongo-wire stand-in: the mongodb driver connects and pings; data-chain is 503 while it is stopped and healthy when it is back', async () => {
  const t0 = Date.now();
  const contract = only('mongo');
  const s = await startStandIns(contract, NETWORK, { platform, services: ['data-chain'], log });
  running.push(s);
  const m = s.started[0]!;
  expect(m.ready.summary).toBe('hello → ok:1, maxWireVersion 21, writable primary; ping → ok:1');
  const image = await docker()
    .getImage((await docker().getContainer(m.container.getId()).inspect()).Image)
    .inspect();
  expect(image.Config.Labels['org.opencontainers.image.description']).toMatch(/^NOT MongoDB/);
  expect(image.Config.User).toBe('65532:65532');

  // The real driver, through the published loopback port: handshake (legacy OP_QUERY isMaster, then OP_MSG) and ping.
  const client = new MongoClient(`mongodb://${m.host}:${m.port}/lucid?directConnection=true`, {
    serverSelectionTimeoutMS: 5_000,
  });
  try {
    await client.connect();
    expect(await client.db().admin().command({ ping: 1 })).toEqual({ ok: 1 });
    const hello = await client.db('admin').command({ hello: 1 });
    expect(hello).toMatchObject({ isWritablePrimary: true, maxWireVersion: 21, ok: 1 });
    await expect(client.db('lucid').collection('chunks').findOne({})).rejects.toThrow(/no such command: 'find'/);
  } finally {
    await client.close();
  }

  // data-chain on the same network judges its storage by MONGODB_URL: healthy, 503 while stopped, healthy again.
  const dc = serviceNamed(full, 'data-chain');
  const [target] = await ensureReferenceImages({ contract: full, services: [dc.name], platforms: [platform], log });
  const svc: StartedService = await startService(full, dc, target!, {
    network: NETWORK,
    aliases: dc.aliases,
    hardened: true,
  });
  running.push(svc);
  expect(await healthStatus(svc, 200)).toBe(200);
  const body = (await httpGet(`${svc.baseUrl}${dc.healthPath}`)).body as { details: Record<string, unknown> };
  expect(body.details).toMatchObject({ storage: 'up', storage_target: 'lucid-mongo-standin:27017' });
  const stoppedAt = Date.now();
  await docker().getContainer(m.container.getId()).stop({ t: 5 });
  expect(await healthStatus(svc, 503)).toBe(503);
  const downMs = Date.now() - stoppedAt;
  const down = (await httpGet(`${svc.baseUrl}${dc.healthPath}`)).body as {
    status: string;
    details: Record<string, unknown>;
  };
  expect(down).toMatchObject({ status: 'unhealthy', details: { storage: 'down' } });
  const back = await restartStandIn(m.standIn, m.container.getId());
  expect(back.ready.summary).toMatch(/^hello → ok:1/);
  expect(await healthStatus(svc, 200)).toBe(200);
  console.error(
    `mongo stand-in docker test: ${((Date.now() - t0) / 1000).toFixed(1)} s (ready after ${m.readyMs} ms, data-chain saw storage down after ${downMs} ms, stand-in ready again after ${back.readyMs} ms)`,
  );
}, 120_000);

test('a stand-in from an image the user names (by id), with a TCP readiness probe and its own env', async () => {
  const built = await startStandIns(only('redis'), NETWORK, { platform, services: ['block-manager'], log });
  const id = (await docker().getContainer(built.started[0]!.container.getId()).inspect()).Image;
  await built.stop();
  const user: StandIn = {
    name: 'cache',
    image: id,
    aliases: ['cache'],
    port: 6379,
    env: { LUCID_NOTE: 'user-image' },
    ready: { probe: 'tcp' },
    readyBudgetMs: 20_000,
    neededBy: ['block-manager'],
  };
  const s = await startStandIns({ ...full, standIns: [user] }, NETWORK, { platform, services: ['block-manager'], log });
  running.push(s);
  const u = s.started[0]!;
  expect([u.label, u.ready.summary]).toEqual([id, 'accepts TCP connections']);
  const info = await docker().getContainer(u.container.getId()).inspect();
  expect(info.Config.Env).toContain('LUCID_NOTE=user-image');
  expect(info.NetworkSettings.Networks[NETWORK]?.Aliases).toContain('cache');

  // A probe that never succeeds: the stand-in is removed and the error says what the probe saw.
  const silent: StandIn = {
    ...user,
    name: 'silent',
    aliases: ['silent'],
    ready: { probe: 'http', path: '/', status: 200 },
    readyBudgetMs: 2_000,
  };
  await expect(
    startStandIns({ ...full, standIns: [silent] }, NETWORK, { platform, services: ['block-manager'], log }),
  ).rejects.toThrow(
    /^stand-in silent \(sha256:[0-9a-f]+\) did not answer GET \/ → 200 on \S+ \(container port 6379\) within 2 s: GET \/ on /,
  );
  expect(
    await docker().listContainers({
      all: true,
      filters: { label: [`${LABEL_STANDIN}=silent`, `${LABEL_RUN}=${RUN_ID}`] },
    }),
  ).toEqual([]);
}, 120_000);

async function healthStatus(s: StartedService, want: number, budgetMs = 15_000): Promise<number | undefined> {
  const deadline = Date.now() + budgetMs;
  let seen: number | undefined;
  do {
    seen = (await httpGet(`${s.baseUrl}${s.service.healthPath}`).catch(() => undefined))?.status;
    if (seen === want) return seen;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  return seen;
}
