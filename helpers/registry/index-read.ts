/** Reading a tag's image index and each wanted platform's manifest, with the sizes a pull will transfer. */
import { archOf, variantMatches, variantOf, type Platform } from '../model/platform.ts';
import type { RegistryClient } from './client.ts';
import { ProtocolError } from './errors.ts';
import { INDEX_TYPES, MANIFEST_TYPES, type Descriptor, type ImageIndex, type ImageManifest } from './media.ts';
import { describeEntry, describePlatform, missingPlatformMessage, selectPlatforms } from './platforms.ts';

interface PlatformManifest {
  platform: Platform;
  digest: string;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  /** Config + layer blobs, as stored (gzip): what a pull downloads. */
  compressedSize: number;
}

interface IndexInfo {
  repository: string;
  tag: string;
  digest: string;
  mediaType: string;
  platforms: Partial<Record<Platform, PlatformManifest>>;
  /** Entries not used, described ("unknown/unknown (attestation)"). */
  ignored: string[];
  /** What is wrong with the tag itself (not an index, a platform missing): failing checks of the tag, never a reason to stop. */
  problems: string[];
}

const compressedSizeOf = (m: ImageManifest) => m.config.size + m.layers.reduce((n, l) => n + l.size, 0);

export async function readIndex(
  client: RegistryClient,
  repository: string,
  tag: string,
  platforms: readonly Platform[],
): Promise<IndexInfo> {
  const doc = await client.getManifest(repository, tag);
  const subject = `${client.host}/${repository}:${tag}`;
  if (MANIFEST_TYPES.includes(doc.mediaType)) {
    // One platform only (what `docker build --platform … && docker push` gives): verify it as the platform its
    // config names, and report that the tag is not an index.
    const m = doc.json as unknown as ImageManifest;
    const cfg = JSON.parse((await client.getBlob(repository, m.config.digest)).toString('utf8')) as {
      os?: string;
      architecture?: string;
      variant?: string;
    };
    const what = [cfg.os, cfg.architecture, cfg.variant].filter(Boolean).join('/');
    const out: IndexInfo = {
      repository,
      tag,
      digest: doc.digest,
      mediaType: doc.mediaType,
      platforms: {},
      ignored: [],
      problems: [],
    };
    const p = platforms.find((x) => cfg.os === 'linux' && cfg.architecture === archOf(x));
    out.problems.push(
      `${subject} is a single-platform image manifest (${what || 'no platform in its config'}), not an index with ${platforms.join(' and ')}`,
    );
    if (p)
      out.platforms[p] = {
        platform: p,
        digest: doc.digest,
        mediaType: doc.mediaType,
        config: m.config,
        layers: m.layers,
        compressedSize: compressedSizeOf(m),
      };
    for (const x of platforms.filter((x) => x !== p))
      out.problems.push(`${subject} has no ${describePlatform(x)} image`);
    return out;
  }
  if (!INDEX_TYPES.includes(doc.mediaType))
    throw new ProtocolError(`${subject} has media type ${doc.mediaType}, not an image index`, client.host, repository);
  const index = doc.json as unknown as ImageIndex;
  const sel = selectPlatforms(index.manifests ?? [], platforms);
  const problems = sel.missing.length ? [missingPlatformMessage(`${subject} (index ${doc.digest})`, sel)] : [];
  const out: IndexInfo = {
    repository,
    tag,
    digest: doc.digest,
    mediaType: doc.mediaType,
    platforms: {},
    ignored: sel.ignored.map(describeEntry),
    problems,
  };
  for (const p of platforms) {
    const entry = sel.selected[p];
    if (!entry) continue;
    if (variantOf(p) && !variantMatches(p, entry.platform?.variant))
      out.problems.push(
        `${subject}: the ${p} entry has ${entry.platform?.variant ? `variant ${entry.platform.variant}` : 'no variant'}, the contract's ${p} is ${variantOf(p)}`,
      );
    const m = await client.getManifest(repository, entry.digest);
    const manifest = m.json as unknown as ImageManifest;
    if (!manifest.config || !Array.isArray(manifest.layers))
      throw new ProtocolError(
        `${subject}: the ${p} entry ${entry.digest} is not an image manifest`,
        client.host,
        repository,
      );
    out.platforms[p] = {
      platform: p,
      digest: m.digest,
      mediaType: m.mediaType,
      config: manifest.config,
      layers: manifest.layers,
      compressedSize: compressedSizeOf(manifest),
    };
  }
  return out;
}
