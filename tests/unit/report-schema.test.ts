import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseResults, readResults, resultsJson, ResultsError } from '../../helpers/report/results-schema.ts';
import { sampleRun } from '../support/sample-history.ts';

const dirs: string[] = [];
const tmp = () => dirs[dirs.push(mkdtempSync(join(tmpdir(), 'lucid-results-'))) - 1]!;
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('results.json schema', () => {
  const run = sampleRun({
    id: '20260105T090000Z-a1b2',
    tag: 'v1.0.0',
    started: '2026-01-05T09:00:00.000Z',
    failures: [{ image: 'data-chain', platform: 'linux/arm64', check: 'user' }],
  });

  test('a document survives write → read unchanged', () => {
    const file = join(tmp(), 'results.json');
    writeFileSync(file, resultsJson(run));
    expect(readResults(file)).toEqual(run);
  });

  test('a realistic run has every image × platform × check and its metrics', () => {
    expect(run.checks).toHaveLength(6 * 2 * 16 + 2 * 4);
    expect(run.checks.filter((c) => c.status === 'failed').map((c) => `${c.image} ${c.platform} ${c.check}`)).toEqual([
      'data-chain linux/arm64 user',
    ]);
    expect(new Set(run.metrics.map((m) => m.name))).toEqual(
      new Set([
        'image-size',
        'layer-count',
        'time-to-first-200',
        'time-to-docker-healthy',
        'anchoring-latency',
        'stack-start',
      ]),
    );
  });

  test('an invalid document is refused with the bad fields named', () => {
    const bad = { ...run, version: 0, run: { ...run.run, id: '../escape' } };
    expect(() => parseResults(bad, 'x.json')).toThrow(ResultsError);
    expect(() => parseResults(bad, 'x.json')).toThrow(/x\.json .*version.*run\.id/);
  });

  test('a newer version is named as such, with the fix', () => {
    expect(() => parseResults({ ...run, version: 3 }, 'x.json')).toThrow(
      /^x\.json is results version 3, written by a newer lucid-harness \(this one reads up to 2\): update lucid-harness$/,
    );
  });

  test('a version 1 document reads as version 2: its skipped checks did not run', () => {
    const v1 = { ...run, version: 1, checks: run.checks.map((c, i) => (i === 0 ? { ...c, status: 'skipped' } : c)) };
    const r = parseResults(v1);
    expect(r.version).toBe(2);
    expect(r.checks[0]).toMatchObject({ status: 'not-run', reason: 'skipped (results version 1)' });
    expect(() => parseResults({ ...run, checks: [{ ...run.checks[0], status: 'skipped' }] })).toThrow(
      /checks\.0\.status/,
    );
  });

  test('metrics must be finite numbers', () => {
    const bad = {
      ...run,
      metrics: [{ image: 'a', platform: 'linux/amd64', name: 'image-size', value: Number.NaN, unit: 'bytes' }],
    };
    expect(() => parseResults(bad)).toThrow(/metrics\.0\.value/);
  });

  test('unreadable and non-JSON files give one clear error', () => {
    const dir = tmp();
    expect(() => readResults(join(dir, 'missing.json'))).toThrow(/cannot read .*missing\.json: ENOENT/);
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(() => readResults(join(dir, 'bad.json'))).toThrow(/bad\.json is not JSON/);
  });
});
