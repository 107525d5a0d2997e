/**
 * Images laid out as the public Lucid Dockerfiles lay them out, built by the engine's own builder from a Dockerfile
 * (not by the project's image writer): ENTRYPOINT [] and CMD ["python3", …] found through PATH, PYTHONPATH naming a
 * copied site-packages with its marker file, /var/run and /var/lib chowned to 65532, labels, and a HEALTHCHECK
 * script that keeps its URL inside. Every static check passes it; with the real Dockerfile.data's probe (a TCP
 * connect to 8087) `healthcheck` fails, and nothing else.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runStaticChecks } from '../../helpers/checks/static/registry.ts';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { docker } from '../../helpers/engine/docker.ts';
import { RUN_ID } from '../../helpers/engine/labels.ts';
import { gatherImageFacts } from '../../helpers/facts/gather.ts';
import { baseImageRef } from '../../helpers/images/names.ts';
import type { Platform } from '../../helpers/model/platform.ts';
import { nativePlatform } from '../../helpers/runtime/standins.ts';
import { ensureBaseImage } from '../../fixtures/base/image.ts';
import { serviceSourceFiles } from '../../fixtures/reference.ts';
import { readFileSync } from 'node:fs';
import type { TarItem } from '../support/tar-fixture.ts';
import { buildContext } from '../support/docker-build.ts';

const contract = loadContract({});
const service = serviceNamed(contract, 'data-chain');
const tag = (what: string) => `lucid-harness-test/dockerfile-${what}:${RUN_ID.replace(/[^a-z0-9_.-]/gi, '-')}`;
const built: string[] = [];
let platform: Platform;

const HEALTH_PY = `import sys, urllib.request
URL = "http://127.0.0.1:${service.port}${service.healthPath}"
try:
    sys.exit(0 if urllib.request.urlopen(URL, timeout=3).status == 200 else 1)
except Exception:
    sys.exit(1)
`;
const TCP_PROBE = `import socket; s = socket.socket(); s.settimeout(2); r = s.connect_ex(('127.0.0.1', ${service.port})); s.close(); exit(0 if r == 0 else 1)`;

function dockerfile(healthcheck: string[]): string {
  return `FROM ${baseImageRef(platform)}
LABEL com.lucid.service="${service.name}" com.lucid.security="distroless"
ENV PATH=/usr/local/bin:/usr/bin:/bin PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONPATH=/app:/usr/local/lib/python3.11/site-packages LANG=C.UTF-8 LUCID_SERVICE_PORT=${service.port}
WORKDIR /app
COPY --chown=65532:65532 varrun/ /var/run/
COPY --chown=65532:65532 varlib/ /var/lib/
COPY --chown=65532:65532 marker /usr/local/lib/python3.11/site-packages/.lucid-marker
COPY --chown=65532:65532 lucid_ref /app/blockchain/api
COPY --chown=65532:65532 health.py /app/blockchain/health.py
EXPOSE ${service.port}
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ${JSON.stringify(healthcheck)}
USER 65532:65532
ENTRYPOINT []
CMD ["python3", "/app/blockchain/api/serve.py", "${service.name}"]
`;
}

/** docker build over the API (the engine's builder), one context tar; returns the image's tag. */
async function build(what: string, healthcheck: string[]): Promise<string> {
  const items: TarItem[] = [
    { name: 'Dockerfile', data: dockerfile(healthcheck) },
    { name: 'varrun/.keep', data: 'LUCID_DATA_CHAIN_RUNTIME_DIRECTORY\n' },
    { name: 'varlib/.keep', data: 'LUCID_DATA_CHAIN_LIB_DIRECTORY\n' },
    { name: 'marker', data: 'LUCID_DATA_CHAIN_PACKAGES_INSTALLED\n' },
    { name: 'health.py', data: HEALTH_PY },
    ...serviceSourceFiles(undefined, 'lucid_ref').map((f) => ({ name: f.path, data: readFileSync(f.source!) })),
  ];
  const t = tag(what);
  await buildContext(t, items, { purpose: 'dockerfile-layout-test' });
  built.push(t);
  return t;
}

const failedChecks = async (ref: string) =>
  Object.fromEntries(
    runStaticChecks(await gatherImageFacts(ref, { platform }), contract, service, platform)
      .filter((r) => r.findings.length)
      .map((r) => [r.name, r.findings.map((f) => f.seen)]),
  );

beforeAll(async () => {
  platform = await nativePlatform();
  await ensureBaseImage(platform);
}, 600_000);

afterAll(async () => {
  for (const t of built)
    await docker()
      .getImage(t)
      .remove({ force: true })
      .catch(() => undefined);
});

test('a Dockerfile-built image in the real layout passes every static check, its probe URL read from its script', async () => {
  const ref = await build('script-probe', ['python3', '/app/blockchain/health.py']);
  expect(await failedChecks(ref)).toEqual({});
});

test("the real Dockerfile.data's TCP probe fails healthcheck, and only it", async () => {
  const ref = await build('tcp-probe', ['python3', '-c', TCP_PROBE]);
  const failed = await failedChecks(ref);
  expect(Object.keys(failed)).toEqual(['healthcheck']);
  expect(failed['healthcheck']!.join()).toMatch(/only opens a TCP connection .*whatever \/health answers/);
});
