/**
 * The smoke detection matrix: the real smoke suite, run in a child vitest on every defect image, must fail
 * exactly the checks each defect declares — nothing more, nothing less — with messages that name the defect.
 * Mostly linux/amd64 (native); arm64 where the defect is about the platform or proves emulated runtime checks.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { fromEnv, loadContract } from '../../helpers/contract/load.ts';
import { SMOKE_CHECK_NAMES } from '../support/check-names.ts';
import { detectionMatrix, matrixMarkdown } from '../support/smoke-matrix.ts';
import { DEFAULT_REPORT_DIR } from '../../helpers/plan/plan.ts';
import { judgedTests, readOutcomes, runSuites } from '../../helpers/plan/run-suites.ts';
import { ensureDefectImages } from '../../fixtures/defects/index.ts';

/** A word or path each defect's failure messages must contain: the message names the defect. */
const NAMES_THE_DEFECT: Record<string, RegExp> = {
  'root-user': /root/,
  'app-user-1000': /1000/,
  'bin-sh': /\/bin\/sh/,
  'app-usr-bin-sh': /\/app\/usr\/bin\/sh/,
  'busybox-renamed': /busybox/,
  'busybox-suffixed': /busybox/,
  'apt-dpkg': /dpkg|apt/,
  'setuid-binary': /setuid|su-helper/,
  'world-writable-dir': /world-writable|\/app\/shared/,
  'cmd-shell-healthcheck': /CMD-SHELL/,
  'healthcheck-wrong-path': /\/api\/v1\/meta\/health/,
  'healthcheck-tcp-only': /TCP connection.*\/health/,
  'healthcheck-program-missing': /lucid-healthcheck/,
  'amd64-under-arm64': /x86[-_]64/,
  'wrong-port': /8088/,
  'binds-loopback': /8087 on loopback only/,
  'crash-at-import': /No module named 'motor'/,
  'crash-with-shell': /No module named 'motor'|\/app\/usr\/bin\/(sh|dash)/,
  'exits-after-healthy': /exited with code 3|worker pool lost/,
  'seteuid-only': /root|uid 0|Operation not permitted/,
  'undeclared-writable-dir': /Read-only file system|cache/,
  'env-password': /MONGODB_URI|password|credential/i,
  'no-expose': /8086|ExposedPorts/,
  'cmd-script-missing': /\/app\/lucid_ref\/main\.py/,
  'passwd-missing-nonroot': /passwd|65532/,
  'secret-files': /\/app\/\.env|DB_PASSWORD|PRIVATE KEY/,
  'python-copied-in': /\/usr\/local\/bin\/python3/,
  'not-distroless-os-release': /os-release|Distroless/,
  // distroless-base names its interpreter; health names the library, or the exit code when the loader's stderr is gone.
  'python-slim-no-libpython': /libpython3\.11\.so\.1\.0|exit code 127|\/usr\/local\/bin\/python3/,
  'module-not-on-path': /app\.api\.app\.main|No module named 'app'/,
  'dash-renamed': /\/usr\/local\/bin\/helper/,
  'arm64-4k-pages': /\/usr\/local\/bin\/ischroot|16 KiB/,
  'server-gone-pid1-alive': /nothing listens on 8500/,
  'private-jwk-file': /\/app\/config\/jwks\.json/,
  'xml-config-password': /\/app\/config\/app\.config/,
  'exec-from-tmp': /hardened run.*(\/tmp\/lucid-worker|noexec|exit code 126)/s,
};

test('each smoke defect fails exactly its declared checks, with messages naming the defect', async () => {
  const t0 = Date.now();
  const source = fromEnv();
  const contract = loadContract(source);
  // LUCID_SMOKE_DEFECTS=a,b: only these defects (a quick run while working on them); default all.
  const names = process.env.LUCID_SMOKE_DEFECTS?.split(',').filter(Boolean);
  const defects = await ensureDefectImages({ contract, ...(names?.length && { names }), log: (l) => console.error(l) });
  const reportDir = mkdtempSync(join(tmpdir(), 'lucid-smoke-matrix-'));
  const targets = defects.map((d) => ({
    service: d.service,
    platform: d.platform,
    image: d.image,
    label: d.label,
    name: d.defect,
    defect: d.defect,
    expectFailing: d.expectFailing,
    expectNotRun: d.expectNotRun,
    mayNotRun: d.mayNotRun,
  }));
  const run = await runSuites(
    {
      version: 1,
      source: 'local',
      contract: { file: source.file, overrides: source.overrides ?? [] },
      targets,
      reportDir,
    },
    { files: ['suites/smoke.suite.ts'], quiet: true },
  );
  const outcomes = readOutcomes(run.json);
  const expected = Object.fromEntries(defects.map((d) => [`${d.defect} [${d.platform}]`, d.expectFailing]));
  const defectOf = new Map(defects.map((d) => [`${d.defect} [${d.platform}]`, d.defect]));
  const rows = detectionMatrix(
    outcomes,
    expected,
    Object.fromEntries(defects.map((d) => [`${d.defect} [${d.platform}]`, { must: d.expectNotRun, may: d.mayNotRun }])),
  );

  mkdirSync(DEFAULT_REPORT_DIR, { recursive: true });
  writeFileSync(
    join(DEFAULT_REPORT_DIR, 'smoke-defect-matrix.json'),
    `${JSON.stringify({ version: 1, generatedAt: new Date().toISOString(), totalMs: Date.now() - t0, rows }, null, 2)}\n`,
  );
  writeFileSync(
    join(DEFAULT_REPORT_DIR, 'smoke-defect-matrix.md'),
    matrixMarkdown('Smoke defect detection matrix', rows, SMOKE_CHECK_NAMES),
  );

  const wrong = rows.filter((r) => r.missed.length || r.unexpected.length);
  expect(
    wrong.map((r) => `${r.subject}: missed [${r.missed}] unexpected [${r.unexpected}] ${JSON.stringify(r.messages)}`),
  ).toEqual([]);
  // Verdicts came from the outcomes; the messages' TEXT is read here only to prove that it names the defect.
  const tests = judgedTests(outcomes);
  for (const r of rows) {
    const defect = defectOf.get(r.subject)!;
    const pattern = NAMES_THE_DEFECT[defect];
    expect(pattern, `no message pattern for defect ${defect}`).toBeDefined();
    for (const check of r.failing) {
      const full = tests.find((t) => t.subject === r.subject && t.check === check)?.failureMessages.join('\n') ?? '';
      expect(full, `${r.subject} ${check}: the message must name the defect`).toMatch(pattern!);
    }
  }
}, 900_000);
