// Smoke checks per image and platform: the static catalog over the image's facts, the runtime catalog over the
// facts of its running containers (read once, from the shared stack or its own containers). Each test ends in
// one of three verdicts, attached to the test as data (task.meta): passed, failed with findings, or not run
// with the reason its fact could not be observed.
import { beforeAll, describe, inject, test } from 'vitest';
import { loadContract, serviceNamed } from '../helpers/contract/load.ts';
import '../helpers/plan/plan.ts';
import { RUNTIME_CHECKS } from '../helpers/checks/runtime-catalog.ts';
import { STATIC_CHECKS } from '../helpers/checks/static/registry.ts';
import { notApplicableReason } from '../helpers/checks/static/types.ts';
import { describeImage } from '../helpers/facts/describe.ts';
import type { ImageFacts } from '../helpers/model/image-facts.ts';
import { NotRun, SUBJECT_META } from '../helpers/model/verdict.ts';
import type { SmokeRuntimeFacts } from '../helpers/model/runtime-facts.ts';
import { prefetchSmoke } from '../helpers/runtime/smoke-prefetch.ts';
import { targetKey } from '../helpers/model/shared-run.ts';
import { METRIC, recordMetric } from '../helpers/model/metrics.ts';
import { isEmulated } from '../helpers/engine/docker.ts';
import { engineGone } from '../helpers/engine/gone.ts';
import { judged } from './judged.ts';

const plan = inject('plan');
const network = inject('network');
const shared = inject('shared');
const contract = loadContract(plan.contract);
// Gathering starts for every target now; tests judge them in order as their facts arrive.
const prefetched = prefetchSmoke(contract, plan.targets, network, shared.smoke);

// Each target's describe declares its subject (image, platform) as data: its tests carry it even without an outcome.
for (const target of plan.targets) {
  const image = target.name ?? target.service;
  const subject = `${image} [${target.platform}]`;
  describe(subject, { meta: { [SUBJECT_META]: { subject, image, platform: target.platform } } }, () =>
    smokeChecks(subject, target),
  );
}

function smokeChecks(subject: string, target: (typeof plan.targets)[number]): void {
  const service = serviceNamed(contract, target.service);
  const where = `${subject} — image ${target.label} (${target.image.slice(0, 19)})`;
  const inSharedStack = !!shared.smoke[targetKey(target)];
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

  /** The image's facts, or not run: the image could not be read (the engine went away, the image is gone). */
  const staticFacts = (): ImageFacts => {
    if (facts) return facts;
    throw new NotRun(
      engineGone(factsError)
        ? `the engine went away: ${factsError?.message}`
        : `the image could not be read from the engine: ${factsError?.message}`,
    );
  };

  for (const check of STATIC_CHECKS) {
    test(check.name, async (ctx) => {
      await judged(
        ctx,
        {
          subject,
          image: target.name ?? target.service,
          platform: target.platform,
          check: check.name,
          title: `${where}: ${check.title}`,
        },
        async () => {
          const notApplicable = notApplicableReason(check, target.platform);
          if (notApplicable) throw new NotRun(notApplicable);
          const f = staticFacts();
          if (check === STATIC_CHECKS[0]) await ctx.annotate(JSON.stringify(describeImage(f, contract)), 'image-facts');
          return check.run(f, contract, service, target.platform);
        },
      );
    });
  }

  for (const check of RUNTIME_CHECKS) {
    // In a shared stack the flows run on the same containers: whether they are still alive is judged after them.
    if (check.afterFlowsInSharedStack && inSharedStack) continue;
    test(check.name, async (ctx) => {
      await judged(
        ctx,
        { subject, image: target.name ?? target.service, platform: target.platform, check: check.name, title: where },
        async () => {
          let r: SmokeRuntimeFacts;
          try {
            r = await runtime;
          } catch (e) {
            throw new NotRun(
              engineGone(e)
                ? `the engine went away: ${(e as Error).message}`
                : `the runtime facts could not be gathered: ${(e as Error).message}`,
            );
          }
          await recordRuntimeFigures(check.name, r, ctx.annotate);
          return check.judge({ facts: r, contract, service, platform: target.platform });
        },
      );
    });
  }

  async function recordRuntimeFigures(
    check: string,
    r: SmokeRuntimeFacts,
    annotate: (m: string, t?: string) => Promise<unknown>,
  ): Promise<void> {
    const n = r.normal;
    if (check === 'health') {
      const main = n.health.find((h) => h.path === service.healthPath);
      if (main?.ok) await recordMetric(annotate, METRIC.firstOk, main.elapsedMs, 'ms');
    } else if (check === 'runtime-platform') {
      await recordMetric(annotate, METRIC.pageSize, n.machine?.pageSize, 'bytes');
    } else if (check === 'docker-health') {
      // Where the HEALTHCHECK ran and with what timing is part of the result (the image's own is judged statically).
      const timing = JSON.stringify({
        ...contract.runtimeHealthcheck[(await isEmulated(target.platform)) ? 'emulated' : 'native'],
        ...(n.dockerHealth?.timeoutMs && { timeoutMs: n.dockerHealth.timeoutMs }),
      });
      await annotate(
        `HEALTHCHECK ${n.dockerHealth?.runner === 'harness' ? `run through exec by the harness (${r.source})` : "run by the engine in the image's own container"}, timing ${timing}`,
        'healthcheck-run',
      );
      if (n.dockerHealth?.status === 'healthy')
        await recordMetric(annotate, METRIC.dockerHealthy, n.dockerHealth.elapsedMs, 'ms');
    }
  }
}
