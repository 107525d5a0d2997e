import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { alive, descendants, descendantsIn, ppidOfStat, reap, stateOfStat } from '../../helpers/plan/process-tree.ts';

test('ppid from /proc/<pid>/stat, whatever the command name holds', () => {
  expect(ppidOfStat('4242 (node) S 4200 4242 4242 0 -1 4194560')).toBe(4200);
  expect(ppidOfStat('77 (a (weird) name) R 1 77 77 0')).toBe(1);
  expect(stateOfStat('77 (a (weird) name) Z 1 77 77 0')).toBe('Z');
});

test('descendants: children, grandchildren, nothing else', () => {
  const parents = new Map([
    [10, 1],
    [11, 10],
    [12, 11],
    [13, 10],
    [20, 1],
  ]);
  expect(descendantsIn(parents, 10).sort()).toEqual([11, 12, 13]);
  expect(descendantsIn(parents, 20)).toEqual([]);
});

test('finds a real grandchild and reaps it (SIGKILL after the grace)', async () => {
  // sh → sleep: the sleep is a grandchild of this process; sh ignores nothing, sleep keeps running.
  const sh = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
  await expect.poll(() => descendants(process.pid).length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
  const tree = descendants(sh.pid!);
  expect(tree.length).toBe(1);
  await reap([sh.pid!, ...tree], 200);
  expect([sh.pid!, ...tree].filter(alive)).toEqual([]);
});
