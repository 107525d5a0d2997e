// Which contract service plays which part in the flows. The names are the contract's (§1); a plan
// whose platform lacks any of them cannot run the flows for that platform.
import type { ImageTarget } from '../model/target.ts';
import type { Platform } from '../model/platform.ts';

export const ROLE = {
  gateway: 'api-gateway',
  mesh: 'service-mesh-controller',
  engine: 'blockchain-engine',
  anchoring: 'session-anchoring',
  blocks: 'block-manager',
  dataChain: 'data-chain',
} as const;

export const FLOW_SERVICES: readonly string[] = Object.values(ROLE);

/** The second data-chain of a flow stack, started with DATA_CHAIN_HASH_ALGORITHM=SHA256. */
export const SHA256_DATA_CHAIN = 'data-chain-sha256';

/** The three apps behind Bearer auth (contract §4). */
export const AUTH_APPS = [ROLE.anchoring, ROLE.engine, ROLE.blocks] as const;

export interface PlatformGroup {
  platform: Platform;
  targets: ImageTarget[];
}

/**
 * Plan targets grouped by platform, in plan order, keeping only platforms that have all six services
 * (exactly one target each); the others are listed with what they lack.
 */
export function flowGroups(targets: readonly ImageTarget[]): { groups: PlatformGroup[]; skipped: { platform: Platform; reason: string }[] } {
  const byPlatform = new Map<Platform, ImageTarget[]>();
  for (const t of targets) byPlatform.set(t.platform, [...(byPlatform.get(t.platform) ?? []), t]);
  const groups: PlatformGroup[] = [];
  const skipped: { platform: Platform; reason: string }[] = [];
  for (const [platform, list] of byPlatform) {
    const missing = FLOW_SERVICES.filter((s) => !list.some((t) => t.service === s));
    const doubled = FLOW_SERVICES.filter((s) => list.filter((t) => t.service === s).length > 1);
    if (missing.length) skipped.push({ platform, reason: `lacks ${missing.join(', ')}` });
    else if (doubled.length) skipped.push({ platform, reason: `has more than one image for ${doubled.join(', ')}` });
    else groups.push({ platform, targets: FLOW_SERVICES.map((s) => list.find((t) => t.service === s)!) });
  }
  return { groups, skipped };
}
