/** Test material for the registry tests: tiny images, and attestation entries shaped as buildx writes them. */
import type { Platform } from '../../helpers/model/platform.ts';
import { imageConfigJson } from '../../helpers/image/config.ts';
import { writeLayer } from '../../helpers/image/layer.ts';
import type { RegistryClient } from '../../helpers/registry/client.ts';
import { OCI_CONFIG, OCI_MANIFEST, sha256Digest, type IndexEntry } from '../../helpers/registry/media.ts';
import { manifestJson, type PushPlatformInput } from '../../helpers/registry/push.ts';

/** A one-layer image for `platform` whose content depends on `seed`; layer tars go to `dir`. */
export async function tinyImage(platform: Platform, seed: string, dir: string): Promise<PushPlatformInput> {
  const layer = await writeLayer(
    [
      {
        path: `seed-${seed}.txt`,
        type: 'file',
        mode: 0o644,
        uid: 0,
        gid: 0,
        data: Buffer.from(`${seed} ${platform}\n`),
      },
    ],
    { createdBy: `tiny ${seed}`, dir },
  );
  return {
    platform,
    configBytes: imageConfigJson(platform, [layer], { Cmd: ['/seed'], Labels: { seed } }),
    layers: [layer],
  };
}

/**
 * Pushes an attestation manifest for `subject` (an in-toto statement layer, an unknown/unknown config) and
 * returns its index entry: platform unknown/unknown, annotations vnd.docker.reference.{type,digest}.
 */
export async function pushAttestation(
  client: RegistryClient,
  repository: string,
  subject: string,
): Promise<IndexEntry> {
  const statement = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v0.1',
      predicateType: 'https://slsa.dev/provenance/v0.2',
      subject: [{ digest: { sha256: subject.slice(7) } }],
      predicate: {},
    }),
  );
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'unknown',
      os: 'unknown',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256Digest(statement)] },
    }),
  );
  for (const b of [statement, config])
    await client.pushBlob(repository, { digest: sha256Digest(b), size: b.length, open: () => b });
  const manifest = manifestJson({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256Digest(config), size: config.length },
    layers: [
      {
        mediaType: 'application/vnd.in-toto+json',
        digest: sha256Digest(statement),
        size: statement.length,
        annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
      },
    ],
  });
  const digest = await client.putManifest(repository, sha256Digest(manifest), OCI_MANIFEST, manifest);
  return {
    mediaType: OCI_MANIFEST,
    digest,
    size: manifest.length,
    platform: { architecture: 'unknown', os: 'unknown' },
    annotations: { 'vnd.docker.reference.digest': subject, 'vnd.docker.reference.type': 'attestation-manifest' },
  };
}
