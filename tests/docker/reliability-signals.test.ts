// Ctrl-C (SIGINT to the whole foreground group), `kill -INT` or `kill -TERM` of the CLI alone: verify stops,
// removes what its run started, says so in one line and exits 130 / 143.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { lastLine, leftovers, newRunId, startCli, waitForContainers } from '../../helpers/reliability/child.ts';

const dir = mkdtempSync(join(tmpdir(), 'lucid-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases = [
  { name: 'SIGINT to the CLI', signal: 'SIGINT', group: false, code: 130 },
  { name: 'SIGINT to the process group (Ctrl-C)', signal: 'SIGINT', group: true, code: 130 },
  { name: 'SIGTERM to the CLI', signal: 'SIGTERM', group: false, code: 143 },
] as const;

describe.each(cases)('$name', ({ signal, group, code }) => {
  test('stops, removes its containers and says so', async () => {
    const runId = newRunId('signal');
    const cli = startCli(
      ['verify', '--image', 'data-chain', '--platform', 'linux/arm64', '--report-dir', join(dir, runId)],
      { runId, detached: true },
    );
    expect(await waitForContainers(runId, 1, 60_000), 'a container of the run is up').toBeGreaterThan(0);
    process.kill(group ? -cli.child.pid! : cli.child.pid!, signal);
    const r = await cli.done;
    expect(r.status, r.stderr.slice(-1500)).toBe(code);
    expect(lastLine(r.stderr)).toMatch(
      new RegExp(`^lucid-harness verify: interrupted by ${signal}; removed \\d+ container\\(s\\) of this run$`),
    );
    expect((await leftovers(runId)).containers).toEqual([]);
    // vitest's workers die with it: nothing of the run appears afterwards either.
    await new Promise((res) => setTimeout(res, 2000));
    expect((await leftovers(runId)).containers).toEqual([]);
  });
});
