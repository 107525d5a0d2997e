// Registry runs: per service and tag, the tag's own shape (an index with every contract platform, config and
// index agreeing) and the moving tag's consistency with the newest timestamped one.
import { describe, inject, test } from 'vitest';
import { loadContract, repositoryOf } from '../helpers/contract/load.ts';
import '../helpers/plan/plan.ts';
import { RegistryClient } from '../helpers/registry/client.ts';
import { checkTagConsistency } from '../helpers/registry/tags.ts';
import { judged } from './judged.ts';

const plan = inject('plan');
const contract = loadContract(plan.contract);
const problems = plan.tagProblems ?? [];
// A service whose tag had no usable platform has no target, but its tag still gets its verdict.
const services = [...new Set([...plan.targets.map((t) => t.service), ...problems.map((p) => p.service)])];
const tags = [...new Set([...plan.targets.map((t) => t.tag).filter((t): t is string => !!t), ...problems.map((p) => p.tag)])];
const isRegistryRun = plan.source === 'registry' && !!plan.registry;

describe.skipIf(!isRegistryRun).each(services)('%s [registry]', (name) => {
  const subject = `${name} [registry]`;
  for (const tag of tags) {
    test(tags.length > 1 ? `tag-shape ${tag}` : 'tag-shape', async (ctx) => {
      const mine = problems.filter((p) => p.service === name && p.tag === tag);
      await judged(ctx, { subject, image: name, platform: 'registry', check: tags.length > 1 ? `tag-shape ${tag}` : 'tag-shape', title: `${subject} ${plan.registry}/${repositoryOf(contract, contract.services.find((s) => s.name === name)!)}:${tag}` }, async () =>
        mine.map((p) => ({ check: 'the tag is an index with every contract platform, its configs agreeing', expected: `an image index with ${contract.platforms.join(' and ')}`, seen: p.problem })),
      );
    });
  }
  test('tag-consistency', async (ctx) => {
    const repository = repositoryOf(contract, contract.services.find((s) => s.name === name)!);
    await judged(ctx, { subject, image: name, platform: 'registry', check: 'tag-consistency', title: `${subject} ${plan.registry}/${repository}` }, async () => {
      const client = new RegistryClient({ registry: plan.registry!, plainHttp: plan.plainHttp || undefined });
      return (await checkTagConsistency(client, contract, repository)).findings;
    });
  });
});
