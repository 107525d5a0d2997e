// What the harness checks: one image of one service for one platform, and the same as a run plan lists it.
// Shared by the sources that find targets (local, OCI layout, registry), the runtime and the suites.
import { z } from 'zod';
import { PlatformSchema, type Platform } from './platform.ts';

export interface ImageTarget {
  service: string;
  platform: Platform;
  /** Image id (sha256:…) or digest reference: never a bare tag, so a platform can't be confused. */
  image: string;
  /** Human name for messages, e.g. lucid-ref/lucid-data-chain:arm64. */
  label: string;
}

/** A target as the run plan carries it: an ImageTarget plus its name, expectations and provenance. */
export const PlanTargetSchema = z.object({
  service: z.string(),
  platform: PlatformSchema,
  image: z.string(),
  label: z.string(),
  /** Shown in test names instead of the service name, e.g. a defect image's name. */
  name: z.string().optional(),
  /** A defect image's name, and the checks it must fail (the harness's own tests read these). */
  defect: z.string().optional(),
  expectFailing: z.array(z.string()).optional(),
  expectNotRun: z.array(z.string()).optional(),
  mayNotRun: z.array(z.string()).optional(),
  /** Registry runs: where the image came from. */
  tag: z.string().optional(),
  indexDigest: z.string().optional(),
  manifestDigest: z.string().optional(),
  compressedSize: z.number().optional(),
});
export type PlanTarget = z.infer<typeof PlanTargetSchema>;
