import { describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import type { RegistryClient } from '../../helpers/registry/client.ts';
import { TagNotFoundError } from '../../helpers/registry/errors.ts';
import {
  checkTagConsistency,
  tagConsistency,
  tagConsistencyNotRun,
  timestampedTags,
  timestampTag,
} from '../../helpers/registry/tags.ts';

const contract = loadContract({});
const pattern = new RegExp(contract.registry.timestampTagPattern);
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;
const base = { repository: 'pickme/lucid-data-chain', movingTag: 'latest-arm64', pattern };

describe('timestamped tags', () => {
  test('newest first, by the time in the name; other tags left out', () => {
    expect(
      timestampedTags(
        [
          'latest-arm64',
          'latest-20250124-134023',
          'latest-20241231-235959',
          'latest-20250124-134024',
          'v1',
          'latest-2025-01-24',
        ],
        pattern,
      ),
    ).toEqual(['latest-20250124-134024', 'latest-20250124-134023', 'latest-20241231-235959']);
  });
  test('timestampTag writes UTC in the contract form', () => {
    expect(timestampTag(new Date(Date.UTC(2025, 0, 24, 13, 40, 23)))).toBe('latest-20250124-134023');
    expect(pattern.test(timestampTag())).toBe(true);
  });
});

describe('tag consistency (pure)', () => {
  const tags = ['latest-arm64', 'latest-20250101-000000', 'latest-20250102-000000'];
  test('moving tag = newest timestamped tag → no finding', () => {
    expect(tagConsistency({ ...base, tags, digests: { 'latest-arm64': D2, 'latest-20250102-000000': D2 } })).toEqual(
      [],
    );
  });
  test('moving tag left on an older tag → one finding naming both', () => {
    const f = tagConsistency({
      ...base,
      tags,
      digests: { 'latest-arm64': D1, 'latest-20250102-000000': D2, 'latest-20250101-000000': D1 },
    });
    expect(f).toHaveLength(1);
    expect(f[0]!.expected).toBe(`latest-arm64 = latest-20250102-000000 (index ${'2'.repeat(12)})`);
    expect(f[0]!.seen).toBe(
      `latest-arm64 is index ${'1'.repeat(12)}, the index of the older tag latest-20250101-000000`,
    );
  });
  test('moving tag on an index no timestamped tag names', () => {
    const f = tagConsistency({
      ...base,
      tags,
      digests: { 'latest-arm64': D3, 'latest-20250102-000000': D2, 'latest-20250101-000000': D1 },
    });
    expect(f[0]!.seen).toMatch(/an index no timestamped tag names/);
  });
  test('no moving tag, or no timestamped tag', () => {
    expect(tagConsistency({ ...base, tags: ['latest-20250102-000000'], digests: {} })[0]!.seen).toBe(
      'no tag latest-arm64 (tags: latest-20250102-000000)',
    );
  });
  test('moving tag alone (as a plain docker push leaves it): nothing to compare, so not run rather than failed', () => {
    expect(tagConsistency({ ...base, tags: ['latest-arm64'], digests: { 'latest-arm64': D1 } })).toEqual([]);
    expect(tagConsistencyNotRun({ ...base, tags: ['latest-arm64', 'v1'] })).toBe(
      `pickme/lucid-data-chain has no timestamped tag (matching ${pattern.source}) to compare latest-arm64 with; tags: latest-arm64, v1`,
    );
    expect(tagConsistencyNotRun({ ...base, tags })).toBeUndefined();
    expect(tagConsistencyNotRun({ ...base, tags: ['latest-20250102-000000'] })).toBeUndefined();
  });
});

describe('tag consistency against a registry', () => {
  test('a tag listed but gone by the HEAD (deleted meanwhile): nothing compared, so not run', async () => {
    const client = {
      listTags: async () => ['latest-arm64', 'latest-20250102-000000'],
      headManifest: async (repo: string, tag: string) => {
        if (tag === 'latest-arm64') return { digest: D1 };
        throw new TagNotFoundError('127.0.0.1:5000', repo, tag);
      },
      getManifest: async () => ({ digest: D1 }),
    } as unknown as RegistryClient;
    const report = await checkTagConsistency(client, contract, 'pickme/lucid-data-chain');
    expect(report.findings).toEqual([]);
    expect(report.notRun).toBe(
      'pickme/lucid-data-chain: latest-20250102-000000 listed, but no manifest answered (deleted meanwhile?): nothing to compare',
    );
  });
});
