import { resolve } from 'node:path';
import { ContractError, loadContract, serviceNamed } from '../contract/load.ts';
import { PLATFORMS, type Platform } from '../contract/schema.ts';
import { DEFAULT_REPORT_DIR, type RunPlan } from '../plan/plan.ts';
import { runSuites } from '../plan/run-suites.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';
import { parseArgs, UsageError } from './args.ts';
import { requireEngine } from './engine-check.ts';
import { sweep } from '../engine/sweep.ts';

const HELP = `usage: lucid-harness verify [--platform P ...] [--image NAME ...] [--contract FILE] [--profile NAME ...] [--report-dir DIR]

Checks the six Lucid images against the contract. With no options: the locally built reference images
(built first when missing), on linux/amd64 and linux/arm64.

  --platform P     linux/amd64 or linux/arm64; repeatable (env LUCID_PLATFORMS, comma-separated)
  --image NAME     a service of the contract, e.g. data-chain; repeatable (env LUCID_IMAGES)
  --contract FILE  a full contract replacing contract/lucid.contract.json (env LUCID_CONTRACT)
  --profile NAME   a partial override: contract/profiles/NAME.json or a path; repeatable (env LUCID_PROFILE),
                   e.g. --profile real-mesh-8088
  --report-dir D   where junit.xml, results.json and run-plan.json go (default reports/; env LUCID_REPORT_DIR)

Exit codes: 0 all checks passed, 1 a check failed, 2 usage or environment error.`;

const SPEC = {
  platform: { repeatable: true, env: 'LUCID_PLATFORMS' },
  image: { repeatable: true, env: 'LUCID_IMAGES' },
  contract: { env: 'LUCID_CONTRACT' },
  profile: { repeatable: true, env: 'LUCID_PROFILE' },
  'report-dir': { env: 'LUCID_REPORT_DIR' },
  help: { boolean: true },
} as const;

export async function run(argv: string[]): Promise<number> {
  let plan: RunPlan;
  try {
    const { flags, positionals } = parseArgs(argv, SPEC);
    if (flags.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (see --help)`);
    const contractSource = { file: flags.contract as string | undefined, overrides: (flags.profile as string[] | undefined) ?? [] };
    const contract = loadContract(contractSource);
    const platforms = ((flags.platform as string[] | undefined) ?? contract.platforms) as Platform[];
    for (const p of platforms) {
      if (!(PLATFORMS as readonly string[]).includes(p)) throw new UsageError(`unknown platform "${p}" (expected one of: ${PLATFORMS.join(', ')})`);
    }
    const services = ((flags.image as string[] | undefined) ?? contract.services.map((s) => s.name)).map((n) => serviceNamed(contract, n));
    await requireEngine();
    const reportDir = resolve((flags['report-dir'] as string | undefined) ?? DEFAULT_REPORT_DIR);
    const targets = await ensureReferenceImages({ contract, services: services.map((s) => s.name), platforms, log: (l) => console.error(l) });
    plan = { version: 1, source: 'reference', contract: contractSource, targets, reportDir };
  } catch (e) {
    if (e instanceof UsageError || e instanceof ContractError) {
      console.error(`lucid-harness verify: ${e.message}`);
      return 2;
    }
    throw e;
  }
  console.error(`verify: ${plan.targets.length} image(s); reports in ${plan.reportDir}`);
  try {
    const run = await runSuites(plan);
    console.error(`verify: dashboard ${run.dashboard}\nverify: results ${run.results}, junit ${run.junit}`);
    return run.exitCode === 0 ? 0 : run.exitCode === 1 ? 1 : 2;
  } finally {
    // The child's teardown may not have run (killed): whatever this run started goes now.
    await sweep().catch(() => undefined);
  }
}
