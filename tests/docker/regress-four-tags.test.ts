import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { BRIEF_SURVIVAL, runCli } from '../support/run-cli.ts';
import type { Contract } from '../../helpers/contract/schema.ts';
import { docker } from '../../helpers/engine/docker.ts';
import { ensureBaseImage } from '../../fixtures/base/image.ts';
import { buildImage } from '../../helpers/image/build.ts';
import { fileLayer } from '../../helpers/image/layer.ts';
import { RegistryClient } from '../../helpers/registry/client.ts';
import { removePulledReferences } from '../../helpers/registry/pull.ts';
import { startLocalRegistry, type LocalRegistry } from '../support/local-registry.ts';
import { DEFAULT_THRESHOLDS } from '../../helpers/report/compare.ts';
import { readResults } from '../../helpers/report/results-schema.ts';
import { readRegressionReport, type RegressionReport } from '../../helpers/report/regression-schema.ts';
import type { ImageTarget } from '../../helpers/model/target.ts';
import { ensureDefectImages } from '../../fixtures/defects/index.ts';
import { pushReferenceImages } from '../../fixtures/push.ts';
import { serviceSourceFiles } from '../../fixtures/reference.ts';
import { APP_DIR, serviceImageConfig } from '../../fixtures/service-image.ts';

const SERVICES = ['data-chain', 'service-mesh-controller'];
const T0 = 'latest-20261127-101400'; // older than the window of --last 3
const T1 = 'latest-20261127-101500';
const T2 = 'latest-20261127-101600';
const TX = 'latest-20261127-101630'; // data-chain only: named, not checked
const T3 = 'latest-20261127-101700';
const T4 = 'latest-20261127-101800'; // T3's breakage fixed
const GROWN_TAG = 'lucid-harness-test/regress-grown-data-chain:amd64';
const MiB = 1024 * 1024;

/** Deterministic bytes gzip can't shrink (SHA-256 in counter mode), so the registry blob grows too. */
function ballast(size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0, off = 0; off < size; i++, off += 32)
    createHash('sha256').update(`lucid-harness regress ballast ${i}`).digest().copy(out, off);
  return out;
}

/**
 * data-chain amd64 with 3 MiB more in its app layer. Same layer count on purpose: DEFAULT_THRESHOLDS flag
 * a layer-count rise of 1, so an added layer would be a second (true) metric regression. The layer mirrors
 * fixtures/reference.ts referenceAppLayer plus the ballast file.
 */
async function grownDataChain(contract: Contract): Promise<ImageTarget> {
  const platform = 'linux/amd64';
  const base = await ensureBaseImage(platform);
  const { uid, gid } = contract.user;
  const app = await fileLayer(
    [
      { path: `${APP_DIR}/`, mode: 0o755 },
      { path: `${APP_DIR}/logs/`, uid, gid, mode: 0o755 },
      ...serviceSourceFiles(),
      { path: `${APP_DIR}/data/ballast.bin`, content: ballast(3 * MiB) },
    ],
    'COPY fixtures/services/lucid_ref /app/lucid_ref # lucid-harness regress test: reference app + 3 MiB ballast',
  );
  const config = {
    ...base.config,
    ...serviceImageConfig(contract, serviceNamed(contract, 'data-chain'), base.config.Env ?? []),
  };
  const built = await buildImage({ platform, tag: GROWN_TAG, layers: [...base.layers, app], config });
  return { service: 'data-chain', platform, image: built.id, label: GROWN_TAG };
}

/**
 * Four timestamped tags of two services: two identical reference tags, one seeded regression, then the fix.
 * One `regress --last 4` run judges all three pairs (each tag verified once).
 */
describe('regress over timestamped tags of a real registry', () => {
  let registry: LocalRegistry;
  let reportDir: string;
  let report: RegressionReport | undefined;
  const contract = loadContract({ overrides: [] });

  beforeAll(async () => {
    registry = await startLocalRegistry({});
    reportDir = mkdtempSync(join(tmpdir(), 'lucid-regress-'));
    const client = new RegistryClient({ registry: registry.host });
    // Both platforms, as an index must hold them; the regress run checks amd64 only.
    await pushReferenceImages({ client, contract, tags: [T0, T1, T2], services: SERVICES });
    await pushReferenceImages({ client, contract, tags: [TX], services: ['data-chain'] });
    const [envPassword] = await ensureDefectImages({ contract, names: ['env-password'], platforms: ['linux/amd64'] });
    const replace = [envPassword!, await grownDataChain(contract)];
    await pushReferenceImages({ client, contract, tags: [T3], services: SERVICES, replace });
    // The moving tag names the newest index, so the registry suite's tag-consistency passes on every tag.
    await pushReferenceImages({ client, contract, tags: [T4, contract.registry.movingTag], services: SERVICES });
  });

  afterAll(async () => {
    await registry?.stop();
    const refs = [
      ...new Set(
        (report?.tags ?? []).flatMap((t) => t.targets.map((x) => x.reference).filter((r): r is string => !!r)),
      ),
    ];
    await removePulledReferences(refs);
    await docker()
      .getImage(GROWN_TAG)
      .remove()
      .catch(() => undefined);
    if (reportDir && !process.env.LUCID_KEEP_REPORTS) rmSync(reportDir, { recursive: true, force: true });
  });

  test('3 → 4 fixes what 2 → 3 broke (the check and the grown image), 1 → 2 flags nothing: exit 1, and the dashboard says so above a green newest pair', async () => {
    const t0 = Date.now();
    const r = await runCli(
      [
        'regress',
        '--registry',
        registry.host,
        '--last',
        '4',
        '--image',
        'data-chain',
        '--image',
        'service-mesh-controller',
        '--platform',
        'linux/amd64',
        '--report-dir',
        reportDir,
      ],
      BRIEF_SURVIVAL,
      1_500_000,
    );
    const seconds = (Date.now() - t0) / 1000;
    console.log(`regress of 4 tags × 2 services (linux/amd64): ${seconds.toFixed(1)} s\n${r.stdout}`);
    expect(r.status, `${r.stdout}\n${r.stderr.slice(-4000)}`).toBe(1);
    report = readRegressionReport(join(reportDir, 'regression.json'));

    expect(report.tags.map((t) => [t.tag, t.error])).toEqual([
      [T1, undefined],
      [T2, undefined],
      [T3, undefined],
      [T4, undefined],
    ]);
    expect(report.incomplete).toEqual([{ tag: TX, missingIn: ['pickme/lucid-service-mesh-controller'] }]);
    expect(report.pairs.map((p) => [p.baseline, p.current, p.regression])).toEqual([
      [T1, T2, false],
      [T2, T3, true],
      [T3, T4, false],
    ]);
    const [first, second, third] = report.pairs;

    const regressed = (p: typeof first) =>
      p!.metrics.filter((m) => m.regression).map((m) => `${m.image} ${m.platform} ${m.name}`);
    expect(first!.findings, JSON.stringify(first!.metrics.filter((m) => m.delta !== 0))).toEqual([]);
    expect(first!.newFailures).toEqual([]);
    expect(regressed(first)).toEqual([]);

    expect(second!.newFailures.map((c) => `${c.image} ${c.platform} ${c.check}`)).toEqual([
      'service-mesh-controller linux/amd64 no-secrets',
    ]);
    expect(regressed(second)).toEqual(['data-chain linux/amd64 image-size']);
    expect(second!.findings.map((f) => f.kind)).toEqual(['new-failure', 'metric']);
    expect(second!.fixed).toEqual([]);
    const layers = second!.metrics.find((m) => m.image === 'data-chain' && m.name === 'layer-count');
    expect(layers && layers.delta).toBe(0);
    const size = second!.metrics.find((m) => m.image === 'data-chain' && m.name === 'image-size')!;
    expect(size.delta).toBeGreaterThanOrEqual(3 * MiB);
    expect(size.delta).toBeLessThan(3.1 * MiB);

    expect(third!.newFailures).toEqual([]);
    expect(regressed(third)).toEqual([]);
    expect(third!.fixed.map((c) => `${c.image} ${c.check}`)).toEqual(['service-mesh-controller no-secrets']);
    expect(report.regression).toBe(true);
    expect(report.thresholds['time-to-first-200']).toEqual(DEFAULT_THRESHOLDS['time-to-first-200']);

    // Each tag has its own report dir whose results.json carries the tag, and history is kept per tag.
    for (const t of report.tags) {
      expect(readResults(join(reportDir, t.dir, 'results.json')).run.tag).toBe(t.tag);
      expect(existsSync(join(reportDir, 'history', t.tag, `${t.runId}.json`))).toBe(true);
    }
    expect(r.stdout).toContain(`${T1} → ${T2}: no regressions`);
    expect(r.stdout).toContain(`${T2} → ${T3}: 2 regressions (1 new failure, 1 metric over threshold)`);
    expect(r.stdout).toContain('REGRESSION: 1 of 3 tag pairs regressed');
    expect(r.stderr).toMatch(new RegExp(`regress: \\[3/4\\] ${T3}: \\d+ passed, 1 failed`));

    // The dashboard tells the command's verdict above every pair, newest first, though the newest pair is green.
    const html = readFileSync(join(reportDir, 'index.html'), 'utf8');
    const verdict = html.indexOf('1 of 3 tag pairs regressed (1 new failure, 1 metric over threshold)');
    const newest = html.indexOf(`<code>${T3}</code> → <code>${T4}</code>`);
    const middle = html.indexOf(`<code>${T2}</code> → <code>${T3}</code>`);
    const oldest = html.indexOf(`<code>${T1}</code> → <code>${T2}</code>`);
    expect(verdict).toBeGreaterThan(-1);
    expect(html).not.toContain('No regressions against tag');
    expect([verdict < newest, newest < middle, middle < oldest]).toEqual([true, true, true]);
    expect(html.slice(newest, middle)).toContain('<span class="badge pass">no regressions</span>');
    expect(html.slice(newest, middle)).toContain('1 fix</span> service-mesh-controller [linux/amd64] · no-secrets');
  });

  test('a pattern matching no tag: one line, exit 2', async () => {
    const r = await runCli(['regress', '--registry', registry.host, '--tags', 'latest-1999*', '--image', 'data-chain']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `lucid-harness regress: --tags latest-1999* matches no timestamped tag present in every repository (6 available: ${T0}, ${T1}, …, ${T3}, ${T4})`,
    ]);
  });
});
