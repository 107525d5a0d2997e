/**
 * `lucid-harness regress`: the suites on several timestamped tags of a registry, each tag compared with the
 * previous one (or a baseline). Exit 0 no regression, 1 a regression, 2 usage or environment error.
 */
import { resolve } from 'node:path';
import { ContractError, loadContract, serviceNamed } from '../contract/load.ts';
import { PLATFORMS, type Platform } from '../model/platform.ts';
import { sweep } from '../engine/sweep.ts';
import { DEFAULT_REPORT_DIR } from '../plan/plan.ts';
import { RegistryError } from '../registry/errors.ts';
import { regress } from '../regress/run.ts';
import { SelectionError, sinceKey, tagMatcher, type Selector } from '../regress/select.ts';
import { readThresholds, ThresholdsError } from '../regress/thresholds.ts';
import { oneLine, UsageError } from '../model/errors.ts';
import { contractSourceOf, parseArgs, requireReportDir, verbFlags } from './args.ts';
import { requireEngine } from './engine-check.ts';

const HELP = `usage: lucid-harness regress --registry R (--tags PATTERN | --last N | --since DATE) [--baseline TAG]
                              [--image NAME ...] [--platform P ...] [--report-dir DIR]
                              [--thresholds FILE] [--contract FILE] [--profile NAME ...] [--plain-http] [--verbose]

Runs the suites on each selected timestamped tag (latest-YYYYMMDD-HHMMSS, the contract's
registry.timestampTagPattern) that every service repository holds, oldest first, and compares each tag with
the one before it: new failures, fixes, and metric changes (image size and layer count per platform, time to
healthy, anchoring latency) against thresholds. Tags only some repositories hold are named and skipped.

  --registry R     host[:port] of the registry (env LUCID_REGISTRY); http for loopback, https otherwise
  --tags PATTERN   a glob matched against the whole tag ("latest-202611*", "?" one character, commas for
                   alternatives) or a regular expression written /…/ or starting with ^
  --last N         the N newest tags
  --since DATE     tags whose time (from the tag name, UTC) is at or after DATE: 2026-11-27,
                   2026-11-27T10:15Z, 2026-11-27T11:15+01:00 or 20261127-101500
  --baseline TAG   compare every selected tag with TAG instead of with the previous one (env LUCID_BASELINE)
  --plain-http     use http for a non-loopback registry
  --thresholds F   JSON {"metrics": {"<metric>": {"relative": 0.5, "absolute": 1000, "combine": "all"} | false}}
                   merged over the default thresholds (env LUCID_THRESHOLDS)

  --image NAME     a service of the contract; repeatable (env LUCID_IMAGES; default all)
  --platform P     linux/amd64 or linux/arm64; repeatable (env LUCID_PLATFORMS; default the contract's)
  --contract FILE, --profile NAME   as for verify (env LUCID_CONTRACT, LUCID_PROFILE)
  --report-dir D   default reports/ (env LUCID_REPORT_DIR). Each tag's run goes to D/tags/<tag>/;
                   D/regression.json holds the comparison, D/index.html the dashboard over all tags.
  --verbose        show each tag's vitest output (default: progress lines only)

Progress goes to stderr, the summary (one block per tag pair) to stdout.
Exit codes: 0 no regression, 1 a regression (a new failure or a metric over its threshold) or a published
image that is wrong, 2 usage or environment error (no tag matches, registry unreachable, suites broke).`;

export const SPEC = {
  registry: { env: 'LUCID_REGISTRY' },
  tags: {},
  last: {},
  since: {},
  baseline: { env: 'LUCID_BASELINE' },
  thresholds: { env: 'LUCID_THRESHOLDS' },
  image: { repeatable: true, env: 'LUCID_IMAGES' },
  platform: { repeatable: true, env: 'LUCID_PLATFORMS' },
  'report-dir': { env: 'LUCID_REPORT_DIR' },
  contract: { env: 'LUCID_CONTRACT' },
  profile: { repeatable: true, env: 'LUCID_PROFILE' },
  'plain-http': { boolean: true },
  verbose: { boolean: true },
  help: { boolean: true },
} as const;

const SELECTORS = ['tags', 'last', 'since'] as const;

/**
 * Exactly one selector. They take no env default, and a selector on the command line replaces the config
 * file's, so a CI default like {"regress": {"last": "3"}} can't combine with a --tags given by hand.
 */
function selectorOf(flags: Record<string, unknown>, commandLine: Record<string, unknown>): Selector {
  const typed = SELECTORS.filter((k) => commandLine[k] !== undefined);
  const given = typed.length ? typed : SELECTORS.filter((k) => flags[k] !== undefined);
  if (given.length !== 1)
    throw new UsageError(
      given.length
        ? `give one of --tags, --last, --since (got ${given.map((g) => `--${g}`).join(' and ')})`
        : 'which tags? give --tags PATTERN, --last N or --since DATE (see --help)',
    );
  if (given[0] === 'tags') {
    tagMatcher(flags.tags as string); // a bad regular expression is a usage error before any registry call
    return { kind: 'pattern', pattern: flags.tags as string };
  }
  if (given[0] === 'since') {
    sinceKey(flags.since as string); // a bad date is a usage error before any registry call
    return { kind: 'since', since: flags.since as string };
  }
  const n = Number(flags.last);
  if (!/^\d+$/.test(String(flags.last)) || n < 1)
    throw new UsageError(`--last wants a whole number ≥ 1, got "${flags.last}"`);
  return { kind: 'last', n };
}

export async function run(argv: string[]): Promise<number> {
  const fail = (e: Error) => {
    console.error(`lucid-harness regress: ${oneLine(e.message)}`);
    return 2;
  };
  let input: Parameters<typeof regress>[0];
  try {
    const flags = verbFlags(argv, SPEC, 'regress', HELP);
    if (!flags) return 0;
    const registry = flags.registry as string | undefined;
    if (!registry) throw new UsageError('--registry is required, e.g. --registry 127.0.0.1:5000');
    const selector = selectorOf(flags, parseArgs(argv, SPEC, {}).flags);
    const contractSource = contractSourceOf(flags);
    const contract = loadContract(contractSource);
    const platforms = ((flags.platform as string[] | undefined) ?? contract.platforms) as Platform[];
    for (const p of platforms) {
      if (!(PLATFORMS as readonly string[]).includes(p))
        throw new UsageError(`unknown platform "${p}" (expected one of: ${PLATFORMS.join(', ')})`);
    }
    const services = [
      ...new Set(
        ((flags.image as string[] | undefined) ?? contract.services.map((s) => s.name)).map(
          (n) => serviceNamed(contract, n).name,
        ),
      ),
    ];
    input = {
      contract,
      contractSource,
      registry,
      plainHttp: !!flags['plain-http'],
      selector,
      ...(flags.baseline !== undefined && { baseline: flags.baseline as string }),
      services,
      platforms: [...new Set(platforms)],
      reportDir: resolve((flags['report-dir'] as string | undefined) ?? DEFAULT_REPORT_DIR),
      ...(flags.thresholds !== undefined && { config: readThresholds(flags.thresholds as string) }),
      verbose: !!flags.verbose,
      log: (l) => console.error(l),
    };
    requireReportDir(input.reportDir);
    await requireEngine();
  } catch (e) {
    if (
      e instanceof UsageError ||
      e instanceof ContractError ||
      e instanceof SelectionError ||
      e instanceof ThresholdsError
    )
      return fail(e);
    throw e;
  }
  try {
    const outcome = await regress(input);
    console.log(outcome.summary);
    console.error(`regress: ${outcome.file}${outcome.dashboard ? `; dashboard ${outcome.dashboard}` : ''}`);
    return outcome.exitCode;
  } catch (e) {
    if (e instanceof SelectionError || e instanceof RegistryError) return fail(e);
    throw e;
  } finally {
    // A killed child may have skipped its teardown: whatever this run started goes now.
    await sweep().catch(() => undefined);
  }
}
