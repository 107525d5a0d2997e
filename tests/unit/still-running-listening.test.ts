// still-running when PID 1 outlives the server: a supervisor (or tini, dumb-init) keeps the container running after
// its server child died. Seen on a trial image whose Python supervisor kept running after its server child exited
// 4 s in: every smoke check passed. The port table the diagnostics already read tells it.
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { portsFromHostProc } from '../../helpers/runtime/diagnostics.ts';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { judgeStillRunning, RUNTIME_CHECKS } from '../../helpers/checks/runtime-catalog.ts';
import { NotRun } from '../../helpers/model/verdict.ts';
import type { ContainerEnd, SmokeRuntimeFacts } from '../../helpers/model/runtime-facts.ts';

const contract = loadContract({});
const service = serviceNamed(contract, 'api-gateway');
const stillRunning = RUNTIME_CHECKS.find((c) => c.name === 'still-running')!;

const factsEndingWith = (end: ContainerEnd): SmokeRuntimeFacts => {
  const run = {
    health: [
      {
        path: service.healthPath,
        schema: service.healthSchema,
        budgetMs: 20_000,
        ok: true,
        elapsedMs: 800,
        answer: { status: 200, text: '{}', body: {} },
      },
    ],
    dockerHealth: { status: 'healthy', elapsedMs: 1900, budgetMs: 30_000, log: [], declared: true },
    end,
  };
  return {
    normal: { ...run, shellExecs: [], shellsIn: 'service', runningAtInspect: true },
    hardened: run,
    source: 'own-containers',
  };
};
const verdict = (end: ContainerEnd): string => {
  try {
    const found = stillRunning.judge({ facts: factsEndingWith(end), contract, service, platform: 'linux/amd64' });
    return found.length ? `failed: ${found.map((f) => f.seen).join(' | ')}` : 'passed';
  } catch (e) {
    if (e instanceof NotRun) return `not-run: ${e.reason}`;
    throw e;
  }
};
const running = { running: true, restartCount: 0, story: 'running for 10.2 s', where: 'logs: server child died' };

describe('still-running: the container runs, but does its server?', () => {
  test('running with nothing on the contract port any more fails, naming the port and what listens', () => {
    expect(verdict({ ...running, listeningPorts: [] })).toBe(
      'failed: it is running for 10.2 s, but nothing listens on 8080 any more (listening on no TCP port): the server process ended while the container lived on',
    );
    expect(verdict({ ...running, listeningPorts: [9090] })).toMatch(/nothing listens on 8080 .*listening on 9090/);
  });

  test('a correct multi-process image (supervisor as PID 1, the server a child) still listening passes', () => {
    expect(verdict({ ...running, listeningPorts: [8080] })).toBe('passed');
    expect(verdict({ ...running, listeningPorts: [8080, 9100] })).toBe('passed');
  });

  test('ports that could not be read judge nothing (not observed is not a failure)', () => {
    expect(verdict({ ...running, listeningPorts: null })).toBe('passed');
    expect(verdict(running)).toBe('passed');
  });

  test('an exit or a restart still fails as before', () => {
    expect(verdict({ running: false, restartCount: 0, story: 'exited with code 1 after 4.0 s', where: '' })).toBe(
      'failed: it exited with code 1 after 4.0 s',
    );
    expect(verdict({ ...running, restartCount: 1, listeningPorts: [8080] })).toMatch(/^failed: it running/);
  });

  test("the flow suite's judgement of a stack container (an extra instance included) takes the service's port", () => {
    const dc = serviceNamed(contract, 'data-chain').port;
    expect(judgeStillRunning('data-chain-sha256 container', { ...running, listeningPorts: [dc] }, dc)).toEqual([]);
    const [f] = judgeStillRunning('data-chain-sha256 container', { ...running, listeningPorts: [] }, dc);
    expect(f!.check).toBe('the data-chain-sha256 container is still alive at the end');
    expect(f!.seen).toMatch(new RegExp(`nothing listens on ${dc}`));
    // Without a port (a caller that has none) only the container's state is judged, as before.
    expect(judgeStillRunning('x container', { ...running, listeningPorts: [] })).toEqual([]);
  });
});

describe('the port table is read through /proc only at the container own pid', () => {
  // A unix socket to an engine in a VM (Docker Desktop, Colima, Lima): its pid names an unrelated process of this
  // host, whose namespace has other listeners; read as the container's, a correct service had "nothing on its port".
  test("this process, listening, is not the container's: nothing is read (the diagnostics ask the image instead)", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, r));
    try {
      expect(await portsFromHostProc(process.pid, 'a'.repeat(64))).toBeNull();
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
