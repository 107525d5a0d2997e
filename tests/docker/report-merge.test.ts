import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readResults, type Results } from '../../helpers/report/results-schema.ts';
import { BRIEF_SURVIVAL, runCli } from '../support/run-cli.ts';

const SERVICES = ['--image', 'data-chain'];
const checkSet = (r: Results) => new Set(r.checks.map((c) => `${c.image}|${c.platform}|${c.check}|${c.status}`));

/**
 * Native runners instead of QEMU: each platform verified on its own (here both on this engine, one shard per
 * platform as two CI machines would run them), then `report --merge` makes one report that must hold the same
 * checks as a single two-platform run. A shard of another tag or with another image is refused. One service
 * (own containers, no flows) keeps the three runs short; merging is blind to what the checks are.
 */
describe('two platform shards merged = one two-platform run', () => {
  let dir: string;
  const A = () => join(dir, 'shard-amd64');
  const B = () => join(dir, 'shard-arm64');
  const C = () => join(dir, 'single');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lucid-merge-'));
    for (const [p, d] of [
      ['linux/amd64', A()],
      ['linux/arm64', B()],
    ] as const) {
      const r = await runCli(['verify', ...SERVICES, '--platform', p, '--report-dir', d], BRIEF_SURVIVAL);
      expect(r.status, `${p}: ${r.stderr.slice(-3000)}`).toBe(0);
    }
    const single = await runCli(['verify', ...SERVICES, '--report-dir', C()], BRIEF_SURVIVAL);
    expect(single.status, single.stderr.slice(-3000)).toBe(0);
  });

  afterAll(() => {
    if (dir && !process.env.LUCID_KEEP_REPORTS) rmSync(dir, { recursive: true, force: true });
  });

  test('results.json, junit.xml and the dashboard of the merge hold the checks of the single run', async () => {
    const out = join(dir, 'merged');
    const r = await runCli(['report', '--merge', A(), B(), '--report-dir', out]);
    expect(r.status, r.stderr).toBe(0);
    const merged = readResults(join(out, 'results.json'));
    const single = readResults(join(C(), 'results.json'));
    expect(checkSet(merged)).toEqual(checkSet(single));
    expect(merged.checks).toHaveLength(single.checks.length);
    expect(merged.targets.map((t) => `${t.service} ${t.platform} ${t.imageId}`).sort()).toEqual(
      single.targets.map((t) => `${t.service} ${t.platform} ${t.imageId}`).sort(),
    );
    expect(merged.shards!.map((s) => s.platforms)).toEqual([['linux/amd64'], ['linux/arm64']]);
    expect(merged.shards!.every((s) => s.host?.enginePlatform === 'linux/amd64')).toBe(true);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    const vitestJunit = readFileSync(join(C(), 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)!.length).toBe(vitestJunit.match(/<testcase /g)!.length);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('merged from 2 shards');
    expect(r.stdout).toMatch(/^merged 2 shard\(s\), tag local:/);
  });

  test('a shard of another tag, or with another image for the same service × platform: one line, exit 2', async () => {
    const edit = (from: string, to: string, change: (r: Results) => void) => {
      cpSync(from, to, { recursive: true });
      const r = readResults(join(to, 'results.json'));
      change(r);
      writeFileSync(join(to, 'results.json'), JSON.stringify(r));
      return to;
    };
    const tagged = edit(B(), join(dir, 'arm64-other-tag'), (r) => {
      r.run.tag = 'latest-20261127-101700';
    });
    const t = await runCli(['report', '--merge', A(), tagged, '--report-dir', join(dir, 'refused-1')]);
    expect(t.status).toBe(2);
    expect(t.stderr.trim().split('\n')).toEqual([
      'lucid-harness report: shards of different tags: shard-amd64 checked local, arm64-other-tag checked latest-20261127-101700',
    ]);
    const rebuilt = edit(A(), join(dir, 'amd64-rebuilt'), (r) => {
      r.run.id = `${r.run.id}-again`;
      const dc = r.targets.find((x) => x.service === 'data-chain')!;
      dc.imageId = `sha256:${'e'.repeat(64)}`;
    });
    const d = await runCli(['report', '--merge', A(), rebuilt, '--report-dir', join(dir, 'refused-2')]);
    expect(d.status).toBe(2);
    expect(d.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^lucid-harness report: shards checked different images for data-chain \\[linux/amd64\\]: shard-amd64 sha256:[0-9a-f]{64}, amd64-rebuilt sha256:${'e'.repeat(64)}$`,
        ),
      ),
    ]);
  });
});
