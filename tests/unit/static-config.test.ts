import { describe, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import type { Platform } from '../../helpers/model/platform.ts';
import { checkEntrypoint } from '../../helpers/checks/static/entrypoint.ts';
import { checkExposedPort } from '../../helpers/checks/static/exposed-port.ts';
import { checkHealthcheck } from '../../helpers/checks/static/healthcheck.ts';
import { importedModules } from '../../helpers/checks/static/probe-source.ts';
import { unwrapInit } from '../../helpers/checks/static/program.ts';
import { checkPlatform } from '../../helpers/checks/static/platform.ts';
import { runStaticChecks, STATIC_CHECKS } from '../../helpers/checks/static/registry.ts';
import type { StaticCheck } from '../../helpers/checks/static/types.ts';
import { checkUser } from '../../helpers/checks/static/user.ts';
import { checkPasswdNonroot } from '../../helpers/checks/static/passwd.ts';
import { NotRun } from '../../helpers/model/verdict.ts';
import {
  DISTROLESS_GROUP,
  DISTROLESS_PASSWD,
  dir,
  exe,
  file,
  sampleFacts,
  symlink,
  withConfig,
  withFs,
} from '../support/sample-facts.ts';
import type { FsEntry, ImageFacts } from '../../helpers/model/image-facts.ts';
import { serviceImageConfig } from '../../fixtures/service-image.ts';

const contract = loadContract({});
const gateway = serviceNamed(contract, 'api-gateway');
const arm: Platform = 'linux/arm64';
const base = sampleFacts(contract, gateway, arm);
const run = (check: StaticCheck, facts: ImageFacts, platform: Platform = arm) =>
  check(facts, contract, gateway, platform);
const seen = (check: StaticCheck, facts: ImageFacts, platform: Platform = arm) =>
  run(check, facts, platform)
    .map((f) => f.seen)
    .join('\n');

describe('the faithful distroless-like image passes every static check', () => {
  for (const platform of contract.platforms) {
    for (const service of contract.services) {
      test(`${service.name} on ${platform}`, () => {
        const results = runStaticChecks(sampleFacts(contract, service, platform), contract, service, platform);
        // Every check that applies to the platform ran; the Pi 5 check applies to linux/arm64 only.
        expect(results.map((r) => r.name)).toEqual(
          STATIC_CHECKS.filter((c) => !c.platforms || c.platforms.includes(platform)).map((c) => c.name),
        );
        expect(results.some((r) => r.name === 'pi5-page-size')).toBe(platform === 'linux/arm64');
        expect(results.filter((r) => r.findings.length)).toEqual([]);
      });
    }
  }

  test("the reference images' config (fixtures/service-image.ts) passes too", () => {
    const cfg = serviceImageConfig(contract, gateway);
    const facts = withConfig(base, { ...cfg, Healthcheck: cfg.Healthcheck });
    expect(runStaticChecks(facts, contract, gateway, arm).flatMap((r) => r.findings)).toEqual([]);
  });
});

describe('user', () => {
  test.each(['65532', '65532:65532', 'nonroot', 'nonroot:nonroot', 'nonroot:65532'])('accepts %s', (User) => {
    expect(run(checkUser, withConfig(base, { User }))).toEqual([]);
  });

  test('accepts another name the image maps to 65532', () => {
    const facts = withFs(withConfig(base, { User: 'lucid' }), [], [], {
      '/etc/passwd': `${DISTROLESS_PASSWD}lucid:x:65532:65532::/app:/sbin/nologin\n`,
    });
    expect(run(checkUser, facts)).toEqual([]);
  });

  test('fails an empty User: the container runs as root', () => {
    expect(seen(checkUser, withConfig(base, { User: '' }))).toBe('User is empty: the container runs as root (uid 0)');
  });

  test.each([
    ['0', 'is root (uid 0)'],
    ['root', 'is root (uid 0)'],
    ['1000', 'resolves to uid 1000, not 65532'],
    ['65532:0', 'gid 0 (root), not 65532'],
  ])('fails %s', (User, msg) => {
    expect(seen(checkUser, withConfig(base, { User }))).toContain(msg);
  });

  test('fails app (uid 1000 through the image passwd)', () => {
    const facts = withFs(withConfig(base, { User: 'app' }), [], [], {
      '/etc/passwd': `${DISTROLESS_PASSWD}app:x:1000:1000::/app:/sbin/nologin\n`,
      '/etc/group': `${DISTROLESS_GROUP}app:x:1000:\n`,
    });
    expect(seen(checkUser, facts)).toBe(
      'User "app" resolves to uid 1000 (app), not 65532 and gid 1000 (app), not 65532',
    );
  });

  test('fails a name the image cannot resolve, and a bare uid missing from passwd (Docker gives it gid 0)', () => {
    expect(seen(checkUser, withConfig(base, { User: 'app' }))).toContain(
      'user "app" cannot be resolved: /etc/passwd has no such user',
    );
    const noEntry = withFs(base, [], [], { '/etc/passwd': 'root:x:0:0::/:/x\n' });
    expect(seen(checkUser, withConfig(noEntry, { User: '65532' }))).toContain(
      'uid 65532 is not in /etc/passwd, so Docker runs it with gid 0',
    );
  });
});

describe('user: a passwd or group the harness could not read', () => {
  // A 400 kB /etc/passwd (above the text capture limit), or one that is a hardlink: a regular file without text.
  const big = withFs(base, [file('/etc/passwd', { size: 400_000 })], ['/etc/passwd']);
  const linked = withFs(
    base,
    [{ ...file('/etc/passwd'), type: 'hardlink', link: '/etc/.pw' }, file('/etc/.pw')],
    ['/etc/passwd'],
  );

  test.each([
    ['big', big],
    ['hardlinked', linked],
  ])('a %s passwd: a name or a bare uid is not run (was: failed, "the image has no /etc/passwd")', (_what, f) => {
    for (const User of ['nonroot', '65532', 'nonroot:nonroot'])
      expect(() => run(checkUser, withConfig(f, { User }))).toThrow(NotRun);
    expect(run(checkUser, withConfig(f, { User: '65532:65532' }))).toEqual([]); // needs no file
    expect(() => checkPasswdNonroot(f, contract, gateway, arm)).toThrow(/did not capture/);
  });

  test('an unread group matters only for a group name', () => {
    const f = withFs(base, [file('/etc/group', { size: 400_000 })], ['/etc/group']);
    expect(run(checkUser, withConfig(f, { User: 'nonroot' }))).toEqual([]);
    expect(() => run(checkUser, withConfig(f, { User: 'nonroot:nonroot' }))).toThrow(NotRun);
  });

  test('a missing passwd still fails', () => {
    expect(seen(checkUser, withConfig(withFs(base, [], ['/etc/passwd']), { User: 'nonroot' }))).toContain(
      'the image has no /etc/passwd',
    );
  });
});

describe('platform', () => {
  test('fails wrong architecture, variant and os', () => {
    const facts = withConfig(base, {}, { architecture: 'amd64', variant: 'v7', os: 'windows' });
    const s = seen(checkPlatform, facts);
    expect(s).toContain('os "windows"');
    expect(s).toContain('architecture "amd64"');
    expect(s).toContain('variant "v7"');
  });

  // BuildKit writes an arm64 config without variant (moby/buildkit#4039); containerd normalises arm64/v8 to arm64.
  test('an arm64 config without variant is arm64/v8; another variant is not', () => {
    expect(run(checkPlatform, withConfig(base, {}, { variant: undefined }))).toEqual([]);
    expect(seen(checkPlatform, withConfig(base, {}, { variant: 'v9' }))).toContain('variant "v9"');
  });

  test('fails an arm64 image whose entrypoint (through symlinks) is an x86-64 ELF', () => {
    const facts = withFs(base, [exe('/usr/bin/python3.11', { elf: 'x86-64' })]);
    const f = run(checkPlatform, facts);
    expect(f).toHaveLength(1);
    expect(f[0]!.seen).toBe('/usr/bin/python3 (/usr/bin/python3.11) is an x86-64 ELF');
    expect(f[0]!.expected).toContain('aarch64');
  });

  test('lists other foreign ELF files', () => {
    const facts = withFs(base, [exe('/app/usr/lib/libfoo.so', { elf: 'x86-64' })]);
    expect(seen(checkPlatform, facts)).toBe('1 ELF file(s) for another machine: /app/usr/lib/libfoo.so (x86-64)');
  });

  test('amd64 asks for no variant', () => {
    expect(run(checkPlatform, sampleFacts(contract, gateway, 'linux/amd64'), 'linux/amd64')).toEqual([]);
  });
});

describe('exposed-port', () => {
  test('fails a wrong port and no port', () => {
    expect(seen(checkExposedPort, withConfig(base, { ExposedPorts: { '8000/tcp': {} } }))).toBe(
      'ExposedPorts holds 8000/tcp, not 8080/tcp',
    );
    expect(seen(checkExposedPort, withConfig(base, { ExposedPorts: { '8080/udp': {} } }))).toContain('not 8080/tcp');
    expect(seen(checkExposedPort, withConfig(base, { ExposedPorts: {} }))).toBe('the image exposes no port');
  });

  test('passes when more ports are exposed besides the contract port', () => {
    expect(run(checkExposedPort, withConfig(base, { ExposedPorts: { '8080/tcp': {}, '9090/tcp': {} } }))).toEqual([]);
  });

  test('a key without a protocol is tcp (OCI image spec: "port/tcp", "port/udp" or "port", tcp by default)', () => {
    expect(run(checkExposedPort, withConfig(base, { ExposedPorts: { '8080': {} } }))).toEqual([]);
    expect(seen(checkExposedPort, withConfig(base, { ExposedPorts: { '8000': {} } }))).toBe(
      'ExposedPorts holds 8000, not 8080/tcp',
    );
  });
});

describe('healthcheck', () => {
  const hc = (Test: string[]) => withConfig(base, { Healthcheck: { Test } });
  const url = 'http://127.0.0.1:8080/api/v1/meta/health';

  test('passes python -c with an inline URL', () => {
    expect(
      run(
        checkHealthcheck,
        hc(['CMD', '/usr/bin/python3', '-c', `import urllib.request as u; u.urlopen('${url}', timeout=3)`]),
      ),
    ).toEqual([]);
  });

  test('reads an IPv6 literal host: http://[::1]:port/path as an argument or in -c code', () => {
    const v6 = 'http://[::1]:8080/api/v1/meta/health';
    expect(run(checkHealthcheck, hc(['CMD', '/usr/bin/python3', '/app/lucid_ref/healthcheck.py', v6]))).toEqual([]);
    expect(
      run(checkHealthcheck, hc(['CMD', '/usr/bin/python3', '-c', `import urllib.request as u; u.urlopen('${v6}')`])),
    ).toEqual([]);
    expect(
      seen(
        checkHealthcheck,
        hc(['CMD', '/usr/bin/python3', '-c', "import urllib.request as u; u.urlopen('http://[::1]:8000/health')"]),
      ),
    ).toBe('http://[::1]:8000/health probes port 8000 and path /health (in the /usr/bin/python3 -c code)');
  });

  test('fails CMD-SHELL: distroless has no shell', () => {
    expect(
      seen(checkHealthcheck, hc(['CMD-SHELL', `python3 -c "import urllib.request as u; u.urlopen('${url}')"`])),
    ).toContain('shell form CMD-SHELL');
  });

  test('passes the health path with a trailing slash (the contract leaves that spelling open)', () => {
    expect(run(checkHealthcheck, hc(['CMD', '/usr/bin/python3', '/app/lucid_ref/healthcheck.py', `${url}/`]))).toEqual(
      [],
    );
  });

  test('fails a wrong probe path (the gateway probing /health)', () => {
    expect(
      seen(
        checkHealthcheck,
        hc(['CMD', '/usr/bin/python3', '/app/lucid_ref/healthcheck.py', 'http://127.0.0.1:8080/health']),
      ),
    ).toBe('http://127.0.0.1:8080/health probes path /health');
  });

  test('fails a wrong port', () => {
    expect(
      seen(
        checkHealthcheck,
        hc(['CMD', '/usr/bin/python3', '/app/lucid_ref/healthcheck.py', 'http://localhost:8000/api/v1/meta/health']),
      ),
    ).toContain('probes port 8000');
  });

  test('fails a missing probe program and a missing probe script', () => {
    expect(seen(checkHealthcheck, hc(['CMD', '/usr/bin/curl', '-f', url]))).toContain(
      '"/usr/bin/curl" is not in the image filesystem',
    );
    expect(seen(checkHealthcheck, hc(['CMD', '/usr/bin/python3', '/app/health.py', url]))).toContain(
      'script /app/health.py is not in the image filesystem',
    );
  });

  test('fails a probe program that is not an executable regular file', () => {
    const facts = withFs(hc(['CMD', '/app/probe', url]), [file('/app/probe', { mode: 0o644 }), dir('/app/dirprobe')]);
    expect(seen(checkHealthcheck, facts)).toContain('/app/probe has no execute bit');
  });

  test('fails no HEALTHCHECK and NONE', () => {
    expect(seen(checkHealthcheck, withConfig(base, { Healthcheck: null }))).toBe('the image has no HEALTHCHECK');
    expect(seen(checkHealthcheck, hc(['NONE']))).toContain('switched off');
  });
});

test('importedModules reads import and from-import statements', () => {
  const code = 'import sys, os.path as p; from app.health import check\nimport  urllib.request';
  expect(importedModules(code)).toEqual(['sys', 'os.path', 'app.health', 'urllib.request']);
});

describe('healthcheck: the URL a probe script or module holds', () => {
  const hc = (Test: string[], texts: Record<string, string> = {}, add = [file('/app/health.py')]) =>
    withFs(withConfig(base, { Healthcheck: { Test } }), add, [], texts);
  const script = (u: string) => `import urllib.request\nurllib.request.urlopen("${u}", timeout=3)\n`;
  const notRun = (facts: ImageFacts) => {
    try {
      return `returned ${JSON.stringify(run(checkHealthcheck, facts))}`;
    } catch (e) {
      return (e as Error).name === 'NotRun' ? `not run: ${(e as Error).message}` : String(e);
    }
  };

  test('passes a script that requests the contract URL (python3 /app/health.py)', () => {
    const texts = { '/app/health.py': script('http://127.0.0.1:8080/api/v1/meta/health') };
    expect(run(checkHealthcheck, hc(['CMD', '/usr/bin/python3', '/app/health.py'], texts))).toEqual([]);
    // Relative to WorkingDir, through PATH, as the real Dockerfiles write it.
    const wd = withConfig(hc(['CMD', 'python3', 'health.py'], texts), { WorkingDir: '/app' });
    expect(run(checkHealthcheck, wd)).toEqual([]);
  });

  test('passes a module run with -m whose file holds the URL', () => {
    const texts = { '/app/svc/probe.py': script('http://localhost:8080/api/v1/meta/health') };
    const facts = withConfig(
      hc(['CMD', '/usr/bin/python3', '-m', 'svc.probe'], texts, [
        dir('/app/svc'),
        file('/app/svc/__init__.py'),
        file('/app/svc/probe.py'),
      ]),
      { WorkingDir: '/app' },
    );
    expect(run(checkHealthcheck, facts)).toEqual([]);
  });

  test('passes -c code that calls a probe in the application, read from the module it imports', () => {
    const texts = { '/app/svc/health.py': script('http://127.0.0.1:8080/api/v1/meta/health') };
    const app = [dir('/app/svc'), file('/app/svc/__init__.py'), file('/app/svc/health.py')];
    const calls = (code: string) => withConfig(hc(['CMD', 'python3', '-c', code], texts, app), { WorkingDir: '/app' });
    expect(run(checkHealthcheck, calls('import sys; from svc.health import main; sys.exit(main())'))).toEqual([]);
    expect(run(checkHealthcheck, calls('import svc.health as h, sys\nsys.exit(h.main())'))).toEqual([]);
    // The same call when the module holds no URL it names: not judged on the URL.
    expect(
      notRun(withConfig(hc(['CMD', 'python3', '-c', 'import svc.health'], {}, app), { WorkingDir: '/app' })),
    ).toMatch(/^not run: .*the module svc.health the -c code imports, \/app\/svc\/health.py/);
  });

  test("reads http.client's host, port and path when no URL is written out", () => {
    const probe = (conn: string, path: string) =>
      `import http.client, sys; c = http.client.${conn}; c.request("GET", "${path}"); sys.exit(c.getresponse().status != 200)`;
    const code = (c: string) => hc(['CMD', '/usr/bin/python3', '-c', c]);
    expect(
      run(checkHealthcheck, code(probe('HTTPConnection("127.0.0.1", 8080, timeout=3)', '/api/v1/meta/health'))),
    ).toEqual([]);
    expect(run(checkHealthcheck, code(probe("HTTPConnection('localhost:8080')", '/api/v1/meta/health')))).toEqual([]);
    expect(seen(checkHealthcheck, code(probe('HTTPConnection("localhost", port=8080)', '/health')))).toBe(
      'http://localhost:8080/health probes path /health (in the /usr/bin/python3 -c code)',
    );
    // A port that is not a literal: the URL cannot be read.
    expect(notRun(code(probe('HTTPConnection("localhost", PORT)', '/api/v1/meta/health')))).toMatch(/^not run: /);
  });

  test('fails a script whose only URL is the wrong path, naming the file', () => {
    const f = run(
      checkHealthcheck,
      hc(['CMD', '/usr/bin/python3', '/app/health.py'], { '/app/health.py': script('http://127.0.0.1:8080/health') }),
    );
    expect(f.map((x) => x.seen).join()).toBe(
      'http://127.0.0.1:8080/health probes path /health (in image file /app/health.py)',
    );
    expect(f[0]!.where).toContain('image file /app/health.py');
  });

  test("fails the real Lucid Dockerfiles' TCP connect probe, in -c code or in a script", () => {
    const tcp =
      "import socket; s = socket.socket(); s.settimeout(2); r = s.connect_ex(('127.0.0.1', 8080)); s.close(); exit(0 if r == 0 else 1)";
    expect(seen(checkHealthcheck, hc(['CMD', 'python3', '-c', tcp]))).toMatch(
      /^it only opens a TCP connection \(the python3 -c code\): .*whatever \/api\/v1\/meta\/health answers/,
    );
    expect(
      seen(checkHealthcheck, hc(['CMD', '/usr/bin/python3', '/app/health.py'], { '/app/health.py': tcp })),
    ).toContain('only opens a TCP connection (image file /app/health.py)');
  });

  test('fails -c code that requests nothing', () => {
    expect(seen(checkHealthcheck, hc(['CMD', '/usr/bin/python3', '-c', 'exit(0)']))).toContain(
      'no URL in Healthcheck.Test or the /usr/bin/python3 -c code',
    );
  });

  test('is not run where the URL cannot be read: a script without its text, a URL built at run time, a compiled probe', () => {
    expect(notRun(hc(['CMD', '/usr/bin/python3', '/app/health.py']))).toMatch(
      /^not run: .*the probe script \/app\/health.py \(its text is not read\)/,
    );
    const built =
      'import os, urllib.request\nurllib.request.urlopen(f"http://127.0.0.1:{os.environ[\'PORT\']}/api/v1/meta/health")\n';
    expect(notRun(hc(['CMD', '/usr/bin/python3', '/app/health.py'], { '/app/health.py': built }))).toMatch(
      /^not run: .*built at run time/,
    );
    const joined = "import urllib.request as u; u.urlopen('http://127.0.0.1:' + str(port) + '/api/v1/meta/health')";
    expect(notRun(hc(['CMD', '/usr/bin/python3', '-c', joined]))).toMatch(/^not run: .*built at run time/);
    // Literals joined as they are: read.
    const literal = "import urllib.request as u; u.urlopen('http://127.0.0.1:' + '8080' + '/api/v1/meta/health')";
    expect(notRun(hc(['CMD', '/usr/bin/python3', '-c', literal]))).toBe('returned []');
    const elfProbe = exe('/app/hc', { elf: 'aarch64' });
    expect(notRun(hc(['CMD', '/app/hc'], {}, [elfProbe]))).toMatch(/^not run: .*the compiled program \/app\/hc/);
    // A URL given as an argument is judged even when the script that takes it is not read.
    expect(seen(checkHealthcheck, hc(['CMD', '/usr/bin/python3', '/app/health.py', 'http://127.0.0.1:8080/x']))).toBe(
      'http://127.0.0.1:8080/x probes path /x',
    );
  });

  test('reads a base URL constant joined with the path (f-string, +, urljoin); a path it cannot read is not run, never "/"', () => {
    const py = (...lines: string[]) => ({
      '/app/health.py': ['import sys, os, urllib.request', ...lines, ''].join('\n'),
    });
    const verdict = (texts: Record<string, string>) => {
      const r = notRun(hc(['CMD', '/usr/bin/python3', '/app/health.py'], texts));
      return r.startsWith('returned') ? (JSON.parse(r.slice(9)) as { seen: string }[]).map((f) => f.seen) : r;
    };
    const BASE = 'BASE_URL = "http://127.0.0.1:8080"';
    expect(
      verdict(py(BASE, 'HEALTH = "/api/v1/meta/health"', 'urllib.request.urlopen(f"{BASE_URL}{HEALTH}")')),
    ).toEqual([]);
    expect(verdict(py(BASE, 'urllib.request.urlopen(f"{BASE_URL}/api/v1/meta/health", timeout=3)'))).toEqual([]);
    expect(
      verdict(
        py('PORT = 8080', 'URL = f"http://127.0.0.1:{PORT}" + "/api/v1/meta/health"', 'urllib.request.urlopen(URL)'),
      ),
    ).toEqual([]);
    expect(
      verdict(
        py(
          BASE,
          'from urllib.parse import urljoin',
          'urllib.request.urlopen(urljoin(BASE_URL, "/api/v1/meta/health"))',
        ),
      ),
    ).toEqual([]);
    // Formatted with % or .format() from known parts: read as joined.
    for (const call of [
      'urllib.request.urlopen("%s/api/v1/meta/health" % BASE_URL)',
      'urllib.request.urlopen("%s%s" % (BASE_URL, "/api/v1/meta/health"))',
      'urllib.request.urlopen("{}/api/v1/meta/health".format(BASE_URL))',
      'urllib.request.urlopen("{base}{0}".format("/api/v1/meta/health", base=BASE_URL))',
    ])
      expect(verdict(py(BASE, call)), call).toEqual([]);
    // Read, and wrong: the path it joins is the finding, not "/".
    expect(verdict(py(BASE, 'urllib.request.urlopen(BASE_URL + "/health")'))).toEqual([
      'http://127.0.0.1:8080/health probes path /health (in image file /app/health.py)',
    ]);
    // The base handed to the request as it is: that really is "/".
    expect(verdict(py(BASE, 'urllib.request.urlopen(BASE_URL, timeout=3)'))).toEqual([
      'http://127.0.0.1:8080 probes path / (in image file /app/health.py)',
    ]);
    // Paths the code computes, a base from an environment variable the code names at run time, a helper that
    // gets the base: not run.
    for (const texts of [
      py(BASE, 'urllib.request.urlopen(f"{BASE_URL}{sys.argv[1]}")'),
      py(BASE, 'path = sys.argv[1]', 'urllib.request.urlopen(BASE_URL + path)'),
      py(BASE, 'urllib.request.urlopen("%s/api/v1/meta/health" % base_url())'),
      py(BASE, 'urllib.request.urlopen("%(b)s/api/v1/meta/health" % {"b": BASE_URL})'),
      py(BASE, 'urllib.request.urlopen("{}{}".format(BASE_URL, sys.argv[1]))'),
      py(
        BASE,
        'def probe(base):',
        '    return urllib.request.urlopen(base + "/api/v1/meta/health")',
        'probe(BASE_URL)',
      ),
      py(
        'base = os.environ.get(sys.argv[1], "http://127.0.0.1:8080")',
        'urllib.request.urlopen(base + "/api/v1/meta/health")',
      ),
    ])
      expect(verdict(texts)).toMatch(/^not run: the URL the HEALTHCHECK probes could not be read/);
  });

  test("the real Dockerfile.engine/.data probes: a port from os.getenv is the image's Env value, else the default", () => {
    const engine = (env: string[], port = "os.getenv('BLOCKCHAIN_ENGINE_PORT', '8080')") =>
      withConfig(base, {
        Env: [...base.config.Env, ...env],
        Healthcheck: {
          Test: [
            'CMD',
            'python3',
            '-c',
            `import os; import urllib.request; port = ${port}; urllib.request.urlopen('http://localhost:' + port + '/api/v1/meta/health', timeout=5).read(); exit(0)`,
          ],
        },
      });
    expect(run(checkHealthcheck, engine([]))).toEqual([]);
    expect(run(checkHealthcheck, engine(['BLOCKCHAIN_ENGINE_PORT=8080']))).toEqual([]);
    expect(seen(checkHealthcheck, engine(['BLOCKCHAIN_ENGINE_PORT=8000']))).toBe(
      'http://localhost:8000/api/v1/meta/health probes port 8000 (in the python3 -c code)',
    );
    expect(run(checkHealthcheck, engine(['PORT=8080'], "os.environ['PORT']"))).toEqual([]);
    expect(run(checkHealthcheck, engine(['PORT=8080'], 'os.environ.get("PORT")'))).toEqual([]);
    const data = withConfig(base, {
      Healthcheck: {
        Test: [
          'CMD',
          '/usr/bin/python3',
          '-c',
          "import os, urllib.request; port = os.getenv('DATA_CHAIN_PORT', '8080'); urllib.request.urlopen(f'http://localhost:{port}/api/v1/meta/health', timeout=5).read(); exit(0)",
        ],
      },
    });
    expect(run(checkHealthcheck, data)).toEqual([]);
    // The port put in with % or .format(), as exec-form one-liners write it.
    const probing = (env: string[], code: string) =>
      withConfig(base, {
        Env: [...base.config.Env, ...env],
        Healthcheck: { Test: ['CMD', '/usr/bin/python3', '-c', code] },
      });
    const formatted = (env: string[], url: string) =>
      probing(
        env,
        `import os,urllib.request,sys; sys.exit(0 if urllib.request.urlopen(${url}, timeout=3).status==200 else 1)`,
      );
    const pct = "'http://127.0.0.1:%s/api/v1/meta/health' % os.environ.get('PORT', '8080')";
    const fmt = "'http://127.0.0.1:{}/api/v1/meta/health'.format(os.getenv('PORT', '8080'))";
    for (const url of [pct, fmt, "'http://%s:%d/api/v1/meta/health' % ('127.0.0.1', 8080)"])
      expect(run(checkHealthcheck, formatted([], url)), url).toEqual([]);
    expect(seen(checkHealthcheck, formatted(['PORT=8000'], pct))).toBe(
      'http://127.0.0.1:8000/api/v1/meta/health probes port 8000 (in the /usr/bin/python3 -c code)',
    );
    // A conversion other than a plain %s/%d/{}, or a part the code computes: not run.
    for (const url of [
      "'http://127.0.0.1:%5s/api/v1/meta/health' % os.environ.get('PORT', '8080')",
      "'http://127.0.0.1:%s/api/v1/meta/health' % port",
      "'http://127.0.0.1:{:>5}/api/v1/meta/health'.format(8080)",
      "'http://127.0.0.1:{}/api/v1/meta/health'.format(int(os.environ['PORT']))",
    ])
      expect(() => run(checkHealthcheck, formatted([], url)), url).toThrow(/could not be read/);
    // The same lookup written inside an f-string's field reads the same way (it is no run-time value).
    const inline = (env: string[], field: string) =>
      probing(
        env,
        `import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen(f"http://127.0.0.1:{${field}}/api/v1/meta/health", timeout=3).status == 200 else 1)`,
      );
    expect(run(checkHealthcheck, inline([], "os.environ.get('PORT', '8080')"))).toEqual([]);
    expect(run(checkHealthcheck, inline([], "os.getenv('PORT', '8080')"))).toEqual([]);
    expect(run(checkHealthcheck, inline(['PORT=8080'], "os.environ['PORT']"))).toEqual([]);
    expect(seen(checkHealthcheck, inline(['PORT=8000'], "os.environ.get('PORT', '8080')"))).toBe(
      'http://127.0.0.1:8000/api/v1/meta/health probes port 8000 (in the /usr/bin/python3 -c code)',
    );
    // A field the code computes, a conversion or a format spec stays unreadable.
    for (const field of ["os.environ.get('PORT', '8080')!r", 'PORT:>5', "int(os.environ.get('PORT', '8080'))"])
      expect(() => run(checkHealthcheck, inline([], field))).toThrow(/could not be read/);
    // No value and no default (python would fail on None), or a default the code computes: not run.
    for (const port of ["os.environ['PORT']", "os.getenv('PORT', str(8080))"])
      expect(() => run(checkHealthcheck, engine([], port))).toThrow(/could not be read/);
  });

  test('a probe that failed on something else is not held up by an unreadable URL', () => {
    const f = run(checkHealthcheck, hc(['CMD-SHELL', 'python3 /app/health.py']));
    expect(f.map((x) => x.seen).join()).toContain('shell form CMD-SHELL');
  });
});

describe('entrypoint', () => {
  test('a venv copied from python:3.11-slim: its bin/python is a symlink to /usr/local/bin/python3, which is missing', () => {
    const facts = withFs(
      withConfig(base, { Entrypoint: ['/opt/venv/bin/python', '-m', 'lucid_ref.serve'], Cmd: ['data-chain'] }),
      [dir('/opt/venv/bin'), symlink('/opt/venv/bin/python', '/usr/local/bin/python3')],
    );
    expect(seen(checkEntrypoint, facts)).toBe(
      '"/opt/venv/bin/python" is a symlink to /usr/local/bin/python3, which is not in the image (/opt/venv/bin/python -> /usr/local/bin/python3)',
    );
  });

  test('fails a missing program, a missing script, nothing to run and shell form', () => {
    expect(seen(checkEntrypoint, withConfig(base, { Entrypoint: ['/usr/local/bin/gunicorn'] }))).toContain(
      '"/usr/local/bin/gunicorn" is not in the image filesystem',
    );
    expect(seen(checkEntrypoint, withConfig(base, { Cmd: ['/app/main.py'] }))).toContain(
      'script /app/main.py is not in the image filesystem',
    );
    expect(seen(checkEntrypoint, withConfig(base, { Entrypoint: null, Cmd: null }))).toContain('nothing to run');
    expect(
      seen(checkEntrypoint, withConfig(base, { Entrypoint: null, Cmd: ['/bin/sh', '-c', 'python3 /app/main.py'] })),
    ).toContain('shell form');
  });

  test('resolves bare names through PATH and relative scripts through WorkingDir', () => {
    expect(run(checkEntrypoint, withConfig(base, { Entrypoint: ['python3'], Cmd: ['lucid_ref/serve.py'] }))).toEqual(
      [],
    );
    expect(
      run(checkEntrypoint, withConfig(base, { Entrypoint: ['python3', '-u', '-m', 'lucid_ref.serve'], Cmd: [] })),
    ).toEqual([]);
    expect(
      run(
        checkEntrypoint,
        withConfig(base, { Entrypoint: null, Cmd: ['/usr/bin/python3', '-W', 'ignore', '/app/lucid_ref/serve.py'] }),
      ),
    ).toEqual([]);
  });

  test('behind an init wrapper (tini, dumb-init): the wrapper and the command it runs must exist', () => {
    const tini = exe('/usr/bin/tini', { elf: 'aarch64' });
    const wrapped = (Entrypoint: string[], Cmd: string[], add = [tini]) =>
      withConfig(withFs(base, add), { Entrypoint, Cmd });
    expect(run(checkEntrypoint, wrapped(['/usr/bin/tini', '--'], ['python3', '/app/lucid_ref/serve.py']))).toEqual([]);
    expect(run(checkEntrypoint, wrapped(['/usr/bin/tini', '-s', '-p', 'SIGTERM'], ['python3', '-m', 'x']))).toEqual([]);
    expect(seen(checkEntrypoint, wrapped(['/usr/bin/tini', '--'], ['python3', '/app/main.py']))).toBe(
      'script /app/main.py is not in the image filesystem (resolved to /app/main.py)',
    );
    expect(run(checkEntrypoint, wrapped(['/usr/bin/tini', '--'], ['/app/server']))[0]).toMatchObject({
      seen: expect.stringContaining('"/app/server" is not in the image filesystem'),
      where: 'image config: config.Entrypoint + config.Cmd, the command tini runs ["/app/server"]',
    });
    expect(seen(checkEntrypoint, wrapped(['/usr/bin/tini', '--'], ['python3'], []))).toContain(
      '"/usr/bin/tini" is not in the image filesystem',
    );
    expect(seen(checkEntrypoint, wrapped(['/usr/bin/tini', '--'], []))).toBe(
      '["/usr/bin/tini","--"] names no command after its options: tini exits with a usage error',
    );
    expect(unwrapInit(['/sbin/tini', '-vv', '-e', '143', '-pSIGKILL', 'python3', '-m', 'x'])).toEqual({
      wrappers: [['/sbin/tini', '-vv', '-e', '143', '-pSIGKILL']],
      command: ['python3', '-m', 'x'],
    });
    expect(unwrapInit(['dumb-init', '-r', '15:2', '--', 'tini', '--', 'python3'])).toEqual({
      wrappers: [
        ['dumb-init', '-r', '15:2', '--'],
        ['tini', '--'],
      ],
      command: ['python3'],
    });
  });

  test('the real Dockerfile.data: CMD ["/usr/bin/python3", script] under the base\'s python3.11 ENTRYPOINT runs an ELF as the script', () => {
    const cmd = ['/usr/bin/python3', '/app/lucid_ref/serve.py', 'data-chain'];
    expect(seen(checkEntrypoint, withConfig(base, { Entrypoint: ['/usr/bin/python3.11'], Cmd: cmd }))).toBe(
      '/usr/bin/python3 (/usr/bin/python3.11) is an ELF executable (aarch64), not a Python script: python3.11 exits ' +
        'with a SyntaxError; the Entrypoint ["/usr/bin/python3.11"] is given the Cmd as its arguments (ENTRYPOINT [] ' +
        "clears the base's)",
    );
    expect(run(checkEntrypoint, withConfig(base, { Entrypoint: [], Cmd: cmd }))).toEqual([]);
  });

  test("python's options glued together (-um module, -uc code, -bb -Wd) name no script", () => {
    // python3 -um app.main is python3 -u -m app.main. Before: "app.main" was read as a script path and failed.
    for (const Cmd of [
      ['/usr/bin/python3', '-um', 'lucid_ref.serve'],
      ['/usr/bin/python3', '-Bum', 'lucid_ref.serve'],
      ['/usr/bin/python3', '-uc', 'import sys'],
      ['/usr/bin/python3', '-uWignore', '-c', 'import sys'],
    ])
      expect(run(checkEntrypoint, withConfig(base, { Entrypoint: null, Cmd })), Cmd.join(' ')).toEqual([]);
    expect(
      seen(checkEntrypoint, withConfig(base, { Entrypoint: null, Cmd: ['/usr/bin/python3', '-u', '/app/x.py'] })),
    ).toContain('script /app/x.py is not in the image filesystem');
  });

  test('python runs a directory or zip holding __main__ as its script; a directory without one fails', () => {
    const cmd = (script: string, add: FsEntry[]) =>
      withConfig(withFs(base, add), { Entrypoint: null, Cmd: ['/usr/bin/python3', script] });
    expect(run(checkEntrypoint, cmd('/app/svc', [dir('/app/svc'), file('/app/svc/__main__.py')]))).toEqual([]);
    expect(run(checkEntrypoint, cmd('/app/svc', [dir('/app/svc'), file('/app/svc/__main__.pyc')]))).toEqual([]);
    expect(run(checkEntrypoint, cmd('/app/svc.pyz', [file('/app/svc.pyz')]))).toEqual([]);
    expect(seen(checkEntrypoint, cmd('/app/svc', [dir('/app/svc'), file('/app/svc/main.py')]))).toBe(
      '/app/svc is a directory without a __main__ module: python cannot run it',
    );
    // The HEALTHCHECK's probe is read from that __main__ module.
    const probe = withFs(
      withConfig(base, { Healthcheck: { Test: ['CMD', '/usr/bin/python3', '/app/probe'] } }),
      [dir('/app/probe'), file('/app/probe/__main__.py')],
      [],
      { '/app/probe/__main__.py': 'import urllib.request\nurllib.request.urlopen("http://127.0.0.1:8080/health")\n' },
    );
    expect(seen(checkHealthcheck, probe)).toBe(
      'http://127.0.0.1:8080/health probes path /health (in image file /app/probe/__main__.py)',
    );
  });

  test('a symlinked program whose target is missing fails', () => {
    const facts = withFs(base, [symlink('/usr/bin/python3', 'python3.12')]);
    expect(run(checkEntrypoint, facts)).toHaveLength(1);
  });
});
