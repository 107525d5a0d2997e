/**
 * `lucid-harness fixtures push`: publishes the reference images to a registry as multi-platform indexes
 * (pickme/lucid-<service>), the form `verify --registry` reads. Exit 0 pushed, 2 usage/environment/registry error.
 */
import { ContractError, loadContract, serviceNamed } from '../contract/load.ts';
import { PLATFORMS, type Platform } from '../model/platform.ts';
import { docker } from '../engine/docker.ts';
import { RegistryClient } from '../registry/client.ts';
import { RegistryError } from '../registry/errors.ts';
import { ImageSourceError } from '../registry/image-source.ts';
import { timestampTag } from '../registry/tags.ts';
import type { ImageTarget } from '../model/target.ts';
import type { Contract } from '../contract/schema.ts';
import { pushReferenceImages } from '../../fixtures/push.ts';
import { oneLine, UsageError } from '../model/errors.ts';
import { contractSourceOf, verbFlags } from './args.ts';
import { requireEngine } from './engine-check.ts';

const HELP = `usage: lucid-harness fixtures push --registry HOST[:PORT] [--tag T ...] [--also-moving-tag] [--image NAME ...]
                                [--platform P ...] [--replace SERVICE@PLATFORM=IMAGE ...] [--plain-http]
                                [--contract FILE] [--profile NAME ...]

Publishes the reference images (built first when missing) as <namespace>/<prefix><service> — pickme/lucid-<service>
by default — each tag one OCI image index holding every platform, as docker buildx --push does: gzip layers, the
config bytes unchanged (a pull gives the same image id as the local image).

  --registry R       host[:port]; http for 127.0.0.0/8 and localhost, https otherwise (env LUCID_REGISTRY)
  --tag T            tag to push; repeatable (default: one timestamped tag of now, latest-YYYYMMDD-HHMMSS UTC)
  --also-moving-tag  also point the contract's moving tag (latest-arm64) at the same index
  --image NAME       only these services; repeatable (default: all of the contract)
  --platform P       linux/amd64, linux/arm64; repeatable (default: the contract's platforms)
  --replace S@P=IMG  publish local image IMG (id or tag) as service S on platform P instead of its reference image
  --plain-http       use http for a non-loopback registry
  --contract FILE, --profile NAME   as for verify (namespace, prefix, moving tag, services)

Credentials: env LUCID_REGISTRY_USER/LUCID_REGISTRY_PASSWORD, else ~/.docker/config.json auths (no credential helpers).
Exit codes: 0 pushed, 2 usage, environment or registry error.`;

const SPEC = {
  registry: { env: 'LUCID_REGISTRY' },
  tag: { repeatable: true },
  'also-moving-tag': { boolean: true },
  image: { repeatable: true },
  platform: { repeatable: true },
  replace: { repeatable: true },
  'plain-http': { boolean: true },
  contract: { env: 'LUCID_CONTRACT' },
  profile: { repeatable: true, env: 'LUCID_PROFILE' },
  help: { boolean: true },
} as const;

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function platformOf(p: string): Platform {
  if (!(PLATFORMS as readonly string[]).includes(p))
    throw new UsageError(`unknown platform "${p}" (expected one of: ${PLATFORMS.join(', ')})`);
  return p as Platform;
}

/**
 * Pure: "data-chain@linux/arm64=IMG" → its parts, refused unless it names a service and platform being pushed
 * (else the push would build everything first and then fail with "matches no image being pushed").
 */
export function parseReplace(
  spec: string,
  contract: Contract,
  services: readonly string[],
  platforms: readonly Platform[],
): { service: string; platform: Platform; image: string } {
  const m = /^([^@=]+)@([^=]+)=(.+)$/.exec(spec);
  if (!m) throw new UsageError(`--replace wants SERVICE@PLATFORM=IMAGE, got "${spec}"`);
  const [, service, platform, image] = m as unknown as [string, string, string, string];
  serviceNamed(contract, service);
  const p = platformOf(platform);
  if (/[\s\x00-\x1f]/.test(image))
    throw new UsageError(`--replace ${spec}: "${image}" is not a valid image reference or id (it holds a space)`);
  if (!services.includes(service))
    throw new UsageError(`--replace ${spec}: ${service} is not pushed (--image ${services.join(' --image ')})`);
  if (!platforms.includes(p))
    throw new UsageError(`--replace ${spec}: ${p} is not pushed (--platform ${platforms.join(' --platform ')})`);
  return { service, platform: p, image };
}

/** "data-chain@linux/arm64=lucid-defect/bin-sh:arm64" → a target whose image is the local image's id. */
async function replacement(r: { service: string; platform: Platform; image: string }): Promise<ImageTarget> {
  const { service, platform, image } = r;
  try {
    const id = (await docker().getImage(image).inspect()).Id;
    return { service, platform, image: id, label: image };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if ((e as { statusCode?: number }).statusCode === 404)
      throw new UsageError(`--replace ${service}@${platform}=${image}: no local image ${image}`);
    if ((e as { statusCode?: number }).statusCode === 400)
      throw new UsageError(
        `--replace ${service}@${platform}=${image}: "${image}" is not a valid image reference or id (${String((e as { json?: { message?: string } }).json?.message ?? (e as Error).message).replace(/^.*?: (?=invalid reference)/, '')})`,
      );
    throw e;
  }
}

export async function run(argv: string[]): Promise<number> {
  const log = (l: string) => console.error(l);
  try {
    const flags = verbFlags(argv, SPEC, 'push', HELP);
    if (!flags) return 0;
    const registry = flags.registry as string | undefined;
    if (!registry) throw new UsageError('--registry is required, e.g. --registry 127.0.0.1:5000');
    const contract = loadContract(contractSourceOf(flags));
    const tags = [...((flags.tag as string[] | undefined) ?? [timestampTag()])];
    if (flags['also-moving-tag'] && !tags.includes(contract.registry.movingTag)) tags.push(contract.registry.movingTag);
    for (const t of tags) if (!TAG.test(t)) throw new UsageError(`"${t}" is not a valid tag`);
    const services = ((flags.image as string[] | undefined) ?? contract.services.map((s) => s.name)).map(
      (n) => serviceNamed(contract, n).name,
    );
    const platforms = ((flags.platform as string[] | undefined) ?? contract.platforms).map(platformOf);
    const replaces = ((flags.replace as string[] | undefined) ?? []).map((r) =>
      parseReplace(r, contract, services, platforms),
    );
    await requireEngine();
    const replace = await Promise.all(replaces.map(replacement));
    const client = new RegistryClient({ registry, plainHttp: !!flags['plain-http'], log });
    await client.ping();
    const t0 = Date.now();
    const { pushed } = await pushReferenceImages({ client, contract, tags, services, platforms, replace, log });
    for (const p of pushed) {
      const sizes = p.platforms.map((x) => `${x.platform} ${(x.compressedSize / 1e6).toFixed(1)} MB`).join('\t');
      const blobs = p.platforms.reduce(
        (a, x) => ({ u: a.u + x.blobs.uploaded, m: a.m + x.blobs.mounted, e: a.e + x.blobs.existed }),
        { u: 0, m: 0, e: 0 },
      );
      console.log(
        `${client.host}/${p.repository}\t${p.tags.join(',')}\t${p.digest}\t${sizes}\tblobs ${blobs.u} uploaded, ${blobs.m} mounted, ${blobs.e} present\t${(p.ms / 1000).toFixed(1)} s`,
      );
    }
    log(`push: ${pushed.length} index(es) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return 0;
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof ContractError ||
      e instanceof RegistryError ||
      e instanceof ImageSourceError
    ) {
      console.error(`lucid-harness fixtures push: ${oneLine(e.message)}`);
      return 2;
    }
    throw e;
  }
}
