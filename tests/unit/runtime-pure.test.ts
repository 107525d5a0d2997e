import { describe, expect, test } from 'vitest';
import { loopbackOnlyPorts, parseProcNetTcp } from '../../helpers/runtime/listening-ports.ts';
import { startInstant } from '../../helpers/runtime/start-service.ts';
import type Dockerode from 'dockerode';
import { collectDiagnostics, describeDiagnostics, exitStory, livedMs } from '../../helpers/runtime/diagnostics.ts';
import { LogTail } from '../../helpers/runtime/log-tail.ts';
import { withStackStart } from '../../helpers/runtime/shared-stack.ts';
import { judgeHealth } from '../../helpers/checks/health.ts';
import { judgeHealthBody } from '../../helpers/contract/health-schemas.ts';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { formatFindings } from '../../helpers/model/finding.ts';
import type { HealthFacts } from '../../helpers/model/runtime-facts.ts';

const procNetTcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F98 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65532        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F98 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000 65532        0 2 1 0000000000000000 20 4 30 10 -1`;

describe('listening ports from /proc/net/tcp', () => {
  test('only LISTEN sockets count', () => expect(parseProcNetTcp(procNetTcp)).toEqual([8088]));
  test('tcp6 lines and duplicates', () => {
    const v6 = '   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 0 0 0 0 0 0';
    expect(parseProcNetTcp(`${procNetTcp}\n${v6}`)).toEqual([8080, 8088]);
  });
  test('a port bound to loopback only (127.0.0.1, ::1, ::ffff:127.0.0.1) is told apart from one on every address', () => {
    const line = (addr: string, port: string) => `   9: ${addr}:${port} 00000000:0000 0A 0 0 0 0 0 0`;
    const text = [
      line('0100007F', '1F97'), // 127.0.0.1:8087 (uvicorn's default host)
      line('00000000000000000000000001000000', '1F96'), // [::1]:8086
      line('0000000000000000FFFF00000100007F', '1F95'), // [::ffff:127.0.0.1]:8085
      line('00000000', '1F94'), // 0.0.0.0:8084
      line('0100007F', '1F94'), // and 127.0.0.1:8084 too: reachable all the same
    ].join('\n');
    expect(parseProcNetTcp(text)).toEqual([8084, 8085, 8086, 8087]);
    expect(loopbackOnlyPorts(text)).toEqual([8085, 8086, 8087]);
    const said = describeDiagnostics(
      {
        state: 'running',
        exitCode: null,
        restartCount: 0,
        oomKilled: false,
        livedMs: 3000,
        listeningPorts: [8087],
        loopbackOnly: [8087],
        logsTail: '',
      },
      8087,
    );
    expect(said).toContain(
      'ports: listening on 8087; 8087 on loopback only (127.0.0.1 or ::1), which a published port cannot reach: bind 0.0.0.0',
    );
  });
  test("Docker's embedded DNS listener (127.0.0.11, a random port) is not the service's", () => {
    const dns =
      '   2: 0B00007F:9A33 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 100 0 0 10 0';
    expect(parseProcNetTcp(`${procNetTcp}\n${dns}`)).toEqual([8088]);
  });
});

describe('start instant of a container', () => {
  test("the engine's StartedAt, so a slow create does not eat the first-200 budget", () =>
    expect(startInstant('1970-01-01T00:00:14.000Z', 0, 20_000)).toBe(14_000));
  test('kept within the request and the return (engine clock skew)', () => {
    expect(startInstant('1970-01-01T00:01:00.000Z', 0, 20_000)).toBe(20_000);
    expect(startInstant('1969-12-31T23:59:00.000Z', 5_000, 20_000)).toBe(5_000);
  });
  test('the request time when the engine says nothing readable', () => {
    expect(startInstant(undefined, 5_000, 20_000)).toBe(5_000);
    expect(startInstant('0001-01-01T00:00:00Z', 5_000, 20_000)).toBe(5_000);
  });
});

describe('diagnostics text', () => {
  test('says nothing answers on the contract port and which ports do', () => {
    const text = describeDiagnostics(
      {
        state: 'running',
        exitCode: null,
        restartCount: 0,
        oomKilled: false,
        livedMs: 3000,
        listeningPorts: [8088],
        logsTail: 'serving on 8088',
      },
      8500,
    );
    expect(text).toContain('nothing on 8500; listening on 8088');
    expect(text).toContain('| serving on 8088');
  });
  test('an exited container shows its exit code and OOM flag', () => {
    const text = describeDiagnostics({
      state: 'exited',
      exitCode: 137,
      restartCount: 2,
      oomKilled: true,
      livedMs: 12_345,
      listeningPorts: null,
      logsTail: '',
    });
    expect(text).toContain('exit code 137, ran 12.3 s, restarts 2, OOM-killed');
  });
  test('the exit story names the code, its meaning and how long the container lived', () => {
    expect(exitStory({ state: 'exited', exitCode: 127, livedMs: 420, oomKilled: false, restartCount: 0 })).toBe(
      'exited with code 127 (program or a library it needs not found) after 0.4 s',
    );
    expect(exitStory({ state: 'running', exitCode: null, livedMs: 5_000, oomKilled: false, restartCount: 1 })).toBe(
      'running for 5.0 s, restarted 1 time(s)',
    );
    expect(livedMs('2026-12-02T10:00:00.000Z', '2026-12-02T10:00:01.500Z')).toBe(1500);
    expect(livedMs('0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z')).toBeNull();
  });
});

describe('log tail', () => {
  test('keeps the last lines across chunk boundaries', () => {
    const t = new LogTail(3);
    t.push('a\nb\nc');
    t.push('d\ne\n');
    expect(t.tail()).toBe('b\ncd\ne');
  });
});

describe('the logs of a container that ended at once', () => {
  // Framed as the engine sends a non-TTY container's log: stream byte, 3 zero bytes, big-endian length.
  const frame = (stream: 1 | 2, text: string) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };
  const ended = (logs: Buffer) =>
    ({
      inspect: async () => ({
        Id: 'c1',
        RestartCount: 0,
        State: { Running: false, Status: 'exited', ExitCode: 1, OOMKilled: false, StartedAt: '', FinishedAt: '' },
      }),
      logs: async () => logs,
    }) as unknown as Dockerode.Container;
  test("the engine's log stands in for a stream attached too late", async () => {
    const engine = frame(2, "ModuleNotFoundError: No module named 'motor'\n");
    expect((await collectDiagnostics(ended(engine), '')).logsTail).toBe("ModuleNotFoundError: No module named 'motor'");
  });
  test('a streamed tail is kept as it is', async () => {
    expect((await collectDiagnostics(ended(frame(1, 'other')), 'streamed line')).logsTail).toBe('streamed line');
  });
});

describe('health judgement', () => {
  const contract = loadContract({});
  const gateway = serviceNamed(contract, 'api-gateway');
  const goodGateway = {
    status: 'healthy',
    timestamp: '2026-11-27T08:00:00Z',
    service: 'api-gateway',
    version: '1.0.0',
    dependencies: { 'data-chain': 'healthy' },
    uptime: 3.2,
    response_time: 0.01,
  };

  test('a body that matches passes', () =>
    expect(judgeHealthBody('gateway', 'api-gateway', goodGateway).ok).toBe(true));
  test('wrong service name and missing field fail, each named', () => {
    const v = judgeHealthBody('gateway', 'api-gateway', { ...goodGateway, service: 'gateway', uptime: undefined });
    expect(v.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^uptime: /), 'service: expected "api-gateway", got "gateway"']),
    );
  });
  test('the service name is judged where the contract names it (services[].healthService), not elsewhere', () => {
    const body = (service: string) => ({ status: 'healthy', service });
    const answered = (path: string, schema: HealthFacts['schema'], b: unknown): HealthFacts => ({
      path,
      schema,
      budgetMs: 20000,
      ok: true,
      elapsedMs: 900,
      answer: { status: 200, body: b, text: JSON.stringify(b) },
      where: 'x',
    });
    // The real engine, anchoring and block-manager are one app: one body, service "lucid-blockchain-api".
    for (const name of ['blockchain-engine', 'session-anchoring', 'block-manager']) {
      const s = serviceNamed(contract, name);
      expect(judgeHealth(s, s.port, answered('/health', 'basic', body('lucid-blockchain-api')))).toEqual([]);
    }
    const dc = serviceNamed(contract, 'data-chain');
    const wrong = judgeHealth(
      dc,
      dc.port,
      answered('/health', 'data-chain', { ...body('lucid-data-chain'), details: {} }),
    );
    expect(wrong[0]!.seen).toContain('service: expected "data-chain", got "lucid-data-chain"');
    // The gateway's /health is {status, service} with no value named; its meta health names api-gateway.
    const gw = serviceNamed(contract, 'api-gateway');
    expect(judgeHealth(gw, gw.port, answered('/health', 'basic', body('lucid-api-gateway')))).toEqual([]);
  });

  test('/api/v1/health: required of blockchain-engine (§1), optional for anchoring and block-manager', () => {
    const extra = (name: string) => serviceNamed(contract, name).extraHealthPaths[0]!;
    expect(extra('blockchain-engine')).toMatchObject({ path: '/api/v1/health', optional: false });
    expect(extra('session-anchoring')).toMatchObject({ path: '/api/v1/health', optional: true });
    expect(extra('block-manager')).toMatchObject({ path: '/api/v1/health', optional: true });
    const bm = serviceNamed(contract, 'block-manager');
    const left = { path: '/api/v1/health', schema: 'versioned' as const, budgetMs: 2000, elapsedMs: 3 };
    const notFound = { status: 404, body: { detail: 'Not Found' }, text: '{"detail":"Not Found"}' };
    expect(judgeHealth(bm, bm.port, { ...left, ok: true, absent: true, answer: notFound })).toEqual([]);
    // Served, it is judged: a body without version fails.
    const served = { status: 200, body: { status: 'healthy', service: 'lucid-blockchain-api' }, text: '{}' };
    expect(judgeHealth(bm, bm.port, { ...left, ok: true, answer: served })[0]!.seen).toContain('version');
  });

  test('status: the values are named for the gateway meta health only; elsewhere any non-empty word', () => {
    const open = (schema: HealthFacts['schema'], body: object) => judgeHealthBody(schema, undefined, body).problems;
    expect(open('basic', { status: 'ok', service: 'lucid-blockchain-api' })).toEqual([]);
    expect(open('versioned', { status: 'running', service: 'x', version: '1.0.0' })).toEqual([]);
    const mesh = {
      service: 'service-mesh-controller',
      timestamp: '2025-01-24T13:40:23.123456',
      controller_running: true,
    };
    expect(open('mesh', { ...mesh, status: 'up' })).toEqual([]);
    expect(open('basic', { status: '', service: 'x' })).toHaveLength(1);
    expect(open('mesh', { ...mesh, status: 1 })).toHaveLength(1);
    expect(open('gateway', { ...goodGateway, status: 'ok' })).toEqual([expect.stringMatching(/^status: /)]);
  });

  test('mesh timestamp: §3 names the field, not its format (only the gateway says ISO 8601)', () => {
    const mesh = { status: 'healthy', service: 'service-mesh-controller', controller_running: true };
    const judged = (timestamp: unknown) => judgeHealthBody('mesh', undefined, { ...mesh, timestamp }).problems;
    // datetime.utcnow().isoformat() (the real controller), time.time(), int(time.time()), Flask's jsonify of a datetime.
    for (const t of [
      '2025-01-24T13:40:23.123456',
      1737726023.123456,
      1737726023,
      'Fri, 24 Jan 2025 13:40:23 GMT',
      '2025-01-24 13:40:23.123456',
    ])
      expect(judged(t)).toEqual([]);
    for (const t of [undefined, '', 'now', '1', true, -5, null]) expect(judged(t)).toHaveLength(1);
    // The gateway's stays ISO 8601, as §3 says.
    expect(judgeHealthBody('gateway', 'api-gateway', { ...goodGateway, timestamp: 1737726023 }).ok).toBe(false);
  });

  test('data-chain must say healthy on a 200', () =>
    expect(
      judgeHealthBody('data-chain', 'data-chain', { status: 'unhealthy', service: 'data-chain', details: {} }).ok,
    ).toBe(false));

  test('no answer in budget: expected, seen and where', () => {
    const f = judgeHealth(gateway, 8080, {
      path: '/api/v1/meta/health',
      schema: 'gateway',
      budgetMs: 20000,
      ok: false,
      elapsedMs: 20100,
      error: 'connect ECONNREFUSED',
      where: 'ports: nothing on 8080; listening on 9090',
    });
    expect(f).toHaveLength(1);
    const text = formatFindings('api-gateway [linux/amd64]', f);
    expect(text).toContain('expected: HTTP 200 within 20 s');
    expect(text).toContain('seen:     no HTTP answer within 20 s (connect ECONNREFUSED)');
    expect(text).toContain('nothing on 8080; listening on 9090');
  });
  test('a crash is reported as such', () => {
    const f = judgeHealth(gateway, 8080, {
      path: '/h',
      schema: 'basic',
      budgetMs: 20000,
      ok: false,
      elapsedMs: 1500,
      exited: true,
    });
    expect(f[0]!.seen).toBe('the container stopped after 1.5 s');
  });
  test('a 200 with a bad body is a body finding', () => {
    const f = judgeHealth(gateway, 8080, {
      path: '/api/v1/meta/health',
      schema: 'gateway',
      budgetMs: 1,
      ok: true,
      elapsedMs: 1,
      answer: { status: 200, body: { status: 'ok' }, text: '{"status":"ok"}' },
    });
    expect(f[0]!.check).toBe('GET /api/v1/meta/health on 8080: body');
    expect(f[0]!.seen).toContain('status: ');
  });
});

describe('health of a shared-stack container, asked again after the stack started', () => {
  const contract = loadContract({});
  const dc = serviceNamed(contract, 'data-chain');
  const fact = (over: Partial<HealthFacts>): HealthFacts => ({
    path: '/health',
    schema: 'data-chain',
    budgetMs: 20_000,
    ok: true,
    elapsedMs: 40,
    answer: { status: 200, text: '{}', body: { status: 'healthy', service: 'data-chain', details: {} } },
    ...over,
  });
  test('passed: the first 200 of the stack start is the figure, not the re-probe', () => {
    expect(withStackStart([fact({})], { elapsedMs: 1_900 }, dc)[0]!.elapsedMs).toBe(1_900);
  });
  test('failed: the times are those of the re-probe, and the finding says it had answered before', () => {
    const [f] = withStackStart(
      [fact({ ok: false, elapsedMs: 300, answer: { status: 503, text: 'down', body: 'down' } })],
      { elapsedMs: 1_900 },
      dc,
    );
    expect(f!.elapsedMs).toBe(300);
    expect(judgeHealth(dc, dc.port, f!)[0]!.seen).toBe(
      'HTTP 503 down (after 0.3 s); asked again (times from then): it had answered 200 1.9 s after its start',
    );
  });
  test('stopped before it could be asked again: the first 200 is judged, the other paths are marked never asked', () => {
    const gw = serviceNamed(contract, 'api-gateway');
    const meta = { status: 200, text: '{}', body: { status: 'healthy' } };
    const gone = fact({
      path: gw.healthPath,
      schema: 'gateway',
      ok: false,
      elapsedMs: 600,
      exited: true,
      answer: undefined,
    });
    expect(withStackStart([gone], { elapsedMs: 1_900, answer: meta }, gw)).toEqual([
      { path: gw.healthPath, schema: 'gateway', budgetMs: 20_000, ok: true, elapsedMs: 1_900, answer: meta },
      { path: '/health', schema: 'basic', budgetMs: 20_000, ok: false, elapsedMs: 600, exited: true },
    ]);
  });
});
