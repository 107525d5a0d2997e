// The runtime judges on crafted facts: each verdict — passed, failed, not run with its reason — from the facts alone.
import { describe, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { RUNTIME_CHECKS } from '../../helpers/checks/runtime-catalog.ts';
import { NotRun } from '../../helpers/model/verdict.ts';
import type { SmokeRuntimeFacts } from '../../helpers/model/runtime-facts.ts';

const contract = loadContract({});
const service = serviceNamed(contract, 'data-chain');
const judge = (name: string, facts: SmokeRuntimeFacts) =>
  RUNTIME_CHECKS.find((c) => c.name === name)!.judge({ facts, contract, service, platform: 'linux/amd64' });
const verdict = (name: string, facts: SmokeRuntimeFacts): string => {
  try {
    return judge(name, facts).length ? 'failed' : 'passed';
  } catch (e) {
    if (e instanceof NotRun) return `not-run: ${e.reason}`;
    throw e;
  }
};

const okHealth = [
  {
    path: '/health',
    schema: 'data-chain' as const,
    budgetMs: 20_000,
    ok: true,
    elapsedMs: 800,
    answer: { status: 200, text: '{}', body: { status: 'healthy', service: 'data-chain', details: {} } },
  },
];
const alive = { running: true, restartCount: 0, story: 'running for 7.0 s', where: 'container state: running' };
const healthy = (over: Partial<SmokeRuntimeFacts['normal']> = {}): SmokeRuntimeFacts => {
  const run = {
    health: okHealth,
    dockerHealth: { status: 'healthy', elapsedMs: 1900, budgetMs: 30_000, log: [], declared: true },
    end: alive,
  };
  return {
    normal: {
      ...run,
      processes: [{ pid: 1, uid: 65532, gid: 65532, args: '/usr/bin/python3 serve.py' }],
      shellExecs: [{ cmd: ['/bin/sh', '-c', 'true'], exitCode: 126, output: 'no such file' }],
      shellsIn: 'service',
      machine: { machine: 'x86_64', pageSize: 4096 },
      runningAtInspect: true,
      ...over,
    },
    hardened: run,
    source: 'own-containers',
  };
};
const crashedAtStart: SmokeRuntimeFacts = {
  normal: {
    startError:
      'the container exited with code 127 (program or a library it needs not found) after 0.1 s, before it served anything',
    startStory: 'exited with code 127 after 0.1 s',
    health: [],
    shellExecs: [{ cmd: ['/app/usr/bin/sh', '-c', 'true'], exitCode: 0, output: 'in a fresh hardened container' }],
    shellsIn: 'fresh',
  },
  hardened: { startError: 'the container exited with code 127', health: [] },
  source: 'own-containers',
};

describe('runtime catalog verdicts', () => {
  test('a healthy, living service passes every runtime check', () => {
    for (const c of RUNTIME_CHECKS) expect(verdict(c.name, healthy()), c.name).toBe('passed');
  });

  test('a container that exited at start: health fails with the root cause, the rest do not run, shells found still run', () => {
    expect(judge('health', crashedAtStart)[0]!.seen).toMatch(/exited with code 127/);
    for (const name of ['process-user', 'runtime-platform', 'docker-health', 'hardened', 'still-running'])
      expect(verdict(name, crashedAtStart), name).toMatch(
        /^not-run: .*(did not start|does not start).*exited with code 127/,
      );
    const shell = judge('shell-exec', crashedAtStart);
    expect(shell[0]!.expected).toContain('/app/usr/bin/sh');
    expect(shell[0]!.where).toMatch(/fresh hardened containers/);
  });

  test('a service that exited after it became healthy fails still-running with exit code and lifetime; what it could no longer show is not run', () => {
    const f = healthy({
      runningAtInspect: false,
      processes: undefined,
      machine: undefined,
      end: { running: false, restartCount: 0, story: 'exited with code 3 after 4.5 s', where: 'logs: FATAL' },
    });
    expect(judge('still-running', f)[0]!.seen).toBe('it exited with code 3 after 4.5 s');
    expect(verdict('process-user', f)).toMatch(/^not-run: the container was no longer running .*exited with code 3/);
    expect(verdict('runtime-platform', f)).toMatch(/^not-run/);
    expect(verdict('health', f)).toBe('passed');
  });

  test('root, another machine, a working shell, a failing HEALTHCHECK each fail their own check only', () => {
    expect(verdict('process-user', healthy({ processes: [{ pid: 1, uid: 0, gid: 0, args: 'python3' }] }))).toBe(
      'failed',
    );
    expect(verdict('runtime-platform', healthy({ machine: { machine: 'aarch64', pageSize: 4096 } }))).toBe('failed');
    expect(
      verdict('shell-exec', healthy({ shellExecs: [{ cmd: ['/bin/sh', '-c', 'true'], exitCode: 0, output: '' }] })),
    ).toBe('failed');
    const sick = healthy({
      dockerHealth: {
        status: 'unhealthy',
        elapsedMs: 24_000,
        budgetMs: 30_000,
        log: [{ exitCode: 127, output: '' }],
        declared: true,
      },
    });
    expect(judge('docker-health', sick)[0]!.where).toContain('exit 127 (printed nothing)');
    // The hardened run fails the same HEALTHCHECK: reported once, on docker-health.
    expect(verdict('hardened', { ...sick, hardened: sick.normal })).toBe('passed');
  });

  test('facts that could not be read are not run, never failed', () => {
    expect(
      verdict('process-user', healthy({ processes: undefined, processError: '(HTTP code 500) server error' })),
    ).toMatch(/^not-run: the processes could not be read/);
    expect(verdict('runtime-platform', healthy({ machine: { error: 'exec of /usr/bin/python3 exited 127' } }))).toMatch(
      /^not-run/,
    );
    expect(
      verdict(
        'shell-exec',
        healthy({
          shellExecs: [{ cmd: ['/bin/sh', '-c', 'true'], exitCode: null, output: '409 container not running' }],
        }),
      ),
    ).toMatch(/^not-run: no shell could be tried/);
  });

  test('shared stack: a container that answered 200 at the stack start and stopped before its facts were read', () => {
    const refused = { exitCode: -1, output: '(HTTP code 409) unexpected - container 3f2a is not running' };
    const end = { running: false, restartCount: 0, story: 'exited with code 3 after 6.1 s', where: 'logs: FATAL' };
    const run = {
      health: okHealth,
      dockerHealth: { status: 'container exited', elapsedMs: 9_000, budgetMs: 30_000, declared: true, log: [refused] },
      end,
    };
    const gone: SmokeRuntimeFacts = {
      normal: { ...run, shellExecs: [], shellsIn: 'fresh', runningAtInspect: false },
      hardened: run,
      source: 'shared-stack',
    };
    // It became healthy: its first 200 passes health; the crash is still-running's (judged after the flows).
    expect(verdict('health', gone)).toBe('passed');
    expect(verdict('docker-health', gone)).toBe(
      'not-run: the container stopped before its HEALTHCHECK could pass (exited with code 3 after 6.1 s); see still-running',
    );
    expect(verdict('process-user', gone)).toMatch(/^not-run: .*exited with code 3.*; see still-running$/);
    expect(verdict('hardened', gone)).toBe('passed');
    // A 409 read as "unhealthy" by an older runner, with no end: still not judged.
    const older = { ...run, end: undefined, dockerHealth: { ...run.dockerHealth, status: 'unhealthy' } };
    expect(verdict('docker-health', { ...gone, normal: { ...gone.normal, ...older } })).toMatch(/^not-run/);
  });

  test('a path never asked because the container stopped after the main one answered: health not run, pointing to still-running', () => {
    const bm = serviceNamed(contract, 'block-manager');
    const f = healthy({
      health: [
        { ...okHealth[0]!, schema: 'basic', answer: { status: 200, text: '{}', body: { status: 'ok', service: 'x' } } },
        { path: '/api/v1/health', schema: 'versioned', budgetMs: 20_000, ok: false, elapsedMs: 30, exited: true },
      ],
      runningAtInspect: false,
      end: { running: false, restartCount: 0, story: 'exited with code 1 after 3.0 s', where: 'logs: boom' },
    });
    const judgeAs = (name: string) => {
      try {
        const r = RUNTIME_CHECKS.find((c) => c.name === name)!.judge({
          facts: f,
          contract,
          service: bm,
          platform: 'linux/amd64',
        });
        return r.length ? `failed: ${r.map((x) => x.seen).join(' | ')}` : 'passed';
      } catch (e) {
        if (e instanceof NotRun) return `not-run: ${e.reason}`;
        throw e;
      }
    };
    expect(judgeAs('health')).toBe(
      'not-run: the container stopped after /health answered 200, before /api/v1/health could be asked (exited with code 1 after 3.0 s); see still-running',
    );
    expect(judgeAs('still-running')).toBe('failed: it exited with code 1 after 3.0 s');
  });

  test("a crash after the main path answered 200 is still-running's even when health has a finding of its own", () => {
    const crashed = { running: false, restartCount: 0, story: 'exited with code 1 after 4.0 s', where: 'logs: boom' };
    const badBody = healthy({
      health: [{ ...okHealth[0]!, answer: { status: 200, text: '{}', body: { status: 'healthy' } } }],
      end: crashed,
    });
    expect(verdict('health', badBody)).toBe('failed');
    expect(judge('still-running', badBody)[0]!.seen).toBe('it exited with code 1 after 4.0 s');
    // Never answered 200 on its main path: the crash is health's root cause, still-running does not run.
    const never = healthy({
      health: [{ ...okHealth[0]!, ok: false, exited: true, answer: undefined, elapsedMs: 1_500 }],
      end: crashed,
    });
    expect(verdict('still-running', never)).toBe('not-run: the service never became healthy; see health');
  });
});
