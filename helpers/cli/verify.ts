import { resolve } from 'node:path';
import { ContractError, loadContract, serviceNamed } from '../contract/load.ts';
import { PLATFORMS, type Platform } from '../model/platform.ts';
import { DEFAULT_REPORT_DIR, type RunPlan } from '../plan/plan.ts';
import { runSuites, type SuiteRun } from '../plan/run-suites.ts';
import { constants as osConstants } from 'node:os';
import { ensureReferenceImages } from '../../fixtures/reference.ts';
import { FAMILIES, type Family } from '../images/names.ts';
import type { Contract } from '../contract/schema.ts';
import type { ImageTarget } from '../model/target.ts';
import { servicesLacking } from '../runtime/peers.ts';
import { oneLine, UsageError } from '../model/errors.ts';
import { contractSourceOf, requireReportDir, verbFlags } from './args.ts';
import { requireEngine } from './engine-check.ts';
import { requireEmulation, requireSpaceForBuild } from '../preflight/index.ts';
import { sweep } from '../engine/sweep.ts';
import { engineAnswers } from '../engine/gone.ts';
import { engineEndpoint } from '../engine/endpoint.ts';
import { RegistryError } from '../registry/errors.ts';
import { PublishedImageWrong, registryTargets } from '../registry/plan-targets.ts';
import { LocalImageError, localTargets, parseImageSpecs } from './local-targets.ts';
import { OciLayoutError } from '../oci/read.ts';
import { layoutTargets, parseLayoutSpec } from '../oci/targets.ts';

const HELP = `usage: lucid-harness verify [--registry R [--tag T ...] [--plain-http]] [--platform P ...] [--image NAME ...]
                             [--local --image SERVICE=IMAGE ...] [--oci-layout [SERVICE=]PATH ...]
                             [--peers ref|alt] [--family ref|alt] [--contract FILE] [--profile NAME ...] [--report-dir DIR]

Checks the six Lucid images against the contract. With no options: the locally built reference images
(built first when missing), on linux/amd64 and linux/arm64. With --registry: the pushed images, each
platform pulled by its manifest digest from the tag's index (as CI does right after docker buildx --push).
Before a push: --local checks images of this engine's store (docker buildx build --load -t …), --oci-layout
an OCI layout (docker buildx build --output type=oci,dest=…); only the services given are checked.

  --registry R     host[:port] of a distribution registry (env LUCID_REGISTRY); http for loopback, https otherwise
  --tag T          tag(s) to check (default: the contract's moving tag, latest-arm64; env LUCID_TAGS)
  --plain-http     use http for a non-loopback registry

  --platform P     linux/amd64 or linux/arm64; repeatable (env LUCID_PLATFORMS, comma-separated)
  --image NAME     a service of the contract, e.g. data-chain; repeatable (env LUCID_IMAGES)
  --local          take the images from the engine's store: each --image SERVICE=IMAGE (a reference such as
                   lucid-data-chain:dev, or an image id); the platform is the image's own (env LUCID_LOCAL)
  --oci-layout P   an OCI image layout, a directory or a .tar; repeatable. Its images are matched to services by
                   their name (io.containerd.image.name / org.opencontainers.image.ref.name, e.g.
                   lucid-data-chain:dev, or io.lucid.service); SERVICE=P says it for a layout of one image.
                   Each platform is loaded into the engine as a docker-archive and run by image id.
  --peers F        with --local, --oci-layout or --registry: the contract services a platform has no image for
                   run as the locally built reference images of family F (ref or alt), so the flows can run;
                   they are started in the stack and never judged (env LUCID_PEERS). Without it, a platform
                   that lacks a service has its flows not run.
  --family F       which locally built reference images (no other source given): ref, the default
                   (fixtures/services/lucid_ref), or alt (fixtures/services/lucid_alt, written apart and taking every
                   choice the contract leaves open the other way: lucid-alt/lucid-<service>:<arch>); env LUCID_FAMILY
  --contract FILE  a full contract replacing contract/lucid.contract.json (env LUCID_CONTRACT)
  --profile NAME   a partial override: contract/profiles/NAME.json or a path; repeatable (env LUCID_PROFILE),
                   e.g. --profile real-mesh-8088
  --report-dir D   where junit.xml, results.json and run-plan.json go (default reports/; env LUCID_REPORT_DIR)

Exit codes: 0 all checks passed, 1 a check failed, 2 usage or environment error.`;

export const SPEC = {
  platform: { repeatable: true, env: 'LUCID_PLATFORMS' },
  image: { repeatable: true, env: 'LUCID_IMAGES' },
  contract: { env: 'LUCID_CONTRACT' },
  profile: { repeatable: true, env: 'LUCID_PROFILE' },
  'report-dir': { env: 'LUCID_REPORT_DIR' },
  registry: { env: 'LUCID_REGISTRY' },
  tag: { repeatable: true, env: 'LUCID_TAGS' },
  'plain-http': { boolean: true },
  local: { boolean: true, env: 'LUCID_LOCAL' },
  'oci-layout': { repeatable: true, env: 'LUCID_OCI_LAYOUTS' },
  family: { env: 'LUCID_FAMILY' },
  peers: { env: 'LUCID_PEERS' },
  help: { boolean: true },
} as const;

/** The reference images of a family for every service a platform of the targets lacks (verify --peers). */
async function peerTargets(
  contract: Contract,
  targets: readonly ImageTarget[],
  family: Family,
  log: (l: string) => void,
): Promise<ImageTarget[]> {
  const peers: ImageTarget[] = [];
  for (const { platform, services } of servicesLacking(contract, targets)) {
    const built = await ensureReferenceImages({ contract, services, platforms: [platform], log, family });
    for (const t of built) log(`peer   ${t.service} [${t.platform}] ${t.label} (started in the stack, not judged)`);
    peers.push(...built);
  }
  return peers;
}

export async function run(argv: string[]): Promise<number> {
  let plan: RunPlan;
  try {
    const flags = verbFlags(argv, SPEC, 'verify', HELP);
    if (!flags) return 0;
    const contractSource = contractSourceOf(flags);
    const contract = loadContract(contractSource);
    const platforms = ((flags.platform as string[] | undefined) ?? contract.platforms) as Platform[];
    for (const p of platforms) {
      if (!(PLATFORMS as readonly string[]).includes(p))
        throw new UsageError(`unknown platform "${p}" (expected one of: ${PLATFORMS.join(', ')})`);
    }
    const imageSpecs = parseImageSpecs((flags.image as string[] | undefined) ?? []);
    for (const i of imageSpecs) serviceNamed(contract, i.service);
    const layouts = ((flags['oci-layout'] as string[] | undefined) ?? []).map((v) =>
      parseLayoutSpec(
        v,
        contract.services.map((s) => s.name),
      ),
    );
    const local = !!flags.local || imageSpecs.some((i) => i.ref);
    const registry = flags.registry as string | undefined;
    const tags = (flags.tag as string[] | undefined) ?? [];
    if ([registry !== undefined, local, layouts.length > 0].filter(Boolean).length > 1)
      throw new UsageError('give one source of images: --registry, --local (--image SERVICE=IMAGE) or --oci-layout');
    if (flags.local && !imageSpecs.length)
      throw new UsageError(
        '--local needs --image SERVICE=IMAGE (repeatable), e.g. --local --image data-chain=lucid-data-chain:dev',
      );
    const explicitPlatforms = flags.platform as Platform[] | undefined;
    const reportDir = resolve((flags['report-dir'] as string | undefined) ?? DEFAULT_REPORT_DIR);
    requireReportDir(reportDir);
    const log = (l: string) => console.error(l);
    if (!registry && tags.length) throw new UsageError('--tag needs --registry (local reference images have no tags)');
    const family = flags.family as string | undefined;
    if (family !== undefined && !(FAMILIES as readonly string[]).includes(family))
      throw new UsageError(`unknown --family "${family}" (expected ${FAMILIES.join(' or ')})`);
    if (family !== undefined && (registry !== undefined || local || layouts.length))
      throw new UsageError(
        '--family picks the locally built reference images: leave out --registry, --local and --oci-layout',
      );
    const peersFamily = flags.peers as string | undefined;
    if (peersFamily !== undefined && !(FAMILIES as readonly string[]).includes(peersFamily))
      throw new UsageError(`unknown --peers "${peersFamily}" (expected ${FAMILIES.join(' or ')})`);
    if (peersFamily !== undefined && registry === undefined && !local && !layouts.length)
      throw new UsageError(
        '--peers fills in services for --local, --oci-layout or --registry; the reference images alone need none',
      );
    await requireEngine();
    if (local || layouts.length) {
      // The images say their platforms; emulation is needed only for the ones they have.
      const targets = local
        ? await localTargets({ contract, specs: imageSpecs, platforms: explicitPlatforms })
        : await layoutTargets({
            contract,
            layouts,
            platforms: explicitPlatforms,
            services: imageSpecs.length ? imageSpecs.map((i) => i.service) : undefined,
            log,
          });
      await requireEmulation([...new Set(targets.map((t) => t.platform))]);
      for (const t of targets)
        log(`${local ? 'local ' : 'oci   '} ${t.service} [${t.platform}] ${t.label} → image ${t.image.slice(7, 19)}`);
      plan = { version: 1, source: local ? 'local' : 'oci-layout', contract: contractSource, targets, reportDir };
    } else {
      const services = (
        imageSpecs.length ? imageSpecs.map((i) => i.service) : contract.services.map((s) => s.name)
      ).map((n) => serviceNamed(contract, n));
      // Fail fast with one line rather than time out in the first emulated start.
      await requireEmulation(platforms);
      if (registry) {
        const chosen = tags.length ? tags : [contract.registry.movingTag];
        const { targets, tagProblems } = await registryTargets({
          contract,
          registry,
          tags: chosen,
          plainHttp: !!flags['plain-http'],
          services: services.map((s) => s.name),
          platforms,
          log,
        });
        plan = {
          version: 1,
          source: 'registry',
          contract: contractSource,
          targets,
          tagProblems,
          reportDir,
          registry,
          tag: chosen.length === 1 ? chosen[0] : undefined,
          plainHttp: !!flags['plain-http'],
        };
      } else {
        await requireSpaceForBuild();
        const targets = await ensureReferenceImages({
          contract,
          services: services.map((s) => s.name),
          platforms,
          log,
          family: family as Family | undefined,
        });
        plan = {
          version: 1,
          source: 'reference',
          contract: contractSource,
          targets,
          reportDir,
          ...(family ? { family: family as Family } : {}),
        };
      }
    }
    if (peersFamily !== undefined) {
      await requireSpaceForBuild();
      const peers = await peerTargets(contract, plan.targets, peersFamily as Family, log);
      if (peers.length) plan = { ...plan, peers };
    }
  } catch (e) {
    if (e instanceof PublishedImageWrong) {
      console.error(`lucid-harness verify: ${oneLine(e.message)}`);
      return 1;
    }
    if (
      e instanceof UsageError ||
      e instanceof ContractError ||
      e instanceof RegistryError ||
      e instanceof LocalImageError ||
      e instanceof OciLayoutError
    ) {
      console.error(`lucid-harness verify: ${oneLine(e.message)}`);
      return 2;
    }
    throw e;
  }
  console.error(`verify: ${plan.targets.length} image(s); reports in ${plan.reportDir}`);
  let run: SuiteRun | undefined;
  try {
    run = await runSuites(plan);
    if (!run.interrupted)
      console.error(`verify: dashboard ${run.dashboard}\nverify: results ${run.results}, junit ${run.junit}`);
  } finally {
    // The child's teardown may not have run (killed, interrupted): whatever this run started goes now.
    const swept = await sweep().catch(() => ({ containers: 0, networks: 0 }));
    if (run?.interrupted)
      console.error(
        `lucid-harness verify: interrupted by ${run.interrupted}; removed ${swept.containers} container(s) of this run`,
      );
  }
  if (run.interrupted) return 128 + (osConstants.signals[run.interrupted] ?? 1);
  // The engine went away during the run: the checks it left unfinished are not run (results.json says which).
  if (!(await engineAnswers(3000))) {
    console.error(
      `lucid-harness verify: the Docker engine (${engineEndpoint().url}) went away during the run; unfinished checks are not run; reports in ${plan.reportDir}`,
    );
    return 2;
  }
  return run.exitCode === 0 ? 0 : run.exitCode === 1 ? 1 : 2;
}
