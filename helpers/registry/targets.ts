/**
 * Registry mode: each service's index at `tag` → each platform's manifest digest → pulled by digest through
 * the engine → the pulled image id becomes the target. Targets name images by id, never by tag: a local tag
 * holding another platform would otherwise be used silently.
 */
import { repositoryOf, serviceNamed } from '../contract/load.ts';
import { archOf, variantMatches, variantOf, type Platform } from '../model/platform.ts';
import type { Contract } from '../contract/schema.ts';
import { docker } from '../engine/docker.ts';
import type { ImageTarget } from '../model/target.ts';
import { RegistryClient } from './client.ts';
import { PlatformMismatchError } from './errors.ts';
import { readIndex } from './index-read.ts';
import { shortDigest } from './media.ts';
import { pullReference } from './pull.ts';

export interface RegistryTarget extends ImageTarget {
  registry: string;
  repository: string;
  tag: string;
  indexDigest: string;
  manifestDigest: string;
  /** host/repository@digest as pulled: what removePulledReferences takes. */
  reference: string;
  /** Config + layer blobs as stored in the registry (gzip). */
  compressedSize: number;
  pullMs: number;
}

interface ResolveRegistryInput {
  contract: Contract;
  /** host[:port] (http for loopback, https otherwise) or a ready client (credentials, plain http). */
  registry: string | RegistryClient;
  tag: string;
  services: string[];
  platforms: readonly Platform[];
  log?: (line: string) => void;
  /** What is wrong with the tag (not an index, a platform missing, config and index disagreeing) lands here. */
  problems?: TagProblem[];
}

/** A failing check of one tag of one service: reported, while the platforms that are there are verified. */
export interface TagProblem {
  service: string;
  tag: string;
  problem: string;
}

interface InspectPlatform {
  Id: string;
  Os?: string;
  Architecture?: string;
  Variant?: string;
}

/** Pure: why the pulled image's config does not fit the platform its index entry claimed (undefined = it fits). */
export function platformMismatch(p: Platform, img: InspectPlatform): string | undefined {
  const want = [`linux/${archOf(p)}`, variantOf(p)].filter(Boolean).join('/');
  const seen = [img.Os || '?', img.Architecture || '?', img.Variant].filter(Boolean).join('/');
  const variantOk = variantMatches(p, img.Variant);
  return img.Os === 'linux' && img.Architecture === archOf(p) && variantOk
    ? undefined
    : `config says ${seen}, index entry says ${want}`;
}

/**
 * Pure: whether the engine's id of a pulled image is the manifest's. The graphdriver store's image id is the config
 * digest; the containerd image store's (Docker 29's default) is the manifest digest it was pulled by.
 */
export const pulledIdMatches = (id: string, m: { digest: string; config: { digest: string } }): boolean =>
  id === m.config.digest || id === m.digest;

export async function resolveRegistryTargets(input: ResolveRegistryInput): Promise<RegistryTarget[]> {
  const log = input.log ?? (() => {});
  const client =
    typeof input.registry === 'string' ? new RegistryClient({ registry: input.registry, log }) : input.registry;
  const host = client.host;
  const targets: RegistryTarget[] = [];
  for (const name of input.services) {
    const repository = repositoryOf(input.contract, serviceNamed(input.contract, name));
    const index = await readIndex(client, repository, input.tag, input.platforms);
    log(
      `index  ${host}/${repository}:${input.tag} ${shortDigest(index.digest)}${index.ignored.length ? ` (ignored: ${index.ignored.join(', ')})` : ''}`,
    );
    const problem = (text: string) => {
      log(`tag problem: ${text}`);
      input.problems?.push({ service: name, tag: input.tag, problem: text });
    };
    index.problems.forEach(problem);
    for (const p of input.platforms) {
      const m = index.platforms[p];
      if (!m) continue;
      const reference = `${host}/${repository}@${m.digest}`;
      const label = `${host}/${repository}:${input.tag}@${shortDigest(m.digest)} [${p}]`;
      const t0 = Date.now();
      await pullReference(reference, { auth: client.transport.engineAuth(), log, label });
      const img = (await docker().getImage(reference).inspect()) as InspectPlatform;
      // Reported as a problem of the tag; the image is still verified (its platform check judges the config).
      const mismatch = platformMismatch(p, img);
      if (mismatch) problem(`${label}: ${mismatch}`);
      if (!pulledIdMatches(img.Id, m))
        throw new PlatformMismatchError(
          `${label}: pulled image ${img.Id} is not the manifest's config ${m.config.digest}`,
          host,
          repository,
        );
      targets.push({
        service: name,
        platform: p,
        image: img.Id,
        label,
        registry: host,
        repository,
        tag: input.tag,
        indexDigest: index.digest,
        manifestDigest: m.digest,
        reference,
        compressedSize: m.compressedSize,
        pullMs: Date.now() - t0,
      });
    }
  }
  return targets;
}

/** Report lines, one per repository: index digest, and per platform its manifest and compressed size. */
export function describeRegistryTargets(targets: RegistryTarget[]): string[] {
  const byIndex = new Map<string, RegistryTarget[]>();
  for (const t of targets)
    byIndex.set(`${t.registry}/${t.repository}:${t.tag}`, [
      ...(byIndex.get(`${t.registry}/${t.repository}:${t.tag}`) ?? []),
      t,
    ]);
  return [...byIndex].map(([name, ts]) => {
    const platforms = ts.map(
      (t) =>
        `${t.platform} ${(t.compressedSize / 1e6).toFixed(1)} MB (manifest ${shortDigest(t.manifestDigest)}, image ${shortDigest(t.image)})`,
    );
    return `${name} index ${shortDigest(ts[0]!.indexDigest)}: ${platforms.join(', ')}`;
  });
}
