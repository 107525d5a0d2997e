import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { docker } from '../../helpers/engine/docker.ts';
import { LABEL_ROLE, LABEL_RUN, RUN_ID } from '../../helpers/engine/labels.ts';
import { healthyFacts } from '../support/healthy-host.ts';
import { judge, MIN_FREE_ENGINE_BYTES } from '../../helpers/doctor/judge.ts';
import { ensureProbeImage, PROBE_ROLE } from '../../helpers/doctor/probe-image.ts';
import { runProbe } from '../../helpers/doctor/run-probe.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('doctor on this machine', () => {
  it('finds no problems and exits 0', () => {
    const r = spawnSync('node', ['bin/lucid-harness.mjs', 'doctor'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout, r.stderr).toMatch(/doctor: no problems found/);
    expect(r.status).toBe(0);
    for (const fact of [
      /^engine: Docker \S+, API \d+\.\d+/m,
      /^engine platform: linux\/(amd64|arm64)$/m,
      /^host architecture: (amd64|arm64)$/m,
    ])
      expect(r.stdout).toMatch(fact);
    expect(r.stdout).toMatch(/^linux\/amd64 containers: run .*printed "x86_64"/m);
    expect(r.stdout).toMatch(/^linux\/arm64 containers: run .*printed "aarch64"/m);
    expect(r.stdout).not.toMatch(/^problem:/m);
  });

  it('--json gives the same facts as data', () => {
    const r = spawnSync('node', ['bin/lucid-harness.mjs', 'doctor', '--json'], { cwd: ROOT, encoding: 'utf8' });
    const { facts, problems } = JSON.parse(r.stdout);
    expect(problems).toEqual([]);
    expect(facts.runs.map((x: { platform: string; ok: boolean }) => [x.platform, x.ok])).toEqual([
      ['linux/amd64', true],
      ['linux/arm64', true],
    ]);
  });
});

describe('hand-assembled probe programs in real containers', () => {
  it.each([
    ['linux/amd64', 'x86_64'],
    ['linux/arm64', 'aarch64'],
  ] as const)(
    '%s: the image records its platform, and the program prints %s and exits 0',
    async (platform, printed) => {
      const id = await ensureProbeImage(platform);
      const image = await docker().getImage(id).inspect();
      expect([image.Os, image.Architecture, (image as { Variant?: string }).Variant]).toEqual(
        platform === 'linux/arm64' ? ['linux', 'arm64', 'v8'] : ['linux', 'amd64', undefined],
      );
      const run = await runProbe(platform);
      expect(run).toMatchObject({ ok: true, output: printed, exitCode: 0 });
    },
  );

  it('leaves no probe containers behind', async () => {
    const left = await docker().listContainers({
      all: true,
      filters: { label: [`${LABEL_ROLE}=${PROBE_ROLE}`, `${LABEL_RUN}=${RUN_ID}`] },
    });
    expect(left).toEqual([]);
  });
});

describe('judge on fabricated facts (no Docker needed)', () => {
  it('flags missing emulation, low disk and an unreachable engine', () => {
    const f = healthyFacts();
    f.runs[1] = { platform: 'linux/arm64', ok: false, output: '', error: 'exec format error', ms: 10 };
    f.binfmt = { applicable: true, present: false, enabled: false, flags: '', interpreter: '' };
    f.engineDisk = { path: '/var/lib/docker', measured: true, freeBytes: MIN_FREE_ENGINE_BYTES / 5 };
    expect(judge(f)).toEqual([
      expect.stringMatching(/linux\/arm64 containers do not run here/),
      expect.stringMatching(/only 1\.0 GiB free for the engine data root/),
      expect.stringMatching(/arm64 emulation is off/),
    ]);
    const down = healthyFacts();
    down.engine = {
      reachable: false,
      endpoint: 'unix:///var/run/docker.sock',
      local: true,
      error: 'connect ENOENT /var/run/docker.sock',
    };
    down.runs = [];
    expect(judge(down)).toEqual([expect.stringMatching(/^no Docker engine answers/)]);
  });
});
