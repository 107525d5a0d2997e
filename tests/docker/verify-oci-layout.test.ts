import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { docker } from '../../helpers/engine/docker.ts';
import { readResults } from '../../helpers/report/results-schema.ts';
import { BRIEF_SURVIVAL, runCli } from '../support/run-cli.ts';

/** Two services keep the run short (four loads, own containers); every other service goes the same way. */
const SERVICES = ['block-manager', 'data-chain'];

/**
 * An OCI layout written by the project's own image writer (fixtures export-oci: one index per service, a
 * manifest per platform, as buildx --output type=oci writes it) is verified without a registry on both
 * platforms: each platform converted to a docker-archive, loaded, run by image id. A label makes the configs
 * new, so the load really happens (and the images are this test's to remove).
 */
describe('verify --oci-layout: a layout of reference images, both platforms', () => {
  const label = `lucid.test.oci=${randomBytes(3).toString('hex')}`;
  let dir: string;
  let layout: string;
  let loaded: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-oci-'));
    layout = join(dir, 'layout');
    const w = await runCli([
      'fixtures',
      'export-oci',
      layout,
      ...SERVICES.flatMap((s) => ['--image', s]),
      '--label',
      label,
    ]);
    expect(w.status, w.stderr.slice(-2000)).toBe(0);
    expect(w.stdout.trim().split('\n')).toHaveLength(SERVICES.length);
  });

  afterAll(async () => {
    for (const id of loaded)
      await docker()
        .getImage(id)
        .remove({ force: true })
        .catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('each service of the layout passes every check on linux/amd64 and linux/arm64; source oci-layout', async () => {
    const reportDir = join(dir, 'report');
    const r = await runCli(['verify', '--oci-layout', layout, '--report-dir', reportDir], BRIEF_SURVIVAL);
    loaded = [...r.stderr.matchAll(/loaded as image ([0-9a-f]{12})/g)].map((m) => m[1]!);
    expect(r.status, r.stderr.slice(-4000)).toBe(0);
    expect(loaded).toHaveLength(2 * SERVICES.length); // every platform of every service went through docker load
    const results = readResults(join(reportDir, 'results.json'));
    expect(results.run.source).toBe('oci-layout');
    expect(results.targets.map((t) => `${t.service} ${t.platform}`).sort()).toEqual(
      SERVICES.flatMap((s) => [`${s} linux/amd64`, `${s} linux/arm64`]).sort(),
    );
    for (const t of results.targets) {
      const img = await docker().getImage(t.imageId).inspect();
      expect(img.Config.Labels?.[label.split('=')[0]!]).toBe(label.split('=')[1]);
      expect(`${img.Os}/${img.Architecture}`).toBe(t.platform);
    }
    expect(
      results.checks
        .filter((c) => c.status === 'failed')
        .map((c) => `${c.image} [${c.platform}] ${c.check}: ${c.message}`),
    ).toEqual([]);
    for (const p of ['linux/amd64', 'linux/arm64'])
      expect(results.checks.filter((c) => c.platform === p && c.status === 'passed').length, p).toBeGreaterThan(
        20 * SERVICES.length,
      );
    expect(readFileSync(join(reportDir, 'index.html'), 'utf8')).toContain('source <code>oci-layout</code>');
  });

  test('a tar layout of one unannotated image, mapped to its service; a platform it lacks: one line, exit 2', async () => {
    const tar = join(dir, 'data-chain-amd64.tar');
    const w = await runCli([
      'fixtures',
      'export-oci',
      tar,
      '--image',
      'data-chain',
      '--platform',
      'linux/amd64',
      '--no-service-annotation',
      '--label',
      label,
    ]);
    expect(w.status, w.stderr).toBe(0);
    const ok = await runCli(
      ['verify', '--oci-layout', `data-chain=${tar}`, '--report-dir', join(dir, 'report-tar')],
      BRIEF_SURVIVAL,
    );
    expect(ok.status, ok.stderr.slice(-3000)).toBe(0);
    const results = readResults(join(dir, 'report-tar', 'results.json'));
    expect(results.targets.map((t) => `${t.service} ${t.platform}`)).toEqual(['data-chain linux/amd64']);
    const wrong = await runCli([
      'verify',
      '--oci-layout',
      tar,
      '--platform',
      'linux/arm64',
      '--report-dir',
      join(dir, 'report-wrong'),
    ]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toEqual([
      `lucid-harness verify: ${tar} data-chain has no linux/arm64 (v8) entry; it has linux/amd64: build it for linux/arm64, or leave it out with --platform`,
    ]);
  });
});
