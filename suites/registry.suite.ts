// Registry runs: per service and tag, the tag's own shape (an index with every contract platform, config and
// index agreeing) and the moving tag's consistency with the newest timestamped one.
import { describe, inject, test } from 'vitest';
import { loadContract, repositoryOf } from '../helpers/contract/load.ts';
import '../helpers/plan/plan.ts';
import { RegistryClient } from '../helpers/registry/client.ts';
import { checkTagConsistency } from '../helpers/registry/tags.ts';
import { NotRun, OUTCOME_META, SUBJECT_META, type CheckOutcome } from '../helpers/model/verdict.ts';
import { judged } from './judged.ts';

const plan = inject('plan');
const contract = loadContract(plan.contract);
const problems = plan.tagProblems ?? [];
// A service whose tag had no usable platform has no target, but its tag still gets its verdict.
const services = [...new Set([...plan.targets.map((t) => t.service), ...problems.map((p) => p.service)])];
const tags = [
  ...new Set([...plan.targets.map((t) => t.tag).filter((t): t is string => !!t), ...problems.map((p) => p.tag)]),
];
const isRegistryRun = plan.source === 'registry' && !!plan.registry;

// Each service's describe declares its subject as data; outside a registry run its checks are listed as not run,
// with the reason, declared at collection.
const notRegistry = `not a registry run: the plan's images come from ${plan.source}`;
for (const name of services) {
  const subject = `${name} [registry]`;
  const about = { subject, image: name, platform: 'registry' };
  const declared = (check: string) => ({
    meta: isRegistryRun
      ? {}
      : {
          [OUTCOME_META]: {
            kind: 'check',
            ...about,
            check,
            verdict: 'not-run',
            reason: notRegistry,
            findings: [],
          } satisfies CheckOutcome,
        },
  });
  describe.skipIf(!isRegistryRun)(subject, { meta: { [SUBJECT_META]: about } }, () => {
    for (const tag of tags) {
      const check = tags.length > 1 ? `tag-shape ${tag}` : 'tag-shape';
      test(check, declared(check), async (ctx) => {
        const mine = problems.filter((p) => p.service === name && p.tag === tag);
        await judged(
          ctx,
          {
            ...about,
            check,
            title: `${subject} ${plan.registry}/${repositoryOf(
              contract,
              contract.services.find((s) => s.name === name)!,
            )}:${tag}`,
          },
          async () =>
            mine.map((p) => ({
              check: 'the tag is an index with every contract platform, its configs agreeing',
              expected: `an image index with ${contract.platforms.join(' and ')}`,
              seen: p.problem,
            })),
        );
      });
    }
    test('tag-consistency', declared('tag-consistency'), async (ctx) => {
      const repository = repositoryOf(
        contract,
        contract.services.find((s) => s.name === name)!,
      );
      await judged(
        ctx,
        { ...about, check: 'tag-consistency', title: `${subject} ${plan.registry}/${repository}` },
        async () => {
          const client = new RegistryClient({ registry: plan.registry!, plainHttp: plan.plainHttp || undefined });
          const report = await checkTagConsistency(client, contract, repository);
          if (report.notRun) throw new NotRun(report.notRun);
          return report.findings;
        },
      );
    });
  });
}
