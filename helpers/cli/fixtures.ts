/**
 * `lucid-harness fixtures build|push|lock`: builds the reference and defect images, publishes the reference
 * images to a registry, and regenerates the Debian package locks.
 */
import { PLATFORMS, PlatformSchema, type Platform } from '../model/platform.ts';
import type { Log } from '../image/build.ts';
import { ensureBaseImage } from '../../fixtures/base/image.ts';
import { regenerateLock } from '../../fixtures/base/lock.ts';
import { regenerateDefectLock } from '../../fixtures/defects/index.ts';
import { ensureDefectImages } from '../../fixtures/defects/index.ts';
import { ensureFlowDefectImages } from '../../fixtures/flow-defects/index.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';
import { ensureStandInImage } from '../../fixtures/standins/image.ts';
import { regenerateStandInLock } from '../../fixtures/standins/lock.ts';
import { regenerateFastapiLock } from '../../fixtures/fastapi/lock.ts';
import { builtinOf } from '../contract/schema.ts';
import { FAMILIES, type Family } from '../images/names.ts';
import { ContractError, loadContract, serviceNamed } from '../contract/load.ts';
import { oneLine, UsageError as ArgsUsageError } from '../model/errors.ts';
import { parseArgs, writableDirProblem } from './args.ts';
import { dirname } from 'node:path';

export interface BuildResult {
  tag: string;
  id: string;
  loaded: boolean;
  /** Uncompressed size of all layers, bytes. */
  size: number;
}

export interface ImageBuilder {
  name: string;
  summary: string;
  build(platform: Platform, opts: { force: boolean; log: Log; family: Family }): Promise<BuildResult[]>;
}

/** Built in order; later builders may rely on earlier ones (services on the base). */
export const builders: ImageBuilder[] = [
  {
    name: 'base',
    summary: 'reference distroless python3-debian12 stand-in',
    build: async (p, o) => [await ensureBaseImage(p, o)],
  },
  {
    name: 'services',
    summary: 'the six reference services on the base (lucid-ref/lucid-<service>:<arch>; --family alt: lucid-alt/…)',
    build: async (p, o) => {
      const contract = loadContract();
      const targets = await ensureReferenceImages({
        contract,
        services: contract.services.map((s) => s.name),
        platforms: [p],
        force: o.force,
        log: o.log,
        family: o.family,
      });
      return targets.map((t) => ({ tag: t.label, id: t.image, loaded: true, size: 0 }));
    },
  },
  {
    name: 'standins',
    summary:
      "the contract's built-in stand-ins on the base (lucid-ref/standin-<builtin>:<arch>: tor-control, mongo-wire, redis)",
    build: async (p, o) => {
      const contract = loadContract();
      const out: BuildResult[] = [];
      for (const s of contract.standIns.filter((x) => builtinOf(x))) {
        const i = await ensureStandInImage(contract, s, p, o);
        out.push({ tag: i.label, id: i.image, loaded: true, size: 0 });
      }
      return out;
    },
  },
  {
    name: 'defects',
    summary: 'defect images the harness must catch (lucid-defect/<name>:<arch>), smoke and flow',
    build: async (p, o) => {
      const contract = loadContract();
      const smoke = await ensureDefectImages({ contract, platforms: [p], force: o.force, log: o.log });
      const flows = await ensureFlowDefectImages({ contract, platforms: [p], log: o.log });
      return [...smoke, ...flows].map((t) => ({ tag: t.label, id: t.image, loaded: true, size: 0 }));
    },
  },
];

const USAGE = `usage: lucid-harness fixtures <command> [options]

commands:
  build   build the reference images and load them into the engine
            --platform P   linux/amd64 or linux/arm64; repeat or comma-separate (default: both)
            --only NAME    build only these builders (${builders.map((b) => b.name).join(', ')}); repeatable
            --force        rebuild layers and reload images even when cached
            --family F     ref (default: fixtures/services/lucid_ref) or alt (fixtures/services/lucid_alt, the second
                           family, as lucid-alt/lucid-<service>:<arch>); with alt the defects builder is skipped
  push    publish the reference images as multi-platform indexes to a registry (see fixtures push --help)
  export-oci DEST   write the reference images as an OCI image layout (a directory, or DEST.tar), the form
            docker buildx build --output type=oci writes: one index per service, a manifest per platform
            --platform P   as for build (default: both);  --image NAME  only these services (default: all six)
            --tag T        the tag in each image's name, docker.io/pickme/lucid-<service>:T (default dev)
            --label K=V    add an image label (a new image id, so verify --oci-layout loads it); repeatable
            --no-service-annotation   leave out io.lucid.service: the names alone tell the services
  lock    re-resolve the Debian package sets and rewrite fixtures/{base,defects,standins,fastapi}/debian-packages.lock.json

env: DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR (archive URLs), LUCID_CACHE_DIR (default <repo>/.cache)`;

class UsageError extends Error {}

interface BuildArgs {
  platforms: Platform[];
  only: string[];
  force: boolean;
  family: Family;
}

function parseBuildArgs(argv: string[]): BuildArgs {
  const out: BuildArgs = { platforms: [], only: [], force: false, family: 'ref' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--force') out.force = true;
    else if (flag === '--family') {
      const f = value();
      if (!(FAMILIES as readonly string[]).includes(f))
        throw new UsageError(`unknown family "${f}" (expected ${FAMILIES.join(' or ')})`);
      out.family = f as Family;
    } else if (flag === '--platform') {
      for (const p of value().split(',').filter(Boolean)) {
        const r = PlatformSchema.safeParse(p);
        if (!r.success) throw new UsageError(`unknown platform "${p}" (expected ${PLATFORMS.join(' or ')})`);
        if (!out.platforms.includes(r.data)) out.platforms.push(r.data);
      }
    } else if (flag === '--only') {
      for (const n of value().split(',').filter(Boolean)) {
        if (!builders.some((b) => b.name === n))
          throw new UsageError(`unknown image builder "${n}" (expected ${builders.map((b) => b.name).join(', ')})`);
        out.only.push(n);
      }
    } else throw new UsageError(`unknown option "${a}" for fixtures build`);
  }
  if (!out.platforms.length) out.platforms = [...PLATFORMS];
  return out;
}

async function build(args: BuildArgs, log: Log): Promise<number> {
  // The defect images are variations of lucid_ref: the alt family has only its services (on the same base).
  const chosen = builders.filter(
    (b) => (!args.only.length || args.only.includes(b.name)) && !(args.family === 'alt' && b.name === 'defects'),
  );
  for (const platform of args.platforms) {
    for (const b of chosen) {
      const t0 = Date.now();
      for (const r of await b.build(platform, { force: args.force, log, family: args.family })) {
        const secs = ((Date.now() - t0) / 1000).toFixed(1);
        console.log(
          `${r.tag}\t${r.id.slice(0, 19)}\t${(r.size / 1e6).toFixed(1)} MB\t${r.loaded ? 'loaded' : 'up to date'}\t${secs} s`,
        );
      }
    }
  }
  return 0;
}

async function exportOci(argv: string[], log: Log): Promise<number> {
  const { flags, positionals } = parseArgs(
    argv,
    {
      platform: { repeatable: true },
      image: { repeatable: true },
      tag: {},
      label: { repeatable: true },
      'no-service-annotation': { boolean: true },
    },
    {},
  );
  if (positionals.length !== 1)
    throw new UsageError('fixtures export-oci needs one destination: a directory, or a file ending in .tar');
  const dest = positionals[0]!;
  const problem = dest.endsWith('.tar')
    ? writableDirProblem(dirname(dest), dest, false)
    : writableDirProblem(dest, dest);
  if (problem) throw new UsageError(problem);
  const contract = loadContract();
  const platforms = parseBuildArgs(
    ((flags.platform as string[] | undefined) ?? []).flatMap((p) => ['--platform', p]),
  ).platforms;
  const services = ((flags.image as string[] | undefined) ?? contract.services.map((s) => s.name)).map(
    (n) => serviceNamed(contract, n).name,
  );
  const labels: Record<string, string> = {};
  for (const l of (flags.label as string[] | undefined) ?? []) {
    const eq = l.indexOf('=');
    if (eq < 1) throw new UsageError(`--label ${l}: expected KEY=VALUE`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  const { exportReferenceOci } = await import('../../fixtures/export-oci.ts');
  const t0 = Date.now();
  const out = await exportReferenceOci({
    contract,
    dest,
    services,
    platforms,
    tag: (flags.tag as string | undefined) ?? 'dev',
    labels,
    serviceAnnotation: !flags['no-service-annotation'],
    log,
  });
  for (const i of out.images)
    console.log(
      `${i.reference}\tindex ${i.indexDigest.slice(7, 19)}\t${i.platforms.map((p) => `${p.platform} ${p.imageId.slice(7, 19)}`).join(', ')}`,
    );
  console.error(
    `export-oci: ${out.path}: ${out.images.length} image(s), ${out.blobs} blob(s), ${(out.bytes / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const log: Log = (l) => console.error(l);
  const [cmd, ...rest] = argv;
  try {
    if (!cmd)
      throw new UsageError('missing command (build, push, export-oci or lock); see lucid-harness fixtures --help');
    // push has its own options and help.
    if (cmd === 'push') return (await import('./push-verb.ts')).run(rest);
    if (cmd === '--help' || cmd === '-h' || cmd === 'help' || rest.includes('--help') || rest.includes('-h')) {
      console.log(USAGE);
      return 0;
    }
    if (cmd === 'build') return await build(parseBuildArgs(rest), log);
    if (cmd === 'export-oci') return await exportOci(rest, log);
    if (cmd === 'lock') {
      if (rest.length) throw new UsageError(`fixtures lock takes no options (got "${rest[0]}")`);
      await regenerateLock({ log });
      await regenerateDefectLock({ log });
      await regenerateStandInLock({ log });
      await regenerateFastapiLock({ log });
      return 0;
    }
    throw new UsageError(`unknown fixtures command "${cmd}" (expected build, push, export-oci or lock)`);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ArgsUsageError || e instanceof ContractError) {
      console.error(`lucid-harness fixtures: ${oneLine(e.message)}`);
      return 2;
    }
    throw e;
  }
}
