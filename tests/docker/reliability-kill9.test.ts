// kill -9 in the middle of a run leaves containers behind; the next run's stale sweep must remove them
// (and the network the killed run created), and never touch a lucid-pi-network that was there before.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { docker } from '../../helpers/engine/docker.ts';
import {
  groupAlive,
  leftovers,
  newRunId,
  runCli,
  startCli,
  waitForContainers,
} from '../../helpers/reliability/child.ts';

const contract = loadContract({});
const PI_NETWORK = contract.network.name;
let dir = '';

async function networkExists(name: string): Promise<boolean> {
  return (await docker().listNetworks({ filters: { name: [name] } })).some((n) => n.Name === name);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lucid-kill9-'));
  // As on the Pi: compose made lucid-pi-network, unlabelled. Created here when absent (and then left).
  if (!(await networkExists(PI_NETWORK))) {
    const { subnet, gateway } = contract.network;
    await docker().createNetwork({
      Name: PI_NETWORK,
      Driver: 'bridge',
      IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
    });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('after kill -9 of verify and its vitest child, the next run sweeps every container and network of the killed run', async () => {
  const killed = newRunId('kill9');
  // The killed run gets a network of its own, so it creates (and labels) one the sweep must remove.
  const net = `lucid-kill9-${killed.slice(-4)}`;
  const octet = 100 + Math.floor(Math.random() * 100);
  const profile = join(dir, 'own-network.json');
  writeFileSync(
    profile,
    JSON.stringify({ network: { name: net, subnet: `10.231.${octet}.0/24`, gateway: `10.231.${octet}.1` } }),
  );

  const victim = startCli(
    [
      'verify',
      '--image',
      'data-chain',
      '--platform',
      'linux/arm64',
      '--profile',
      profile,
      '--report-dir',
      join(dir, 'killed'),
    ],
    { runId: killed, detached: true },
  );
  const seen = await waitForContainers(killed, 1, 60_000);
  expect(seen, 'the killed run started a container within 60 s').toBeGreaterThan(0);
  // The whole group: the CLI, its vitest child and vitest's workers, none of them gets to clean up.
  process.kill(-victim.child.pid!, 'SIGKILL');
  const r = await victim.done;
  expect(r.signal).toBe('SIGKILL');
  await expect.poll(() => groupAlive(victim.child.pid!), { timeout: 5000 }).toBe(false);
  await new Promise((res) => setTimeout(res, 1000)); // a create request already sent may still land

  // On an engine shared with other harness runs, their start-up sweep may remove these first: the same
  // mechanism, so only the end state is asserted; what was found is logged.
  const before = await leftovers(killed);
  console.log(
    `kill -9 left ${before.containers.length} container(s) and the network(s) [${before.networks.join(', ')}] of run ${killed}`,
  );

  const next = await runCli(
    ['verify', '--image', 'data-chain', '--platform', 'linux/amd64', '--report-dir', join(dir, 'next')],
    { runId: newRunId('after-kill9') },
  );
  expect(next.status, next.stderr.slice(-2000)).toBe(0);

  expect(await leftovers(killed)).toEqual({ containers: [], networks: [] });
  expect(await networkExists(PI_NETWORK), `${PI_NETWORK} (not the harness's) still exists`).toBe(true);
});
