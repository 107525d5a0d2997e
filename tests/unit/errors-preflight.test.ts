import { describe, expect, test } from 'vitest';
import { emulationProblem, parseBinfmtEntry, type EmulationInput } from '../../helpers/preflight/emulation.ts';
import { needBytes, spaceProblem } from '../../helpers/preflight/disk.ts';

const GOOD = 'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\noffset 0\nmagic 7f454c46\n';
const input = (over: Partial<EmulationInput> = {}): EmulationInput => ({
  platforms: ['linux/amd64', 'linux/arm64'],
  engineArch: 'amd64',
  engineLocal: true,
  hostOs: 'linux',
  readEntry: (name) => (name === 'qemu-aarch64' ? GOOD : undefined),
  binfmtDir: '/proc/sys/fs/binfmt_misc',
  ...over,
});

describe('emulation preflight', () => {
  test('parses a binfmt_misc entry', () => {
    expect(parseBinfmtEntry(GOOD)).toEqual({ enabled: true, flags: 'PF' });
    expect(parseBinfmtEntry('disabled\nflags: \n')).toEqual({ enabled: false, flags: '' });
  });

  test('a registered, enabled entry with F is fine; so is a run without emulated platforms', () => {
    expect(emulationProblem(input())).toBeUndefined();
    expect(emulationProblem(input({ platforms: ['linux/amd64'], readEntry: () => undefined }))).toBeUndefined();
  });

  test('no handler: one line naming the platform, the entry, the fix and the way around it', () => {
    expect(emulationProblem(input({ readEntry: () => undefined }))).toBe(
      'linux/arm64 needs arm64 emulation, but /proc/sys/fs/binfmt_misc/qemu-aarch64 does not exist (no qemu binfmt handler): run bash bin/bootstrap-host.sh (or docker run --privileged --rm tonistiigi/binfmt --install arm64), or leave linux/arm64 out with --platform linux/amd64',
    );
  });

  test('disabled, or without the F flag (fails inside containers)', () => {
    expect(emulationProblem(input({ readEntry: () => 'disabled\nflags: PF\n' }))).toMatch(/qemu-aarch64 is disabled/);
    expect(emulationProblem(input({ readEntry: () => 'enabled\nflags: P\n' }))).toMatch(
      /lacks the F flag \(flags "P"\)/,
    );
  });

  test('an arm64 engine needs qemu-x86_64 for amd64; remote engines and non-Linux hosts are not judged here', () => {
    expect(emulationProblem(input({ engineArch: 'arm64' }))).toMatch(
      /^linux\/amd64 needs amd64 emulation, but .*qemu-x86_64 does not exist/,
    );
    expect(emulationProblem(input({ engineLocal: false, readEntry: () => undefined }))).toBeUndefined();
    expect(emulationProblem(input({ hostOs: 'darwin', readEntry: () => undefined }))).toBeUndefined();
  });
});

describe('free space preflight', () => {
  const GiB = 1024 ** 3;
  test('the first place short of space, in one line', () => {
    expect(
      spaceProblem([
        { what: 'the engine data root', path: '/var/lib/docker', freeBytes: 10 * GiB, needBytes: 2 * GiB },
      ]),
    ).toBeUndefined();
    expect(
      spaceProblem([
        { what: 'the engine data root', path: '/var/lib/docker', freeBytes: 0.5 * GiB, needBytes: 2 * GiB },
        { what: 'the cache dir', path: '/x/.cache', freeBytes: 0, needBytes: GiB },
      ]),
    ).toBe(
      'only 0.5 GiB free for the engine data root /var/lib/docker, a build needs 2.0 GiB: free space (e.g. docker system prune) or set LUCID_MIN_FREE_BYTES to accept less',
    );
  });

  test('LUCID_MIN_FREE_BYTES replaces the default; nonsense does not', () => {
    expect(needBytes(5, {})).toBe(5);
    expect(needBytes(5, { LUCID_MIN_FREE_BYTES: '0' })).toBe(0);
    expect(needBytes(5, { LUCID_MIN_FREE_BYTES: '1e18' })).toBe(1e18);
    expect(needBytes(5, { LUCID_MIN_FREE_BYTES: 'lots' })).toBe(5);
    expect(needBytes(5, { LUCID_MIN_FREE_BYTES: '' })).toBe(5);
  });
});
