import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import { PROJECT_ROOT } from '../../helpers/contract/load.ts';
import { parseArgs, type FlagSpec } from '../../helpers/cli/args.ts';
import { SPEC as REGRESS } from '../../helpers/cli/regress-verb.ts';
import { SPEC as REPORT } from '../../helpers/cli/report-verb.ts';
import { SPEC as VERIFY } from '../../helpers/cli/verify.ts';

const DIR = join(PROJECT_ROOT, '.github/workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const SPECS: Record<string, Record<string, FlagSpec>> = { verify: VERIFY, regress: REGRESS, report: REPORT };

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Job {
  'runs-on': string;
  needs?: string | string[];
  if?: string;
  strategy?: { matrix?: { include?: Record<string, string>[] } };
  steps: Step[];
}
interface Workflow {
  name: string;
  on: unknown;
  jobs: Record<string, Job>;
}

function load(file: string): Workflow {
  const doc = parseDocument(readFileSync(join(DIR, file), 'utf8'), { strict: true, uniqueKeys: true });
  expect(
    doc.errors.map((e) => e.message),
    file,
  ).toEqual([]);
  expect(
    doc.warnings.map((e) => e.message),
    file,
  ).toEqual([]);
  return doc.toJS() as Workflow;
}

/** Each `npx lucid-harness VERB …` in a run: script, with GitHub expressions replaced by a placeholder value. */
function harnessCalls(run: string): { verb: string; argv: string[] }[] {
  return run
    .replace(/\$\{\{[^}]*\}\}/g, 'X')
    .split('\n')
    .flatMap((line) => {
      const m = /npx lucid-harness (\S+)(.*)$/.exec(line);
      if (!m) return [];
      const argv = [...m[2]!.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((t) => t[1] ?? t[2] ?? t[3]!);
      return [{ verb: m[1]!, argv }];
    });
}

describe('.github/workflows examples', () => {
  test('there are workflow files', () => expect(files.length).toBeGreaterThanOrEqual(2));

  for (const file of files) {
    test(`${file}: valid YAML, a GitHub Actions shape, and harness flags the CLI knows`, () => {
      const wf = load(file);
      expect(typeof wf.name).toBe('string');
      expect(wf.on).toBeTruthy();
      for (const [name, job] of Object.entries(wf.jobs)) {
        expect(job['runs-on'], `${file} ${name}`).toBeTruthy();
        expect(job.steps.length, `${file} ${name}`).toBeGreaterThan(0);
        for (const s of job.steps) {
          expect(!!s.uses !== !!s.run, `${file} ${name}: a step has uses or run`).toBe(true);
          for (const call of s.run ? harnessCalls(s.run) : []) {
            const spec = SPECS[call.verb];
            expect(spec, `${file}: verb ${call.verb}`).toBeDefined();
            expect(
              () => parseArgs(call.argv, spec!, {}),
              `${file}: lucid-harness ${call.verb} ${call.argv.join(' ')}`,
            ).not.toThrow();
          }
        }
        for (const need of [job.needs ?? []].flat())
          expect(Object.keys(wf.jobs), `${file} ${name} needs ${need}`).toContain(need);
      }
    });
  }

  test('after-push: a native amd64 and a native arm64 shard, each uploaded, then a merge; QEMU only as the fallback', () => {
    const wf = load('after-push.yml');
    const verify = wf.jobs.verify!;
    const matrix = verify.strategy!.matrix!.include!;
    expect(matrix.map((m) => [m.platform, m.runner])).toEqual([
      ['linux/amd64', 'ubuntu-24.04'],
      ['linux/arm64', 'ubuntu-24.04-arm'],
    ]);
    const qemu = verify.steps.find((s) => s.uses?.startsWith('docker/setup-qemu-action'));
    expect(qemu?.if).toMatch(/runner\.arch != 'ARM64'/);
    const run = verify.steps.find((s) => s.run?.includes('lucid-harness verify'))!.run!;
    expect(run).toContain('--platform ${{ matrix.platform }}');
    expect(run).toContain('--report-dir shard/${{ matrix.arch }}');
    const upload = verify.steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(upload.with).toMatchObject({ name: 'lucid-shard-${{ matrix.arch }}', path: 'shard/${{ matrix.arch }}/' });

    const merge = wf.jobs.merge!;
    expect(merge.needs).toBe('verify');
    expect(merge.if).toBe('always()');
    const download = merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact'))!;
    expect(download.with).toMatchObject({ pattern: 'lucid-shard-*', path: 'shards' });
    const calls = merge.steps.flatMap((s) => (s.run ? harnessCalls(s.run) : []));
    expect(calls).toEqual([
      {
        verb: 'report',
        argv: ['--merge', 'shards/lucid-shard-amd64', 'shards/lucid-shard-arm64', '--report-dir', 'reports'],
      },
    ]);
  });
});
