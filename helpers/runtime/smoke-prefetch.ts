import type { Contract } from '../contract/schema.ts';
import { serviceNamed } from '../contract/load.ts';
import { isEmulated } from '../engine/docker.ts';
import { gatherImageFacts } from '../facts/gather.ts';
import type { ImageFacts } from '../model/image-facts.ts';
import { startConcurrency } from './limit.ts';
import { Limiter } from './limiter.ts';
import type { SmokeRuntimeFacts } from '../model/runtime-facts.ts';
import { gatherSmokeRuntime } from './smoke-run.ts';
import type { ImageTarget } from '../model/target.ts';
import { targetKey, type SharedRun } from '../model/shared-run.ts';

interface SmokeFacts {
  facts: Promise<ImageFacts>;
  runtime: Promise<SmokeRuntimeFacts>;
}

/**
 * Starts gathering every target's facts at once, bounded per kind: vitest judges the targets one after the
 * other, while the next targets' containers already boot. Emulated targets share a tighter limit (each
 * runs two Python containers that are CPU-bound under QEMU); native ones are cheap. Targets whose runtime
 * facts were already read from a shared stack start nothing.
 */
export function prefetchSmoke(
  contract: Contract,
  targets: ImageTarget[],
  network: string,
  shared: SharedRun['smoke'] = {},
): Map<ImageTarget, SmokeFacts> {
  const native = new Limiter(Math.max(1, Math.floor(startConcurrency(false) / 2)));
  const emulated = new Limiter(Math.max(1, Math.floor(startConcurrency(true) / 2)));
  const out = new Map<ImageTarget, SmokeFacts>();
  for (const target of targets) {
    const facts = gatherImageFacts(target.image, { platform: target.platform });
    const fromStack = shared[targetKey(target)];
    const runtime = (async () => {
      if (fromStack) return fromStack;
      const f = await facts.catch(() => undefined);
      const limiter = (await isEmulated(target.platform)) ? emulated : native;
      return limiter.run(() =>
        gatherSmokeRuntime(contract, serviceNamed(contract, target.service), target, network, f),
      );
    })();
    // Judged later by the tests; an early rejection must not count as unhandled.
    facts.catch(() => undefined);
    runtime.catch(() => undefined);
    out.set(target, { facts, runtime });
  }
  return out;
}
