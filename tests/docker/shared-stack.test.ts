/**
 * The shared stack (one per platform, started by the global setup) must judge exactly like an image's own
 * containers: defect images placed inside full stacks fail exactly the checks the smoke matrix declares for
 * them, read from the stack's containers (each image created once per platform), and the flows still pass.
 * A defect that stops the hardened stack from coming up sends its platform back to the images' own
 * containers: the smoke checks still fail exactly as declared, and the flows fail naming the service.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { fromEnv, loadContract } from '../../helpers/contract/load.ts';
import type { Platform } from '../../helpers/model/platform.ts';
import { RUN_ID } from '../../helpers/engine/labels.ts';
import { sweep } from '../../helpers/engine/sweep.ts';
import { detectionMatrix } from '../support/smoke-matrix.ts';
import type { RunPlan } from '../../helpers/plan/plan.ts';
import { judgedTests, readOutcomes, runSuites } from '../../helpers/plan/run-suites.ts';
import { flowsSubject } from '../../helpers/model/verdict.ts';
import { ensureDefectImages } from '../../fixtures/defects/index.ts';
import { ensureReferenceImages } from '../../fixtures/reference.ts';
import { recordEvents } from '../../bench/events.ts';

const log = (l: string) => console.error(l);
const SUITES = ['suites/smoke.suite.ts', 'suites/flows.suite.ts'];

/** Six targets of one platform: the reference images with the named defects in their services' places. */
async function stackWith(platform: Platform, defects: string[]): Promise<RunPlan['targets']> {
  const source = fromEnv();
  const contract = loadContract(source);
  const reference = await ensureReferenceImages({
    contract,
    services: contract.services.map((s) => s.name),
    platforms: [platform],
    log,
  });
  const built = await ensureDefectImages({ contract, names: defects, platforms: [platform], log });
  return reference.map((t) => {
    const d = built.find((b) => b.service === t.service);
    return d
      ? {
          service: t.service,
          platform,
          image: d.image,
          label: d.label,
          name: d.defect,
          defect: d.defect,
          expectFailing: d.expectFailing,
          expectNotRun: d.expectNotRun,
          mayNotRun: d.mayNotRun,
        }
      : t;
  });
}

async function runChild(name: string, targets: RunPlan['targets'], subnet: string) {
  const source = fromEnv();
  const dir = mkdtempSync(join(tmpdir(), `lucid-shared-${name}-`));
  const override = join(dir, 'network.json');
  writeFileSync(
    override,
    JSON.stringify({ network: { name: `lucid-shared-${name}`, subnet: `${subnet}.0/24`, gateway: `${subnet}.1` } }),
  );
  const runId = `${RUN_ID}-${name}`;
  const events = await recordEvents();
  const child = await runSuites(
    {
      version: 1,
      source: 'local',
      contract: { file: source.file, overrides: [...(source.overrides ?? []), override] },
      targets,
      reportDir: dir,
    },
    { files: SUITES, quiet: true, env: { LUCID_RUN_ID: runId } },
  );
  events.stop();
  await sweep({ run: runId }).catch(() => undefined);
  const created = events.events.filter((e) => e.action === 'create' && e.run === runId && e.role === 'service');
  return { outcomes: readOutcomes(child.json), created };
}

const expectations = (targets: RunPlan['targets']) =>
  Object.fromEntries(targets.map((t) => [`${t.name ?? t.service} [${t.platform}]`, t.expectFailing ?? []]));
const flowFailures = (outcomes: ReturnType<typeof readOutcomes>, platform: string) =>
  judgedTests(outcomes).filter((t) => t.subject === flowsSubject(platform) && t.verdict === 'failed');

test('defects inside the shared stacks fail exactly their declared checks; each image is created once per platform; flows pass', async () => {
  const amd64 = await stackWith('linux/amd64', [
    'root-user',
    'bin-sh',
    'healthcheck-program-missing',
    'busybox-renamed',
  ]);
  const arm64 = await stackWith('linux/arm64', ['root-user', 'bin-sh', 'amd64-under-arm64']);
  const { outcomes, created } = await runChild('defects', [...amd64, ...arm64], '172.31.7');
  const rows = detectionMatrix(outcomes, expectations([...amd64, ...arm64]));
  expect(
    rows
      .filter((r) => r.missed.length || r.unexpected.length)
      .map((r) => `${r.subject}: missed [${r.missed}] unexpected [${r.unexpected}]`),
  ).toEqual([]);
  // Each defect row really failed (so the check above is not vacuous), and from the stack: the HEALTHCHECK
  // runner named in the docker-health failure is the harness's exec, not the engine of an own container.
  expect(rows.filter((r) => r.expected.length).every((r) => r.failing.length > 0)).toBe(true);
  const healthMessage = judgedTests(outcomes)
    .find((t) => t.subject === 'healthcheck-program-missing [linux/amd64]' && t.check === 'docker-health')!
    .failureMessages.join('\n');
  expect(healthMessage).toMatch(/run through exec by the harness/);
  expect(healthMessage).toMatch(/lucid-healthcheck/);
  // Six services and the SHA-256 data-chain per platform: nothing booted twice.
  expect(created.length).toBe(14);
  expect(flowFailures(outcomes, 'linux/amd64').map((t) => t.check)).toEqual([]);
  expect(flowFailures(outcomes, 'linux/arm64').map((t) => t.check)).toEqual([]);
});

test('a stack that cannot come up hardened: own containers judge its images as declared, flows fail naming the service', async () => {
  const amd64 = await stackWith('linux/amd64', ['undeclared-writable-dir']);
  const { outcomes, created } = await runChild('fallback', amd64, '172.31.8');
  const rows = detectionMatrix(outcomes, expectations(amd64));
  expect(
    rows
      .filter((r) => r.missed.length || r.unexpected.length)
      .map((r) => `${r.subject}: missed [${r.missed}] unexpected [${r.unexpected}]`),
  ).toEqual([]);
  expect(rows.find((r) => r.subject === 'undeclared-writable-dir [linux/amd64]')!.failing).toEqual(['hardened']);
  // The stack's attempt, then an own normal and hardened container for each of the six.
  expect(created.length).toBeGreaterThanOrEqual(12);
  const flows = flowFailures(outcomes, 'linux/amd64');
  expect(flows.length).toBe(4);
  // A stack that did not come up fails each flow before any step (its outcome has no step).
  expect(flows.map((f) => f.step)).toEqual([undefined, undefined, undefined, undefined]);
  expect(flows[0]!.failureMessages.join('\n')).toMatch(/data-chain/);
  expect(flows[0]!.failureMessages.join('\n')).toMatch(/did not come up/);
});
