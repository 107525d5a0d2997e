import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readResults, type Results } from '../../helpers/report/results-schema.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPORTER = join(ROOT, 'helpers/report/results-reporter.ts');
const METRICS = join(ROOT, 'helpers/model/metrics.ts');

// A real vitest run in a throw-away project: the reporter meets vitest's actual TestCase objects. The describes
// declare their subjects (meta), as the suites do; the titles are deliberately not what the reports should say.
const gateway = { subject: 'gw [amd64]', image: 'api-gateway', platform: 'linux/amd64' };
const health = {
  kind: 'check',
  ...gateway,
  check: 'health',
  verdict: 'failed',
  findings: [{ check: 'GET /health', expected: '200', seen: '503' }],
};
const notRun = {
  kind: 'flow',
  subject: 'linux/amd64 flows',
  image: 'flows',
  platform: 'linux/amd64',
  check: 'gateway-read-back',
  flow: 'gateway-read-back',
  verdict: 'not-run',
  reason: 'needs every contract service',
  findings: [],
};
const SUITE = `
import { beforeAll, describe, test } from 'vitest';
import { recordMetric } from ${JSON.stringify(METRICS)};
describe('gw [amd64]', { meta: { subject: ${JSON.stringify(gateway)} } }, () => {
  test('user', async ({ annotate }) => {
    await annotate(JSON.stringify({ base: 'Debian GNU/Linux 12 (bookworm)', sizeBytes: 58000000, layerCount: 10 }), 'image-facts');
    await recordMetric(annotate, 'time-to-first-200', 640, 'ms');
  });
  test('health check', ({ task }) => {
    task.meta.outcome = ${JSON.stringify(health)};
    throw new Error('\\u001b[31mapi-gateway: GET /health <script>\\u001b[39m\\n  expected: 200\\n  seen: 503');
  });
});
describe('arm flows', { meta: { subject: { subject: 'arm flows', image: 'flows', platform: 'linux/arm64' } } }, () => {
  beforeAll(() => { throw new Error('stack did not start: data-chain exited 1'); });
  test('anchoring-end-to-end', () => {});
});
describe('amd flows', () => {
  test.skip('gateway-read-back', { meta: { outcome: ${JSON.stringify(notRun)} } }, () => {});
});
`;

describe('results reporter in a real vitest run', () => {
  let dir: string;
  let results: Results;
  let exit: number | null;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-reporter-'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'a.suite.ts'), SUITE);
    writeFileSync(join(dir, 'other.test.ts'), `import { test } from 'vitest'; test('not a suite', () => {});`);
    const out = join(dir, 'out');
    mkdirSync(out);
    const reporter = [REPORTER, { engineVersion: '99.0-test' }];
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      `export default { test: { reporters: [${JSON.stringify(reporter)}], projects: [{ test: { name: 'suites', include: ['*.suite.ts'] } }, { test: { name: 'unit', include: ['*.test.ts'] } }] } };`,
    );
    const plan = {
      version: 1,
      source: 'registry',
      registry: 'docker.io/pickme',
      tag: 'v7',
      contract: { overrides: ['real-mesh-8088'] },
      targets: [
        {
          service: 'api-gateway',
          platform: 'linux/amd64',
          image: 'sha256:abc',
          label: 'pickme/lucid-api-gateway:v7',
          indexDigest: 'sha256:def',
          compressedSize: 21000000,
        },
      ],
      reportDir: out,
    };
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs')],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, LUCID_PLAN: join(dir, 'plan.json'), LUCID_RESULTS_FILE: '' },
      },
    );
    exit = r.status;
    if (!existsSync(join(out, 'results.json')))
      throw new Error(`no results.json; vitest said:\n${r.stdout}\n${r.stderr}`);
    results = readResults(join(out, 'results.json'));
  }, 60_000);

  // rm -r unlinks the node_modules symlink; it never follows it.
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('vitest itself still fails the run', () => expect(exit).toBe(1));

  test('run facts come from the plan, including registry fields the plan schema does not know yet', () => {
    expect(results.run).toMatchObject({
      source: 'registry',
      registry: 'docker.io/pickme',
      tag: 'v7',
      contractProfiles: ['real-mesh-8088'],
      engineVersion: '99.0-test',
      outcome: 'failed',
    });
    expect(results.targets).toEqual([
      {
        name: 'api-gateway',
        service: 'api-gateway',
        platform: 'linux/amd64',
        imageId: 'sha256:abc',
        label: 'pickme/lucid-api-gateway:v7',
        tag: 'v7',
        indexDigest: 'sha256:def',
        compressedSize: 21000000,
      },
    ]);
  });

  test('each test is a check of the image and platform its outcome or its describe names; only the suites project counts', () => {
    expect(results.checks.map((c) => [c.image, c.platform, c.check, c.status, c.suite])).toEqual([
      ['api-gateway', 'linux/amd64', 'user', 'passed', 'a.suite.ts'],
      ['api-gateway', 'linux/amd64', 'health', 'failed', 'a.suite.ts'],
      ['flows', 'linux/arm64', 'anchoring-end-to-end', 'not-run', 'a.suite.ts'],
      ['flows', 'linux/amd64', 'gateway-read-back', 'not-run', 'a.suite.ts'],
      ['flows', 'linux/arm64', '(setup)', 'failed', 'a.suite.ts'],
    ]);
    expect(results.checks[1]!.message).toBe('api-gateway: GET /health <script>\n  expected: 200\n  seen: 503');
    expect(results.checks[1]!.outcome).toEqual(health);
    expect(results.checks[3]).toMatchObject({ reason: 'needs every contract service', outcome: notRun });
    expect(results.checks[4]!.message).toBe('stack did not start: data-chain exited 1');
  });

  test('annotations become metrics and facts', () => {
    expect(results.metrics.map((m) => [m.name, m.value])).toEqual([
      ['image-size', 58000000],
      ['layer-count', 10],
      ['time-to-first-200', 640],
    ]);
    expect(results.facts[0]!.facts.base).toBe('Debian GNU/Linux 12 (bookworm)');
  });

  test('the run is filed under its tag and the dashboard is rendered', () => {
    expect(readdirSync(join(dir, 'out/history/v7'))).toEqual([`${results.run.id}.json`]);
    const html = readFileSync(join(dir, 'out/index.html'), 'utf8');
    expect(html).toContain('api-gateway: GET /health &lt;script&gt;');
    expect(html).not.toContain('<script');
  });
});
