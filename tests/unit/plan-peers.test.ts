import { describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { servicesLacking, stackImages } from '../../helpers/runtime/peers.ts';
import type { ImageTarget } from '../../helpers/model/target.ts';

const contract = loadContract({});
const names = contract.services.map((s) => s.name);
const t = (service: string, platform: ImageTarget['platform'], image = `sha256:${service}`): ImageTarget => ({
  service,
  platform,
  image,
  label: service,
});

describe('peers: what fills in for the services a run was not given', () => {
  test('per platform the targets have, the services it lacks, in contract order; a complete platform lacks none', () => {
    const targets = [t('data-chain', 'linux/amd64'), ...names.map((n) => t(n, 'linux/arm64'))];
    expect(servicesLacking(contract, targets)).toEqual([
      { platform: 'linux/amd64', services: names.filter((n) => n !== 'data-chain') },
    ]);
    expect(servicesLacking(contract, [])).toEqual([]);
  });

  test('the stack runs the targets, then the peers of services they lack; a peer never replaces a target', () => {
    const mine = t('data-chain', 'linux/amd64', 'sha256:mine');
    const peers = names.map((n) => t(n, 'linux/amd64', `sha256:ref-${n}`));
    const stack = stackImages([mine], peers);
    expect(stack).toHaveLength(names.length);
    expect(stack.filter((x) => x.service === 'data-chain')).toEqual([mine]);
    expect(stackImages([mine])).toEqual([mine]);
  });
});
