import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readResults } from '../../helpers/report/results-schema.ts';
import { runCli } from '../support/run-cli.ts';
import { notApplicableHere } from '../support/check-names.ts';

/**
 * The second reference family (fixtures/services/lucid_alt), written apart from lucid_ref and taking every choice
 * the contract leaves open the other way, passes the whole suite on both platforms through the user's way in,
 * `verify --family alt`: the proof that the harness judges the contract, not the way lucid_ref happens to be.
 */

describe('verify --family alt: the second reference family passes every check and flow', () => {
  const reportDir = mkdtempSync(join(tmpdir(), 'lucid-alt-family-'));
  afterAll(() => rmSync(reportDir, { recursive: true, force: true }));

  test(
    'both platforms: every smoke check and every flow passed, none failed, none not run but the Pi 5 check on amd64',
    { timeout: 1_800_000 },
    async () => {
      const r = await runCli(['verify', '--family', 'alt', '--report-dir', reportDir], {}, 1_800_000);
      const results = readResults(join(reportDir, 'results.json'));
      const onPlatforms = results.checks.filter((c) => c.platform.startsWith('linux/'));
      const notPassed = onPlatforms
        .filter((c) => c.status !== 'passed' && !notApplicableHere(c))
        .map(
          (c) =>
            `${c.image} [${c.platform}] ${c.check}: ${c.status} ${(c.message ?? c.reason ?? '').split('\n').slice(0, 4).join(' | ')}`,
        );
      expect(notPassed, r.stderr.slice(-2000)).toEqual([]);
      expect(r.status).toBe(0);
      expect(results.run.source).toBe('reference');
      expect(results.targets).toHaveLength(12);
      for (const t of results.targets) expect(t.label).toMatch(/^lucid-alt\/lucid-[a-z-]+:(amd64|arm64)$/);
      for (const platform of ['linux/amd64', 'linux/arm64']) {
        const mine = onPlatforms.filter((c) => c.platform === platform);
        // Six services' smoke checks (about a hundred per platform) and the four flows.
        expect(mine.filter((c) => c.image !== 'flows').length).toBeGreaterThanOrEqual(96);
        expect(
          mine
            .filter((c) => c.image === 'flows')
            .map((c) => c.check)
            .sort(),
        ).toEqual(['anchoring-end-to-end', 'auth-and-validation', 'discovery-and-faults', 'gateway-read-back']);
      }
      // Only the registry suite's checks may be not run here (no registry in a reference run), each with its reason,
      // besides the checks that do not apply to a platform (the Pi 5 check on amd64).
      expect(onPlatforms.filter(notApplicableHere).map((c) => `${c.image} ${c.platform} ${c.check}`)).toHaveLength(6);
      const notRun = results.checks.filter((c) => c.status === 'not-run' && !notApplicableHere(c));
      expect(notRun.every((c) => c.platform === 'registry' && !!c.reason)).toBe(true);
      console.error(
        `alt family: ${onPlatforms.length} checks on both platforms passed; ${notRun.length} registry check(s) not run (${notRun[0]?.reason ?? '-'})`,
      );
    },
  );

  test('--family takes ref or alt, and only for the reference images: one line, exit 2', async () => {
    const bad = await runCli(['verify', '--family', 'beta']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('lucid-harness verify: unknown --family "beta" (expected ref or alt)');
    const mixed = await runCli(['verify', '--family', 'alt', '--registry', '127.0.0.1:1']);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr.trim()).toBe(
      'lucid-harness verify: --family picks the locally built reference images: leave out --registry, --local and --oci-layout',
    );
    const build = await runCli(['fixtures', 'build', '--family', 'beta']);
    expect(build.status).toBe(2);
    expect(build.stderr.trim()).toBe('lucid-harness fixtures: unknown family "beta" (expected ref or alt)');
  });
});
