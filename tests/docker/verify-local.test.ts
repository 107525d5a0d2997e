import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { docker } from '../../helpers/engine/docker.ts';
import { readResults } from '../../helpers/report/results-schema.ts';
import { BRIEF_SURVIVAL, runCli } from '../support/run-cli.ts';
import { loadContract } from '../../helpers/contract/load.ts';
import { ensureFlowDefectImages } from '../../fixtures/flow-defects/index.ts';
import { notApplicableHere } from '../support/check-names.ts';

/**
 * The before-push loop: an image a developer just built into the engine's store (here with `docker build`, the
 * way `docker buildx build --load -t lucid-data-chain:dev .` leaves one) is verified with --local, by reference,
 * without any registry, and with --peers the flows run across it and the reference images; a platform it is not is
 * refused with one line. (Without --peers, the flows' not-run reason is shown in registry-shapes.test.ts.)
 */
describe('verify --local: an image of the engine store, before any push', () => {
  const contract = loadContract({});
  const run = randomBytes(3).toString('hex');
  const TAG = `lucid-harness-test/local-data-chain:dev-${run}`;
  let ctx: string;
  let reportDir: string;
  let imageId: string;

  beforeAll(async () => {
    ctx = mkdtempSync(join(tmpdir(), 'lucid-local-build-'));
    reportDir = mkdtempSync(join(tmpdir(), 'lucid-local-report-'));
    // What the developer builds on: the reference data-chain with a flow defect (its Merkle root ignores the chunks),
    // which only the flows can see; the reference services are built too, as peers (a fresh machine builds them).
    const build = await runCli(['fixtures', 'build', '--only', 'base,services', '--platform', 'linux/amd64']);
    expect(build.status, build.stderr).toBe(0);
    const [defect] = await ensureFlowDefectImages({
      contract,
      platforms: ['linux/amd64'],
      names: ['merkle-root-ignores-input'],
    });
    writeFileSync(
      join(ctx, 'Dockerfile'),
      `FROM ${defect!.image}\nLABEL org.opencontainers.image.title="data-chain built by a developer (${run})"\n`,
    );
    // The legacy builder needs neither buildx nor a registry, and keeps the base's platform.
    const b = spawnSync('docker', ['build', '-q', '-t', TAG, ctx], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(b.status, b.stderr).toBe(0);
    imageId = (await docker().getImage(TAG).inspect()).Id;
  });

  afterAll(async () => {
    await docker()
      .getImage(TAG)
      .remove({ force: true })
      .catch(() => undefined);
    for (const d of [ctx, reportDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test('checked by reference with --peers ref: only the service named is judged, the reference images fill in the stack, and the flows catch its flow defect; source local in results and dashboard', async () => {
    const r = await runCli(
      ['verify', '--local', '--image', `data-chain=${TAG}`, '--peers', 'ref', '--report-dir', reportDir],
      BRIEF_SURVIVAL,
    );
    expect(r.status, r.stderr.slice(-3000)).toBe(1);
    const results = readResults(join(reportDir, 'results.json'));
    expect(results.run.source).toBe('local');
    expect(results.targets.map((t) => [t.service, t.platform, t.imageId, t.label])).toEqual([
      ['data-chain', 'linux/amd64', imageId, TAG],
    ]);
    expect(results.run.peers?.map((p) => `${p.service} ${p.platform}`)).toEqual(
      contract.services.filter((s) => s.name !== 'data-chain').map((s) => `${s.name} linux/amd64`),
    );
    expect(results.run.host?.enginePlatform).toBe('linux/amd64');
    // The smoke checks judge the image under test alone, and it has no smoke defect.
    const smoke = results.checks.filter((c) => c.suite.includes('smoke'));
    expect(smoke.length).toBeGreaterThanOrEqual(15);
    expect(new Set(smoke.map((c) => c.image))).toEqual(new Set(['data-chain']));
    expect(
      smoke.filter((c) => c.status !== 'passed' && !notApplicableHere(c)).map((c) => `${c.check}: ${c.message}`),
    ).toEqual([]);
    const flows = results.checks.filter((c) => c.image === 'flows' || c.check === 'still-running');
    const failed = flows.filter((c) => c.status === 'failed');
    expect(failed.map((c) => [c.check, c.outcome?.kind === 'flow' ? c.outcome.step : undefined])).toEqual([
      ['anchoring-end-to-end', 'tree-root'],
      ['gateway-read-back', 'gateway-build-tree'],
    ]);
    expect(failed[0]!.detail).toMatch(/peers \(reference images, not judged\): api-gateway /);
    expect(flows.filter((c) => c.check === 'still-running').map((c) => c.image)).toEqual(['data-chain']);
    expect(flows.filter((c) => c.status === 'passed').map((c) => c.check)).toEqual(
      expect.arrayContaining(['auth-and-validation', 'discovery-and-faults', 'still-running']),
    );
    const html = readFileSync(join(reportDir, 'index.html'), 'utf8');
    expect(html).toContain('source <code>local</code>');
    expect(html).toContain('peers (reference, not judged): api-gateway');
  });

  test('a platform the image is not: one line, exit 2, nothing run', async () => {
    const r = await runCli([
      'verify',
      '--local',
      '--image',
      `data-chain=${TAG}`,
      '--platform',
      'linux/arm64',
      '--report-dir',
      join(reportDir, 'wrong'),
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^lucid-harness verify: ${TAG.replace(/[/.]/g, '\\$&')} \\(image [0-9a-f]{12}\\) is linux/amd64, not linux/arm64 as --platform asks: build it with docker buildx build --platform linux/arm64`,
        ),
      ),
    ]);
  });

  test('a missing image, or --local without an image: one line each, exit 2', async () => {
    const missing = await runCli(['verify', '--local', '--image', `data-chain=${TAG}-nope`]);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([
      `lucid-harness verify: no image ${TAG}-nope in the engine's store (for data-chain): build it with docker buildx build --load -t ${TAG}-nope . (or docker build), or see docker images`,
    ]);
    const bare = await runCli(['verify', '--local']);
    expect(bare.status).toBe(2);
    expect(bare.stderr.trim()).toBe(
      'lucid-harness verify: --local needs --image SERVICE=IMAGE (repeatable), e.g. --local --image data-chain=lucid-data-chain:dev',
    );
    const service = await runCli(['verify', '--local', '--image', 'data-chain']);
    expect(service.status).toBe(2);
    expect(service.stderr.trim()).toMatch(
      /^lucid-harness verify: --image data-chain names no image, and --local checks only the images it is given/,
    );
  });
});
