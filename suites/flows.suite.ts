// Cross-service flows (contract §4–§5) per platform of the plan that has every contract service, on the shared
// stack the global setup started (hardened, as compose runs them) after the smoke facts were read from it.
import { METRIC, recordMetric } from '../helpers/model/metrics.ts';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, inject, test } from 'vitest';
import { loadContract, serviceNamed } from '../helpers/contract/load.ts';
import '../helpers/plan/plan.ts';
import { FiguresBook } from '../helpers/flows/figures.ts';
import { FLOWS, STACK_DISTURBING } from '../helpers/flows/index.ts';
import { missingRoles } from '../helpers/flows/roles.ts';
import { stackGroups } from '../helpers/runtime/stack.ts';
import { stackImages, underTestIn } from '../helpers/runtime/peers.ts';
import { flowOutcome, runFlow, stackDownOutcome, withServicesDown } from '../helpers/flows/run.ts';
import {
  attachOutcome,
  FLOWS_IMAGE,
  flowsSubject,
  outcomeIn,
  OUTCOME_META,
  SUBJECT_META,
} from '../helpers/model/verdict.ts';
import { flowEnvOf } from '../helpers/flows/stack.ts';
import type { FlowEnv } from '../helpers/flows/context.ts';
import { docker } from '../helpers/engine/docker.ts';
import { engineAnswers, engineGone } from '../helpers/engine/gone.ts';
import { judgeStillRunning } from '../helpers/checks/runtime-catalog.ts';
import { containerEndById, downServices } from '../helpers/runtime/container-end.ts';
import { judged } from './judged.ts';

const plan = inject('plan');
const contract = loadContract(plan.contract);
const shared = inject('shared');
// Peers (verify --peers) fill in for services the plan's images lack: in the stack, but not judged here.
const { groups, skipped } = stackGroups(contract, stackImages(plan.targets, plan.peers));
const underTest = underTestIn(plan.targets);
// Extra instances of a service's image serve on its port too (contract stack.extraInstances).
const servicePort = (name: string) => serviceNamed(contract, name).port;
const lacking = missingRoles(contract);
const book = new FiguresBook();
const FIGURES_FILE = join(plan.reportDir, 'flow-figures.json');
// Each platform's describe declares its subject as data: its tests (and a failed beforeAll) carry it even without an outcome.
const subjectMeta = (platform: string) => ({
  [SUBJECT_META]: { subject: flowsSubject(platform), image: FLOWS_IMAGE, platform },
});

// A platform without every contract service: each flow is listed, not run, with the reason (declared at collection).
for (const s of skipped) {
  const hint = s.reason.startsWith('lacks') ? ' (verify --peers ref runs the reference images in their place)' : '';
  const reason = `needs every contract service: the plan ${s.reason}${hint}`;
  describe(flowsSubject(s.platform), { meta: subjectMeta(s.platform) }, () => {
    for (const [name] of FLOWS) {
      test.skip(
        name,
        { meta: { [OUTCOME_META]: flowOutcome(s.platform, name, { verdict: 'not-run', reason }) } },
        () => {},
      );
    }
  });
}

// Platforms side by side (their stacks share nothing); within one, the flows that leave the stack alone side by side,
// then discovery-and-faults alone (it stops a service the others use).
for (const group of groups) {
  describe.concurrent(flowsSubject(group.platform), { meta: subjectMeta(group.platform) }, () => {
    const handle = shared.stacks.find((s) => s.platform === group.platform);
    let env: FlowEnv | undefined;

    beforeAll(async () => {
      if (!handle) throw new Error(`no shared stack was started for ${group.platform} (global setup did not run?)`);
      const figures = book.platform(group.platform, handle.emulated);
      if (handle.error) {
        figures.stackStartError = handle.error.split('\n')[0];
        return;
      }
      figures.stackStartMs = handle.stackStartMs;
      figures.sha256DataChainStartMs = handle.firstOkMs?.[contract.flows.sha256DataChain];
      const entries = Object.entries(handle.services);
      env = await flowEnvOf(
        contract,
        group.platform,
        handle.emulated,
        new Map(entries.map(([n, s]) => [n, s.baseUrl])),
        new Map(entries.map(([n, s]) => [n, s.containerId])),
        new Map(Object.entries(handle.standIns ?? {})),
      );
    });

    // This platform's stack is done once its flows are (the smoke facts were read before any suite ran):
    // removing it now overlaps with the other platform's flows instead of adding to the teardown.
    afterAll(async () => {
      book.write(FIGURES_FILE);
      await Promise.all(
        Object.values(handle?.services ?? {}).map((s) =>
          docker()
            .getContainer(s.containerId)
            .remove({ force: true, v: true })
            .catch(() => undefined),
        ),
      );
    });

    const peers = group.targets.filter((t) => !underTest(t));
    const peersNote = peers.length
      ? `; peers (reference images, not judged): ${peers.map((p) => `${p.service} ${p.label}`).join(', ')}`
      : '';
    const ids = () => Object.fromEntries(Object.entries(handle?.services ?? {}).map(([n, s]) => [n, s.containerId]));

    // The flows that leave the stack as they found it run side by side (each has its own sessions); then the ones
    // that disturb it, one at a time (vitest runs a run of concurrent tests together, a sequential one alone).
    for (const [name, body] of FLOWS) {
      const run = STACK_DISTURBING.has(name) ? test.sequential : test.concurrent;
      run(name, async ({ annotate, task, skip }) => {
        if (name === FLOWS[0]?.[0] && handle?.stackStartMs !== undefined) {
          await annotate(
            `stack start [${group.platform}] on ${handle.network}: ${Object.keys(handle.services).length} containers ${handle.stackStartMs} ms${peersNote}`,
            'flow-figures',
          );
          await recordMetric(annotate, METRIC.stackStart, handle.stackStartMs, 'ms');
        }
        // Each flow fails on its own with the stack's story, so every report line says why: a stack that did not
        // come up is the flow's failure (before any step), not a flow that did not run.
        if (handle?.error) {
          attachOutcome({ task }, stackDownOutcome(group.platform, name, handle.network, handle.error));
          throw new Error(`the ${group.platform} stack did not come up on ${handle.network}:\n${handle.error}`);
        }
        if (lacking.length) {
          const reason = `the contract has no service for ${lacking.join(', ')}, which the flows need`;
          attachOutcome({ task }, flowOutcome(group.platform, name, { verdict: 'not-run', reason }));
          skip(`not run: ${reason}`);
        }
        try {
          await runFlow(env!, name, body, book, { annotate, task });
        } catch (e) {
          if (engineGone(e) || !(await engineAnswers())) {
            const reason = `the engine went away: ${(e as Error).message.split('\n')[0]}`;
            attachOutcome({ task }, flowOutcome(group.platform, name, { verdict: 'not-run', reason }));
            await annotate(reason, 'not-run');
            skip(`not run: the engine went away during the flow`);
          }
          // A flow that failed while a service of its stack was down says so: that is usually the cause.
          const down = await downServices(ids()).catch(() => []);
          if (down.length) {
            const failed = outcomeIn(task.meta);
            attachOutcome(
              { task },
              withServicesDown(
                failed?.kind === 'flow' ? failed : flowOutcome(group.platform, name, { verdict: 'failed' }),
                down,
              ),
            );
            throw new Error(
              `${(e as Error).message}\nwhile it ran, not every service of the stack was up:\n${down.map((d) => `  ${d}`).join('\n')}${peersNote}`,
            );
          }
          if (peersNote && e instanceof Error) e.message += `\n${peersNote.slice(2)}`;
          throw e;
        }
      });
    }

    // Still alive at the end (contract §2): every service container of the stack, judged after the flows.
    if (handle && !handle.error) {
      for (const t of group.targets.filter(underTest)) {
        test.sequential(`still-running: ${t.service}`, async (ctx) => {
          // The service's own container and every extra instance of its image (contract stack.extraInstances).
          const containers = Object.entries(handle.services).filter(
            ([n, s]) => n === t.service || s.instanceOf === t.service,
          );
          const image = (t as { name?: string }).name ?? t.service;
          const subject = {
            subject: flowsSubject(group.platform),
            image,
            platform: group.platform,
            check: 'still-running',
            title: `${image} [${group.platform}] — image ${t.label}, after the flows`,
          };
          await judged(ctx, subject, async () => {
            const found = [];
            for (const [n, s] of containers)
              found.push(
                ...judgeStillRunning(
                  n === t.service ? 'service container' : `${n} container`,
                  await containerEndById(s.containerId),
                  servicePort(t.service),
                ),
              );
            return found;
          });
        });
      }
    }
  });
}
