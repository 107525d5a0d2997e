/**
 * The flow defect matrix: the real flow suite, run in a child vitest per defect against the reference
 * stack with that one image replaced, must fail exactly the flow tests the defect declares, each at
 * its declared step — and, as the baseline row, nothing on the reference stack. linux/amd64 only
 * (native): nine emulated stacks would take far too long here. Two children at a time, each on its
 * own network (same aliases in every stack) and with its own run id (its teardown sweeps only itself).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { fromEnv, loadContract } from '../../helpers/contract/load.ts';
import type { Platform } from '../../helpers/model/platform.ts';
import { RUN_ID } from '../../helpers/engine/labels.ts';
import { sweep } from '../../helpers/engine/sweep.ts';
import { FLOW_TESTS } from '../../helpers/flows/index.ts';
import { flowTests, matrixRow, renderMatrixMarkdown, type MatrixRow } from '../support/flow-matrix.ts';
import { DEFAULT_REPORT_DIR } from '../../helpers/plan/plan.ts';
import { readOutcomes, runSuites } from '../../helpers/plan/run-suites.ts';
import { mapLimit } from '../../helpers/runtime/limit.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';
import { ensureFlowDefectImages, FLOW_DEFECTS } from '../../fixtures/flow-defects/index.ts';

const PLATFORM: Platform = 'linux/amd64';
const PARALLEL = 2;
const FLOW_SUITE = 'suites/flows.suite.ts';
const log = (l: string) => console.error(l);

interface Row {
  defect: string;
  service: string;
  module: string;
  summary: string;
  expected: Record<string, string>;
}

const BASELINE: Row = {
  defect: '(none: reference)',
  service: '-',
  module: '-',
  summary: 'the reference stack as it is: every flow passes',
  expected: {},
};

test('each flow defect fails exactly its declared flow tests at its declared step', async () => {
  const t0 = Date.now();
  const source = fromEnv();
  const contract = loadContract(source);
  const reference = await ensureReferenceImages({
    contract,
    services: contract.services.map((s) => s.name),
    platforms: [PLATFORM],
    log,
  });
  await ensureFlowDefectImages({ contract, platforms: [PLATFORM], log }); // all up front: a patch that no longer fits fails here
  const buildMs = Date.now() - t0;
  const work = mkdtempSync(join(tmpdir(), 'lucid-flow-matrix-'));
  const rows: Row[] = [
    BASELINE,
    ...FLOW_DEFECTS.map((d) => ({
      defect: d.name,
      service: d.service,
      module: d.module,
      summary: d.summary,
      expected: d.expect,
    })),
  ];

  const results: MatrixRow[] = await mapLimit(rows, PARALLEL, async (row, i) => {
    const dir = join(work, `row-${i}`);
    mkdirSync(dir, { recursive: true });
    // Own network per row: every stack uses the same aliases, so two stacks on one network would mix.
    const override = join(dir, 'network.json');
    writeFileSync(
      override,
      JSON.stringify({
        network: { name: `lucid-flow-matrix-${i}`, subnet: `172.30.${i}.0/24`, gateway: `172.30.${i}.1` },
      }),
    );
    // Re-checked per row (cheap when loaded): the engine is shared, and a missing image would only
    // show up as a confusing pull error inside the child.
    const defect = FLOW_DEFECTS.some((d) => d.name === row.defect)
      ? (await ensureFlowDefectImages({ contract, platforms: [PLATFORM], names: [row.defect] }))[0]
      : undefined;
    const targets = reference.map((t) =>
      defect && t.service === defect.service
        ? { service: t.service, platform: t.platform, image: defect.image, label: defect.label }
        : t,
    );
    const plan = {
      version: 1 as const,
      source: 'local' as const,
      contract: { file: source.file, overrides: [...(source.overrides ?? []), override] },
      targets,
      reportDir: dir,
    };
    const runId = `${RUN_ID}-m${i}`;
    const started = Date.now();
    const child = await runSuites(plan, { files: [FLOW_SUITE], quiet: true, env: { LUCID_RUN_ID: runId } });
    const ms = Date.now() - started;
    await sweep({ run: runId }).catch(() => undefined);
    const outcomes = existsSync(child.json) ? readOutcomes(child.json) : [];
    const r = matrixRow({ ...row, ms }, flowTests(outcomes, PLATFORM), FLOW_TESTS);
    if (!existsSync(child.json)) r.problems.push(`the child vitest wrote no report (exit ${child.exitCode})`);
    r.ok = r.problems.length === 0;
    log(`matrix ${row.defect}: ${r.ok ? 'as declared' : 'NOT as declared'} in ${(ms / 1000).toFixed(1)} s`);
    return r;
  });

  const totalMs = Date.now() - t0;
  const generatedAt = new Date().toISOString();
  mkdirSync(DEFAULT_REPORT_DIR, { recursive: true });
  writeFileSync(
    join(DEFAULT_REPORT_DIR, 'flow-defect-matrix.json'),
    `${JSON.stringify({ version: 1, platform: PLATFORM, generatedAt, totalMs, imageBuildMs: buildMs, parallel: PARALLEL, rows: results }, null, 2)}\n`,
  );
  const md = renderMatrixMarkdown(results, { platform: PLATFORM, totalMs, generatedAt });
  writeFileSync(join(DEFAULT_REPORT_DIR, 'flow-defect-matrix.md'), md);
  log(
    `flow defect matrix: ${(totalMs / 1000).toFixed(1)} s (images ${(buildMs / 1000).toFixed(1)} s); reports/flow-defect-matrix.md`,
  );
  // The rows' plans and child reports are kept only when something is off, to look into.
  if (results.every((r) => r.ok)) rmSync(work, { recursive: true, force: true });
  else log(`flow defect matrix: plans and child reports kept in ${work}`);

  expect(
    results.filter((r) => !r.ok).map((r) => `${r.defect}: ${r.problems.join('; ')}`),
    md,
  ).toEqual([]);
});
