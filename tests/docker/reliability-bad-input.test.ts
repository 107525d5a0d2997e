// Bad input, one row each: the one line on stderr, the exit code, and nothing of the run left running.
// Registries are the real /usr/bin/docker-registry on 127.0.0.1; it never answers 429, so that row goes
// through a small proxy in this test that answers 429 to manifest requests and forwards everything else.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';
import { localImageSource } from '../../helpers/registry/image-source.ts';
import { pushIndex } from '../../helpers/registry/push.ts';
import { RegistryClient } from '../../helpers/registry/client.ts';
import { startLocalRegistry, type LocalRegistry } from '../support/local-registry.ts';
import { lastLine, leftovers, newRunId, runCli } from '../../helpers/reliability/child.ts';

const contract = loadContract({});
const dir = mkdtempSync(join(tmpdir(), 'lucid-bad-input-'));
// No credentials from this host: an empty HOME, no docker config, no env credentials.
const noCreds = {
  HOME: dir,
  DOCKER_CONFIG: join(dir, 'docker'),
  LUCID_REGISTRY_USER: undefined,
  LUCID_REGISTRY_PASSWORD: undefined,
};
let open: LocalRegistry;
let locked: LocalRegistry;
let proxy: Server;
let proxyHost = '';

/** Answers 429 (Retry-After: 0) to every manifest request; the rest goes to the real registry. */
function rateLimitingProxy(upstreamPort: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (/^\/v2\/.+\/manifests\//.test(req.url ?? '')) {
      res.writeHead(429, { 'Retry-After': '0', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'rate limit' }] }));
      return;
    }
    const up = httpRequest(
      { host: '127.0.0.1', port: upstreamPort, path: req.url, method: req.method, headers: req.headers },
      (u) => {
        res.writeHead(u.statusCode ?? 502, u.headers);
        u.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  [open, locked] = await Promise.all([startLocalRegistry({}), startLocalRegistry({ users: { ci: 'secret' } })]);
  const [amd64] = await ensureReferenceImages({ contract, services: ['data-chain'], platforms: ['linux/amd64'] });
  // An index with amd64 only, as a build that forgot --platform linux/arm64 pushes it.
  const client = new RegistryClient({ registry: open.host, credentials: null });
  await pushIndex({
    client,
    repository: 'pickme/lucid-data-chain',
    tags: ['only-amd64'],
    platforms: [{ platform: 'linux/amd64', ...(await localImageSource(amd64!.image)) }],
  });
  proxy = await rateLimitingProxy(open.port);
  proxyHost = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
});

afterAll(async () => {
  proxy?.close();
  await Promise.all([open?.stop(), locked?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

interface Row {
  input: string;
  args: () => string[];
  env?: () => NodeJS.ProcessEnv;
  /** Default: a fresh directory per row. */
  reportDir?: () => string;
  code: number;
  line: () => RegExp;
}

const profile = (name: string, body: unknown) => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(body));
  return file;
};

const names = contract.services.map((s) => s.name).join(', ');
const rows: Row[] = [
  {
    input: 'unknown image (--image nope)',
    args: () => ['--image', 'nope'],
    code: 2,
    line: () => new RegExp(`^lucid-harness verify: unknown service "nope"; the contract has: ${names}$`),
  },
  {
    input: 'unknown peers family (--peers nope)',
    args: () => ['--local', '--image', 'data-chain=any:dev', '--peers', 'nope'],
    code: 2,
    line: () => /^lucid-harness verify: unknown --peers "nope" \(expected ref or alt\)$/,
  },
  {
    input: 'an invalid image reference (--local --image data-chain=UPPER:dev)',
    args: () => ['--local', '--image', 'data-chain=UPPER:dev'],
    code: 2,
    line: () =>
      /^lucid-harness verify: --image data-chain=UPPER:dev: "UPPER:dev" is not a valid image reference or id \(.*invalid reference format.*\); see docker images$/,
  },
  {
    input: '--peers without an image source to fill in for',
    args: () => ['--peers', 'ref'],
    code: 2,
    line: () =>
      /^lucid-harness verify: --peers fills in services for --local, --oci-layout or --registry; the reference images alone need none$/,
  },
  {
    input: 'an empty value (--platform "", as an unset CI variable gives it)',
    args: () => ['--image', 'data-chain', '--platform', ''],
    code: 2,
    line: () => /^lucid-harness verify: option --platform needs a value$/,
  },
  {
    input: 'a single-value option twice (--peers ref --peers alt)',
    args: () => ['--local', '--image', 'data-chain=any:dev', '--peers', 'ref', '--peers', 'alt'],
    code: 2,
    line: () => /^lucid-harness verify: option --peers given twice \("ref" and "alt"\): give it once$/,
  },
  {
    input: '--report-dir that is a file',
    args: () => ['--image', 'data-chain'],
    reportDir: () => profile('a-file', {}),
    code: 2,
    line: () =>
      /^lucid-harness verify: --report-dir \S+a-file\.json is a file, not a directory: give a directory \(it is created when missing\)$/,
  },
  {
    input: 'an OCI layout whose index.json is not JSON ("nope\\n": JSON.parse quotes it, newline and all)',
    args: () => {
      mkdirSync(join(dir, 'not-json-layout'), { recursive: true });
      writeFileSync(join(dir, 'not-json-layout/oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      writeFileSync(join(dir, 'not-json-layout/index.json'), 'nope\n');
      return ['--oci-layout', join(dir, 'not-json-layout')];
    },
    code: 2,
    line: () => /^lucid-harness verify: \S+not-json-layout: index\.json is not JSON \(.*"nope " is not valid JSON\)$/,
  },
  {
    input: 'engine unreachable (DOCKER_HOST=tcp://127.0.0.1:1)',
    args: () => ['--image', 'data-chain'],
    env: () => ({ DOCKER_HOST: 'tcp://127.0.0.1:1' }),
    code: 2,
    line: () =>
      /^lucid-harness verify: no Docker engine answers at tcp:\/\/127\.0\.0\.1:1 \(.*ECONNREFUSED.*\); run bash bin\/bootstrap-host\.sh or npx lucid-harness doctor$/,
  },
  {
    input: 'invalid contract override (port 70000)',
    args: () => [
      '--image',
      'data-chain',
      '--profile',
      profile('bad-port', { services: [{ name: 'data-chain', port: 70000 }] }),
    ],
    code: 2,
    line: () =>
      /^lucid-harness verify: invalid contract \(.*bad-port\.json\): services\.5\.port: Too big: expected number to be <=65535$/,
  },
  {
    input: 'contract override with an unknown key (a typo)',
    args: () => [
      '--image',
      'data-chain',
      '--profile',
      profile('typo', { budgets: { native: { firstHealthyResponsMs: 5000 } } }),
    ],
    code: 2,
    line: () =>
      /^lucid-harness verify: invalid contract \(.*typo\.json\): budgets\.native\.firstHealthyResponsMs: unknown key \(a typo\? keys starting with _ are comments\)$/,
  },
  {
    input: 'no arm64 emulation on an amd64 host (LUCID_BINFMT_DIR=empty dir)',
    args: () => ['--image', 'data-chain'],
    env: () => ({ LUCID_BINFMT_DIR: join(dir, 'no-binfmt') }),
    code: 2,
    line: () =>
      /^lucid-harness verify: linux\/arm64 needs arm64 emulation, but .*no-binfmt\/qemu-aarch64 does not exist \(no qemu binfmt handler\): run bash bin\/bootstrap-host\.sh .*--platform linux\/amd64$/,
  },
  {
    input: 'disk nearly full before a build (LUCID_MIN_FREE_BYTES=1e18)',
    args: () => ['--image', 'data-chain'],
    env: () => ({ LUCID_MIN_FREE_BYTES: '1000000000000000000' }),
    code: 2,
    line: () =>
      /^lucid-harness verify: only [\d.]+ GiB free for the engine data root \/\S+, a build needs [\d.]+ GiB: free space .*LUCID_MIN_FREE_BYTES to accept less$/,
  },
  {
    input: 'unknown tag',
    args: () => ['--registry', open.host, '--tag', 'latest-19990101-000000', '--image', 'data-chain'],
    code: 2,
    line: () =>
      new RegExp(`^lucid-harness verify: no tag latest-19990101-000000 in pickme/lucid-data-chain at ${open.host}$`),
  },
  // A platform missing from the index is no bad input: it is a failing tag-shape check (tests/docker/registry-shapes.test.ts).
  {
    input: 'a registry that is no address (--registry "localhost:notaport")',
    args: () => ['--registry', 'localhost:notaport', '--image', 'data-chain'],
    code: 2,
    line: () =>
      /^lucid-harness verify: --registry localhost:notaport is not a registry address \(not host\[:port\]\): give host\[:port\], e\.g\. 127\.0\.0\.1:5000 or registry\.example\.com$/,
  },
  {
    input: 'registry 401 (htpasswd, no credentials)',
    args: () => ['--registry', locked.host, '--image', 'data-chain'],
    code: 2,
    line: () =>
      new RegExp(
        `^lucid-harness verify: authentication required for pickme/lucid-data-chain at ${locked.host}: set LUCID_REGISTRY_USER/LUCID_REGISTRY_PASSWORD or docker login ${locked.host}`,
      ),
  },
  {
    input: 'registry 404 (unknown repository)',
    args: () => ['--registry', open.host, '--image', 'api-gateway'],
    code: 2,
    line: () => new RegExp(`^lucid-harness verify: no repository pickme/lucid-api-gateway at ${open.host}$`),
  },
  {
    input: 'registry 429 (proxy)',
    args: () => ['--registry', proxyHost, '--tag', 'only-amd64', '--image', 'data-chain'],
    code: 2,
    line: () =>
      new RegExp(
        `^lucid-harness verify: registry ${proxyHost} rate-limited requests for pickme/lucid-data-chain \\(429, 5 attempt\\(s\\)\\).*: try later, or log in for a higher limit$`,
      ),
  },
];

describe.each(rows)('$input', (row) => {
  test(`exit ${row.code}, one line, nothing left`, async () => {
    const runId = newRunId('bad-input');
    const r = await runCli(['verify', ...row.args(), '--report-dir', row.reportDir?.() ?? join(dir, runId)], {
      runId,
      env: { ...noCreds, ...row.env?.() },
    });
    const verdicts = r.stderr.split('\n').filter((l) => l.startsWith('lucid-harness'));
    expect(verdicts, r.stderr.slice(-2000)).toHaveLength(1);
    expect(lastLine(r.stderr)).toMatch(row.line());
    expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
    expect(r.status).toBe(row.code);
    if (!row.env?.().DOCKER_HOST) expect(await leftovers(runId)).toEqual({ containers: [], networks: [] });
  });
});
