/**
 * The overlay2 layer reader against the engine's own export: for images already in the engine (and a small
 * loaded fixture with whiteouts, opaque dirs and hardlinks, which none of the built images has), every layer is
 * indexed both ways and compared; then gatherImageFacts must take the overlay2 source and merge the same facts.
 * Needs a local, rootful Docker engine with the overlay2 driver; no containers are started.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { docker } from '../../helpers/engine/docker.ts';
import { loadContract } from '../../helpers/contract/load.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';
import { ensureDefectImages } from '../../fixtures/defects/index.ts';
import { harnessLabels, RUN_ID } from '../../helpers/engine/labels.ts';
import { InspectSchema, parseConfigBlob, runConfig } from '../../helpers/facts/config.ts';
import { readDockerArchive } from '../../helpers/facts/docker-archive.ts';
import { LAYER_INDEX_VERSION } from '../../helpers/facts/cache.ts';
import { forgetGatheredFacts, gatherImageFacts } from '../../helpers/facts/gather.ts';
import { mergeLayers } from '../../helpers/facts/merge.ts';
import { readOverlayImage } from '../../helpers/facts/overlay-layers.ts';
import { elfHeader, fixtureArchive, packTar, type TarItem } from '../support/tar-fixture.ts';
import type { FsEntry, LayerIndex } from '../../helpers/model/image-facts.ts';

const IMAGES = [
  'lucid-ref/lucid-data-chain:amd64',
  'lucid-ref/lucid-api-gateway:arm64',
  'lucid-ref/distroless-python3-debian12:amd64',
  'lucid-defect/busybox-renamed:amd64',
  'lucid-defect/setuid-binary:amd64',
  'lucid-defect/bin-sh:amd64',
  'lucid-defect/world-writable-dir:amd64',
  'lucid-defect/app-usr-bin-sh:amd64',
];
const FIXTURE = `lucid-harness-test/facts-overlay:${RUN_ID.replace(/[^a-z0-9_.-]/gi, '-')}`;

/** BusyBox look-alike whose marker straddles the reader's 1 MiB chunk seam. */
function bigBusybox(): Buffer {
  const b = Buffer.alloc(1_300_000, 0x90);
  elfHeader(62).copy(b, 0);
  Buffer.from('BusyBox v1.36.1 multi-call binary').copy(b, 1024 * 1024 - 4);
  return b;
}

const d = (name: string, mode = 0o755, uid = 0, gid = 0): TarItem => ({ name, type: 'directory', mode, uid, gid });
const FIXTURE_LAYERS: TarItem[][] = [
  [
    ...['etc/', 'bin/', 'usr/', 'usr/bin/', 'usr/lib/', 'opt/', 'opt/old/', 'srv/', 'srv/cache/', 'app/'].map((n) =>
      d(n),
    ),
    d('tmp/', 0o1777),
    d('var/', 0o755),
    d('var/local/', 0o2775, 0, 50),
    { name: 'etc/passwd', data: 'root:x:0:0:root:/root:/sbin/nologin\n' },
    { name: 'etc/group', data: 'root:x:0:\nstaff:x:50:\n' },
    { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
    { name: 'usr/lib/os-release', data: 'ID=debian\nVERSION_ID="12"\n' },
    { name: 'usr/bin/victim', mode: 0o755, data: 'gone soon' },
    { name: 'bin/dash', mode: 0o755, data: Buffer.concat([elfHeader(62), Buffer.alloc(200)]) },
    { name: 'bin/sh', type: 'symlink', linkname: 'dash' },
    { name: 'opt/old/a.txt', data: 'a' },
    { name: 'srv/cache/old.bin', data: 'old' },
  ],
  [
    // No usr/, usr/bin/, bin/ entries: the engine makes those parents itself when it unpacks.
    { name: './usr/bin/.wh.victim', data: '' },
    { name: './bin/.wh.sh', data: '' },
    d('./opt/old/'),
    { name: './opt/old/.wh..wh..opq', data: '' },
    { name: './opt/old/c.txt', data: 'c' },
    { name: './srv/cache/.wh..wh..opq', data: '' }, // opaque, its dir not listed
    { name: './usr/bin/su', mode: 0o4755, data: Buffer.concat([elfHeader(62), Buffer.alloc(100)]) },
    // Link headers carry the inode's mode, as real tar writers write them: the engine applies each header's
    // mode to the shared inode, so a different one would change the target on disk (not in indexLayer).
    { name: './usr/bin/su2', type: 'link', linkname: './usr/bin/su', mode: 0o4755 },
    { name: './usr/bin/zz', mode: 0o755, data: 'zz' },
    { name: './usr/bin/aa', type: 'link', linkname: './usr/bin/zz', mode: 0o755 }, // the tar's first name is the file, not the lowest
    d('./usr/local/', 0o755),
    d('./usr/local/bin/', 0o2775, 0, 50),
    { name: './usr/local/bin/tool', mode: 0o750, uid: 1000, gid: 1000, data: bigBusybox() },
  ],
  [
    { name: 'app/main.py', data: 'print("hi")\n' },
    {
      name: 'etc/passwd',
      data: 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n',
    },
  ],
  [], // an empty layer
];

let fixtureId = '';
const cacheDirs: string[] = [];
const compared: Record<
  string,
  { layers: number; entries: number; whiteouts: number; opaqueDirs: number; hardlinks: number }
> = {};

function freshCache(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-overlay-cache-'));
  cacheDirs.push(dir);
  process.env.LUCID_CACHE_DIR = dir;
  forgetGatheredFacts();
  return dir;
}

beforeAll(async () => {
  const built = await fixtureArchive({
    layers: await Promise.all(FIXTURE_LAYERS.map((l) => packTar(l))),
    repoTags: [FIXTURE],
    config: {
      architecture: 'amd64',
      os: 'linux',
      config: { User: 'nonroot', Labels: harnessLabels('facts-overlay-test') },
      history: FIXTURE_LAYERS.map((_l, i) => ({ created_by: `layer ${i}` })),
    },
  });
  const res = await docker().loadImage(Readable.from([built.archive]), { quiet: true });
  await new Promise<void>((ok, fail) => docker().modem.followProgress(res, (err) => (err ? fail(err) : ok())));
  fixtureId = built.imageId;
});

afterAll(async () => {
  if (fixtureId)
    await docker()
      .getImage(fixtureId)
      .remove({ force: true })
      .catch(() => undefined);
  for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
  delete process.env.LUCID_CACHE_DIR;
  delete process.env.LUCID_FACTS_SOURCE;
  delete process.env.LUCID_ENGINE_REMOTE;
  forgetGatheredFacts();
  console.log(`overlay vs export, compared: ${JSON.stringify(compared, null, 1)}`);
});

const facts = (e: FsEntry) => ({
  path: e.path,
  type: e.type,
  mode: e.mode,
  uid: e.uid,
  gid: e.gid,
  size: e.size,
  link: e.link,
  elf: e.elf,
  multiCall: e.multiCall,
});
const sortedFacts = (l: LayerIndex) =>
  l.entries.map(facts).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

/** Both ways for one image; returns the export's layers (bottom to top) and config blob. */
async function compareImage(ref: string): Promise<{ exported: LayerIndex[]; configBlob: Buffer }> {
  const inspect = InspectSchema.parse(await docker().getImage(ref).inspect());
  const overlay = await readOverlayImage(inspect, []);
  const archive = await readDockerArchive(await docker().getImage(inspect.Id).get());
  const item = archive.manifest.find((m) => m.Config.includes(inspect.Id.slice(7)))!;
  const configBlob = archive.files.get(item.Config)!;
  expect(overlay.configBlob?.equals(configBlob), 'config blob').toBe(true);
  const exported = item.Layers.map((p) => archive.layers.get(p)!);
  expect(overlay.layers).toHaveLength(exported.length);
  expect(overlay.indexed).toBe(exported.length);
  const tally = { layers: exported.length, entries: 0, whiteouts: 0, opaqueDirs: 0, hardlinks: 0 };
  exported.forEach((a, i) => {
    const o = overlay.layers[i]!;
    const at = `${ref} layer ${i}`;
    expect(o.digest, `${at}: diff_id vs digest of the exported tar`).toBe(a.digest);
    expect(o.bytes, `${at}: tar length`).toBe(a.bytes);
    expect(sortedFacts(o), `${at}: entries by path`).toEqual(sortedFacts(a));
    expect(
      o.entries.map((e) => e.path),
      `${at}: tar order`,
    ).toEqual(a.entries.map((e) => e.path));
    expect([...o.whiteouts].sort(), `${at}: whiteouts`).toEqual([...a.whiteouts].sort());
    expect([...o.opaqueDirs].sort(), `${at}: opaque dirs`).toEqual([...a.opaqueDirs].sort());
    expect(o.texts, `${at}: texts`).toEqual(a.texts);
    expect(o, at).toEqual(a); // nothing else differs either
    tally.entries += a.entries.length;
    tally.whiteouts += a.whiteouts.length;
    tally.opaqueDirs += a.opaqueDirs.length;
    tally.hardlinks += a.entries.filter((e) => e.type === 'hardlink').length;
  });
  compared[ref] = tally;
  return { exported, configBlob };
}

/** gatherImageFacts on a fresh cache must read the overlay2 dirs and merge what the export would. */
async function gatherMatches(ref: string, exported: LayerIndex[], configBlob: Buffer): Promise<void> {
  const cache = freshCache();
  const f = await gatherImageFacts(ref);
  expect(f.gather).toMatchObject({
    source: 'overlay',
    exported: false,
    configFrom: 'imagedb',
    layersIndexed: exported.length,
    layersFromCache: 0,
    warnings: [],
  });
  expect(f.gather.fallback).toBeUndefined();
  const merged = mergeLayers(exported);
  expect([...f.fs.entries]).toEqual([...merged.entries]);
  expect([...f.fs.texts]).toEqual([...merged.texts]);
  const config = parseConfigBlob(configBlob, ref);
  expect(f.config).toEqual(runConfig(config.config));
  expect(f.history).toEqual(config.history ?? []);
  // Layers and config went to the cache, as after an export.
  const distinct = new Set(f.diffIds).size;
  if (distinct) expect(readdirSync(join(cache, 'layer-index', `v${LAYER_INDEX_VERSION}`))).toHaveLength(distinct);
  expect(readdirSync(join(cache, 'image-config'))).toHaveLength(1);
}

describe('overlay2 reader equals the export, layer by layer', () => {
  // Built here when missing (a fresh machine): a skipped comparison would prove nothing.
  beforeAll(async () => {
    const contract = loadContract();
    await ensureReferenceImages({ contract, services: ['data-chain'], platforms: ['linux/amd64'] });
    await ensureReferenceImages({ contract, services: ['api-gateway'], platforms: ['linux/arm64'] });
    await ensureDefectImages({
      contract,
      names: IMAGES.filter((r) => r.startsWith('lucid-defect/')).map((r) => r.replace(/^lucid-defect\/|:amd64$/g, '')),
      platforms: ['linux/amd64'],
    });
  }, 600_000);

  test.for(IMAGES)('%s', async (ref) => {
    await docker().getImage(ref).inspect();
    const { exported, configBlob } = await compareImage(ref);
    await gatherMatches(ref, exported, configBlob);
  });

  test('fixture with whiteouts, opaque dirs, hardlinks, unlisted parents and an empty layer', async () => {
    const { exported, configBlob } = await compareImage(FIXTURE);
    const tally = compared[FIXTURE]!;
    expect(tally).toMatchObject({ layers: 4, whiteouts: 2, opaqueDirs: 2, hardlinks: 2 });
    await gatherMatches(FIXTURE, exported, configBlob);

    forgetGatheredFacts();
    const f = await gatherImageFacts(FIXTURE);
    const e = f.fs.entries;
    for (const gone of ['/usr/bin/victim', '/bin/sh', '/opt/old/a.txt', '/srv/cache/old.bin'])
      expect(e.has(gone), gone).toBe(false);
    expect(e.get('/bin')?.layer).toBe(0); // layer 1 has /bin only as an unlisted parent: not an entry
    expect(e.get('/var/local')).toMatchObject({ mode: 0o2775, gid: 50 });
    expect(e.get('/usr/bin/su2')).toMatchObject({ type: 'hardlink', link: '/usr/bin/su', mode: 0o4755, elf: 'x86-64' });
    expect(e.get('/usr/bin/aa')).toMatchObject({ type: 'hardlink', link: '/usr/bin/zz' });
    expect(e.get('/usr/local/bin/tool')).toMatchObject({
      multiCall: 'busybox',
      elf: 'x86-64',
      uid: 1000,
      size: 1_300_000,
    });
    expect(f.fs.texts.get('/etc/passwd')).toContain('nonroot');
  });
});

describe('gather source and fallbacks (on the small fixture)', () => {
  test('warm: all layers from the cache; one layer missing: only that one read from overlay2', async () => {
    const cache = freshCache();
    await gatherImageFacts(FIXTURE);
    forgetGatheredFacts();
    expect((await gatherImageFacts(FIXTURE)).gather).toMatchObject({
      source: 'cache',
      configFrom: 'cache',
      layersFromCache: 4,
    });
    const dir = join(cache, 'layer-index', `v${LAYER_INDEX_VERSION}`);
    rmSync(join(dir, readdirSync(dir)[0]!));
    forgetGatheredFacts();
    expect((await gatherImageFacts(FIXTURE)).gather).toMatchObject({
      source: 'overlay',
      configFrom: 'cache',
      layersIndexed: 1,
      layersFromCache: 3,
    });
  });

  test('LUCID_FACTS_SOURCE=export and a remote engine export instead, with the same facts', async () => {
    freshCache();
    const viaOverlay = await gatherImageFacts(FIXTURE, { cache: false });
    expect(viaOverlay.gather).toMatchObject({ source: 'overlay', layersIndexed: 4 });
    try {
      process.env.LUCID_FACTS_SOURCE = 'export';
      freshCache();
      const forced = await gatherImageFacts(FIXTURE);
      expect(forced.gather).toMatchObject({
        source: 'export',
        fallback: 'LUCID_FACTS_SOURCE=export',
        exported: true,
        configFrom: 'archive',
      });
      expect([...forced.fs.entries]).toEqual([...viaOverlay.fs.entries]);
      delete process.env.LUCID_FACTS_SOURCE;

      process.env.LUCID_ENGINE_REMOTE = '1';
      freshCache();
      expect((await gatherImageFacts(FIXTURE)).gather).toMatchObject({
        source: 'export',
        fallback: 'engine is remote',
      });
    } finally {
      delete process.env.LUCID_FACTS_SOURCE;
      delete process.env.LUCID_ENGINE_REMOTE;
    }
  });
});
