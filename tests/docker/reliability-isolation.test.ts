// Targets are never privileged, never get the engine socket, never get host mounts (tmpfs only): checked on
// every container a real verify creates (the shared hardened stack and the stand-ins), inspected as
// the engine reports them the moment each is created.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { afterAll, expect, test } from 'vitest';
import { docker } from '../../helpers/engine/docker.ts';
import { LABEL_RUN } from '../../helpers/engine/labels.ts';
import { leftovers, newRunId, runCli } from '../../helpers/reliability/child.ts';

const dir = mkdtempSync(join(tmpdir(), 'lucid-isolation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Pure: what is wrong with one container's isolation, as readable lines. */
function isolationProblems(i: Dockerode.ContainerInspectInfo): string[] {
  const h = i.HostConfig as Dockerode.HostConfig & { Mounts?: { Type?: string; Source?: string }[] };
  const p: string[] = [];
  if (h.Privileged) p.push('privileged');
  if (h.Binds?.length) p.push(`binds ${h.Binds.join(', ')}`);
  for (const m of [...(h.Mounts ?? []), ...(i.Mounts ?? [])])
    if (m.Type !== 'tmpfs') p.push(`${m.Type} mount of ${m.Source}`);
  if (h.VolumesFrom?.length) p.push(`volumes from ${h.VolumesFrom.join(', ')}`);
  if (h.CapAdd?.length) p.push(`cap-add ${h.CapAdd.join(', ')}`);
  if (h.Devices?.length) p.push('devices');
  for (const mode of ['NetworkMode', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode'] as const)
    if (h[mode] === 'host') p.push(`${mode}=host`);
  for (const o of h.SecurityOpt ?? []) if (/unconfined|label[:=]disable/.test(o)) p.push(`security-opt ${o}`);
  if (/docker\.sock|DOCKER_HOST/.test(JSON.stringify([h.Binds, h.Mounts, i.Mounts, i.Config.Env, h.Tmpfs])))
    p.push('engine socket reachable');
  return p;
}

test('every container of a verify run: not privileged, no engine socket, no host mounts, tmpfs only', async () => {
  const runId = newRunId('isolation');
  const seen = new Map<string, Dockerode.ContainerInspectInfo | string>();
  const stream = (await docker().getEvents({
    filters: { type: ['container'], event: ['create'], label: [`${LABEL_RUN}=${runId}`] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  const pending: Promise<void>[] = [];
  stream.on('data', (b: Buffer) => {
    for (const line of b.toString().split('\n').filter(Boolean)) {
      const id = (JSON.parse(line) as { id: string }).id;
      pending.push(
        docker()
          .getContainer(id)
          .inspect()
          .then(
            (i) => void seen.set(id, i),
            (e: Error) => void seen.set(id, e.message),
          ),
      );
    }
  });
  const r = await runCli(['verify', '--platform', 'linux/amd64', '--report-dir', join(dir, 'report')], { runId });
  stream.destroy();
  await Promise.all(pending);
  expect(r.status, r.stderr.slice(-2000)).toBe(0);

  const inspected = [...seen.values()];
  expect(
    inspected.filter((i) => typeof i === 'string'),
    'every created container could be inspected',
  ).toEqual([]);
  const infos = inspected as Dockerode.ContainerInspectInfo[];
  // The shared stack: six services + the SHA-256 data-chain, each created once (plus the stand-ins).
  const services = infos.filter((i) => i.Config.Labels?.['io.lucid.harness.role'] === 'service');
  expect(services).toHaveLength(7);
  const problems = infos.flatMap((i) => isolationProblems(i).map((p) => `${i.Name}: ${p}`));
  expect(problems).toEqual([]);
  // Every service container runs hardened, as compose runs them (stand-ins are judged above, not here).
  for (const h of services) {
    expect(h.HostConfig.ReadonlyRootfs, h.Name).toBe(true);
    expect(h.HostConfig.CapDrop).toEqual(['ALL']);
    expect(h.HostConfig.SecurityOpt).toContain('no-new-privileges');
    expect(Object.keys(h.HostConfig.Tmpfs ?? {})).toContain('/tmp');
  }
  expect((await leftovers(runId)).containers).toEqual([]);
});
