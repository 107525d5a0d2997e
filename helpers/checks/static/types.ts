import type { Platform } from '../../model/platform.ts';
import type { Contract, Service } from '../../contract/schema.ts';
import type { ImageFacts } from '../../model/image-facts.ts';
import type { Finding } from '../../model/finding.ts';

/** A static check judges gathered facts only: pure, synchronous, no Docker. [] means it passed. */
export type StaticCheck = (facts: ImageFacts, contract: Contract, service: Service, platform: Platform) => Finding[];

export interface StaticCheckSpec {
  name: string;
  /** One line saying what the check requires, for test titles and reports. */
  title: string;
  run: StaticCheck;
  /**
   * The platforms whose images the check judges (default: all). Elsewhere it is not run, with `notApplicable`
   * as the reason: a check that could only pass there would claim what nobody looked at.
   */
  platforms?: readonly Platform[];
  notApplicable?: string;
}

/** Why a check is not run for a platform, or undefined when it applies. */
export function notApplicableReason(check: StaticCheckSpec, platform: Platform): string | undefined {
  if (!check.platforms || check.platforms.includes(platform)) return undefined;
  return `${check.notApplicable ?? `applies to ${check.platforms.join(', ')} images only`}; this image is ${platform}`;
}
