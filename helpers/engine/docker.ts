import Docker from 'dockerode';
import { archOf, normaliseArch, type Platform } from '../model/platform.ts';

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

/** A platform is emulated when the engine's architecture differs from it. */
export async function isEmulated(p: Platform): Promise<boolean> {
  return (await engineFacts()).arch !== archOf(p);
}
