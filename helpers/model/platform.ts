// The platforms the contract and the images speak of, and their OCI architecture terms: pure, so the static
// checks, the contract schema and the engine code share them without importing one another.
import { z } from 'zod';

export const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
export const PlatformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof PlatformSchema>;

export function normaliseArch(a: string): string {
  if (a === 'x86_64') return 'amd64';
  if (a === 'aarch64') return 'arm64';
  return a;
}

export const archOf = (p: Platform): 'amd64' | 'arm64' => p.split('/')[1] as 'amd64' | 'arm64';
export const variantOf = (p: Platform): string | undefined => (archOf(p) === 'arm64' ? 'v8' : undefined);

/**
 * Whether an image's (or index entry's) variant is the one of platform `p`, as containerd's platforms.Normalize
 * sees it: arm64 with variant "", "8", "v8" or "v8.0" is one platform, arm64/v8 (BuildKit, and so buildx, writes
 * linux/arm64 with no variant in the index entry and in the config); amd64 with "" or "v1" is plain amd64.
 */
export function variantMatches(p: Platform, variant: string | undefined): boolean {
  const v = (variant ?? '').toLowerCase();
  return archOf(p) === 'arm64' ? ['', '8', 'v8', 'v8.0'].includes(v) : ['', 'v1'].includes(v);
}
