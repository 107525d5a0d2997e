import { beforeAll, describe, inject, test } from 'vitest';
import { loadContract, serviceNamed } from '../helpers/contract/load.ts';
import '../helpers/plan/plan.ts';
import type { Service } from '../helpers/contract/schema.ts';
import { assertNoFindings, type Finding } from '../helpers/checks/finding.ts';
import { judgeHealth } from '../helpers/checks/health.ts';
import { judgeDockerHealth, judgeProcessUser, judgeRuntimeMachine, judgeShellExecs } from '../helpers/checks/runtime.ts';
import { STATIC_CHECKS } from '../helpers/checks/static/registry.ts';
import { describeImage } from '../helpers/facts/describe.ts';
import type { ImageFacts } from '../helpers/facts/types.ts';
import { writableDirs } from '../helpers/runtime/start-service.ts';
import type { RunFacts, SmokeRuntimeFacts } from '../helpers/runtime/smoke-run.ts';
import { prefetchSmoke } from '../helpers/runtime/smoke-prefetch.ts';
import { METRIC, recordMetric } from '../helpers/report/metrics.ts';
import { isEmulated } from '../helpers/engine/docker.ts';

const plan = inject('plan');
const network = inject('network');
const contract = loadContract(plan.contract);
// Gathering starts for every target now; tests judge them in order as their facts arrive.
const prefetched = prefetchSmoke(contract, plan.targets, network, inject('shared').smoke);

/** A run that could not start, or whose health / Docker health failed, as findings. */
function runFindings(r: RunFacts, service: Service, what: string): Finding[] {
  if (r.startError) return [{ check: `${what}: container starts`, expected: 'the container is created and started', seen: r.startError, where: r.where }];
  return [...r.health.flatMap((h) => judgeHealth(service, service.port, h)), ...(r.dockerHealth ? judgeDockerHealth(r.dockerHealth) : [])].map((f) => ({
    ...f,
    check: `${what}: ${f.check}`,
    where: f.where ?? r.where,
  }));
}

/** A container that stopped explains every runtime finding: attach its diagnostics where a finding has none. */
const withWhere = (fs: Finding[], r: RunFacts): Finding[] => fs.map((f) => ({ ...f, where: f.where ?? r.where }));

const notStarted = (r: RunFacts): Finding[] => (r.startError ? [{ check: 'container starts', expected: 'the container is created and started', seen: r.startError, where: r.where }] : []);

describe.each(plan.targets.map((t) => [`${t.name ?? t.service} [${t.platform}]`, t] as const))('%s', (subject, target) => {
  const service = serviceNamed(contract, target.service);
  const where = `${subject} — image ${target.label} (${target.image.slice(0, 19)})`;
  let facts: ImageFacts | undefined;
  let factsError: Error | undefined;
  const runtime: Promise<SmokeRuntimeFacts> = prefetched.get(target)!.runtime;

  beforeAll(async () => {
    try {
      facts = await prefetched.get(target)!.facts;
    } catch (e) {
      factsError = e as Error;
    }
  });

  const staticFacts = (): ImageFacts => {
    if (!facts) throw new Error(`${where}: could not read the image from the engine: ${factsError?.message}`);
    return facts;
  };

  for (const check of STATIC_CHECKS) {
    test(check.name, async ({ annotate }) => {
      if (check === STATIC_CHECKS[0]) await annotate(JSON.stringify(describeImage(staticFacts(), contract)), 'image-facts');
      assertNoFindings(`${where}: ${check.title}`, check.run(staticFacts(), contract, service, target.platform));
    });
  }

  test('health', async ({ annotate }) => {
    const r = (await runtime).normal;
    const main = r.health.find((h) => h.path === service.healthPath);
    if (main?.ok) await recordMetric(annotate, METRIC.firstOk, main.elapsedMs, 'ms');
    assertNoFindings(where, r.startError ? notStarted(r) : r.health.flatMap((h) => judgeHealth(service, service.port, h)));
  });

  test('process-user', async () => {
    const r = (await runtime).normal;
    if (r.startError || r.processError) {
      assertNoFindings(where, [{ check: 'processes run as the contract user', expected: 'a running container to inspect', seen: r.startError ?? `docker top failed: ${r.processError}`, where: r.where }]);
    }
    assertNoFindings(where, judgeProcessUser(r.processes ?? [], contract.user).map((f) => ({ ...f, where: r.where })));
  });

  test('shell-exec', async () => {
    const r = (await runtime).normal;
    assertNoFindings(where, r.startError ? notStarted(r) : withWhere(judgeShellExecs(r.shellExecs), r));
  });

  test('runtime-platform', async ({ annotate }) => {
    const r = (await runtime).normal;
    await recordMetric(annotate, METRIC.pageSize, r.machine?.pageSize, 'bytes');
    assertNoFindings(where, r.startError ? notStarted(r) : withWhere(judgeRuntimeMachine(target.platform, r.machine), r));
  });

  test('docker-health', async ({ annotate }) => {
    const facts = await runtime;
    const r = facts.normal;
    // Where the HEALTHCHECK ran and with what timing is part of the result (the image's own is judged statically).
    await annotate(`HEALTHCHECK ${facts.source === 'shared-stack' ? 'run once through exec in the shared stack' : 'run by the engine in the image\'s own container'}, timing ${JSON.stringify(contract.runtimeHealthcheck[(await isEmulated(target.platform)) ? 'emulated' : 'native'])}`, 'healthcheck-run');
    if (r.dockerHealth?.status === 'healthy') await recordMetric(annotate, METRIC.dockerHealthy, r.dockerHealth.elapsedMs, 'ms');
    assertNoFindings(where, r.startError || !r.dockerHealth ? notStarted(r) : judgeDockerHealth(r.dockerHealth).map((f) => ({ ...f, where: [f.where, r.where].filter(Boolean).join('\n') })));
  });

  test('hardened', async () => {
    const r = (await runtime).hardened;
    assertNoFindings(`${where} (read-only, cap-drop ALL, no-new-privileges, tmpfs on ${writableDirs(service).join(', ')})`, runFindings(r, service, 'hardened run'));
  });
});
