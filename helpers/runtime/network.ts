import type { Contract } from '../contract/schema.ts';
import { docker } from '../engine/docker.ts';
import { harnessLabels } from '../engine/labels.ts';

/**
 * The contract network (lucid-pi-network, 172.20.0.0/16). Created when absent; one that already exists —
 * as on the Pi, where compose made it — is reused as it is and never deleted by the harness.
 */
export async function ensureContractNetwork(contract: Contract): Promise<{ name: string; created: boolean }> {
  const { name, subnet, gateway } = contract.network;
  const existing = await docker().listNetworks({ filters: { name: [name] } });
  if (existing.some((n) => n.Name === name)) return { name, created: false };
  try {
    await docker().createNetwork({
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
      Labels: harnessLabels('network'),
    });
    return { name, created: true };
  } catch (e) {
    // Another run created it between list and create: that one is fine to share.
    const again = await docker().listNetworks({ filters: { name: [name] } });
    if (again.some((n) => n.Name === name)) return { name, created: false };
    throw new Error(`could not create network ${name} (${subnet}): ${(e as Error).message}`);
  }
}
