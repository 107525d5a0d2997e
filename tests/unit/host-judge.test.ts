import { describe, expect, test } from 'vitest';
import { healthyFacts } from '../support/healthy-host.ts';
import { judge, warnings } from '../../helpers/doctor/judge.ts';
import { factLines } from '../../helpers/doctor/report.ts';
import { hostProblems, hostWarnings } from '../../helpers/host/judge.ts';
import {
  elfClassOf,
  pageSizeFromAuxv,
  parseThrottled,
  platformOfEngineArch,
  unenforcedOf,
} from '../../helpers/host/read.ts';
import type { HostFacts } from '../../helpers/host/schema.ts';

/** A Raspberry Pi 5 with the 64-bit OS, as doctor would read it. */
const pi5 = (change: Partial<HostFacts> = {}): HostFacts => ({
  engineArch: 'aarch64',
  enginePlatform: 'linux/arm64',
  userlandArch: 'arm64',
  nodeElfClass: 64,
  kernelMachine: 'aarch64',
  pageSize: 16384,
  memoryLimit: true,
  swapLimit: true,
  cgroupVersion: '2',
  throttle: { available: true, raw: '0x0', now: [], sinceBoot: [] },
  sameHostAsEngine: true,
  unenforced: [],
  ...change,
});

describe('host facts that change verdicts', () => {
  test('a healthy 64-bit Pi: no problem, no warning', () => {
    expect(hostProblems(pi5())).toEqual([]);
    expect(hostWarnings(pi5())).toEqual([]);
  });

  test('a 32-bit userland on a 64-bit kernel is an error in doctor, with the fix', () => {
    const host = pi5({
      engineArch: 'armv8l',
      enginePlatform: platformOfEngineArch('armv8l'),
      userlandArch: 'arm',
      nodeElfClass: 32,
      pageSize: 4096,
    });
    expect(host.enginePlatform).toBe('linux/arm/v8');
    const f = { ...healthyFacts(), host };
    const problems = judge(f);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^32-bit userland on ARM \(node arch arm \(32-bit ELF\), the engine reports linux\/arm\/v8, kernel aarch64\): .*install the 64-bit Raspberry Pi OS .*arm_64bit=1/,
    );
    // The engine alone saying arm/v7 is enough (node may be a 64-bit build run elsewhere).
    expect(hostProblems(pi5({ enginePlatform: 'linux/arm/v7' }))).toHaveLength(1);
  });

  test('memory limits not enforced: a warning naming the fix, recorded as unenforced; doctor still exits 0', () => {
    const host = pi5({
      memoryLimit: false,
      swapLimit: false,
      unenforced: unenforcedOf({ memoryLimit: false, swapLimit: false }),
    });
    expect(host.unenforced).toEqual(['memory-limit', 'swap-limit']);
    const f = { ...healthyFacts(), host };
    expect(judge(f)).toEqual([]);
    expect(warnings(f)).toEqual([
      expect.stringMatching(
        /does not enforce memory limits .*no check sets a memory limit today.*cgroup_enable=memory cgroup_memory=1/,
      ),
    ]);
    expect(factLines(f)).toContain('memory limits: NOT enforced; swap limits: NOT enforced (cgroup v2)');
  });

  test('throttling: now, since boot, or not available', () => {
    const t = parseThrottled('throttled=0x50005\n');
    expect(t).toEqual({
      available: true,
      raw: '0x50005',
      now: ['under-voltage', 'throttled'],
      sinceBoot: ['under-voltage', 'throttled'],
    });
    expect(hostWarnings(pi5({ throttle: t }))).toEqual([
      expect.stringMatching(
        /held back now \(vcgencmd get_throttled=0x50005: under-voltage, throttled\): every timing is stretched/,
      ),
    ]);
    expect(hostWarnings(pi5({ throttle: parseThrottled('throttled=0x50000') }))).toEqual([
      expect.stringMatching(/held back since boot/),
    ]);
    expect(factLines(healthyFacts())).toContain('throttling: not available (no vcgencmd: not a Raspberry Pi)');
  });

  test('parsers: auxv page size (64- and 32-bit words), ELF class, engine architectures', () => {
    const auxv64 = Buffer.alloc(64);
    auxv64.writeBigUInt64LE(33n, 0); // AT_SYSINFO_EHDR
    auxv64.writeBigUInt64LE(0xffffn, 8);
    auxv64.writeBigUInt64LE(6n, 16); // AT_PAGESZ
    auxv64.writeBigUInt64LE(16384n, 24);
    expect(pageSizeFromAuxv(auxv64, 8)).toBe(16384);
    const auxv32 = Buffer.alloc(16);
    auxv32.writeUInt32LE(6, 0);
    auxv32.writeUInt32LE(4096, 4);
    expect(pageSizeFromAuxv(auxv32, 4)).toBe(4096);
    expect(pageSizeFromAuxv(Buffer.alloc(16), 8)).toBeUndefined();
    expect(elfClassOf(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1]))).toBe(32);
    expect(elfClassOf(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2]))).toBe(64);
    expect(elfClassOf(Buffer.from('#!/bin/sh'))).toBeUndefined();
    expect(['x86_64', 'aarch64', 'armv7l'].map(platformOfEngineArch)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
    ]);
  });
});
