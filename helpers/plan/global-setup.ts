import type { TestProject } from 'vitest/node';
import { loadContract } from '../contract/load.ts';
import { ensureContractNetwork } from '../runtime/network.ts';
import { lockNetworkAliases } from '../runtime/alias-lock.ts';
import { startStandIns } from '../runtime/standins.ts';
import { startSharedStacks } from '../runtime/shared-stack.ts';
import { sweep } from '../engine/sweep.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';
import { DEFAULT_REPORT_DIR, PLAN_ENV, readPlan, type RunPlan } from './plan.ts';
import { stackImages } from '../runtime/peers.ts';

/**
 * Runs once per `vitest run` for the suites project: takes the plan the CLI wrote (LUCID_PLAN), or — under a
 * plain `npm test` — derives the default one (local reference images, every contract platform, built when
 * missing), makes sure the contract network exists, starts the stand-ins the planned services need on it
 * (each child vitest of the matrices does this on its own network), starts the shared stacks (one per platform
 * with every contract service) and reads the smoke runtime facts from them, and hands all of it to the suites.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = Date.now();
  const others = project.vitest.projects.filter((p) => p.name !== project.name && p.name === 'docker');
  if (others.length) {
    // Every project's global setup runs before any test: the stacks would idle through the docker project.
    throw new Error(
      'the suites project runs in a vitest run of its own: npx vitest run --project suites (npm test does this after unit and docker)',
    );
  }
  const stale = await sweep({ stale: true });
  if (stale.containers || stale.networks)
    console.error(`swept leftovers of dead runs: ${stale.containers} container(s), ${stale.networks} network(s)`);
  const file = process.env[PLAN_ENV];
  let plan: RunPlan;
  if (file) {
    plan = readPlan(file);
  } else {
    const contract = loadContract();
    const targets = await ensureReferenceImages({
      contract,
      services: contract.services.map((s) => s.name),
      platforms: contract.platforms,
      log: (l) => console.error(l),
    });
    plan = { version: 1, source: 'reference', contract: { overrides: [] }, targets, reportDir: DEFAULT_REPORT_DIR };
  }
  const contract = loadContract(plan.contract);
  const network = await ensureContractNetwork(contract);
  // One run at a time on the contract network: its stand-ins and its stack answer to the contract's aliases,
  // and the engine's DNS would answer a shared alias with either run's container (the storage fault would
  // stop our Mongo while another run's kept answering). Held until the teardown.
  const unlock = await lockNetworkAliases(network.name, { log: (l) => console.error(l) });
  // The contract network's stand-ins boot while the other platforms' networks and stand-ins are made.
  const standInsStarting = startStandIns(contract, network.name, {
    services: stackImages(plan.targets, plan.peers).map((t) => t.service),
    log: (l) => console.error(l),
  });
  standInsStarting.catch(() => undefined);
  const shared = await startSharedStacks(
    contract,
    plan.targets,
    network.name,
    (l) => console.error(l),
    standInsStarting,
    {
      smokeFacts: !plan.suiteFiles || plan.suiteFiles.some((f) => /smoke\.suite\.ts$/.test(f)),
      peers: plan.peers,
    },
  ).catch(async (e) => {
    await standInsStarting.then(
      (s) => s.stop(),
      () => undefined,
    );
    await unlock();
    throw e;
  });
  const standIns = await standInsStarting.catch(async (e) => {
    await shared.stop();
    await unlock();
    throw e;
  });
  project.provide('plan', plan);
  project.provide('network', network.name);
  project.provide('shared', shared.run);
  const down = shared.run.stacks.filter((s) => s.error).map((s) => s.platform);
  const up = shared.run.stacks.length - down.length;
  console.error(
    `global setup: ${up} shared stack(s) ready${down.length ? `, ${down.length} did not come up (${down.join(', ')}: its images get their own containers)` : ''}; after ${Date.now() - t0} ms`,
  );
  return async () => {
    const t1 = Date.now();
    // Side by side: the stacks are mostly gone already (each platform's flows remove theirs), the stand-ins are not.
    await Promise.all([shared.stop(), standIns.stop()]);
    await unlock();
    await sweep();
    console.error(`global teardown: stacks and stand-ins removed in ${Date.now() - t1} ms`);
  };
}
