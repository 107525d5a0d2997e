/**
 * Registry mode end to end on a real engine and the REAL distribution registry: the six reference images pushed
 * as multi-platform OCI indexes (latest-arm64 + a timestamped tag), read back, tag consistency judged (and broken
 * on purpose), registry targets resolved by pulling each platform's manifest by digest, the one-line 404 errors,
 * and the basic-auth variant. Prints figures (push cold/warm, resolve + pull, compressed sizes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadContract, repositoryOf, serviceNamed } from '../../helpers/contract/load.ts';
import { archOf, type Platform } from '../../helpers/model/platform.ts';
import type { Contract } from '../../helpers/contract/schema.ts';
import { docker } from '../../helpers/engine/docker.ts';
import { RegistryClient } from '../../helpers/registry/client.ts';
import { AuthRequiredError, RepositoryNotFoundError, TagNotFoundError } from '../../helpers/registry/errors.ts';
import { readIndex } from '../../helpers/registry/index-read.ts';
import { startLocalRegistry, type LocalRegistry } from '../support/local-registry.ts';
import { OCI_INDEX, type ImageIndex } from '../../helpers/registry/media.ts';
import { removePulledReferences } from '../../helpers/registry/pull.ts';
import { pushIndex, type PushedIndex } from '../../helpers/registry/push.ts';
import { localImageSource } from '../../helpers/registry/image-source.ts';
import { checkTagConsistency, TAG_CONSISTENCY_CHECK } from '../../helpers/registry/tags.ts';
import {
  describeRegistryTargets,
  resolveRegistryTargets,
  type RegistryTarget,
  type TagProblem,
} from '../../helpers/registry/targets.ts';
import { pushAttestation } from '../support/registry-testkit.ts';
import type { ImageTarget } from '../../helpers/model/target.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';
import { pushTargets } from '../../fixtures/push.ts';

/** The error a promise rejects with (fails the test when it resolves). */
const failure = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );

const PLATFORMS: Platform[] = ['linux/amd64', 'linux/arm64'];
const STAMP = 'latest-20250124-134023';
const OLDER = 'latest-20250101-000000';
const USER = 'lucid-ci';
const PASSWORD = 'registry-test-pw';
const log = (l: string) => console.error(l);
const figure = (l: string) => console.error(`figure: ${l}`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

let contract: Contract;
let reference: ImageTarget[];
let open: LocalRegistry;
let locked: LocalRegistry;
let client: RegistryClient;
let pushed: PushedIndex[] = [];
const pulled: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'lucid-registry-docker-'));

beforeAll(async () => {
  contract = loadContract({});
  reference = await ensureReferenceImages({
    contract,
    services: contract.services.map((s) => s.name),
    platforms: PLATFORMS,
    log,
  });
  [open, locked] = await Promise.all([
    startLocalRegistry({ log }),
    startLocalRegistry({ users: { [USER]: PASSWORD }, log }),
  ]);
  client = new RegistryClient({ registry: open.host, credentials: null, log });
});

afterAll(async () => {
  await removePulledReferences(pulled);
  await Promise.all([open?.stop(), locked?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

const resolve = async (o: Partial<Parameters<typeof resolveRegistryTargets>[0]>) => {
  const targets = await resolveRegistryTargets({
    contract,
    registry: client,
    tag: 'latest-arm64',
    services: contract.services.map((s) => s.name),
    platforms: PLATFORMS,
    log,
    ...o,
  });
  pulled.push(...targets.map((t) => t.reference));
  return targets;
};

describe('registry mode: push, read back, resolve, pull', () => {
  test('push the six reference images as indexes (cold: empty registry; warm: every blob already there)', async () => {
    let t0 = Date.now();
    pushed = await pushTargets({ client, contract, targets: reference, tags: [STAMP, 'latest-arm64'], log });
    const cold = Date.now() - t0;
    t0 = Date.now();
    const warm = await pushTargets({ client, contract, targets: reference, tags: [STAMP], log });
    const warmMs = Date.now() - t0;
    figure(`push cold ${secs(cold)} (6 indexes, 12 manifests), warm ${secs(warmMs)}`);
    const blobs = (p: PushedIndex[]) =>
      p
        .flatMap((x) => x.platforms)
        .reduce((a, x) => ({ u: a.u + x.blobs.uploaded, m: a.m + x.blobs.mounted, e: a.e + x.blobs.existed }), {
          u: 0,
          m: 0,
          e: 0,
        });
    figure(`blobs cold ${JSON.stringify(blobs(pushed))}, warm ${JSON.stringify(blobs(warm))}`);
    for (const p of pushed)
      figure(
        `compressed ${p.repository}: ${p.platforms.map((x) => `${x.platform} ${(x.compressedSize / 1e6).toFixed(2)} MB`).join(', ')}`,
      );
    expect(blobs(warm)).toEqual({ u: 0, m: 0, e: 36 }); // 12 images × (2 layers + config)
    expect(warm.map((w) => w.digest)).toEqual(pushed.map((p) => p.digest)); // same inputs → same index bytes
  });

  test('each index has exactly linux/amd64 and linux/arm64 v8, pointing at the local images’ configs', async () => {
    for (const p of pushed) {
      const doc = await client.getManifest(p.repository, 'latest-arm64');
      expect(doc.mediaType).toBe(OCI_INDEX);
      expect((doc.json as unknown as ImageIndex).manifests.map((m) => m.platform)).toEqual([
        { architecture: 'amd64', os: 'linux' },
        { architecture: 'arm64', os: 'linux', variant: 'v8' },
      ]);
      const info = await readIndex(client, p.repository, STAMP, PLATFORMS);
      expect(info.digest).toBe(p.digest);
      expect(info.ignored).toEqual([]);
      for (const platform of PLATFORMS) {
        const local = reference.find(
          (r) => repositoryOf(contract, serviceNamed(contract, r.service)) === p.repository && r.platform === platform,
        )!;
        expect(info.platforms[platform]!.config.digest).toBe(local.image);
      }
    }
  });

  test('an attestation entry pushed alongside is ignored', async () => {
    const repo = pushed[0]!.repository;
    const service = reference.filter((r) => repositoryOf(contract, serviceNamed(contract, r.service)) === repo);
    const platforms = await Promise.all(
      service.map(async (t) => ({ platform: t.platform, ...(await localImageSource(t.image, log)) })),
    );
    const extraEntries = [
      await pushAttestation(client, repo, pushed[0]!.platforms[0]!.manifestDigest),
      await pushAttestation(client, repo, pushed[0]!.platforms[1]!.manifestDigest),
    ];
    await pushIndex({ client, repository: repo, tags: ['attested'], platforms, extraEntries, log });
    const info = await readIndex(client, repo, 'attested', PLATFORMS);
    expect(info.ignored).toEqual(['unknown/unknown (attestation)', 'unknown/unknown (attestation)']);
    expect(PLATFORMS.map((p) => info.platforms[p]!.digest)).toEqual(pushed[0]!.platforms.map((x) => x.manifestDigest));
  });

  test('tag consistency passes; moving latest-arm64 to an older tag is found and named', async () => {
    for (const p of pushed) expect((await checkTagConsistency(client, contract, p.repository)).findings).toEqual([]);
    const repo = pushed[1]!.repository;
    // An older timestamped index with other bytes (platforms in the other order), then latest-arm64 moved onto it.
    const current = await client.getManifest(repo, 'latest-arm64');
    const older = Buffer.from(
      JSON.stringify({ ...current.json, manifests: [...(current.json as unknown as ImageIndex).manifests].reverse() }),
    );
    const olderDigest = await client.putManifest(repo, OLDER, OCI_INDEX, older);
    await client.putManifest(repo, 'latest-arm64', OCI_INDEX, older);
    try {
      const report = await checkTagConsistency(client, contract, repo);
      expect(report.newest).toBe(STAMP);
      expect(report.findings).toHaveLength(1);
      expect(report.findings[0]!.check).toBe(TAG_CONSISTENCY_CHECK);
      expect(report.findings[0]!.seen).toBe(
        `latest-arm64 is index ${olderDigest.slice(7, 19)}, the index of the older tag ${OLDER}`,
      );
    } finally {
      await client.putManifest(repo, 'latest-arm64', OCI_INDEX, current.bytes);
    }
    expect((await checkTagConsistency(client, contract, repo)).findings).toEqual([]);
  });

  test('a repository with latest-arm64 alone (a plain docker push): tag consistency not run, with the reason', async () => {
    // The same index in a repository of its own, its blobs mounted from the first (nothing exported or uploaded).
    const from = pushed[0]!.repository;
    const alone = `${from}-moving-only`;
    const index = await client.getManifest(from, 'latest-arm64');
    for (const entry of (index.json as unknown as ImageIndex).manifests) {
      const m = await client.getManifest(from, entry.digest);
      const blobs = [m.json['config'], ...(m.json['layers'] as unknown[])] as { digest: string; size: number }[];
      for (const b of blobs) {
        const open = () => {
          throw new Error(`${b.digest} was to be mounted from ${from}, not uploaded`);
        };
        // The app layer is the same on both platforms: mounted once, then there.
        expect(['mounted', 'existed']).toContain(
          await client.pushBlob(alone, { digest: b.digest, size: b.size, open }, from),
        );
      }
      await client.putManifest(alone, entry.digest, m.mediaType, m.bytes);
    }
    await client.putManifest(alone, 'latest-arm64', index.mediaType, index.bytes);
    const report = await checkTagConsistency(client, contract, alone);
    expect(report.findings).toEqual([]);
    expect(report.notRun).toMatch(/has no timestamped tag .* to compare latest-arm64 with; tags: latest-arm64$/);
  });

  test('resolve registry targets on both platforms: pulled by digest, same image ids as the local reference images', async () => {
    const t0 = Date.now();
    const targets = await resolve({});
    figure(
      `resolve + pull of ${targets.length} targets ${secs(Date.now() - t0)} (engine already had every image; per pull ${targets.map((t) => t.pullMs).join('/')} ms)`,
    );
    for (const line of describeRegistryTargets(targets)) figure(line);
    expect(targets).toHaveLength(12);
    for (const t of targets) {
      const local = reference.find((r) => r.service === t.service && r.platform === t.platform)!;
      expect(t.image).toBe(local.image);
      const img = await docker().getImage(t.image).inspect();
      expect(img.Architecture).toBe(archOf(t.platform));
      expect((img as { Variant?: string }).Variant ?? '').toBe(t.platform === 'linux/arm64' ? 'v8' : '');
      expect(img.RepoDigests).toContain(t.reference);
      expect(t.label).toBe(
        `${open.host}/${t.repository}:latest-arm64@${t.manifestDigest.slice(7, 19)} [${t.platform}]`,
      );
      expect(t.indexDigest).toBe(pushed.find((p) => p.repository === t.repository)!.digest);
      expect(t.compressedSize).toBeGreaterThan(15e6);
    }
  });

  test('an index entry that lies about its platform is a problem of the tag; both platforms are still verified', async () => {
    const amd64 = reference.find((r) => r.service === 'data-chain' && r.platform === 'linux/amd64')!;
    const src = await localImageSource(amd64.image, log);
    const lying = await pushIndex({
      client,
      repository: 'pickme/lucid-data-chain',
      tags: ['lying'],
      platforms: PLATFORMS.map((platform) => ({ platform, ...src })),
      log,
    });
    pulled.push(`${open.host}/pickme/lucid-data-chain@${lying.platforms[1]!.manifestDigest}`);
    const problems: TagProblem[] = [];
    const targets = await resolve({ tag: 'lying', services: ['data-chain'], problems });
    expect(targets.map((t) => t.platform)).toEqual(PLATFORMS);
    expect(problems).toEqual([
      {
        service: 'data-chain',
        tag: 'lying',
        problem: `${open.host}/pickme/lucid-data-chain:lying@${lying.platforms[1]!.manifestDigest.slice(7, 19)} [linux/arm64]: config says linux/amd64, index entry says linux/arm64/v8`,
      },
    ]);
  });

  test('blob transfer through the client (streamed, digest-verified)', async () => {
    const info = await readIndex(client, pushed[0]!.repository, STAMP, PLATFORMS);
    for (const p of PLATFORMS) {
      const t0 = Date.now();
      let n = 0;
      for (const l of info.platforms[p]!.layers)
        for await (const c of client.blobStream(pushed[0]!.repository, l.digest)) n += c.length;
      figure(`blob read ${p}: ${(n / 1e6).toFixed(1)} MB in ${secs(Date.now() - t0)}`);
      expect(n).toBe(info.platforms[p]!.layers.reduce((a, l) => a + l.size, 0));
    }
  });

  test('unknown tag and unknown repository: one-line errors', async () => {
    const tag = 'latest-19990101-000000';
    await expect(resolve({ tag })).rejects.toThrow(new TagNotFoundError(open.host, 'pickme/lucid-api-gateway', tag));
    const elsewhere = { ...contract, registry: { ...contract.registry, namespace: 'nobody' } };
    const e = await failure(resolve({ contract: elsewhere }));
    expect(e).toBeInstanceOf(RepositoryNotFoundError);
    expect(e.message).toBe(`no repository nobody/lucid-api-gateway at ${open.host}`);
  });

  test('basic-auth registry: 401 message without credentials, push + resolve + pull with LUCID_REGISTRY_USER/PASSWORD', async () => {
    const only = reference.filter((r) => r.service === 'data-chain');
    const env = {
      LUCID_REGISTRY_USER: process.env.LUCID_REGISTRY_USER,
      LUCID_REGISTRY_PASSWORD: process.env.LUCID_REGISTRY_PASSWORD,
    };
    const anonymous = new RegistryClient({ registry: locked.host, credentials: null });
    const e = await failure(resolve({ registry: anonymous, services: ['data-chain'] }));
    expect(e).toBeInstanceOf(AuthRequiredError);
    expect(e.message).toBe(
      `authentication required for pickme/lucid-data-chain at ${locked.host}: set LUCID_REGISTRY_USER/LUCID_REGISTRY_PASSWORD or docker login ${locked.host}`,
    );
    process.env.LUCID_REGISTRY_USER = USER;
    process.env.LUCID_REGISTRY_PASSWORD = PASSWORD;
    try {
      const withCreds = new RegistryClient({ registry: locked.host, log }); // credentials from the environment
      await pushTargets({ client: withCreds, contract, targets: only, tags: [STAMP, 'latest-arm64'], log });
      const targets: RegistryTarget[] = await resolve({ registry: locked.host, services: ['data-chain'] });
      expect(targets.map((t) => t.image)).toEqual(only.map((t) => t.image));
    } finally {
      for (const [k, v] of Object.entries(env))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });
});
