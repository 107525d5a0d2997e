// The Tor control-port stand-in as the suites get it: its image started by id on a network under its alias,
// answering the control protocol over a port published on loopback, and the reference api-gateway on the
// same network reporting dependencies.tor from it — unhealthy while not bootstrapped or gone.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fromEnv, loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import type { Platform } from '../../helpers/model/platform.ts';
import type { Contract } from '../../helpers/contract/schema.ts';
import { docker } from '../../helpers/engine/docker.ts';
import { harnessLabels, LABEL_ROLE, LABEL_RUN, RUN_ID } from '../../helpers/engine/labels.ts';
import { execIn } from '../../helpers/runtime/exec.ts';
import { httpGet } from '../../helpers/runtime/http-probe.ts';
import { listProcesses } from '../../helpers/runtime/processes.ts';
import { startService, type StartedService } from '../../helpers/runtime/start-service.ts';
import { LABEL_STANDIN, nativePlatform, startStandIns, type StandIns } from '../../helpers/runtime/standins.ts';
import { exchange, parseGetinfo } from '../../helpers/runtime/tor-control.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';
import { STANDIN_DIR } from '../../fixtures/standins/image.ts';

const NETWORK = `lucid-standins-${RUN_ID}`;
// Only the Tor stand-in here (the gateway also names Mongo and Redis: tests/docker/standins-redis-mongo.test.ts).
const full = loadContract(fromEnv());
const base: Contract = { ...full, standIns: full.standIns.filter((s) => s.image === 'builtin:tor-control') };
const contract = (progress: number): Contract => ({
  ...base,
  standIns: base.standIns.map((s) => ({ ...s, env: { ...s.env, TOR_STANDIN_BOOTSTRAP: String(progress) } })),
});
const log = (l: string) => console.error(l);

let platform: Platform;
let gateway: StartedService | undefined;
let standIns: StandIns | undefined;

beforeAll(async () => {
  platform = await nativePlatform();
  await docker().createNetwork({ Name: NETWORK, Driver: 'bridge', Labels: harnessLabels('network') });
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), standIns?.stop()]);
  await docker()
    .getNetwork(NETWORK)
    .remove()
    .catch(() => undefined);
});

/** dependencies.tor from the gateway, polled until it reads `want` (or the budget ends): the last one read. */
async function gatewayTor(want: string, budgetMs = 10_000): Promise<string | undefined> {
  const deadline = Date.now() + budgetMs;
  let seen: string | undefined;
  do {
    const r = await httpGet(`${gateway!.baseUrl}/api/v1/meta/health`).catch(() => undefined);
    seen = (r?.body as { dependencies?: Record<string, string> } | undefined)?.dependencies?.['tor'];
    if (seen === want) return seen;
    await new Promise((res) => setTimeout(res, 200));
  } while (Date.now() < deadline);
  return seen;
}

test('tor-control stand-in: control protocol over 127.0.0.1, nonroot, and the gateway sees it come and go', async () => {
  const t0 = Date.now();
  const gw = serviceNamed(base, 'api-gateway');
  const [target] = await ensureReferenceImages({ contract: base, services: [gw.name], platforms: [platform], log });
  gateway = await startService(base, gw, target!, {
    network: NETWORK,
    aliases: gw.aliases,
    extraEnv: { GATEWAY_PROBE_INTERVAL: '0.3', GATEWAY_TOR_CACHE: '0.3' },
  });

  // Not bootstrapped: the port answers, the gateway still says unhealthy, and so does the image's HEALTHCHECK command.
  standIns = await startStandIns(contract(50), NETWORK, { platform, services: [gw.name], log });
  const half = standIns.started[0]!;
  expect(half.ready.tor?.bootstrap).toMatchObject({ progress: 50, tag: 'loading_descriptors' });
  expect(await gatewayTor('unhealthy')).toBe('unhealthy');
  const halfCheck = await execIn(
    docker().getContainer(half.container.getId()),
    await healthcheckCommand(half.container.getId()),
  );
  expect(halfCheck.exitCode, halfCheck.output).toBe(1);
  await standIns.stop();

  // Bootstrapped.
  standIns = await startStandIns(contract(100), NETWORK, { platform, services: [gw.name], log });
  const s = standIns.started[0]!;
  expect(s.ready.tor).toEqual({
    protocolInfo: { protocolVersion: 1, authMethods: ['NULL'], torVersion: '0.4.8.13' },
    version: '0.4.8.13',
    bootstrap: { severity: 'NOTICE', progress: 100, tag: 'done', summary: 'Done' },
  });
  const raw = docker().getContainer(s.container.getId());
  const info = await raw.inspect();
  expect(info.Config.Labels[LABEL_ROLE]).toBe('standin');
  expect(info.Config.Labels[LABEL_RUN]).toBe(RUN_ID);
  expect(info.Config.Labels[LABEL_STANDIN]).toBe('tor-proxy');
  expect(info.NetworkSettings.Networks[NETWORK]?.Aliases).toContain('tor-proxy');
  expect(info.HostConfig.PortBindings?.['9051/tcp']?.map((b: { HostIp: string }) => b.HostIp)).toEqual(['127.0.0.1']);
  const image = await docker().getImage(info.Image).inspect();
  expect(image.Config.User).toBe('65532:65532');
  expect(image.Config.ExposedPorts).toEqual({ '9051/tcp': {} });
  expect(image.Config.Healthcheck?.Test).toEqual([
    'CMD',
    base.base.python,
    '-I',
    '-S',
    `${STANDIN_DIR}/tor_control.py`,
    '--check',
    '127.0.0.1:9051',
  ]);
  expect((await listProcesses(raw)).map((p) => [p.uid, p.gid])).toEqual([[65532, 65532]]);
  const check = await execIn(raw, await healthcheckCommand(info.Id));
  expect(check.exitCode, check.output).toBe(0);

  const [pi, auth, listeners] = await exchange(s.host, s.port, [
    'PROTOCOLINFO 1',
    'AUTHENTICATE',
    'GETINFO net/listeners/socks status/bootstrap-phase',
    'QUIT',
  ]);
  expect(pi!.lines).toEqual(['PROTOCOLINFO 1', 'AUTH METHODS=NULL', 'VERSION Tor="0.4.8.13"', 'OK']);
  expect(auth).toEqual({ code: 250, lines: ['OK'] });
  expect(parseGetinfo(listeners!)).toEqual({
    'net/listeners/socks': '"127.0.0.1:9050"',
    'status/bootstrap-phase': 'NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"',
  });

  expect(await gatewayTor('healthy')).toBe('healthy');

  // SIGTERM: gone within a second, exit 0; the gateway notices.
  const stopAt = Date.now();
  await raw.stop({ t: 5 });
  const stopMs = Date.now() - stopAt;
  expect((await raw.inspect()).State.ExitCode).toBe(0);
  expect(stopMs).toBeLessThan(1_500);
  expect(await gatewayTor('unhealthy')).toBe('unhealthy');
  await standIns.stop();
  standIns = undefined;
  expect(
    await docker().listContainers({
      all: true,
      filters: { label: [`${LABEL_STANDIN}=tor-proxy`, `${LABEL_RUN}=${RUN_ID}`] },
    }),
  ).toEqual([]);

  // A tor-proxy the harness did not start (the Pi's own, from compose) is used as it is: no second one.
  const foreign = await docker().createContainer({
    Image: info.Image,
    Labels: { [LABEL_RUN]: RUN_ID }, // no owner label: not harness-made, yet swept with this run if the test dies
    HostConfig: { NetworkMode: NETWORK },
    NetworkingConfig: { EndpointsConfig: { [NETWORK]: { Aliases: ['tor-proxy'] } } },
  });
  try {
    await foreign.start();
    standIns = await startStandIns(base, NETWORK, { platform, services: [gw.name], log });
    expect(standIns.started).toEqual([]);
    expect(standIns.skipped).toEqual([
      {
        name: 'tor-proxy',
        reason: expect.stringMatching(/^container \S+ already answers to tor-proxy on lucid-standins-/),
      },
    ]);
    expect(await gatewayTor('healthy')).toBe('healthy');
  } finally {
    await foreign.remove({ force: true });
  }
  console.error(`stand-in docker test: ${((Date.now() - t0) / 1000).toFixed(1)} s (SIGTERM to exit ${stopMs} ms)`);
}, 120_000);

/** The program and arguments of the image's exec-form HEALTHCHECK, run directly (Docker's own interval is 10 s). */
async function healthcheckCommand(containerId: string): Promise<string[]> {
  const image = await docker()
    .getImage((await docker().getContainer(containerId).inspect()).Image)
    .inspect();
  const test = image.Config.Healthcheck?.Test ?? [];
  if (test[0] !== 'CMD') throw new Error(`the stand-in image's HEALTHCHECK is not exec form: ${JSON.stringify(test)}`);
  return test.slice(1);
}
