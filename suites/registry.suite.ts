import { describe, inject, test } from 'vitest';
import { loadContract, repositoryOf } from '../helpers/contract/load.ts';
import '../helpers/plan/plan.ts';
import { assertNoFindings } from '../helpers/checks/finding.ts';
import { RegistryClient } from '../helpers/registry/client.ts';
import { checkTagConsistency } from '../helpers/registry/tags.ts';

const plan = inject('plan');
const contract = loadContract(plan.contract);
const services = [...new Set(plan.targets.map((t) => t.service))];

/** Only registry runs have tags to compare; other runs skip these tests. */
describe.skipIf(plan.source !== 'registry' || !plan.registry).each(services)('%s [registry]', (name) => {
  test('tag-consistency', async () => {
    const client = new RegistryClient({ registry: plan.registry!, plainHttp: plan.plainHttp || undefined });
    const repository = repositoryOf(contract, contract.services.find((s) => s.name === name)!);
    const report = await checkTagConsistency(client, contract, repository);
    assertNoFindings(`${name} [registry] ${plan.registry}/${repository}`, report.findings);
  });
});
