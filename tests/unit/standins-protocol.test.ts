// The harness's Tor control-protocol parsers on the reply formats of torspec control-spec.txt, and the
// client against the stand-in program itself run as a local process (no Docker).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../helpers/contract/load.ts';
import {
  exchange,
  parseBootstrapPhase,
  parseGetinfo,
  parseProtocolInfo,
  parseReplies,
  probeTorControl,
  quoteString,
} from '../../helpers/runtime/tor-control.ts';

describe('parseReplies', () => {
  test('mid, end and data lines; an unfinished tail is kept', () => {
    const text =
      '250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n250 OK\r\n250+config-text=\r\nA 1\r\n..dot\r\n.\r\n250 OK\r\n514 Authentication required.\r\n250-ver';
    const { replies, rest } = parseReplies(text);
    expect(replies).toEqual([
      { code: 250, lines: ['PROTOCOLINFO 1', 'AUTH METHODS=NULL', 'OK'] },
      { code: 250, lines: ['config-text=\nA 1\n.dot', 'OK'] },
      { code: 514, lines: ['Authentication required.'] },
    ]);
    expect(rest).toBe('250-ver');
  });
  test('a data block not yet terminated waits for more', () => {
    expect(parseReplies('250+x=\r\nabc\r\n')).toEqual({ replies: [], rest: '250+x=\r\nabc\r\n' });
  });
  test('something that is not a control port is an error', () => {
    expect(() => parseReplies('HTTP/1.1 400 Bad Request\r\n')).toThrowError(
      /not a control-protocol reply line: "HTTP\/1.1 400/,
    );
  });
});

describe('PROTOCOLINFO, GETINFO, bootstrap phase', () => {
  test('auth methods, cookie file and version; unknown lines ignored', () => {
    const r = parseReplies(
      '250-PROTOCOLINFO 1\r\n250-AUTH METHODS=COOKIE,SAFECOOKIE COOKIEFILE="/var/lib/tor/control_auth_cookie"\r\n250-VERSION Tor="0.4.8.13" extra\r\n250-FUTURE x\r\n250 OK\r\n',
    ).replies[0]!;
    expect(parseProtocolInfo(r)).toEqual({
      protocolVersion: 1,
      authMethods: ['COOKIE', 'SAFECOOKIE'],
      cookieFile: '/var/lib/tor/control_auth_cookie',
      torVersion: '0.4.8.13',
    });
    expect(() => parseProtocolInfo({ code: 514, lines: ['Authentication required.'] })).toThrowError(
      'PROTOCOLINFO refused: 514 Authentication required.',
    );
  });
  test('GETINFO values, and its errors', () => {
    const r = parseReplies('250-version=0.4.8.13\r\n250-net/listeners/socks="127.0.0.1:9050"\r\n250 OK\r\n')
      .replies[0]!;
    expect(parseGetinfo(r)).toEqual({ version: '0.4.8.13', 'net/listeners/socks': '"127.0.0.1:9050"' });
    expect(() => parseGetinfo({ code: 552, lines: ['Unrecognized key "x"'] })).toThrowError(
      'GETINFO refused: 552 Unrecognized key "x"',
    );
  });
  test('bootstrap phase: done, in progress, warning, not one', () => {
    expect(parseBootstrapPhase('NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"')).toEqual({
      severity: 'NOTICE',
      progress: 100,
      tag: 'done',
      summary: 'Done',
    });
    expect(
      parseBootstrapPhase('NOTICE BOOTSTRAP PROGRESS=50 TAG=loading_descriptors SUMMARY="Loading relay descriptors"')
        ?.progress,
    ).toBe(50);
    expect(
      parseBootstrapPhase(
        'WARN BOOTSTRAP PROGRESS=14 TAG=handshake SUMMARY="Handshaking with a relay" WARNING="Connection refused" REASON=CONNECTREFUSED',
      ),
    ).toMatchObject({ severity: 'WARN', progress: 14, tag: 'handshake' });
    expect(parseBootstrapPhase('NOTICE CIRCUIT_ESTABLISHED')).toBeUndefined();
  });
  test('QuotedString escapes backslash and quote', () => expect(quoteString('a"b\\c')).toBe('"a\\"b\\\\c"'));
});

describe('exchange', () => {
  test('a port that hangs up early gives the replies it sent', async () => {
    const server = createServer((s) => s.end('514 Authentication required.\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      expect(await exchange('127.0.0.1', port, ['GETINFO version', 'QUIT'])).toEqual([
        { code: 514, lines: ['Authentication required.'] },
      ]);
    } finally {
      server.close();
    }
  });
  test('silence ends at the deadline, a refused port at once', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await expect(exchange('127.0.0.1', port, ['PROTOCOLINFO 1'], 200)).rejects.toThrowError(
      /0 of 1 replies within 200 ms/,
    );
    server.close();
    await expect(exchange('127.0.0.1', port, ['PROTOCOLINFO 1'])).rejects.toThrowError(/ECONNREFUSED/);
  });
});

const python = ['python3'].find(
  (p) => spawnSync(p, ['-c', 'import sys; sys.exit(sys.version_info < (3, 11))']).status === 0,
);

// A Python start per test: on a loaded 2-core box the first took 5.3 s, past vitest's default 5 s.
describe.skipIf(!python)('probeTorControl against fixtures/standins/tor_control.py', { timeout: 30_000 }, () => {
  const children: ChildProcess[] = [];
  afterAll(() => children.forEach((c) => c.kill('SIGTERM')));

  async function standIn(env: Record<string, string>): Promise<number> {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const child = spawn(python!, [join(PROJECT_ROOT, 'fixtures/standins/tor_control.py')], {
      env: {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: '1',
        TOR_STANDIN_PORT: String(port),
        TOR_STANDIN_BIND: '127.0.0.1',
        ...env,
      },
      stdio: 'ignore',
    });
    children.push(child);
    for (let i = 0; i < 100; i++) {
      if (
        await exchange('127.0.0.1', port, ['QUIT'], 500).then(
          () => true,
          () => false,
        )
      )
        return port;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the stand-in never listened');
  }

  test('bootstrapped, NULL auth', async () => {
    const port = await standIn({});
    expect(await probeTorControl('127.0.0.1', port)).toEqual({
      protocolInfo: { protocolVersion: 1, authMethods: ['NULL'], torVersion: '0.4.8.13' },
      version: '0.4.8.13',
      bootstrap: { severity: 'NOTICE', progress: 100, tag: 'done', summary: 'Done' },
    });
  });

  test('a password: wrong is refused, right is answered; progress as configured', async () => {
    const port = await standIn({ TOR_STANDIN_PASSWORD: 's3"cret', TOR_STANDIN_BOOTSTRAP: '25' });
    const wrong = await probeTorControl('127.0.0.1', port, { password: 'nope' });
    expect(wrong.protocolInfo.authMethods).toEqual(['HASHEDPASSWORD']);
    expect(wrong.error).toMatch(/^AUTHENTICATE: 515 Authentication failed/);
    expect((await probeTorControl('127.0.0.1', port, { password: 's3"cret' })).bootstrap).toMatchObject({
      progress: 25,
      tag: 'requesting_status',
    });
  });
});
