import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { runStaticChecks } from '../../helpers/checks/static/registry.ts';
import { docker } from '../../helpers/engine/docker.ts';
import { harnessLabels, LABEL_OWNER, RUN_ID } from '../../helpers/engine/labels.ts';
import { LAYER_INDEX_VERSION } from '../../helpers/facts/cache.ts';
import { forgetGatheredFacts, gatherImageFacts } from '../../helpers/facts/gather.ts';
import { resolvePath } from '../../helpers/facts/resolve.ts';
import { fixtureArchive, elfHeader, packTar, type TarItem } from '../support/tar-fixture.ts';
import type { ImageFacts } from '../../helpers/model/image-facts.ts';

const contract = loadContract({});
const service = serviceNamed(contract, 'data-chain');
const TAG = `lucid-harness-test/facts-gather:${RUN_ID.replace(/[^a-z0-9_.-]/gi, '-')}`;
const PASSWD = 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n';
const GROUP = 'root:x:0:\nstaff:x:50:\nnonroot:x:65532:\n';
/** A probe script holding its URL, as many Dockerfiles write it: the healthcheck check reads it from the facts. */
const HEALTH_PY = `import sys, urllib.request\nURL = "http://127.0.0.1:${service.port}${service.healthPath}"\nsys.exit(0 if urllib.request.urlopen(URL).status == 200 else 1)\n`;

/** A BusyBox look-alike under another name; the marker straddles the 64 KiB mark where streams tend to cut. */
function fakeBusybox(): Buffer {
  const b = Buffer.alloc(200_000, 0x90);
  elfHeader(183).copy(b, 0);
  Buffer.from('BusyBox v1.36.1 (2024-01-01 00:00:00 UTC) multi-call binary.').copy(b, 65_536 - 4);
  return b;
}

async function buildLayers(): Promise<Buffer[]> {
  const d = (name: string, mode = 0o755, gid = 0): TarItem => ({ name, type: 'directory', mode, gid });
  const layer1 = await packTar([
    ...['etc/', 'bin/', 'usr/', 'usr/bin/', 'usr/lib/', 'var/', 'opt/', 'opt/old/', 'app/'].map((n) => d(n)),
    d('tmp/', 0o1777),
    d('var/local/', 0o2775, 50),
    { name: 'etc/passwd', data: PASSWD },
    { name: 'etc/group', data: GROUP },
    { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { name: 'usr/lib/os-release', data: 'PRETTY_NAME="Distroless"\nID=debian\nVERSION_ID="12"\n' },
    { name: 'usr/bin/python3.11', mode: 0o755, data: Buffer.concat([elfHeader(183), Buffer.alloc(4000)]) },
    { name: 'usr/bin/python3', type: 'symlink', linkname: 'python3.11' },
    { name: 'usr/bin/victim', mode: 0o755, data: 'gone soon' },
    { name: 'bin/dash', mode: 0o755, data: Buffer.concat([elfHeader(183), Buffer.alloc(100)]) },
    { name: 'bin/sh', type: 'symlink', linkname: 'dash' },
    { name: 'opt/old/a.txt', data: 'a' },
    { name: 'opt/old/b.txt', data: 'b' },
  ]);
  // Second layer writes "./"-prefixed names, as some builders do.
  const layer2 = await packTar([
    { name: './usr/bin/.wh.victim', data: '' },
    { name: './bin/.wh.sh', data: '' },
    { name: './bin/.wh.dash', data: '' },
    { name: './opt/old/', type: 'directory' },
    { name: './opt/old/.wh..wh..opq', data: '' },
    { name: './opt/old/c.txt', data: 'c' },
    { name: './usr/bin/su', mode: 0o4755, data: 'setuid' },
    { name: './usr/bin/su2', type: 'link', linkname: './usr/bin/su' },
    { name: './usr/local/', type: 'directory' },
    { name: './usr/local/bin/', type: 'directory' },
    { name: './usr/local/bin/tool', mode: 0o755, data: fakeBusybox() },
  ]);
  const layer3 = await packTar([
    { name: 'app/main.py', data: 'print("hi")\n' },
    { name: 'app/health.py', data: HEALTH_PY },
  ]);
  return [layer1, layer2, layer3];
}

let imageId = '';
let cacheDir = '';
const timings: Record<string, number> = {};

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'lucid-facts-cache-'));
  process.env.LUCID_CACHE_DIR = cacheDir;
  // This file covers the export path; the overlay2 reader has its own test (facts-overlay.test.ts).
  process.env.LUCID_FACTS_SOURCE = 'export';
  const built = await fixtureArchive({
    layers: await buildLayers(),
    repoTags: [TAG],
    config: {
      architecture: 'arm64',
      variant: 'v8',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: {
        User: 'nonroot',
        Env: ['PATH=/usr/local/bin:/usr/bin:/bin'],
        Entrypoint: ['/usr/bin/python3'],
        Cmd: ['/app/main.py'],
        WorkingDir: '/app',
        ExposedPorts: { [`${service.port}/tcp`]: {} },
        Healthcheck: {
          Test: ['CMD', '/usr/bin/python3', '/app/health.py'],
          Interval: 15e9,
          Retries: 3,
        },
        Labels: harnessLabels('facts-gather-test'),
      },
      history: [
        { created_by: 'layer one' },
        { created_by: 'layer two' },
        { created_by: 'ENV X=1', empty_layer: true },
        { created_by: 'layer three' },
      ],
    },
  });
  imageId = built.imageId;
  const res = await docker().loadImage(Readable.from([built.archive]), { quiet: true });
  await new Promise<void>((ok, fail) => docker().modem.followProgress(res, (err) => (err ? fail(err) : ok())));
});

afterAll(async () => {
  if (imageId)
    await docker()
      .getImage(imageId)
      .remove({ force: true })
      .catch(() => undefined);
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  delete process.env.LUCID_CACHE_DIR;
  delete process.env.LUCID_FACTS_SOURCE;
  console.log(`facts gather timings (ms): ${JSON.stringify(timings)}`);
});

describe('gatherImageFacts against a loaded docker-archive', () => {
  let cold: ImageFacts;

  test('cold gather exports the image and merges its layers', async () => {
    forgetGatheredFacts();
    cold = await gatherImageFacts(TAG, { platform: 'linux/arm64' });
    timings.cold = cold.gather.ms;
    expect(cold.id).toBe(imageId);
    expect(cold.gather).toMatchObject({
      source: 'export',
      fallback: 'LUCID_FACTS_SOURCE=export',
      exported: true,
      configFrom: 'archive',
      layersIndexed: 3,
      layersFromCache: 0,
      warnings: [],
    });
    expect(cold).toMatchObject({
      architecture: 'arm64',
      variant: 'v8',
      os: 'linux',
      layerCount: 3,
      platform: 'linux/arm64',
    });
    expect(cold.config.User).toBe('nonroot');
    expect(cold.config.Labels[LABEL_OWNER]).toBe('true');
    expect(cold.history.map((h) => h.created_by)).toEqual(['layer one', 'layer two', 'ENV X=1', 'layer three']);

    const e = cold.fs.entries;
    for (const gone of ['/usr/bin/victim', '/bin/sh', '/bin/dash', '/opt/old/a.txt', '/opt/old/b.txt'])
      expect(e.has(gone), gone).toBe(false);
    expect(e.has('/opt/old')).toBe(true);
    expect(e.get('/opt/old/c.txt')?.layer).toBe(1);
    expect(e.get('/usr/bin/su')).toMatchObject({ type: 'file', mode: 0o4755 });
    expect(e.get('/usr/bin/su2')).toMatchObject({ type: 'hardlink', link: '/usr/bin/su' });
    expect(e.get('/usr/local/bin/tool')).toMatchObject({ multiCall: 'busybox', elf: 'aarch64', size: 200_000 });
    expect(e.get('/tmp')?.mode).toBe(0o1777);
    expect(e.get('/var/local')).toMatchObject({ mode: 0o2775, gid: 50 });
    expect(resolvePath(cold.fs, '/usr/bin/python3')).toMatchObject({
      path: '/usr/bin/python3.11',
      entry: { elf: 'aarch64' },
    });
    expect(cold.fs.texts.get('/etc/passwd')).toBe(PASSWD);
    expect(cold.fs.texts.get('/usr/lib/os-release')).toContain('VERSION_ID="12"');
    expect(cold.fs.texts.get('/app/health.py')).toBe(HEALTH_PY);
    expect(cold.fs.texts.has('/app/main.py')).toBe(false); // names no URL and opens no socket
  });

  test('the static checks judge the gathered facts', () => {
    const failed = Object.fromEntries(
      runStaticChecks(cold, contract, service, 'linux/arm64')
        .filter((r) => r.findings.length)
        .map((r) => [r.name, r.findings.map((f) => f.seen)]),
    );
    expect(failed).toEqual({
      'no-shell': ['/usr/local/bin/tool is a busybox multi-call binary (found by its content) and provides sh'],
      'no-setuid': ['/usr/bin/su is setuid (mode 4755, owner 0:0)', '/usr/bin/su2 is setuid (mode 4755, owner 0:0)'],
    });
  });

  test('warm gather reads every layer from the cache and does not export', async () => {
    expect(readdirSync(join(cacheDir, 'layer-index', `v${LAYER_INDEX_VERSION}`))).toHaveLength(3);
    forgetGatheredFacts();
    const warm = await gatherImageFacts(TAG, { platform: 'linux/arm64' });
    timings.warm = warm.gather.ms;
    expect(warm.gather).toMatchObject({
      source: 'cache',
      exported: false,
      configFrom: 'cache',
      layersIndexed: 0,
      layersFromCache: 3,
    });
    expect([...warm.fs.entries.entries()]).toEqual([...cold.fs.entries.entries()]);
    expect(warm.config).toEqual(cold.config);

    const t = performance.now();
    const memo = await gatherImageFacts(imageId);
    timings.memo = Math.round(performance.now() - t);
    expect(memo.fs).toBe(warm.fs);
  });

  test('layers cached but config not: the config comes from inspect and history, equal to the blob', async () => {
    rmSync(join(cacheDir, 'image-config'), { recursive: true, force: true });
    forgetGatheredFacts();
    const viaEngine = await gatherImageFacts(TAG);
    timings.warmEngineConfig = viaEngine.gather.ms;
    expect(viaEngine.gather).toMatchObject({ exported: false, configFrom: 'engine' });
    expect(viaEngine.config).toEqual(cold.config);
    expect({ a: viaEngine.architecture, v: viaEngine.variant, o: viaEngine.os }).toEqual({
      a: 'arm64',
      v: 'v8',
      o: 'linux',
    });
    expect(viaEngine.history.map((h) => h.created_by)).toEqual(cold.history.map((h) => h.created_by));
  });
});
