import { afterEach, describe, inject, test } from 'vitest';
import { loadContract, serviceNamed } from '../helpers/contract/load.ts';
import '../helpers/plan/plan.ts';
import { judgeHealth } from '../helpers/checks/health.ts';
import { assertNoFindings } from '../helpers/checks/finding.ts';
import { probeHealthEndpoints } from '../helpers/runtime/probe-health.ts';
import { startService, type StartedService } from '../helpers/runtime/start-service.ts';

const plan = inject('plan');
const contract = loadContract(plan.contract);
const network = inject('network');

let running: StartedService | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe.each(plan.targets.map((t) => [`${t.service} [${t.platform}]`, t] as const))('%s', (subject, target) => {
  const service = serviceNamed(contract, target.service);

  test(`health: ${service.healthPath} answers 200 with a schema-valid body`, async () => {
    running = await startService(contract, service, target, { network });
    const facts = await probeHealthEndpoints(contract, running);
    assertNoFindings(`${subject} ${target.label}`, facts.flatMap((f) => judgeHealth(service, service.port, f)));
  });
});
