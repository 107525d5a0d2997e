import { hostname } from 'node:os';
import { docker } from './docker.ts';
import { LABEL_HOST, LABEL_OWNER, LABEL_PID, LABEL_ROLE, LABEL_RUN, RUN_ID } from './labels.ts';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A run is stale when it was started on this host by a process that no longer exists (e.g. after kill -9). */
export function isStale(
  labels: Record<string, string>,
  self = RUN_ID,
  host = hostname(),
  alive = processAlive,
): boolean {
  if (labels[LABEL_RUN] === self) return false;
  if (labels[LABEL_HOST] !== host) return false;
  const pid = Number(labels[LABEL_PID]);
  return Number.isInteger(pid) && pid > 0 && !alive(pid);
}

interface SweepResult {
  containers: number;
  networks: number;
}

/**
 * Removes harness containers and networks of one run (default: this one) or, with `stale`, of dead runs.
 * Networks are removed only when the harness created them (role network, or a stack lock): a lucid-pi-network that
 * existed before — as on the Pi — carries no harness label and is never touched.
 */
export async function sweep(opts: { stale?: boolean; run?: string } = {}): Promise<SweepResult> {
  const filter = { label: [opts.stale ? `${LABEL_OWNER}=true` : `${LABEL_RUN}=${opts.run ?? RUN_ID}`] };
  const pick = (labels: Record<string, string> | undefined) => !!labels && (!opts.stale || isStale(labels));
  const containers = (await docker().listContainers({ all: true, filters: filter })).filter((c) => pick(c.Labels));
  await Promise.all(
    containers.map((c) =>
      docker()
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {}),
    ),
  );
  const networks = (await docker().listNetworks({ filters: filter })).filter(
    (n) => pick(n.Labels) && ['network', 'lock'].includes(n.Labels?.[LABEL_ROLE] ?? ''),
  );
  let removedNetworks = 0;
  for (const n of networks) {
    // A network still used by another live run's containers stays.
    await docker()
      .getNetwork(n.Id)
      .remove()
      .then(
        () => removedNetworks++,
        () => {},
      );
  }
  return { containers: containers.length, networks: removedNetworks };
}
