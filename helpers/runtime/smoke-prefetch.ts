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

/** Targets alive at once per start slot: most of a target's life is its idle survival window. */
const ALIVE_PER_SLOT = 2;

/**
 * Starts gathering every target's facts at once, bounded per kind: vitest judges the targets one after the
 * other, while the next targets' containers already boot. A container holds a start slot while it boots and
 * is probed; emulated ones share fewer slots (Python is CPU-bound under QEMU), native ones are cheap. The
 * survival window needs no slot, so the targets alive at once are bounded apart. Targets whose runtime
 * facts were already read from a shared stack start nothing.
 */
export function prefetchSmoke(
  contract: Contract,
  targets: ImageTarget[],
  network: string,
  shared: SharedRun['smoke'] = {},
): Map<ImageTarget, SmokeFacts> {
  const kinds = [false, true].map((emulated) => {
    const starts = new Limiter(startConcurrency(emulated));
    return {
      alive: new Limiter(Math.max(1, startConcurrency(emulated) * ALIVE_PER_SLOT)),
      slot: <T>(job: () => Promise<T>) => starts.run(job),
    };
  });
  const out = new Map<ImageTarget, SmokeFacts>();
  for (const target of targets) {
    const facts = gatherImageFacts(target.image, { platform: target.platform });
    const fromStack = shared[targetKey(target)];
    const runtime = (async () => {
      if (fromStack) return fromStack;
      const f = await facts.catch(() => undefined);
      const kind = kinds[(await isEmulated(target.platform)) ? 1 : 0]!;
      return kind.alive.run(() =>
        gatherSmokeRuntime(contract, serviceNamed(contract, target.service), target, network, f, kind.slot),
      );
    })();
    // Judged later by the tests; an early rejection must not count as unhandled.
    facts.catch(() => undefined);
    runtime.catch(() => undefined);
    out.set(target, { facts, runtime });
  }
  return out;
}
