import { describe, expect, test } from 'vitest';
import {
  judgeDockerHealth,
  judgeProcessUser,
  judgeRuntimeMachine,
  judgeShellExecs,
} from '../../helpers/checks/runtime.ts';
import type Dockerode from 'dockerode';
import { healthcheckArgv } from '../../helpers/runtime/healthcheck-exec.ts';
import { withImageTimeout } from '../../helpers/runtime/lucid-container.ts';
import { engineHealthStatus, waitForDockerHealth } from '../../helpers/runtime/docker-health.ts';
import { programArgs } from '../../helpers/model/runtime-facts.ts';
import { parseIdMap, parseTop, toContainerIds } from '../../helpers/runtime/processes.ts';

const nonroot = { uid: 65532, gid: 65532 };

describe('process user', () => {
  const top = {
    Titles: ['PID', 'UID', 'GID', 'COMMAND'],
    Processes: [
      [
        '4242',
        '65532',
        '65532',
        '/usr/libexec/qemu-binfmt/aarch64-binfmt-P /usr/bin/python3 /app/lucid_ref/serve.py data-chain',
      ],
    ],
  };
  test('parses docker top by column title and looks past qemu', () => {
    const procs = parseTop(top);
    expect(procs).toEqual([{ pid: 4242, uid: 65532, gid: 65532, args: top.Processes[0]![3] }]);
    expect(programArgs(procs[0]!.args)).toBe('/usr/bin/python3 /app/lucid_ref/serve.py data-chain');
  });
  test('nonroot passes', () => expect(judgeProcessUser(parseTop(top), nonroot)).toEqual([]));
  test('root fails and says so', () => {
    const f = judgeProcessUser([{ pid: 1, uid: 0, gid: 0, args: '/usr/bin/python3 x.py' }], nonroot);
    expect(f[0]!.seen).toBe('pid 1 runs as 0:0 (root): /usr/bin/python3 x.py');
  });
  test('uid 1000 fails; a wrong gid alone fails', () => {
    expect(judgeProcessUser([{ pid: 1, uid: 1000, gid: 1000, args: 'p' }], nonroot)).toHaveLength(1);
    expect(judgeProcessUser([{ pid: 1, uid: 65532, gid: 0, args: 'p' }], nonroot)).toHaveLength(1);
  });
  test('userns-remap: docker top shows host ids (remap base + uid), mapped back through the container id maps', () => {
    const map = parseIdMap('         0     100000      65536\n');
    expect(map).toEqual([{ inside: 0, outside: 100000, count: 65536 }]);
    const host = [{ pid: 4242, uid: 165532, gid: 165532, args: 'python3' }];
    expect(judgeProcessUser(toContainerIds(host, map, map), nonroot)).toEqual([]);
    // Root in the container is the base itself: still root, still failing.
    const root = toContainerIds([{ pid: 1, uid: 100000, gid: 100000, args: 'python3' }], map, map);
    expect(judgeProcessUser(root, nonroot)[0]!.seen).toMatch(/runs as 0:0 \(root\)/);
    // Without remap the map is the identity: ids unchanged.
    const identity = parseIdMap('0 0 4294967295');
    expect(toContainerIds(parseTop(top), identity, identity)).toEqual(parseTop(top));
    // An id outside the map cannot be told as the container's: not observed (an error), never a wrong verdict.
    expect(() => toContainerIds([{ pid: 7, uid: 1000, gid: 1000, args: 'x' }], map, map)).toThrow(/outside/);
  });
  test('no process at all fails', () =>
    expect(judgeProcessUser([], nonroot)[0]!.seen).toBe('no process in the container'));
});

describe('shell execs', () => {
  const missing = {
    cmd: ['/bin/sh', '-c', 'true'],
    exitCode: 126,
    output:
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown',
  };
  test('failing execs pass', () =>
    expect(judgeShellExecs([missing, { ...missing, cmd: ['/bin/bash'], exitCode: 127 }])).toEqual([]));
  test('a shell that runs is a finding', () => {
    const f = judgeShellExecs([missing, { cmd: ['/app/usr/bin/sh', '-c', 'true'], exitCode: 0, output: '' }]);
    expect(f).toHaveLength(1);
    expect(f[0]!.seen).toContain('the image has a working shell');
    expect(f[0]!.expected).toContain('/app/usr/bin/sh');
  });
  test('no answer from the engine is not a pass', () =>
    expect(
      judgeShellExecs([{ cmd: ['/bin/sh'], exitCode: null, output: '(HTTP code 409) container is not running' }]),
    ).toHaveLength(1));
});

describe('docker health', () => {
  const base = { elapsedMs: 3000, budgetMs: 30000, declared: true, log: [] };
  test('healthy passes', () => expect(judgeDockerHealth({ ...base, status: 'healthy' })).toEqual([]));
  test('unhealthy shows the probe output', () => {
    const f = judgeDockerHealth({
      ...base,
      status: 'unhealthy',
      log: [{ exitCode: 1, output: 'HTTP 404 from /health' }],
    });
    expect(f[0]!.where).toContain('exit 1: HTTP 404 from /health');
  });
  test('no HEALTHCHECK declared', () =>
    expect(judgeDockerHealth({ ...base, status: 'none', declared: false })[0]!.seen).toBe(
      'the image declares no HEALTHCHECK',
    ));
  test('still starting at the end of the budget', () =>
    expect(judgeDockerHealth({ ...base, status: 'starting' })[0]!.seen).toBe('starting after 3.0 s'));
  test('still starting, though every run of the probe failed: the line says so', () => {
    const log = [
      { exitCode: 1, output: 'HTTP 404' },
      { exitCode: 1, output: 'HTTP 404' },
    ];
    expect(judgeDockerHealth({ ...base, status: 'starting', log })[0]!.seen).toBe(
      'starting after 3.0 s; all 2 of its last runs failed (last: exit 1)',
    );
    expect(
      judgeDockerHealth({ ...base, status: 'starting', log: [{ exitCode: 0, output: '' }, ...log] })[0]!.seen,
    ).toBe('starting after 3.0 s');
  });
});

describe('runtime machine', () => {
  test('aarch64 under arm64 passes', () =>
    expect(judgeRuntimeMachine('linux/arm64', { machine: 'aarch64', pageSize: 4096 })).toEqual([]));
  test('x86_64 code under an arm64 tag fails', () =>
    expect(judgeRuntimeMachine('linux/arm64', { machine: 'x86_64' })[0]!.seen).toContain('another architecture'));
  test('no answer fails', () =>
    expect(judgeRuntimeMachine('linux/amd64', { error: 'exec exited 126' })[0]!.seen).toBe('exec exited 126'));
});

describe('docker health names the command that ran', () => {
  test('a CMD-SHELL probe shows in the finding', () => {
    const f = judgeDockerHealth({
      status: 'unhealthy',
      elapsedMs: 5000,
      budgetMs: 30000,
      declared: true,
      log: [{ exitCode: -1, output: 'exec: "/bin/sh": stat /bin/sh: no such file or directory' }],
      test: ['CMD-SHELL', 'python3 /app/h.py || exit 1'],
    });
    expect(f[0]!.where).toContain('HEALTHCHECK ["CMD-SHELL","python3 /app/h.py || exit 1"]');
  });
});

describe('HEALTHCHECK run by the harness', () => {
  test('argv as the engine would run it', () => {
    expect(healthcheckArgv(['CMD', '/usr/bin/python3', '-I', 'h.py'])).toEqual(['/usr/bin/python3', '-I', 'h.py']);
    // CMD-SHELL needs a shell: on a shell-less image it can never pass, which is what the check must see.
    expect(healthcheckArgv(['CMD-SHELL', 'curl -f http://127.0.0.1:8080/health'])).toEqual([
      '/bin/sh',
      '-c',
      'curl -f http://127.0.0.1:8080/health',
    ]);
    expect(healthcheckArgv(['NONE'])).toBeUndefined();
    expect(healthcheckArgv([])).toBeUndefined();
    expect(healthcheckArgv(undefined)).toBeUndefined();
  });
  test('a failing run names the harness as runner and shows the command and its output', () => {
    const f = judgeDockerHealth({
      status: 'unhealthy',
      elapsedMs: 4000,
      budgetMs: 30000,
      declared: true,
      runner: 'harness',
      test: ['CMD', '/usr/local/bin/lucid-healthcheck'],
      log: [{ exitCode: 127, output: 'no such file or directory' }],
    });
    expect(f).toHaveLength(1);
    expect(f[0]!.check).toMatch(/run through exec by the harness/);
    expect(f[0]!.where).toContain('lucid-healthcheck');
    expect(f[0]!.where).toContain('exit 127: no such file or directory');
  });
  test('healthy through the harness passes; an image without HEALTHCHECK does not', () => {
    expect(
      judgeDockerHealth({
        status: 'healthy',
        elapsedMs: 900,
        budgetMs: 30000,
        declared: true,
        runner: 'harness',
        log: [],
      }),
    ).toEqual([]);
    expect(
      judgeDockerHealth({
        status: 'none',
        elapsedMs: 0,
        budgetMs: 30000,
        declared: false,
        runner: 'harness',
        log: [],
      })[0]!.seen,
    ).toMatch(/declares no HEALTHCHECK/);
  });
});

describe("the engine's health status while the container runs", () => {
  const refused = 'ConnectionRefusedError: [Errno 111] Connection refused';
  const noShell =
    'OCI runtime exec failed: exec failed: unable to start container process: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown';
  const inspect = (status: string, output = refused, running = true) =>
    ({
      State: {
        Running: running,
        Status: running ? 'running' : 'exited',
        Health: { Status: status, FailingStreak: 3, Log: [1, 2, 3].map(() => ({ ExitCode: 1, Output: output })) },
      },
      Config: { Healthcheck: { Test: ['CMD', '/usr/bin/python3', '/app/hc.py'] } },
    }) as unknown as Dockerode.ContainerInspectInfo;
  const container = (looks: Dockerode.ContainerInspectInfo[]) => {
    let n = 0;
    return { inspect: async () => looks[Math.min(n++, looks.length - 1)] } as unknown as Dockerode.Container;
  };

  test('unhealthy from the probes of a slow start is not final: the next passing probe makes it healthy', () => {
    expect(engineHealthStatus(inspect('unhealthy'))).toEqual({ final: false, status: 'unhealthy' });
    expect(engineHealthStatus(inspect('healthy')).final).toBe(true);
  });
  test('final: a stopped container, and a probe program that cannot start at all', () => {
    expect(engineHealthStatus(inspect('unhealthy', refused, false))).toEqual({
      final: true,
      status: 'container exited',
    });
    expect(engineHealthStatus(inspect('unhealthy', noShell))).toEqual({ final: true, status: 'unhealthy' });
    // While the start period lasts the engine keeps trying; so does the wait.
    expect(engineHealthStatus(inspect('starting', noShell)).final).toBe(false);
  });
  test('unhealthy at first, healthy at a later probe: healthy within the budget', async () => {
    const c = container([inspect('unhealthy'), inspect('unhealthy'), inspect('healthy')]);
    expect((await waitForDockerHealth(c, Date.now(), 5_000, 5)).status).toBe('healthy');
  });
  test('never healthy: unhealthy at the end of the budget, with the last HEALTHCHECK runs', async () => {
    const since = Date.now();
    const f = await waitForDockerHealth(container([inspect('unhealthy')]), since, 150, 5);
    expect(f.status).toBe('unhealthy');
    expect(f.elapsedMs).toBeGreaterThanOrEqual(150);
    expect(judgeDockerHealth(f)[0]!.where).toContain(`exit 1: ${refused}`);
  });
});

describe('HEALTHCHECK timeout: the harness shortens the interval, never the time a probe may take', () => {
  const native = { intervalMs: 1000, timeoutMs: 5000, retries: 3 };
  test("the image's own timeout when it is longer (image config, ns)", () =>
    expect(withImageTimeout(native, 12e9)).toEqual({ ...native, timeoutMs: 12_000 }));
  test("the harness's when the image's is shorter or not set", () => {
    expect(withImageTimeout(native, 3e9)).toBe(native);
    expect(withImageTimeout(native, 0)).toBe(native);
    expect(withImageTimeout(native, undefined)).toBe(native);
  });
});
