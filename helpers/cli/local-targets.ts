/**
 * `verify --local --image SERVICE=IMAGE`: images from the engine's own store (what `docker buildx build --load`
 * or `docker build` left there), by reference or id. The platform is the image config's; the image is run by id.
 */
import { archOf, PLATFORMS, variantMatches, type Platform } from '../model/platform.ts';
import type { Contract } from '../contract/schema.ts';
import { docker } from '../engine/docker.ts';
import type { RunPlan } from '../plan/plan.ts';
import { shortDigest } from '../registry/media.ts';

/** A local image that can't be checked as asked: one line, exit 2. */
export class LocalImageError extends Error {}

interface ImageSpec {
  service: string;
  /** Reference or id; absent for a bare service name. */
  ref?: string;
}

/** Pure: --image values → services and (for SERVICE=IMAGE) the local image. */
export function parseImageSpecs(values: readonly string[]): ImageSpec[] {
  return values.map((v) => {
    const eq = v.indexOf('=');
    if (eq < 0) return { service: v };
    const service = v.slice(0, eq);
    const ref = v.slice(eq + 1);
    if (!service || !ref)
      throw new LocalImageError(`--image ${v}: expected SERVICE=IMAGE, e.g. --image data-chain=lucid-data-chain:dev`);
    return { service, ref };
  });
}

interface Inspect {
  Id: string;
  Os?: string;
  Architecture?: string;
  Variant?: string;
}

/** Pure: the contract platform an image config says, or why it is none of them. */
export function platformOfConfig(img: Pick<Inspect, 'Os' | 'Architecture' | 'Variant'>): Platform | string {
  const seen = [img.Os || '?', img.Architecture || '?', img.Variant].filter(Boolean).join('/');
  // As containerd normalises them: arm64 with no variant, "8", "v8" or "v8.0" is arm64/v8.
  for (const p of ['linux/amd64', 'linux/arm64'] as const)
    if (img.Os === 'linux' && img.Architecture === archOf(p) && variantMatches(p, img.Variant)) return p;
  return seen;
}

const isPlatform = (p: string): p is Platform => (PLATFORMS as readonly string[]).includes(p);

export async function localTargets(input: {
  contract: Contract;
  specs: ImageSpec[];
  platforms?: readonly Platform[];
}): Promise<RunPlan['targets']> {
  const out: RunPlan['targets'] = [];
  for (const s of input.specs) {
    if (!s.ref)
      throw new LocalImageError(
        `--image ${s.service} names no image, and --local checks only the images it is given: write --image ${s.service}=IMAGE (a reference or id from docker images)`,
      );
    const invalid = (why: string) =>
      new LocalImageError(
        `--image ${s.service}=${s.ref}: "${s.ref}" is not a valid image reference or id (${why}); see docker images`,
      );
    // The engine's API path would carry it: node refuses such a path before any request is made.
    if (/[\s\x00-\x1f]/.test(s.ref)) throw invalid('it holds a space or a control character');
    let img: Inspect;
    try {
      img = (await docker().getImage(s.ref).inspect()) as Inspect;
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      // 400: the engine's "invalid reference format: repository name must be lowercase", say.
      if (status === 400)
        throw invalid(
          String((e as { json?: { message?: string } }).json?.message ?? (e as Error).message).replace(
            /^.*?: (?=invalid reference)/,
            '',
          ),
        );
      if (status !== 404) throw e;
      throw new LocalImageError(
        `no image ${s.ref} in the engine's store (for ${s.service}): build it with docker buildx build --load -t ${s.ref} . (or docker build), or see docker images`,
      );
    }
    const platform = platformOfConfig(img);
    const what = `${s.ref}${s.ref.startsWith('sha256:') ? '' : ` (image ${shortDigest(img.Id)})`}`;
    if (!isPlatform(platform))
      throw new LocalImageError(
        `${what} is ${platform}, which the contract does not cover (${PLATFORMS.join(', ')}): build it with --platform linux/arm64 or linux/amd64`,
      );
    if (input.platforms && !input.platforms.includes(platform)) {
      throw new LocalImageError(
        `${what} is ${platform}, not ${input.platforms.join(' or ')} as --platform asks: build it with docker buildx build --platform ${input.platforms[0]} --load -t ${s.ref} ., or leave --platform out`,
      );
    }
    if (out.some((t) => t.service === s.service && t.platform === platform))
      throw new LocalImageError(`--image ${s.service}: two images for ${platform}; give one per service and platform`);
    out.push({
      service: s.service,
      platform,
      image: img.Id,
      label: s.ref.startsWith('sha256:') ? shortDigest(s.ref) : s.ref,
    });
  }
  return out;
}
