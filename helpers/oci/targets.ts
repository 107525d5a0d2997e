/**
 * `verify --oci-layout [SERVICE=]PATH`: each image of the layouts is matched to a contract service (the
 * mapping, else its annotations), each wanted platform picked from its index, loaded, and run by image id.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { Platform } from '../model/platform.ts';
import type { Contract } from '../contract/schema.ts';
import type { PlanTarget } from '../model/target.ts';
import { describePlatform, missingPlatformMessage, selectPlatforms } from '../registry/platforms.ts';
import { shortDigest } from '../registry/media.ts';
import { loadLayoutPlatform } from './load.ts';
import {
  blobFile,
  describeImage,
  layoutImages,
  OciLayoutError,
  openLayout,
  serviceOfImage,
  type LayoutImage,
  type OpenLayout,
} from './read.ts';

interface LayoutSpec {
  path: string;
  /** From --oci-layout SERVICE=PATH: the layout's image is this service. */
  service?: string;
}

/** Pure: "data-chain=out/oci" → { service, path }; a bare path has no service. Only a contract service name counts as a prefix. */
export function parseLayoutSpec(value: string, serviceNames: readonly string[]): LayoutSpec {
  const eq = value.indexOf('=');
  if (eq > 0 && serviceNames.includes(value.slice(0, eq)))
    return { service: value.slice(0, eq), path: value.slice(eq + 1) };
  if (eq > 0 && !value.slice(0, eq).includes('/'))
    throw new OciLayoutError(
      `--oci-layout ${value}: unknown service "${value.slice(0, eq)}"; the contract has: ${serviceNames.join(', ')}`,
    );
  return { path: value };
}

/** Pure: the images of one layout with their services, or why one can't be told. */
export function assignServices(
  contract: Contract,
  spec: LayoutSpec,
  images: LayoutImage[],
): { service: string; image: LayoutImage }[] {
  if (spec.service) {
    const named = images.filter((i) => serviceOfImage(contract, i) === spec.service);
    const pick = images.length === 1 ? images : named;
    if (pick.length !== 1)
      throw new OciLayoutError(
        `${spec.path} holds ${images.length} images and ${named.length} of them name ${spec.service}: give a layout with one image for --oci-layout ${spec.service}=…`,
      );
    return [{ service: spec.service, image: pick[0]! }];
  }
  return images.map((image) => {
    const service = serviceOfImage(contract, image);
    if (!service)
      throw new OciLayoutError(
        `${spec.path}: ${describeImage(image)} names no service of the contract: map it with --oci-layout SERVICE=${spec.path}, or build with --output type=oci,name=lucid-SERVICE:TAG`,
      );
    return { service, image };
  });
}

/**
 * The wanted platforms the layout carries. A containerd-image-store `docker save` keeps the whole index but only the
 * platforms pulled locally (moby/moby#44833): an entry whose manifest blob is absent is a platform the layout does
 * not hold, not damage — skipped, and named, unless it was asked for with --platform.
 */
export function carriedPlatforms(
  layout: Pick<OpenLayout, 'root'>,
  selected: Partial<Record<Platform, { digest: string }>>,
  wanted: readonly Platform[],
): { chosen: Platform[]; absent: Platform[] } {
  const listed = wanted.filter((p) => selected[p]);
  const chosen = listed.filter((p) => existsSync(blobFile(layout as OpenLayout, selected[p]!.digest)));
  return { chosen, absent: listed.filter((p) => !chosen.includes(p)) };
}

interface LayoutTargetsInput {
  contract: Contract;
  layouts: LayoutSpec[];
  /** --platform as given: each must be in every image; undefined = every contract platform an image has. */
  platforms?: readonly Platform[];
  /** --image bare names: only these services of the layouts. */
  services?: readonly string[];
  log?: (l: string) => void;
}

export async function layoutTargets(input: LayoutTargetsInput): Promise<PlanTarget[]> {
  const log = input.log ?? (() => {});
  const targets: PlanTarget[] = [];
  const seen = new Map<string, string>();
  for (const spec of input.layouts) {
    const layout = await openLayout(spec.path);
    try {
      for (const { service, image } of assignServices(input.contract, spec, layoutImages(layout))) {
        if (input.services && !input.services.includes(service)) continue;
        const other = seen.get(service);
        if (other)
          throw new OciLayoutError(
            `${service} is in two layouts (${other} and ${spec.path}): give one image per service`,
          );
        seen.set(service, spec.path);
        const wanted = input.platforms ?? input.contract.platforms;
        const sel = selectPlatforms(image.entries, wanted);
        const subject = `${spec.path} ${service}`;
        if (input.platforms && sel.missing.length)
          throw new OciLayoutError(
            `${missingPlatformMessage(subject, sel)}: build it for ${sel.missing.join(',')}, or leave it out with --platform`,
          );
        const { chosen, absent } = input.platforms
          ? { chosen: wanted.filter((p) => sel.selected[p]), absent: [] }
          : carriedPlatforms(layout, sel.selected, wanted);
        for (const p of absent)
          log(`oci    ${subject}: the index lists ${p}, but the layout does not carry its manifest: skipped`);
        if (!chosen.length)
          throw new OciLayoutError(
            `${subject} has no ${wanted.map(describePlatform).join(' or ')} image; it has ${sel.available.join(', ') || 'no entries'}${absent.length ? ` (${absent.join(', ')} listed without its blobs)` : ''}`,
          );
        for (const platform of chosen) {
          const entry = sel.selected[platform]!;
          const what = `${basename(spec.path)} ${service} [${platform}]`;
          const loaded = await loadLayoutPlatform(layout, entry.digest, platform, what, log);
          targets.push({
            service,
            platform,
            image: loaded.id,
            label: `${basename(spec.path)}:${service}@${shortDigest(entry.digest)} [${platform}]`,
            ...(image.indexDigest && { indexDigest: image.indexDigest }),
            manifestDigest: entry.digest,
            compressedSize: loaded.compressedSize,
          });
        }
      }
    } finally {
      layout.close();
    }
  }
  for (const s of input.services ?? [])
    if (!seen.has(s))
      throw new OciLayoutError(
        `--image ${s}: no layout given holds ${s} (${[...seen.keys()].join(', ') || 'none named'})`,
      );
  return targets;
}
