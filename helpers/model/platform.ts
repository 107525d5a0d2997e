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
