/**
 * The client against the REAL distribution registry binary (no Docker engine needed): pushes of tiny images,
 * digest-verified reads, index reading with platform selection, the one-line 404 errors, basic auth.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RegistryClient } from '../../helpers/registry/client.ts';
import { lookupCredentials } from '../../helpers/registry/credentials.ts';
import {
  AuthRejectedError,
  AuthRequiredError,
  DigestNotFoundError,
  RepositoryNotFoundError,
  TagNotFoundError,
} from '../../helpers/registry/errors.ts';
import { readIndex } from '../../helpers/registry/index-read.ts';
import {
  DEFAULT_REGISTRY_BIN,
  REGISTRY_BIN_ENV,
  startLocalRegistry,
  type LocalRegistry,
} from '../support/local-registry.ts';
import { OCI_MANIFEST, sha256Digest } from '../../helpers/registry/media.ts';
import { pushIndex, type PushPlatformInput } from '../../helpers/registry/push.ts';
import { pushAttestation, tinyImage } from '../support/registry-testkit.ts';

/** The error a promise rejects with (fails the test when it resolves). */
const failure = (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );

const BIN = process.env[REGISTRY_BIN_ENV] || DEFAULT_REGISTRY_BIN;
const USER = 'lucid-ci';
const PASSWORD = 'pa:ss-word';
const REPO = 'pickme/lucid-tiny';
const work = mkdtempSync(join(tmpdir(), 'lucid-registry-unit-'));
let open: LocalRegistry;
let locked: LocalRegistry;
let amd64: PushPlatformInput;
let arm64: PushPlatformInput;

beforeAll(async () => {
  [open, locked] = await Promise.all([startLocalRegistry(), startLocalRegistry({ users: { [USER]: PASSWORD } })]);
  amd64 = await tinyImage('linux/amd64', 'a', work);
  arm64 = await tinyImage('linux/arm64', 'a', work);
}, 60_000);
afterAll(async () => {
  await Promise.all([open?.stop(), locked?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!existsSync(BIN))('registry client against the real registry binary', () => {
  const anon = () => new RegistryClient({ registry: open.host, credentials: null });

  test('push an index of two platforms, read it back: digests, media types, sizes', async () => {
    const client = anon();
    const pushed = await pushIndex({
      client,
      repository: REPO,
      tags: ['latest-20250101-000000', 'latest-arm64'],
      platforms: [amd64, arm64],
    });
    const info = await readIndex(client, REPO, 'latest-arm64', ['linux/amd64', 'linux/arm64']);
    expect(info.digest).toBe(pushed.digest);
    expect(info.ignored).toEqual([]);
    for (const p of pushed.platforms) {
      expect(info.platforms[p.platform]!.digest).toBe(p.manifestDigest);
      expect(info.platforms[p.platform]!.config.digest).toBe(p.imageId);
      expect(info.platforms[p.platform]!.compressedSize).toBe(p.compressedSize);
    }
    const head = await client.headManifest(REPO, 'latest-arm64');
    const got = await client.getManifest(REPO, head.digest);
    expect(got.digest).toBe(head.digest);
    expect(sha256Digest(got.bytes)).toBe(head.digest);
    expect((await client.getBlob(REPO, sha256Digest(amd64.configBytes))).equals(amd64.configBytes)).toBe(true);
    expect((await client.listTags(REPO)).sort()).toEqual(['latest-20250101-000000', 'latest-arm64']);
  });

  test('a second push uploads nothing; another repository mounts the blobs', async () => {
    const client = anon();
    const again = await pushIndex({ client, repository: REPO, tags: ['latest-20250101-000001'], platforms: [amd64] });
    expect(again.platforms[0]!.blobs).toEqual({ existed: 2, mounted: 0, uploaded: 0 });
    const mounts = new Map([[again.platforms[0]!.imageId, REPO]]);
    const other = await pushIndex({
      client,
      repository: 'pickme/lucid-tiny-2',
      tags: ['x'],
      platforms: [amd64],
      mounts,
    });
    expect(other.platforms[0]!.blobs.mounted).toBe(1);
  });

  test('an attestation entry (unknown/unknown) is ignored', async () => {
    const client = anon();
    const repo = 'pickme/lucid-attested';
    const first = await pushIndex({ client, repository: repo, tags: ['plain'], platforms: [amd64, arm64] });
    const extraEntries = [
      await pushAttestation(client, repo, first.platforms[0]!.manifestDigest),
      await pushAttestation(client, repo, first.platforms[1]!.manifestDigest),
    ];
    await pushIndex({ client, repository: repo, tags: ['attested'], platforms: [amd64, arm64], extraEntries });
    const info = await readIndex(client, repo, 'attested', ['linux/amd64', 'linux/arm64']);
    expect(info.ignored).toEqual(['unknown/unknown (attestation)', 'unknown/unknown (attestation)']);
    expect(info.platforms['linux/arm64']!.digest).toBe(first.platforms[1]!.manifestDigest);
  });

  test('a missing platform, a single-platform tag and a variant-less entry are problems of the tag; what is there is kept', async () => {
    const client = anon();
    await pushIndex({ client, repository: 'pickme/lucid-amd64-only', tags: ['t'], platforms: [amd64] });
    const one = await readIndex(client, 'pickme/lucid-amd64-only', 't', ['linux/amd64', 'linux/arm64']);
    expect(Object.keys(one.platforms)).toEqual(['linux/amd64']);
    expect(one.problems).toHaveLength(1);
    expect(one.problems[0]).toMatch(
      new RegExp(
        `^${open.host}/pickme/lucid-amd64-only:t \\(index sha256:[0-9a-f]{64}\\) has no linux/arm64 \\(v8\\) entry; it has linux/amd64$`,
      ),
    );
    const single = (await pushIndex({ client, repository: 'pickme/lucid-single', tags: ['tmp'], platforms: [arm64] }))
      .platforms[0]!;
    const manifest = await client.getManifest('pickme/lucid-single', single.manifestDigest);
    await client.putManifest('pickme/lucid-single', 'single', OCI_MANIFEST, manifest.bytes);
    const s = await readIndex(client, 'pickme/lucid-single', 'single', ['linux/amd64', 'linux/arm64']);
    expect(Object.keys(s.platforms)).toEqual(['linux/arm64']);
    expect(s.platforms['linux/arm64']!.digest).toBe(single.manifestDigest);
    expect(s.problems).toEqual([
      `${open.host}/pickme/lucid-single:single is a single-platform image manifest (linux/arm64/v8), not an index with linux/amd64 and linux/arm64`,
      `${open.host}/pickme/lucid-single:single has no linux/amd64 image`,
    ]);
  });

  test('404: unknown tag, unknown repository, unknown digest — one line each', async () => {
    const client = anon();
    await expect(client.getManifest(REPO, 'latest-19990101-000000')).rejects.toThrow(
      new TagNotFoundError(open.host, REPO, 'latest-19990101-000000'),
    );
    await expect(client.headManifest(REPO, 'nope')).rejects.toThrow(`no tag nope in ${REPO} at ${open.host}`);
    await expect(client.getManifest('pickme/lucid-nope', 'latest-arm64')).rejects.toThrow(
      new RepositoryNotFoundError(open.host, 'pickme/lucid-nope'),
    );
    await expect(client.listTags('pickme/lucid-nope')).rejects.toThrow(
      `no repository pickme/lucid-nope at ${open.host}`,
    );
    const missing = `sha256:${'0'.repeat(64)}`;
    await expect(client.getBlob(REPO, missing)).rejects.toBeInstanceOf(DigestNotFoundError);
    const e = await failure(client.getManifest(REPO, missing));
    expect(e.message).toBe(`no manifest ${missing} in ${REPO} at ${open.host}`);
    expect(e.message).not.toContain('\n');
  });

  test('basic auth: 401 without credentials names the fix; wrong password is rejected; env credentials work', async () => {
    const none = new RegistryClient({ registry: locked.host, credentials: null });
    await expect(none.ping()).rejects.toThrow(new AuthRequiredError(locked.host, undefined));
    const e = await failure(none.getManifest(REPO, 'latest-arm64'));
    expect(e).toBeInstanceOf(AuthRequiredError);
    expect(e.message).toBe(
      `authentication required for ${REPO} at ${locked.host}: set LUCID_REGISTRY_USER/LUCID_REGISTRY_PASSWORD or docker login ${locked.host}`,
    );

    const wrong = new RegistryClient({
      registry: locked.host,
      credentials: lookupCredentials(locked.host, { LUCID_REGISTRY_USER: USER, LUCID_REGISTRY_PASSWORD: 'nope' }),
    });
    const r = await failure(wrong.getManifest(REPO, 'latest-arm64'));
    expect(r).toBeInstanceOf(AuthRejectedError);
    expect(r.message).toBe(
      `registry ${locked.host} rejected the credentials of ${USER} (from env LUCID_REGISTRY_USER) for ${REPO} (401)`,
    );

    const ok = new RegistryClient({
      registry: locked.host,
      credentials: lookupCredentials(locked.host, { LUCID_REGISTRY_USER: USER, LUCID_REGISTRY_PASSWORD: PASSWORD }),
    });
    const pushed = await pushIndex({ client: ok, repository: REPO, tags: ['latest-arm64'], platforms: [amd64, arm64] });
    expect((await readIndex(ok, REPO, 'latest-arm64', ['linux/amd64', 'linux/arm64'])).digest).toBe(pushed.digest);
  });
});
