import Docker from 'dockerode';
import type { Platform } from '../contract/schema.ts';

let shared: Docker | undefined;

/** One dockerode client for the process, honouring DOCKER_HOST (unix socket or tcp, TLS via DOCKER_CERT_PATH). */
export function docker(): Docker {
  shared ??= new Docker();
  return shared;
}

export interface EngineFacts {
  version: string;
  apiVersion: string;
  /** Engine's own architecture in OCI terms (amd64, arm64). */
  arch: string;
}

let facts: Promise<EngineFacts> | undefined;
export function engineFacts(): Promise<EngineFacts> {
  facts ??= docker()
    .version()
    .then((v) => ({ version: v.Version, apiVersion: v.ApiVersion, arch: normaliseArch(v.Arch) }));
  return facts;
}

export function normaliseArch(a: string): string {
  if (a === 'x86_64') return 'amd64';
  if (a === 'aarch64') return 'arm64';
  return a;
}

export const archOf = (p: Platform): 'amd64' | 'arm64' => p.split('/')[1] as 'amd64' | 'arm64';
export const variantOf = (p: Platform): string | undefined => (archOf(p) === 'arm64' ? 'v8' : undefined);

/** A platform is emulated when the engine's architecture differs from it. */
export async function isEmulated(p: Platform): Promise<boolean> {
  return (await engineFacts()).arch !== archOf(p);
}
