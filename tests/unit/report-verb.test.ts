import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { run } from '../../helpers/cli/report-verb.ts';
import { captureConsole } from '../support/console.ts';
import { storeRun } from '../../helpers/report/history.ts';
import { resultsJson } from '../../helpers/report/results-schema.ts';
import { sampleHistory } from '../support/sample-history.ts';

describe('lucid-harness report', () => {
  const { err, out } = captureConsole();
  const dirs: string[] = [];
  const tmp = () => dirs[dirs.push(mkdtempSync(join(tmpdir(), 'lucid-report-verb-'))) - 1]!;
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test('bad arguments: one line, exit 2', async () => {
    expect(await run(['--bogus'])).toBe(2);
    expect(await run(['extra'])).toBe(2);
    expect(await run(['--report-dir'])).toBe(2);
    expect(err).toHaveLength(3);
    expect(err[0]).toMatch(/^lucid-harness report: unknown option --bogus/);
    expect(err.every((l) => !l.includes('\n'))).toBe(true);
  });

  test('no results: one clear line, exit 2', async () => {
    const dir = tmp();
    expect(await run(['--report-dir', join(dir, 'missing')])).toBe(2);
    expect(await run(['--report-dir', dir])).toBe(2);
    writeFileSync(join(dir, 'results.json'), '{"numTotalTests": 3}');
    expect(await run(['--report-dir', dir])).toBe(2);
    expect(err[0]).toMatch(/no results: .*missing does not exist/);
    expect(err[1]).toMatch(/no results in .*: neither a valid results\.json nor history\/ runs$/);
    expect(err[2]).toMatch(/not a valid results document/);
    expect(err.every((l) => !l.includes('\n'))).toBe(true);
    expect(existsSync(join(dir, 'index.html'))).toBe(false);
  });

  test('re-renders index.html from history and results.json, and prints the comparison', async () => {
    const dir = tmp();
    const runs = sampleHistory();
    for (const r of runs) storeRun(dir, r);
    writeFileSync(join(dir, 'results.json'), resultsJson(runs.at(-1)!));
    expect(await run(['--report-dir', dir])).toBe(0);
    expect(out[0]).toMatch(/^v1\.2\.0 \(run 20260119T090000Z-e5f6\) against v1\.1\.0 .*: 2 regression\(s\)/);
    expect(out.at(-1)).toBe(`dashboard: ${join(dir, 'index.html')}`);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('<section id="matrix">');
  });

  test('history alone is enough; unreadable history files are named and skipped', async () => {
    const dir = tmp();
    storeRun(dir, sampleHistory()[0]!);
    mkdirSync(join(dir, 'history/v9'));
    writeFileSync(join(dir, 'history/v9/broken.json'), 'nope');
    expect(await run([`--report-dir=${dir}`])).toBe(0);
    expect(err).toEqual([expect.stringMatching(/^report: skipped: .*broken\.json is not JSON/)]);
    expect(out[0]).toBe('v1.0.0 (run 20260105T090000Z-a1b2): nothing earlier to compare with.');
  });

  test('LUCID_REPORT_DIR is the default directory', async () => {
    const dir = tmp();
    storeRun(dir, sampleHistory()[0]!);
    vi.stubEnv('LUCID_REPORT_DIR', dir);
    try {
      expect(await run([])).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
  });
});
