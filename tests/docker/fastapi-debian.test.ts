/**
 * Real third-party software, built apart from the project: Debian 12's own FastAPI 0.92 and uvicorn 0.17 (the twelve
 * pure-Python packages of fixtures/fastapi, hash-checked and cached like the base's) copied into an image FROM the
 * reference base by the engine's own builder, laid out as real-world Dockerfiles lay it out: dist-packages, a
 * pip-style console script /usr/bin/uvicorn, the app in /app, USER nonroot:nonroot, an exec-form urllib
 * HEALTHCHECK. Verified as a user verifies it (`verify --local --image block-manager=<id>`, results.json read as
 * data): every smoke check passes natively, and every static check on an arm64 build. The same app with a real
 * mistake, `CMD ["python3", "-m", "uvicorn", …]` without `ENTRYPOINT []` (the base's python3.11 then runs a script
 * named "python3"), fails `entrypoint`, and otherwise only what a container that cannot start fails or leaves not run.
 *
 * The two native images are built side by side and verified at once: each verify a run of its own (own run id, so
 * neither's sweep touches the other's containers), the broken one on a network of its own, so the two runs' stand-ins
 * need not take turns on the contract network's stack lock; the arm64 image is built and judged meanwhile.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runStaticChecks } from '../../helpers/checks/static/registry.ts';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { docker } from '../../helpers/engine/docker.ts';
import { RUN_ID } from '../../helpers/engine/labels.ts';
import { sweep } from '../../helpers/engine/sweep.ts';
import { gatherImageFacts } from '../../helpers/facts/gather.ts';
import { baseImageRef } from '../../helpers/images/names.ts';
import { archOf, type Platform } from '../../helpers/model/platform.ts';
import { readResults, type CheckResult, type Results } from '../../helpers/report/results-schema.ts';
import { nativePlatform } from '../../helpers/runtime/standins.ts';
import { ensureBaseImage } from '../../fixtures/base/image.ts';
import { fastapiDistPackages } from '../../fixtures/fastapi/debian.ts';
import { notApplicableOn, SMOKE_CHECK_NAMES, STATIC_CHECK_NAMES } from '../support/check-names.ts';
import { runCli } from '../support/run-cli.ts';
import type { TarItem } from '../support/tar-fixture.ts';
import { buildContext } from '../support/docker-build.ts';

const contract = loadContract({});
const service = serviceNamed(contract, 'block-manager');
const ARM64: Platform = 'linux/arm64';
const tag = (what: string, p: Platform) =>
  `lucid-harness-test/fastapi-${what}:${archOf(p)}-${RUN_ID.replace(/[^a-z0-9_.-]/gi, '-')}`;
const built: string[] = [];
const reportDirs: string[] = [];
let native: Platform;

const MAIN_PY = `from fastapi import FastAPI

app = FastAPI()


@app.get("${service.healthPath}")
async def health():
    return {"status": "healthy", "service": "lucid-blockchain-api"}
`;

/** What pip writes for a console_scripts entry point. */
const UVICORN_SCRIPT = `#!/usr/bin/python3
# -*- coding: utf-8 -*-
import re
import sys
from uvicorn.main import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
`;

const HEALTHCHECK = `HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 CMD ["/usr/bin/python3", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:${service.port}${service.healthPath}', timeout=5)"]`;
const SERVE = `"main:app", "--host", "0.0.0.0", "--port", "${service.port}"`;

const LAYOUTS = {
  // Debian's dist-packages and a console script, as a system-wide pip install would leave them.
  correct: (p: Platform) => `FROM ${baseImageRef(p)}
COPY dist-packages/ /usr/lib/python3/dist-packages/
COPY uvicorn /usr/bin/uvicorn
COPY app/ /app/
WORKDIR /app
USER nonroot:nonroot
EXPOSE ${service.port}
${HEALTHCHECK}
ENTRYPOINT ["/usr/bin/uvicorn"]
CMD [${SERVE}]
`,
  // As after pip install --target /app/site-packages, run as a module, but the base's ENTRYPOINT left in place.
  'python3-entrypoint': (p: Platform) => `FROM ${baseImageRef(p)}
ENV PYTHONPATH=/app/site-packages
COPY dist-packages/ /app/site-packages/
COPY app/ /app/
WORKDIR /app
USER nonroot:nonroot
EXPOSE ${service.port}
${HEALTHCHECK}
CMD ["python3", "-m", "uvicorn", ${SERVE}]
`,
};
type Layout = keyof typeof LAYOUTS;

// Read once per architecture (twelve .debs opened), shared by the layouts.
const distPackages = new Map<Platform, ReturnType<typeof fastapiDistPackages>>();

/** docker build over the API (the engine's builder) of one layout for one platform; returns the image id. */
async function build(layout: Layout, platform: Platform): Promise<string> {
  if (!distPackages.has(platform)) distPackages.set(platform, fastapiDistPackages(platform));
  const { entries } = await distPackages.get(platform)!;
  const items: TarItem[] = [
    { name: 'Dockerfile', data: LAYOUTS[layout](platform) },
    ...entries.map((e) => ({
      name: `dist-packages/${e.path}`,
      type: e.type,
      mode: e.mode,
      ...(e.linkname !== undefined && { linkname: e.linkname }),
      ...(e.data && { data: e.data }),
    })),
    { name: 'uvicorn', data: UVICORN_SCRIPT, mode: 0o755 },
    { name: 'app/main.py', data: MAIN_PY },
  ];
  const t = tag(layout, platform);
  await buildContext(t, items, { purpose: 'fastapi-debian-test', platform });
  built.push(t);
  return (await docker().getImage(t).inspect()).Id;
}

interface Verified {
  imageId: string;
  status: number | null;
  stderr: string;
  results: Results;
}

/**
 * `verify --local --image block-manager=<id> --platform <native>` as run `<RUN_ID>-<name>`, on the contract network
 * or, with `subnet`, on a network of its own; its results.json.
 */
async function verify(name: string, imageId: string, subnet?: string): Promise<Verified> {
  const reportDir = mkdtempSync(join(tmpdir(), `lucid-fastapi-${name}-`));
  reportDirs.push(reportDir);
  const args = ['verify', '--local', '--image', `block-manager=${imageId}`, '--platform', native];
  if (subnet) {
    const profile = join(reportDir, 'network.json');
    const network = { name: `lucid-fastapi-${name}-${RUN_ID}`, subnet: `${subnet}.0/24`, gateway: `${subnet}.1` };
    writeFileSync(profile, JSON.stringify({ network }));
    args.push('--profile', profile);
  }
  const runId = `${RUN_ID}-${name}`;
  try {
    const r = await runCli([...args, '--report-dir', join(reportDir, 'report')], { LUCID_RUN_ID: runId });
    return {
      imageId,
      status: r.status,
      stderr: r.stderr,
      results: readResults(join(reportDir, 'report', 'results.json')),
    };
  } finally {
    await sweep({ run: runId }).catch(() => undefined);
  }
}

/** Failed static checks of an image for a platform: name → what each finding saw. */
const staticFailures = async (ref: string, platform: Platform) => {
  const results = runStaticChecks(await gatherImageFacts(ref, { platform }), contract, service, platform);
  return {
    ran: results.map((r) => r.name),
    failed: Object.fromEntries(
      results.filter((r) => r.findings.length).map((r) => [r.name, r.findings.map((f) => f.seen)]),
    ),
  };
};

/** block-manager's checks on the native platform, by verdict (names sorted). */
function byStatus(results: Results): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const c of mine(results)) (out[c.status] ??= []).push(c.check);
  for (const v of Object.values(out)) v.sort();
  return out;
}
const mine = (results: Results): CheckResult[] =>
  results.checks.filter((c) => c.image === 'block-manager' && c.platform === native);
const check = (results: Results, name: string): CheckResult => mine(results).find((c) => c.check === name)!;
const findings = (c: CheckResult) =>
  (c.outcome?.['findings'] ?? []) as { expected: string; seen: string; where?: string }[];

// Started in beforeAll, awaited by the tests; each is marked handled so a failure waits for its test.
let correct: Promise<Verified>;
let broken: Promise<Verified>;
let arm64: Promise<Awaited<ReturnType<typeof staticFailures>>>;
const handled = <T>(p: Promise<T>): Promise<T> => (p.catch(() => undefined), p);

beforeAll(async () => {
  native = await nativePlatform();
  await Promise.all([ensureBaseImage(native), native === ARM64 || ensureBaseImage(ARM64)]);
  const correctId = build('correct', native);
  const brokenId = build('python3-entrypoint', native);
  correct = handled(correctId.then((id) => verify('correct', id)));
  broken = handled(brokenId.then((id) => verify('python3-entrypoint', id, '172.29.86')));
  // After the native builds: the engine's builder is the slow part, and the verify runs wait for them.
  arm64 = handled(
    Promise.allSettled([correctId, brokenId])
      .then(() => build('correct', ARM64))
      .then((id) => staticFailures(id, ARM64)),
  );
}, 600_000);

afterAll(async () => {
  await Promise.allSettled([correct, broken, arm64]);
  for (const t of built)
    await docker()
      .getImage(t)
      .remove({ force: true })
      .catch(() => undefined);
  for (const d of reportDirs) rmSync(d, { recursive: true, force: true });
});

describe('FastAPI and uvicorn from Debian 12, in an image built apart from the project', () => {
  test('the real-world layout passes every smoke check of block-manager; the flows do not run; exit 0', async () => {
    const { imageId, status, stderr, results } = await correct;
    expect(status, stderr.slice(-3000)).toBe(0);
    expect(results.run.source).toBe('local');
    expect(results.targets.map((t) => [t.service, t.platform, t.imageId])).toEqual([
      ['block-manager', native, imageId],
    ]);
    // Every check that applies to the platform passed; the others (the Pi 5 check on amd64) did not run.
    const notApplicable = notApplicableOn(native);
    expect(byStatus(results)).toEqual({
      passed: SMOKE_CHECK_NAMES.filter((n) => !notApplicable.includes(n)).sort(),
      ...(notApplicable.length && { 'not-run': notApplicable }),
    });
    // The registry's own check and the flows (they need all six services) are the only other entries.
    expect(
      results.checks
        .filter((c) => !mine(results).includes(c))
        .map((c) => [c.image, c.check, c.status, c.reason?.replace(/:.*/, '')].join(' | '))
        .sort(),
    ).toEqual([
      'block-manager | tag-consistency | not-run | not a registry run',
      'flows | anchoring-end-to-end | not-run | needs every contract service',
      'flows | auth-and-validation | not-run | needs every contract service',
      'flows | discovery-and-faults | not-run | needs every contract service',
      'flows | gateway-read-back | not-run | needs every contract service',
    ]);
  });

  test('python3 -m uvicorn under the base ENTRYPOINT fails entrypoint at /app/python3; health fails with that root cause, the rest of the running checks do not run', async () => {
    const { status, stderr, results } = await broken;
    expect(status, stderr.slice(-3000)).toBe(1);
    const runtimeNotRun = ['docker-health', 'hardened', 'process-user', 'runtime-platform', 'still-running'];
    const notRun = [...notApplicableOn(native), ...runtimeNotRun];
    expect(byStatus(results)).toEqual({
      failed: ['entrypoint', 'health'],
      'not-run': notRun.sort(),
      passed: SMOKE_CHECK_NAMES.filter((n) => !['entrypoint', 'health', ...notRun].includes(n)).sort(),
    });
    const entrypoint = findings(check(results, 'entrypoint'));
    expect(entrypoint).toEqual([
      {
        check: 'entrypoint',
        expected: 'the script python3.11 runs (python3) exists',
        seen: 'script python3 is not in the image filesystem (resolved to /app/python3)',
        where: `image config: config.Entrypoint + config.Cmd ${JSON.stringify(['/usr/bin/python3.11', 'python3', '-m', 'uvicorn', 'main:app', '--host', '0.0.0.0', '--port', String(service.port)])}`,
      },
    ]);
    // The root cause, once, on health: python3.11 exits 2 at once, saying which file it could not open. Told one of
    // two ways, by when the engine saw the exit: during the start, so the other runtime checks say the container did
    // not start (seen on a loaded host), or after it, so they say it was no longer running.
    const [health, ...more] = findings(check(results, 'health'));
    expect(more).toEqual([]);
    expect(health!.where).toMatch(/container state: exited, exit code 2, /);
    expect(health!.where).toContain(
      "/usr/bin/python3.11: can't open file '/app/python3': [Errno 2] No such file or directory",
    );
    const exit = String.raw`\(exited with code 2 after [\d.]+ s\)`;
    const duringStart = /before it served anything$/.test(health!.seen);
    const reasons: Record<string, string> = duringStart
      ? {
          seen: String.raw`the container exited with code 2 after [\d.]+ s, before it served anything`,
          'docker-health': `the container did not start ${exit}; see health`,
          hardened: `the container does not start as the image asks either ${exit}; see health`,
          'process-user': `the container did not start ${exit}; see health`,
          'runtime-platform': `the container did not start ${exit}; see health`,
          'still-running': `the container did not start ${exit}; see health`,
        }
      : {
          seen: String.raw`the container stopped after [\d.]+ s`,
          'docker-health': `the container stopped before its HEALTHCHECK could pass ${exit}; see health`,
          hardened: 'the image is not healthy as it asks either; see health and docker-health',
          'process-user': `the container was no longer running when its processes were read ${exit}; see health`,
          'runtime-platform': `the container was no longer running when its machine was asked ${exit}; see health`,
          'still-running': 'the service never became healthy; see health',
        };
    expect(health!.seen).toMatch(new RegExp(`^${reasons['seen']}$`));
    for (const name of runtimeNotRun)
      expect(check(results, name).reason, name).toMatch(new RegExp(`^${reasons[name]}$`));
  });

  test('an arm64 build of the real-world layout passes every static check for linux/arm64 (no container)', async () => {
    const { ran, failed } = await arm64;
    expect(ran).toEqual(STATIC_CHECK_NAMES);
    expect(failed).toEqual({});
  });
});
