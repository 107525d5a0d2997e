import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { BRIEF_SURVIVAL, runCli } from '../support/run-cli.ts';
import { docker } from '../../helpers/engine/docker.ts';
import { parseVitestJson } from '../../helpers/plan/run-suites.ts';
import { startSocketProxy } from '../support/socket-proxy.ts';

const contract = loadContract({});
const net = contract.network;

/**
 * The on-Pi path from a laptop: the engine is reached over tcp (a forwarded socket), nothing of this host's
 * /proc is used, and the network that compose made on the Pi is reused and left in place.
 */
describe('verify against a remote engine endpoint (loopback tcp)', () => {
  let proxy: Awaited<ReturnType<typeof startSocketProxy>>;
  let madeNetwork = false;

  beforeAll(async () => {
    proxy = await startSocketProxy();
    const existing = await docker().listNetworks({ filters: { name: [net.name] } });
    if (!existing.some((n) => n.Name === net.name)) {
      // As compose makes it on the Pi: no harness labels, so the harness must treat it as someone else's.
      await docker().createNetwork({
        Name: net.name,
        Driver: 'bridge',
        IPAM: { Driver: 'default', Config: [{ Subnet: net.subnet, Gateway: net.gateway }] },
      });
      madeNetwork = true;
    }
  });

  afterAll(async () => {
    await proxy?.stop();
    if (madeNetwork)
      await docker()
        .getNetwork(net.name)
        .remove()
        .catch(() => undefined);
  });

  test('the smoke suite passes for one service on both platforms, through the endpoint, and the network stays', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'lucid-remote-'));
    // A run of its own (fresh run id), reaching the engine only through the endpoint.
    const env = {
      ...BRIEF_SURVIVAL,
      DOCKER_HOST: proxy.url,
      LUCID_RUN_ID: undefined,
      LUCID_RUN_PID: undefined,
      TESTCONTAINERS_HOST_OVERRIDE: undefined,
    };
    const r = await runCli(['verify', '--image', 'data-chain', '--report-dir', reportDir], env);
    const outcomes = parseVitestJson(readFileSync(join(reportDir, 'vitest-results.json'), 'utf8'));
    expect(r.status, `${r.stderr.slice(-3000)}\n${r.stdout.slice(-3000)}`).toBe(0);
    expect(new Set(outcomes.filter((o) => o.status === 'passed').map((o) => o.ancestors[0]))).toEqual(
      new Set(['data-chain [linux/amd64]', 'data-chain [linux/arm64]']),
    );
    expect(outcomes.filter((o) => o.status === 'failed')).toEqual([]);
    expect(proxy.connections()).toBeGreaterThan(10);
    const after = await docker().listNetworks({ filters: { name: [net.name] } });
    expect(after.some((n) => n.Name === net.name)).toBe(true);
  });
});
