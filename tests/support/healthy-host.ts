/** A healthy x86-64 host's facts, for tests that fabricate one problem at a time. */
import type { Facts } from '../../helpers/doctor/facts.ts';

export function healthyFacts(): Facts {
  return {
    engine: {
      reachable: true,
      endpoint: 'unix:///var/run/docker.sock',
      local: true,
      version: '20.10.24+dfsg1',
      apiVersion: '1.41',
      os: 'linux',
      arch: 'amd64',
      rootDir: '/var/lib/docker',
    },
    hostArch: 'amd64',
    runs: [
      { platform: 'linux/amd64', ok: true, output: 'x86_64', exitCode: 0, ms: 300 },
      { platform: 'linux/arm64', ok: true, output: 'aarch64', exitCode: 0, ms: 400 },
    ],
    engineDisk: { path: '/var/lib/docker', measured: true, freeBytes: 80 * 1024 ** 3 },
    cacheDisk: { path: '/work/main/.cache', measured: true, freeBytes: 80 * 1024 ** 3 },
    binfmt: {
      applicable: true,
      present: true,
      enabled: true,
      flags: 'PF',
      interpreter: '/usr/libexec/qemu-binfmt/aarch64-binfmt-P',
    },
    ryuk: { env: undefined, image: 'testcontainers/ryuk:0.14.0', reaperImagePresent: undefined },
    node: '20.20.2',
    host: {
      engineArch: 'x86_64',
      enginePlatform: 'linux/amd64',
      userlandArch: 'x64',
      nodeElfClass: 64,
      kernelMachine: 'x86_64',
      pageSize: 4096,
      memoryLimit: true,
      swapLimit: true,
      cgroupVersion: '1',
      throttle: { available: false, reason: 'not available (no vcgencmd: not a Raspberry Pi)' },
      sameHostAsEngine: true,
      unenforced: [],
    },
  };
}
