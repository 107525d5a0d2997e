// Cross-service flows (contract §4–§5) per platform of the plan that has all six services: one stack
// per platform, started in beforeAll and shared by the four flows, stopped in afterAll.
import { METRIC, recordMetric } from '../helpers/report/metrics.ts';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, inject, test } from 'vitest';
import { loadContract } from '../helpers/contract/load.ts';
import '../helpers/plan/plan.ts';
import { FiguresBook } from '../helpers/flows/figures.ts';
import { FLOWS } from '../helpers/flows/index.ts';
import { flowGroups } from '../helpers/flows/roles.ts';
import { runFlow } from '../helpers/flows/run.ts';
import { startFlowStack, type FlowStack } from '../helpers/flows/stack.ts';
import { isEmulated } from '../helpers/engine/docker.ts';

const plan = inject('plan');
const contract = loadContract(plan.contract);
const network = inject('network');
const { groups, skipped } = flowGroups(plan.targets);
const book = new FiguresBook();
const FIGURES_FILE = join(plan.reportDir, 'flow-figures.json');

for (const s of skipped) describe(`${s.platform} flows`, () => test.skip(`needs all six services: the plan ${s.reason}`, () => {}));

for (const group of groups) {
  describe(`${group.platform} flows`, () => {
    let stack: FlowStack | undefined;

    beforeAll(async () => {
      const figures = book.platform(group.platform, await isEmulated(group.platform));
      try {
        stack = await startFlowStack(contract, group.targets, network);
      } catch (e) {
        figures.stackStartError = (e as Error).message.split('\n')[0];
        throw e;
      }
      figures.stackStartMs = stack.stackStartMs;
      figures.sha256DataChainStartMs = stack.sha256StartMs;
    });

    afterAll(async () => {
      await stack?.stop();
      book.write(FIGURES_FILE);
    });

    for (const [name, body] of FLOWS) {
      test(name, async ({ annotate, task }) => {
        if (name === FLOWS[0]?.[0] && stack) {
          await annotate(`stack start [${group.platform}]: six services ${stack.stackStartMs} ms, SHA-256 data-chain ${stack.sha256StartMs} ms`, 'flow-figures');
          await recordMetric(annotate, METRIC.stackStart, stack.stackStartMs, 'ms');
        }
        await runFlow(stack!.env, name, body, book, { annotate, task });
      });
    }
  });
}
