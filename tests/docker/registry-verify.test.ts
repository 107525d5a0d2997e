import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BRIEF_SURVIVAL, runCli } from '../support/run-cli.ts';
import { startLocalRegistry } from '../support/local-registry.ts';
import { parseVitestJson } from '../../helpers/plan/run-suites.ts';

/** The after-push job as CI runs it: push with buildx's shape, then verify from the registry by digest. */
describe('verify --registry against a real loopback registry', () => {
  let registry: Awaited<ReturnType<typeof startLocalRegistry>>;
  beforeAll(async () => {
    registry = await startLocalRegistry({});
    const push = await runCli([
      'fixtures',
      'push',
      '--registry',
      registry.host,
      '--tag',
      'latest-20261127-101500',
      '--also-moving-tag',
      '--image',
      'data-chain',
    ]);
    expect(push.status, push.stderr).toBe(0);
  });
  afterAll(async () => registry?.stop());

  test('both platforms pass every check, pulled by digest, and the tags agree', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'lucid-regverify-'));
    const r = await runCli(
      ['verify', '--registry', registry.host, '--image', 'data-chain', '--report-dir', reportDir],
      BRIEF_SURVIVAL,
    );
    expect(r.status, `${r.stderr.slice(-3000)}`).toBe(0);
    const outcomes = parseVitestJson(readFileSync(join(reportDir, 'vitest-results.json'), 'utf8'));
    const subjects = new Set(outcomes.filter((o) => o.status === 'passed').map((o) => o.ancestors[0]));
    expect(subjects).toEqual(
      new Set(['data-chain [linux/amd64]', 'data-chain [linux/arm64]', 'data-chain [registry]']),
    );
    expect(outcomes.filter((o) => o.status === 'failed')).toEqual([]);
    // A full index of both platforms: its shape passes (registry-shapes.test.ts has the tags that are not).
    const shapes = outcomes.filter((o) => o.title.startsWith('tag-shape'));
    expect(shapes.length).toBeGreaterThan(0);
    expect(shapes.map((o) => o.status)).toEqual(shapes.map(() => 'passed'));
    const plan = JSON.parse(readFileSync(join(reportDir, 'run-plan.json'), 'utf8'));
    expect(plan.source).toBe('registry');
    expect(plan.targets.map((t: { indexDigest: string }) => t.indexDigest)).toHaveLength(2);
  });

  test('an unknown tag is one line and exit 2', async () => {
    const r = await runCli([
      'verify',
      '--registry',
      registry.host,
      '--tag',
      'latest-19990101-000000',
      '--image',
      'data-chain',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n').pop()).toBe(
      `lucid-harness verify: no tag latest-19990101-000000 in pickme/lucid-data-chain at ${registry.host}`,
    );
  });
});
