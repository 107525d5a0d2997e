// Tags as real pushes make them (contract §1): a single-platform manifest (docker build --platform … && docker push),
// an index lacking a platform, an arm64 entry without its variant (which is arm64/v8). Each is verified for the platforms it has, and what
// is wrong with the tag is a failing tag-shape check in every report — never an abort before the reports. A full
// index passing tag-shape is registry-verify.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import { BRIEF_SURVIVAL, runCli } from '../support/run-cli.ts';
import { RegistryClient } from '../../helpers/registry/client.ts';
import { startLocalRegistry } from '../support/local-registry.ts';
import { localImageSource } from '../../helpers/registry/image-source.ts';
import { OCI_INDEX, OCI_MANIFEST } from '../../helpers/registry/media.ts';
import { pushIndex } from '../../helpers/registry/push.ts';
import { readResults, type Results } from '../../helpers/report/results-schema.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';

const REPO = 'pickme/lucid-data-chain';
describe('verify --registry on tags that are not full indexes', () => {
  let registry: Awaited<ReturnType<typeof startLocalRegistry>>;
  beforeAll(async () => {
    registry = await startLocalRegistry({});
    const contract = loadContract({});
    const refs = await ensureReferenceImages({
      contract,
      services: ['data-chain'],
      platforms: ['linux/amd64', 'linux/arm64'],
    });
    const client = new RegistryClient({ registry: registry.host });
    const platforms = [];
    for (const t of refs) {
      const src = await localImageSource(t.image);
      platforms.push({ platform: t.platform, configBytes: src.configBytes, layers: src.layers });
    }
    const full = await pushIndex({ client, repository: REPO, tags: ['full'], platforms, mounts: new Map() });
    await pushIndex({
      client,
      repository: REPO,
      tags: ['amd64-only'],
      platforms: platforms.filter((p) => p.platform === 'linux/amd64'),
      mounts: new Map(),
    });
    // What `docker build --platform linux/arm64 -t …:latest-arm64 && docker push` leaves: the arm64 manifest under the tag.
    const arm = full.platforms.find((p) => p.platform === 'linux/arm64')!;
    await client.putManifest(
      REPO,
      'single-arm64',
      OCI_MANIFEST,
      (await client.getManifest(REPO, arm.manifestDigest)).bytes,
    );
    // An index whose arm64 entry lost its variant (docker manifest create from a config without one).
    const index = JSON.parse((await client.getManifest(REPO, 'full')).bytes.toString('utf8'));
    for (const m of index.manifests) if (m.platform?.architecture === 'arm64') delete m.platform.variant;
    await client.putManifest(REPO, 'no-variant', OCI_INDEX, Buffer.from(JSON.stringify(index)));
  }, 600_000);
  afterAll(async () => registry?.stop());

  const verify = async (
    tag: string,
    extra: string[] = [],
  ): Promise<{ status: number | null; stderr: string; results: Results }> => {
    const reportDir = mkdtempSync(join(tmpdir(), `lucid-shape-${tag}-`));
    const r = await runCli(
      [
        'verify',
        '--registry',
        registry.host,
        '--tag',
        tag,
        '--image',
        'data-chain',
        '--report-dir',
        reportDir,
        ...extra,
      ],
      BRIEF_SURVIVAL,
    );
    return { status: r.status, stderr: r.stderr, results: readResults(join(reportDir, 'results.json')) };
  };
  const of = (r: Results, platform: string) =>
    r.checks.filter((c) => c.platform === platform && c.suite.includes('smoke'));
  const shape = (r: Results) => r.checks.find((c) => c.check === 'tag-shape')!;

  test('a single-platform arm64 manifest: arm64 verified and passing, the tag fails tag-shape naming both problems', async () => {
    const { status, stderr, results } = await verify('single-arm64');
    expect(status, stderr.slice(-2000)).toBe(1);
    expect(of(results, 'linux/arm64').length).toBeGreaterThan(10);
    expect(of(results, 'linux/arm64').filter((c) => c.status === 'failed')).toEqual([]);
    expect(of(results, 'linux/amd64')).toEqual([]);
    expect(shape(results).status).toBe('failed');
    expect(shape(results).message).toMatch(/single-platform image manifest \(linux\/arm64\/v8\), not an index/);
    // One service checked: its platform lacks the others, so the flows are not run, and the reason names --peers.
    const flows = results.checks.filter((c) => c.image === 'flows');
    expect(flows.length).toBeGreaterThan(0);
    for (const c of flows)
      expect(c.outcome?.verdict === 'not-run' && c.outcome.reason).toMatch(/lacks api-gateway.*verify --peers ref/);
    expect(shape(results).detail ?? shape(results).message).toMatch(/no linux\/amd64/);
  });

  test('an index with amd64 only: amd64 verified, tag-shape names the missing arm64', async () => {
    const { status, results } = await verify('amd64-only');
    expect(status).toBe(1);
    expect(of(results, 'linux/amd64').filter((c) => c.status === 'failed')).toEqual([]);
    expect(shape(results).message).toMatch(/has no linux\/arm64 \(v8\) entry; it has linux\/amd64/);
  });

  test('an index with amd64 only, --platform linux/arm64: no image to run, tag-shape fails, no suite counts as broken', async () => {
    const { status, stderr, results } = await verify('amd64-only', ['--platform', 'linux/arm64']);
    expect(status, stderr.slice(-2000)).toBe(1);
    expect(stderr).not.toMatch(/No test suite found/);
    expect(results.checks.filter((c) => c.status === 'failed').map((c) => c.check)).toEqual(
      expect.arrayContaining(['tag-shape']),
    );
    expect(results.checks.filter((c) => c.check === '(setup)')).toEqual([]);
    expect(shape(results).message).toMatch(/has no linux\/arm64 \(v8\) entry; it has linux\/amd64/);
  });

  // BuildKit/buildx push linux/arm64 without variant (moby/buildkit#4039); containerd normalises arm64/v8 to arm64.
  test('an arm64 entry without variant is arm64/v8: both platforms verified, tag-shape passes', async () => {
    const { results } = await verify('no-variant');
    expect(of(results, 'linux/arm64').filter((c) => c.status === 'failed')).toEqual([]);
    expect(of(results, 'linux/amd64').filter((c) => c.status === 'failed')).toEqual([]);
    expect(shape(results).status).toBe('passed');
  });
});
