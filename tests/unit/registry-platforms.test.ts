import { describe, expect, test } from 'vitest';
import { OCI_INDEX, OCI_MANIFEST, type IndexEntry } from '../../helpers/registry/media.ts';
import { isAttestation, missingPlatformMessage, selectPlatforms } from '../../helpers/registry/platforms.ts';
import { platformMismatch, pulledIdMatches } from '../../helpers/registry/targets.ts';
import { readIndex } from '../../helpers/registry/index-read.ts';
import type { RegistryClient } from '../../helpers/registry/client.ts';

const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const entry = (n: number, architecture: string, variant?: string, extra: Partial<IndexEntry> = {}): IndexEntry => ({
  mediaType: OCI_MANIFEST,
  digest: d(n),
  size: 500 + n,
  platform: { os: 'linux', architecture, ...(variant && { variant }) },
  ...extra,
});
const attestation = (n: number, of: number): IndexEntry => ({
  mediaType: OCI_MANIFEST,
  digest: d(n),
  size: 566,
  platform: { os: 'unknown', architecture: 'unknown' },
  annotations: { 'vnd.docker.reference.digest': d(of), 'vnd.docker.reference.type': 'attestation-manifest' },
});

describe('platform selection from an index', () => {
  test("buildx's index: two platforms and two attestation entries → both platforms, attestations ignored", () => {
    const sel = selectPlatforms(
      [entry(1, 'amd64'), entry(2, 'arm64', 'v8'), attestation(3, 1), attestation(4, 2)],
      ['linux/amd64', 'linux/arm64'],
    );
    expect(sel.missing).toEqual([]);
    expect(sel.selected['linux/amd64']!.digest).toBe(d(1));
    expect(sel.selected['linux/arm64']!.digest).toBe(d(2));
    expect(sel.ignored.map((e) => e.digest)).toEqual([d(3), d(4)]);
  });
  test('an attestation is recognised by its annotation alone, or by unknown/unknown alone', () => {
    expect(
      isAttestation({ ...entry(1, 'amd64'), annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } }),
    ).toBe(true);
    expect(isAttestation({ ...entry(1, 'unknown'), platform: { os: 'unknown', architecture: 'unknown' } })).toBe(true);
    expect(isAttestation(entry(1, 'amd64'))).toBe(false);
  });
  test('missing arm64 → a message naming what the index has', () => {
    const sel = selectPlatforms([entry(1, 'amd64'), attestation(3, 1)], ['linux/amd64', 'linux/arm64']);
    expect(sel.missing).toEqual(['linux/arm64']);
    expect(missingPlatformMessage('127.0.0.1:5000/pickme/lucid-data-chain:latest-arm64', sel)).toBe(
      '127.0.0.1:5000/pickme/lucid-data-chain:latest-arm64 has no linux/arm64 (v8) entry; it has linux/amd64, unknown/unknown (attestation)',
    );
  });
  test('arm64: v8 preferred; no variant counts as v8; v7 does not', () => {
    expect(
      selectPlatforms([entry(1, 'arm64'), entry(2, 'arm64', 'v8')], ['linux/arm64']).selected['linux/arm64']!.digest,
    ).toBe(d(2));
    expect(selectPlatforms([entry(1, 'arm64')], ['linux/arm64']).selected['linux/arm64']!.digest).toBe(d(1));
    expect(selectPlatforms([entry(1, 'arm', 'v7'), entry(2, 'arm64', 'v7')], ['linux/arm64']).missing).toEqual([
      'linux/arm64',
    ]);
  });
  test('a nested index or a non-linux entry is not a platform image', () => {
    const sel = selectPlatforms(
      [
        entry(1, 'amd64', undefined, { mediaType: OCI_INDEX }),
        { ...entry(2, 'amd64'), platform: { os: 'windows', architecture: 'amd64' } },
      ],
      ['linux/amd64'],
    );
    expect(sel.missing).toEqual(['linux/amd64']);
    expect(sel.available).toEqual(['linux/amd64', 'windows/amd64']);
  });
});

describe("the pulled image's config against the platform asked for", () => {
  test('matches', () => {
    expect(
      platformMismatch('linux/arm64', { Id: 'x', Os: 'linux', Architecture: 'arm64', Variant: 'v8' }),
    ).toBeUndefined();
    expect(platformMismatch('linux/amd64', { Id: 'x', Os: 'linux', Architecture: 'amd64' })).toBeUndefined();
  });
  test('an amd64 image under the arm64 entry, or arm64 with another variant', () => {
    expect(platformMismatch('linux/arm64', { Id: 'x', Os: 'linux', Architecture: 'amd64' })).toBe(
      'config says linux/amd64, index entry says linux/arm64/v8',
    );
    expect(platformMismatch('linux/arm64', { Id: 'x', Os: 'linux', Architecture: 'arm64', Variant: 'v7' })).toBe(
      'config says linux/arm64/v7, index entry says linux/arm64/v8',
    );
  });
  // BuildKit/buildx write linux/arm64 with no variant (moby/buildkit#4039); containerd's normalizeArch maps arm64 "8"/"v8"/"v8.0" to "".
  test('arm64 without a variant (BuildKit, docker build on a Pi) is arm64/v8', () => {
    for (const Variant of [undefined, '', '8', 'v8.0'])
      expect(platformMismatch('linux/arm64', { Id: 'x', Os: 'linux', Architecture: 'arm64', Variant })).toBeUndefined();
  });
});

describe('readIndex on the index buildx pushes', () => {
  // buildx --platform linux/amd64,linux/arm64 --push: arm64 entry without variant, plus attestations (moby/buildkit#4039).
  test('an arm64 entry without variant is the contract arm64 (v8): no problem of the tag', async () => {
    const config = Buffer.from(
      JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    );
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d(7), size: config.length },
      layers: [],
    };
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [entry(1, 'amd64'), entry(2, 'arm64'), attestation(3, 1), attestation(4, 2)],
    };
    const client = {
      host: 'registry.example',
      getManifest: async (_repo: string, ref: string) =>
        ref === 'latest-arm64'
          ? { digest: d(9), mediaType: OCI_INDEX, json: index }
          : { digest: ref, mediaType: OCI_MANIFEST, json: manifest },
      getBlob: async () => config,
    } as unknown as RegistryClient;
    const info = await readIndex(client, 'pickme/lucid-data-chain', 'latest-arm64', ['linux/amd64', 'linux/arm64']);
    expect(info.problems).toEqual([]);
    expect(info.platforms['linux/arm64']!.digest).toBe(d(2));
  });
});

// Docker 29's containerd image store reports the manifest digest as the image id (docker/cli#5526, microsoft/component-detection#1633).
test('a pulled image is the manifest by its config digest (graphdriver) or its manifest digest (containerd store)', () => {
  const m = { digest: d(5), config: { digest: d(6) } };
  expect(pulledIdMatches(d(6), m)).toBe(true);
  expect(pulledIdMatches(d(5), m)).toBe(true);
  expect(pulledIdMatches(d(7), m)).toBe(false);
});
