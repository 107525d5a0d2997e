// A service that never listens: the health check must fail once the budget is spent (5 s here, set by a
// contract override to keep the test short), say what it waited for, show the container's logs, exit 1,
// and leave nothing running. The checks that need a running service are not run (root cause once, on health).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { ensureBaseImage } from '../../fixtures/base/image.ts';
import { buildImage } from '../../helpers/image/build.ts';
import { parseVitestJson, runSuites } from '../../helpers/plan/run-suites.ts';
import { leftovers, newRunId } from '../../helpers/reliability/child.ts';
import { readResults } from '../../helpers/report/results-schema.ts';
import { serviceImageConfig } from '../../fixtures/service-image.ts';

const dir = mkdtempSync(join(tmpdir(), 'lucid-hang-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a service that hangs on start fails health after the budget, with its logs; exit 1; nothing left', async () => {
  const contract = loadContract({});
  const service = serviceNamed(contract, 'data-chain');
  const base = await ensureBaseImage('linux/amd64');
  const image = await buildImage({
    platform: 'linux/amd64',
    tag: 'lucid-harness-test/hangs-on-start:amd64',
    layers: base.layers,
    config: {
      ...base.config,
      ...serviceImageConfig(contract, service, base.config.Env ?? []),
      // Prints one line (so the logs have something to show) and never opens the port.
      Cmd: ['-c', 'import time; print("starting, but never listening", flush=True); time.sleep(3600)'],
      Labels: { 'io.lucid.harness.fixture': 'reliability-hang' },
    },
  });
  const override = join(dir, 'short-budget.json');
  writeFileSync(
    override,
    JSON.stringify({ budgets: { native: { firstHealthyResponseMs: 5000, dockerHealthyMs: 5000 } } }),
  );
  const runId = newRunId('hang');
  const t0 = Date.now();
  const run = await runSuites(
    {
      version: 1,
      source: 'local',
      contract: { overrides: [override] },
      targets: [
        { service: service.name, platform: 'linux/amd64', image: image.id, label: image.tag, name: 'hangs-on-start' },
      ],
      reportDir: join(dir, 'report'),
    },
    { files: ['suites/smoke.suite.ts'], quiet: true, env: { LUCID_RUN_ID: runId } },
  );
  expect(run.exitCode).toBe(1);
  expect(Date.now() - t0, 'failed after the 5 s budget, not the default 20 s').toBeLessThan(45_000);
  const outcomes = parseVitestJson(readFileSync(run.json, 'utf8'));
  const health = outcomes.find((o) => o.title === 'health')!;
  expect(health.status).toBe('failed');
  const message = health.failureMessages.join('\n');
  expect(message).toMatch(
    /GET \/health on 8087\n\s+expected: HTTP 200 within 5 s\n\s+seen:\s+no HTTP answer within 5 s/,
  );
  expect(message).toMatch(/ports: nothing on 8087/);
  expect(message).toMatch(/logs \(tail\):\n\s+\| starting, but never listening/); // the container's own log
  // Root cause once: the hardened run is not judged when the service never came up as asked.
  expect(outcomes.find((o) => o.title === 'hardened')?.status).toBe('skipped');
  const hardened = readResults(join(dir, 'report', 'results.json')).checks.find((c) => c.check === 'hardened');
  expect(hardened?.status).toBe('not-run');
  expect(hardened?.reason).toMatch(/see health/); // the reason points at the root cause, reported once
  expect(await leftovers(runId)).toEqual({ containers: [], networks: [] });
});
