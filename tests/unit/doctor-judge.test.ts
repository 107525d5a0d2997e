import { describe, expect, it } from 'vitest';
import { healthyFacts } from '../support/healthy-host.ts';
import type { Facts } from '../../helpers/doctor/facts.ts';
import { judge, MIN_FREE_CACHE_BYTES, MIN_FREE_ENGINE_BYTES } from '../../helpers/doctor/judge.ts';
import { factLines } from '../../helpers/doctor/report.ts';

const withFacts = (change: (f: Facts) => void): Facts => {
  const f = healthyFacts();
  change(f);
  return f;
};

describe('judge', () => {
  it('finds nothing wrong with a healthy host', () => {
    expect(judge(healthyFacts())).toEqual([]);
  });

  it('flags an unreachable local engine and points at the bootstrap script', () => {
    const f = withFacts((f) => {
      f.engine = { reachable: false, endpoint: 'unix:///var/run/docker.sock', local: true, error: 'connect ENOENT' };
      f.runs = [];
      f.engineDisk = { path: '(unknown)', measured: false, reason: 'engine unreachable' };
    });
    const problems = judge(f);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/no Docker engine answers at unix:\/\/\/var\/run\/docker.sock.*bootstrap-host\.sh/);
  });

  it('flags an unreachable remote engine without suggesting a local install', () => {
    const f = withFacts((f) => {
      f.engine = { reachable: false, endpoint: 'tcp://ci-engine:2376', local: false, error: 'ETIMEDOUT' };
      f.runs = [];
    });
    expect(judge(f)).toEqual([expect.stringMatching(/remote engine at tcp:\/\/ci-engine:2376 does not answer/)]);
  });

  it('flags arm64 containers that do not run, with the emulation fix', () => {
    const f = withFacts((f) => {
      f.runs[1] = { platform: 'linux/arm64', ok: false, output: '', error: 'exec format error', ms: 50 };
    });
    expect(judge(f)).toEqual([
      expect.stringMatching(
        /linux\/arm64 containers do not run here \(exec format error\).*tonistiigi\/binfmt --install arm64/,
      ),
    ]);
  });

  it('calls a failing native run an engine fault, not missing emulation', () => {
    const f = withFacts((f) => {
      f.runs[0] = { platform: 'linux/amd64', ok: false, output: 'x86', exitCode: 1, ms: 50 };
    });
    expect(judge(f)).toEqual([
      expect.stringMatching(/native linux\/amd64 containers do not run \(exit 1, printed "x86"\)/),
    ]);
  });

  it('flags binfmt emulation that is off or lacks the F flag', () => {
    const off = withFacts((f) => {
      f.binfmt = { applicable: true, present: false, enabled: false, flags: '', interpreter: '' };
    });
    expect(judge(off)).toEqual([
      expect.stringMatching(/arm64 emulation is off \(binfmt qemu-aarch64 not registered\)/),
    ]);
    const noF = withFacts((f) => {
      f.binfmt = { applicable: true, present: true, enabled: true, flags: 'P', interpreter: '/usr/bin/qemu-aarch64' };
    });
    expect(judge(noF)).toEqual([expect.stringMatching(/lacks the F flag/)]);
  });

  it('does not judge binfmt where it does not apply (remote engine, arm64 host)', () => {
    expect(judge(withFacts((f) => void (f.binfmt = { applicable: false, reason: 'arm64 host' })))).toEqual([]);
  });

  it('flags low disk under the named thresholds, and only below them', () => {
    const low = withFacts((f) => {
      f.engineDisk = { path: '/var/lib/docker', measured: true, freeBytes: MIN_FREE_ENGINE_BYTES - 1 };
      f.cacheDisk = { path: '/repo/.cache', measured: true, freeBytes: MIN_FREE_CACHE_BYTES / 2 };
    });
    const problems = judge(low);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/only 5\.0 GiB free for the engine data root \/var\/lib\/docker \(need 5\.0 GiB\)/);
    expect(problems[1]).toMatch(/only 0\.5 GiB free for the cache dir \/repo\/\.cache/);
    const exact = withFacts(
      (f) => void (f.engineDisk = { path: '/d', measured: true, freeBytes: MIN_FREE_ENGINE_BYTES }),
    );
    expect(judge(exact)).toEqual([]);
  });

  it('accepts a remote engine whose disk cannot be measured', () => {
    const f = withFacts((f) => {
      f.engine = { ...healthyFacts().engine, local: false, endpoint: 'tcp://ci-engine:2375' } as Facts['engine'];
      f.engineDisk = {
        path: '/var/lib/docker',
        measured: false,
        reason: 'remote engine: cannot be measured from here',
      };
    });
    expect(judge(f)).toEqual([]);
  });

  it('flags a reaper setting testcontainers would not honour when its image is missing', () => {
    const bad = withFacts(
      (f) => void (f.ryuk = { env: '1', image: 'testcontainers/ryuk:0.14.0', reaperImagePresent: false }),
    );
    expect(judge(bad)).toEqual([expect.stringMatching(/TESTCONTAINERS_RYUK_DISABLED=1 .*only "true" disables it/)]);
    const present = withFacts(
      (f) => void (f.ryuk = { env: 'false', image: 'testcontainers/ryuk:0.14.0', reaperImagePresent: true }),
    );
    expect(judge(present)).toEqual([]);
    expect(judge(withFacts((f) => void (f.ryuk.env = 'true')))).toEqual([]);
  });

  it('flags a node older than package.json allows', () => {
    expect(judge(withFacts((f) => void (f.node = '20.18.1')))).toEqual([
      expect.stringMatching(/node 20\.18\.1 is too old \(need 20\.19/),
    ]);
    expect(judge(withFacts((f) => void (f.node = '22.1.0')))).toEqual([]);
  });
});

describe('factLines', () => {
  it('prints one line per fact, naming native and emulated runs', () => {
    const lines = factLines(healthyFacts());
    expect(lines).toContain('engine: Docker 20.10.24+dfsg1, API 1.41, at unix:///var/run/docker.sock (local)');
    expect(lines).toContain('engine platform: linux/amd64');
    expect(lines).toContain('host architecture: amd64');
    expect(lines.find((l) => l.startsWith('linux/amd64'))).toMatch(/run \(native; test container printed "x86_64"/);
    expect(lines.find((l) => l.startsWith('linux/arm64'))).toMatch(/run \(emulated; test container printed "aarch64"/);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });
});
