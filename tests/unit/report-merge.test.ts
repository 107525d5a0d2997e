import { describe, expect, test } from 'vitest';
import { junitXml } from '../../helpers/report/junit.ts';
import { mergeRefusals, mergeShards, type Shard } from '../../helpers/report/merge.ts';
import { parseResults, type Results } from '../../helpers/report/results-schema.ts';
import { sampleRun } from '../support/sample-history.ts';

const TAG = 'latest-20260301-120000';

/** One platform's part of a two-platform run, as a shard on its own machine would have recorded it. */
function shardOf(r: Results, platform: string, id: string, hostArch: string): Results {
  const mine = <T extends { platform: string }>(xs: T[]) =>
    xs.filter((x) => x.platform === platform || !x.platform.startsWith('linux/'));
  return parseResults({
    ...r,
    run: { ...r.run, id, hostArch, contractDigest: 'sha256:c0ffee' },
    targets: mine(r.targets),
    checks: mine(r.checks),
    metrics: mine(r.metrics),
    facts: mine(r.facts),
  });
}

const keyset = (r: Results) => new Set(r.checks.map((c) => `${c.image}|${c.platform}|${c.check}|${c.status}`));

describe('report --merge', () => {
  const whole = sampleRun({
    id: 'whole',
    tag: TAG,
    started: '2026-03-01T12:00:00.000Z',
    failures: [{ image: 'data-chain', platform: 'linux/arm64', check: 'hardened' }],
  });
  // A check tied to no target platform, as the registry suite's tag-consistency is: both shards run it.
  whole.checks.push({
    image: 'data-chain',
    platform: 'registry',
    tag: TAG,
    check: 'tag-consistency',
    suite: 'suites/registry.suite.ts',
    status: 'passed',
    durationMs: 5,
  });
  const amd = shardOf(whole, 'linux/amd64', '20260301T120000Z-aaaa', 'amd64');
  const arm = shardOf(whole, 'linux/arm64', '20260301T120100Z-bbbb', 'arm64');
  const shards: Shard[] = [
    { dir: 'shards/amd64', results: amd },
    { dir: 'shards/arm64', results: arm },
  ];

  test('the peers of each shard (verify --peers) are kept once per service and platform', () => {
    const peer = (platform: string) => ({
      service: 'api-gateway',
      platform,
      imageId: `sha256:${platform}`,
      label: 'ref',
    });
    const withPeers = (r: Results, platform: string) =>
      parseResults({ ...r, run: { ...r.run, peers: [peer(platform)] } });
    const merged = mergeShards([
      { dir: 'a', results: withPeers(amd, 'linux/amd64') },
      { dir: 'b', results: withPeers(arm, 'linux/arm64') },
    ]);
    expect(merged.run.peers).toEqual([peer('linux/amd64'), peer('linux/arm64')]);
    expect(mergeShards(shards).run.peers).toBeUndefined();
  });

  test('two platform shards merge into the checks of the single run, each shard named', () => {
    const merged = mergeShards(shards);
    expect(keyset(merged)).toEqual(keyset(whole));
    expect(merged.checks).toHaveLength(whole.checks.length);
    expect(merged.targets).toHaveLength(12);
    expect(merged.run.tag).toBe(TAG);
    expect(merged.run.hostArch).toBe('amd64+arm64');
    expect(merged.run.outcome).toBe('failed');
    expect(merged.shards!.map((s) => [s.dir, s.platforms, s.hostArch])).toEqual([
      ['shards/amd64', ['linux/amd64'], 'amd64'],
      ['shards/arm64', ['linux/arm64'], 'arm64'],
    ]);
    expect(mergeShards([...shards].reverse()).run.id).toBe(merged.run.id); // the same shards make the same run
  });

  test('a shared check the shards judged differently is kept once per shard', () => {
    const armFailing = parseResults({
      ...arm,
      checks: arm.checks.map((c) => (c.check === 'tag-consistency' ? { ...c, status: 'failed', message: 'moved' } : c)),
    });
    const merged = mergeShards([shards[0]!, { dir: 'shards/arm64', results: armFailing }]);
    expect(
      merged.checks.filter((c) => c.check.startsWith('tag-consistency')).map((c) => `${c.check} ${c.status}`),
    ).toEqual(['tag-consistency (shard amd64) passed', 'tag-consistency (shard arm64) failed']);
  });

  test('shards that are not one release are refused, one line each', () => {
    const retag = (r: Results, tag: string) => parseResults({ ...r, run: { ...r.run, tag } });
    expect(mergeRefusals([shards[0]!, { dir: 'B', results: retag(arm, 'latest-20260302-000000') }])).toEqual([
      `shards of different tags: amd64 checked ${TAG}, B checked latest-20260302-000000`,
    ]);
    const otherImage = parseResults({
      ...arm,
      targets: [...arm.targets, { ...amd.targets[0]!, imageId: `sha256:${'f'.repeat(64)}` }],
    });
    expect(mergeRefusals([shards[0]!, { dir: 'B', results: otherImage }])).toEqual([
      `shards checked different images for api-gateway [linux/amd64] ${TAG}: amd64 ${amd.targets[0]!.imageId}, B sha256:${'f'.repeat(64)}`,
    ]);
    const otherContract = parseResults({ ...arm, run: { ...arm.run, contractDigest: 'sha256:beef' } });
    expect(mergeRefusals([shards[0]!, { dir: 'B', results: otherContract }])[0]).toMatch(
      /^shards under different contracts: amd64 sha256:c0ffee, B sha256:beef/,
    );
    expect(mergeRefusals([shards[0]!, shards[0]!])[0]).toMatch(/hold the same run/);
    expect(() => mergeShards([shards[0]!, { dir: 'B', results: retag(arm, 'x') }])).toThrow(
      /^shards of different tags/,
    );
  });

  test('junit.xml of the merged run: one testcase per check, failures and not-run checks as such', () => {
    const merged = mergeShards(shards);
    const skipped = parseResults({
      ...merged,
      checks: [
        ...merged.checks,
        {
          image: 'flows',
          platform: 'linux/arm64',
          check: 'anchoring',
          suite: 'suites/flows.suite.ts',
          status: 'not-run',
          reason: 'needs all six services',
          durationMs: 0,
        },
      ],
    });
    const xml = junitXml(skipped);
    expect(xml.match(/<testcase /g)).toHaveLength(skipped.checks.length);
    expect(xml).toContain('name="data-chain [linux/arm64] &gt; hardened"');
    expect(xml.match(/<failure /g)).toHaveLength(1);
    expect(xml).toContain('<skipped message="not run: needs all six services"/>');
    expect(xml).toContain(
      `<testsuites name="lucid-harness" tests="${skipped.checks.length}" failures="1" skipped="1" errors="0">`,
    );
  });
});
