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
}
