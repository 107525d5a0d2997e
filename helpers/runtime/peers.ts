// Peers: reference images that stand in for the contract services a run was not given, so that a platform's
// shared stack — and the flows across the services — can still run (`verify --peers ref`). They are started in
// the stack and never judged: the smoke checks and still-running are for the images under test only.
import type { Contract } from '../contract/schema.ts';
import type { Platform } from '../model/platform.ts';
import type { ImageTarget } from '../model/target.ts';

/** Pure: per platform the targets have, in contract order, the contract services without an image there. */
export function servicesLacking(
  contract: Contract,
  targets: readonly Pick<ImageTarget, 'service' | 'platform'>[],
): { platform: Platform; services: string[] }[] {
  const platforms = [...new Set(targets.map((t) => t.platform))];
  return platforms
    .map((platform) => ({
      platform,
      services: contract.services
        .map((s) => s.name)
        .filter((name) => !targets.some((t) => t.platform === platform && t.service === name)),
    }))
    .filter((x) => x.services.length > 0);
}

/** Every image a platform's stack runs: the targets, then the peers that fill in for the services they lack. */
export const stackImages = <T extends ImageTarget>(targets: readonly T[], peers: readonly T[] = []): T[] => [
  ...targets,
  ...peers.filter((p) => !targets.some((t) => t.platform === p.platform && t.service === p.service)),
];

/** Whether a stack image is one of the targets (judged) rather than a peer: by service and platform. */
export const underTestIn =
  (targets: readonly Pick<ImageTarget, 'service' | 'platform'>[]) => (t: Pick<ImageTarget, 'service' | 'platform'>) =>
    targets.some((x) => x.service === t.service && x.platform === t.platform);
