import { expect, test } from 'vitest';
import type { ExecOutcome } from '../../helpers/model/runtime-facts.ts';
import { tryShellsInService } from '../../helpers/runtime/shells-in-service.ts';

const SH = ['/bin/sh', '-c', 'true'];
const BASH = ['/bin/bash', '-c', 'true'];
const absent = (cmd: string[]): ExecOutcome => ({ cmd, exitCode: 127, output: 'no such file or directory' });
const refused = (cmd: string[]): ExecOutcome => ({
  cmd,
  exitCode: null,
  output: '(HTTP code 409) container stopped/paused - Container 4d7e is not running',
});

test('every exec answered: the service container is the one judged, no fresh container is made', async () => {
  let fresh = 0;
  const r = await tryShellsInService(
    [SH, BASH],
    async (cmd) => absent(cmd),
    async () => true,
    async (cmds) => ((fresh += 1), cmds.map(absent)),
  );
  expect(r).toEqual({ shellExecs: [absent(SH), absent(BASH)], shellsIn: 'service' });
  expect(fresh).toBe(0);
});

test('the service exits between two execs: the refused exec is not a verdict, every shell is tried in fresh containers', async () => {
  const r = await tryShellsInService(
    [SH, BASH],
    async (cmd) => (cmd === SH ? absent(cmd) : refused(cmd)),
    async () => false,
    async (cmds) => cmds.map((cmd) => ({ cmd, exitCode: cmd === BASH ? 0 : 127, output: '' })),
  );
  // The fresh containers' answers are what the check judges: here /bin/bash really runs.
  expect(r.shellsIn).toBe('fresh');
  expect(r.shellExecs.map((o) => [o.cmd[0], o.exitCode])).toEqual([
    ['/bin/sh', 127],
    ['/bin/bash', 0],
  ]);
});

test('an exec without a result while the container still runs (a hung shell) is kept as it is', async () => {
  const hung: ExecOutcome = { cmd: BASH, exitCode: null, output: '' };
  const r = await tryShellsInService(
    [SH, BASH],
    async (cmd) => (cmd === SH ? absent(cmd) : hung),
    async () => true,
    async () => {
      throw new Error('no fresh container expected');
    },
  );
  expect(r).toEqual({ shellExecs: [absent(SH), hung], shellsIn: 'service' });
});
