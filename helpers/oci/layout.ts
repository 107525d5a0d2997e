/**
 * The OCI image layout (image-spec "image-layout.md"): `oci-layout`, `index.json` and `blobs/sha256/<hex>`,
 * as `docker buildx build --output type=oci,dest=…` writes it (a tar by default, a directory with tar=false).
 * Names of an image in index.json: buildx/containerd put the whole reference in `io.containerd.image.name`
 * and only the tag in `org.opencontainers.image.ref.name`; other tools put the whole reference in the latter.
 */
export const LAYOUT_FILE = 'oci-layout';
export const INDEX_FILE = 'index.json';
export const LAYOUT_VERSION = '1.0.0';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
export const CONTAINERD_NAME_ANNOTATION = 'io.containerd.image.name';
/** Ours: the contract service an image of the layout is, when its name does not say. */
export const SERVICE_ANNOTATION = 'io.lucid.service';

export const blobPath = (digest: string) => `blobs/${digest.replace(':', '/')}`;
