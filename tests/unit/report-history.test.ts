import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  baselineFor,
  loadHistory,
  newestPerTag,
  runsOfTag,
  storeRun,
  tagDir,
  tagOf,
} from '../../helpers/report/history.ts';
import { sampleRun } from '../support/sample-history.ts';

const dirs: string[] = [];
const tmp = () => dirs[dirs.push(mkdtempSync(join(tmpdir(), 'lucid-history-'))) - 1]!;
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const run = (id: string, started: string, tag?: string) => sampleRun({ id, started, ...(tag && { tag }) });

describe('history per tag', () => {
  const runs = [
    run('r1', '2026-01-01T00:00:00.000Z', 'v1'),
    run('r2', '2026-01-02T00:00:00.000Z', 'v1'),
    run('l1', '2026-01-02T12:00:00.000Z'),
    run('r3', '2026-01-03T00:00:00.000Z', 'v2'),
    run('l2', '2026-01-04T00:00:00.000Z'),
  ];

  test('runs are filed under history/<tag or local>/<run id>.json and read back oldest first', () => {
    const dir = tmp();
    for (const r of [...runs].reverse()) storeRun(dir, r);
    expect(readdirSync(join(dir, 'history')).sort()).toEqual(['local', 'v1', 'v2']);
    expect(readdirSync(join(dir, 'history/v1')).sort()).toEqual(['r1.json', 'r2.json']);
    const h = loadHistory(dir);
    expect(h.runs.map((r) => r.run.id)).toEqual(['r1', 'r2', 'l1', 'r3', 'l2']);
    expect(h.problems).toEqual([]);
  });

  test('a broken file is reported and skipped, not fatal; a missing history is empty', () => {
    const dir = tmp();
    storeRun(dir, runs[0]!);
    mkdirSync(join(dir, 'history/v9'));
    writeFileSync(join(dir, 'history/v9/bad.json'), '{"version": 1}');
    const h = loadHistory(dir);
    expect(h.runs).toHaveLength(1);
    expect(h.problems).toEqual([expect.stringMatching(/bad\.json is not a valid results document/)]);
    expect(loadHistory(join(dir, 'nothing-here'))).toEqual({ runs: [], problems: [] });
  });

  test('runs per tag, newest per tag', () => {
    expect(runsOfTag(runs, 'v1').map((r) => r.run.id)).toEqual(['r1', 'r2']);
    expect(newestPerTag(runs).map((r) => `${tagOf(r)}:${r.run.id}`)).toEqual(['v1:r2', 'v2:r3', 'local:l2']);
  });

  test('a tag is compared with the newest run of the tag before it; a local run with the previous local run', () => {
    expect(baselineFor(runs, runs[3]!)?.run.id).toBe('r2');
    expect(baselineFor(runs, runs[4]!)?.run.id).toBe('l1');
    expect(baselineFor(runs, runs[0]!)).toBeUndefined();
    expect(baselineFor(runs, runs[2]!)).toBeUndefined();
  });

  test('tags become safe directory names', () => {
    expect(tagDir('latest-20260127-101500')).toBe('latest-20260127-101500');
    expect(tagDir('../x/y')).toBe('__x_y');
    expect(tagDir('..')).toBe('_');
  });
});
