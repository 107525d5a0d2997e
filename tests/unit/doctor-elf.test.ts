import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aarch64Program, x86_64Program } from '../../helpers/doctor/elf.ts';
import { probeArchive } from '../../helpers/doctor/probe-image.ts';

const header = (b: Buffer) => ({
  magic: b.subarray(0, 4).toString('latin1'),
  class: b[4],
  data: b[5],
  type: b.readUInt16LE(0x10),
  machine: b.readUInt16LE(0x12),
  entry: b.readBigUInt64LE(0x18),
  phoff: b.readBigUInt64LE(0x20),
  phnum: b.readUInt16LE(0x38),
  filesz: b.readBigUInt64LE(64 + 32),
});

describe('hand-assembled probe programs', () => {
  it('are static little-endian ELF64 executables with one loadable segment covering the file', () => {
    for (const [b, machine] of [
      [aarch64Program(), 183],
      [x86_64Program(), 62],
    ] as const) {
      expect(header(b)).toEqual({
        magic: '\x7fELF',
        class: 2,
        data: 1,
        type: 2,
        machine,
        entry: 0x400078n,
        phoff: 64n,
        phnum: 1,
        filesz: BigInt(b.length),
      });
      expect(b.length).toBe(160);
    }
  });

  it('encode the intended AArch64 instructions (checked against llvm-mc) and message', () => {
    const b = aarch64Program();
    const words = Array.from({ length: 8 }, (_, i) => b.readUInt32LE(120 + i * 4).toString(16));
    // mov x0,#1; adr x1,#28; mov x2,#8; mov x8,#64; svc #0; mov x0,#0; mov x8,#93; svc #0
    expect(words).toEqual([
      'd2800020',
      '100000e1',
      'd2800102',
      'd2800808',
      'd4000001',
      'd2800000',
      'd2800ba8',
      'd4000001',
    ]);
    expect(b.subarray(152).toString()).toBe('aarch64\n');
  });

  it('encode the intended x86-64 instructions and message', () => {
    const b = x86_64Program();
    expect(b.subarray(120, 153).toString('hex')).toBe(
      'b801000000bf01000000488d3510000000ba070000000f05b83c00000031ff0f05',
    );
    expect(b.subarray(153).toString()).toBe('x86_64\n');
  });
});

describe('probe image archive', () => {
  it('records arm64/v8 and is reproducible; its id is the sha256 of the config', async () => {
    const a = await probeArchive('linux/arm64');
    const again = await probeArchive('linux/arm64');
    expect(again.archive.equals(a.archive)).toBe(true);
    expect(a.id).toBe(`sha256:${createHash('sha256').update(a.config).digest('hex')}`);
    const config = JSON.parse(a.config.toString());
    expect(config).toMatchObject({
      architecture: 'arm64',
      variant: 'v8',
      os: 'linux',
      config: { Entrypoint: ['/probe'] },
    });
    const amd = JSON.parse((await probeArchive('linux/amd64')).config.toString());
    expect(amd.architecture).toBe('amd64');
    expect(amd.variant).toBeUndefined();
  });
});
