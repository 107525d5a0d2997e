import type Dockerode from 'dockerode';
import type { DockerHealthFacts } from '../model/runtime-facts.ts';
import { execIn } from './exec.ts';
import { withImageTimeout, type HealthcheckTiming } from './lucid-container.ts';
import { docker } from '../engine/docker.ts';

/**
 * The argv the engine would run for a HEALTHCHECK Test: CMD runs its arguments, CMD-SHELL runs them through
 * /bin/sh (which a shell-less image lacks, so such a check can never pass there), NONE or nothing means none.
 */
export function healthcheckArgv(test: readonly string[] | undefined): string[] | undefined {
  const [kind, ...rest] = test ?? [];
  if (kind === 'CMD' && rest.length) return rest;
  if (kind === 'CMD-SHELL' && rest.length) return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

/**
 * Runs the container's own HEALTHCHECK command through exec, as the engine would: up to `retries` attempts
 * `intervalMs` apart, each cut at `timeoutMs` (or at the image's own timeout when that is longer). Used where the
 * engine's periodic probe is paused (the shared stack: every emulated probe costs a Python start, ~2 s of CPU),
 * so each image is probed once, not every interval for the whole run. The facts say which runner produced them.
 */
export async function runHealthcheckOnce(
  container: Dockerode.Container,
  harnessTiming: HealthcheckTiming,
  since: number,
  budgetMs: number,
  /** Where the budget counts from, when not from `since` (the container's start, which elapsedMs tells). */
  budgetFrom = since,
): Promise<DockerHealthFacts> {
  const info = await container.inspect().catch(() => undefined);
  // The container's config holds the harness's timeout (merged at create): the image's own is in the image.
  const image = info?.Image
    ? await docker()
        .getImage(info.Image)
        .inspect()
        .catch(() => undefined)
    : undefined;
  const timing = withImageTimeout(harnessTiming, image?.Config?.Healthcheck?.Timeout);
  const test = info?.Config?.Healthcheck?.Test as string[] | undefined;
  const argv = healthcheckArgv(test);
  const log: DockerHealthFacts['log'] = [];
  const facts = (status: string): DockerHealthFacts => ({
    status,
    elapsedMs: Date.now() - since,
    budgetMs,
    declared: !!argv,
    test,
    log: log.slice(-3),
    runner: 'harness',
    timeoutMs: timing.timeoutMs,
  });
  if (!info) return facts('container gone');
  if (!argv) return facts('none');
  // A stopped container refuses every exec (409): its end is the finding, not its HEALTHCHECK.
  const stopped = (i: Dockerode.ContainerInspectInfo | undefined) =>
    !i ? 'container gone' : i.State.Running ? undefined : `container ${i.State.Status}`;
  const gone = stopped(info);
  if (gone) return facts(gone);
  for (let attempt = 1; ; attempt++) {
    const r = await execIn(container, argv, { timeoutMs: timing.timeoutMs });
    if (r.exitCode === 0) {
      log.push({ exitCode: 0, output: r.output });
      return facts('healthy');
    }
    log.push({
      exitCode: r.exitCode ?? -1,
      output:
        r.exitCode === null ? `no exit within ${timing.timeoutMs} ms${r.output ? `: ${r.output}` : ''}` : r.output,
    });
    if (r.exitCode === null) {
      const now = stopped(await container.inspect().catch(() => undefined));
      if (now) return facts(now);
    }
    if (attempt >= timing.retries) return facts('unhealthy');
    if (Date.now() - budgetFrom + timing.intervalMs >= budgetMs) return facts('starting');
    await new Promise((r) => setTimeout(r, timing.intervalMs));
  }
}
