/** Media types and the shapes of manifests and indexes (OCI image-spec and Docker's schema 2, which mirror each other). */
import { createHash } from 'node:crypto';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export const INDEX_TYPES = [OCI_INDEX, DOCKER_LIST];
export const MANIFEST_TYPES = [OCI_MANIFEST, DOCKER_MANIFEST];
/** Sent on every manifest GET/HEAD: without the list types a registry may answer with one platform's manifest. */
export const MANIFEST_ACCEPT = [...INDEX_TYPES, ...MANIFEST_TYPES].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

interface PlatformSpec {
  os: string;
  architecture: string;
  variant?: string;
}

export interface IndexEntry extends Descriptor {
  platform?: PlatformSpec;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: IndexEntry[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export const sha256Digest = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
export const isDigest = (ref: string) => /^sha256:[0-9a-f]{64}$/.test(ref);
export const shortDigest = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

/** The media type of a manifest document: its own field, else the Content-Type it came with. */
export function mediaTypeOf(
  json: { mediaType?: string; manifests?: unknown },
  contentType: string | undefined,
): string {
  if (json.mediaType) return json.mediaType;
  const ct = contentType?.split(';')[0]?.trim();
  if (ct && [...INDEX_TYPES, ...MANIFEST_TYPES].includes(ct)) return ct;
  return Array.isArray(json.manifests) ? OCI_INDEX : OCI_MANIFEST; // OCI lets both omit mediaType
}
