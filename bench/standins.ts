/**
 * The bench's own network with the stand-ins the six services need (data-chain is not healthy without its
 * Mongo), started before any timed part: infrastructure already up, as `docker compose up` of the services
 * would find it on the Pi. Labelled, so the bench's sweep removes whatever is left.
 */
import type { Contract } from '../helpers/contract/schema.ts';
import { docker } from '../helpers/engine/docker.ts';
import { harnessLabels, RUN_ID } from '../helpers/engine/labels.ts';
import { startStandIns } from '../helpers/runtime/standins.ts';

export async function benchNetwork(
  contract: Contract,
  log: (l: string) => void = () => {},
): Promise<{ network: string; stop(): Promise<void> }> {
  const network = `lucid-bench-${RUN_ID}`;
  await docker().createNetwork({
    Name: network,
    Driver: 'bridge',
    CheckDuplicate: true,
    Labels: harnessLabels('network'),
  });
  try {
    const standIns = await startStandIns(contract, network, { services: contract.services.map((s) => s.name), log });
    return {
      network,
      stop: async () => {
        await standIns.stop();
        await docker()
          .getNetwork(network)
          .remove()
          .catch(() => undefined);
      },
    };
  } catch (e) {
    await docker()
      .getNetwork(network)
      .remove()
      .catch(() => undefined);
    throw e;
  }
}
