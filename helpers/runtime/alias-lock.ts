import { docker } from '../engine/docker.ts';
import { harnessLabels, LABEL_HOST, LABEL_PID, LABEL_RUN } from '../engine/labels.ts';
import { isStale } from '../engine/sweep.ts';

/**
 * One stack at a time per network: every stack uses the contract's aliases, and the engine's DNS answers a
 * shared alias with either run's container, so two runs' flows would talk to each other's services. The lock
 * is a network named after the contract network: creating a network of an existing name fails on the engine,
 * which makes it a mutex every harness run on that engine sees; a lock whose process died is taken over.
 */
export async function lockNetworkAliases(
  network: string,
  opts: { waitMs?: number; log?: (l: string) => void } = {},
): Promise<() => Promise<void>> {
  const name = `${network}.stack-lock`;
  const deadline = Date.now() + (opts.waitMs ?? 15 * 60_000);
  let told = false;
  for (;;) {
    try {
      await docker().createNetwork({ Name: name, CheckDuplicate: true, Internal: true, Labels: harnessLabels('lock') });
      return async () => {
        await docker()
          .getNetwork(name)
          .remove()
          .catch(() => undefined);
      };
    } catch (e) {
      const holder = await docker()
        .getNetwork(name)
        .inspect()
        .catch(() => undefined);
      if (!holder) continue; // released meanwhile
      const labels = (holder.Labels ?? {}) as Record<string, string>;
      if (isStale(labels)) {
        await docker()
          .getNetwork(name)
          .remove()
          .catch(() => undefined);
        continue;
      }
      const who = `run ${labels[LABEL_RUN] ?? '?'} (pid ${labels[LABEL_PID] ?? '?'} on ${labels[LABEL_HOST] ?? '?'})`;
      if (Date.now() > deadline)
        throw new Error(
          `another harness ${who} has held the stack lock of ${network} for too long (${name}); it may be stuck: remove that network if its process is gone`,
        );
      if (!told) opts.log?.(`waiting for ${who} to finish its stack on ${network} (its aliases would mix with ours)`);
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
      void e;
    }
  }
}
