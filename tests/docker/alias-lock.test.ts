import { hostname } from 'node:os';
import { expect, test } from 'vitest';
import { docker } from '../../helpers/engine/docker.ts';
import { LABEL_HOST, LABEL_OWNER, LABEL_PID, LABEL_ROLE, LABEL_RUN } from '../../helpers/engine/labels.ts';
import { lockNetworkAliases } from '../../helpers/runtime/alias-lock.ts';

const NET = `lucid-lock-test-${process.pid}`;

test('a second stack waits for the first to release the network, then takes it', async () => {
  const release = await lockNetworkAliases(NET);
  const order: string[] = [];
  const second = lockNetworkAliases(NET).then((r) => (order.push('second acquired'), r));
  await new Promise((r) => setTimeout(r, 1500));
  order.push('first releases');
  await release();
  const release2 = await second;
  expect(order).toEqual(['first releases', 'second acquired']);
  await release2();
});

test("a dead run's lock is taken over", async () => {
  // As kill -9 leaves it: a lock labelled with a process of this host that no longer exists.
  await docker().createNetwork({
    Name: `${NET}.stack-lock`,
    Internal: true,
    Labels: {
      [LABEL_OWNER]: 'true',
      [LABEL_ROLE]: 'lock',
      [LABEL_RUN]: 'dead-run',
      [LABEL_HOST]: hostname(),
      [LABEL_PID]: '999999999',
    },
  });
  const release = await lockNetworkAliases(NET, { waitMs: 5000 });
  const held = await docker().getNetwork(`${NET}.stack-lock`).inspect();
  expect(held.Labels?.[LABEL_RUN]).not.toBe('dead-run');
  await release();
});
