import { describe, expect, it } from 'vitest';
import { readElf, readFromBuffer } from '../../helpers/facts/elf.ts';
import { craftElf } from '../support/debian-testkit.ts';

// The base builder's rootfs check reads crafted ELF files through the facts' reader.
describe("ELF dependency reader on the debian testkit's crafted ELF", () => {
  it('reads the interpreter, DT_NEEDED and RUNPATH through the load segment mapping', () => {
    const elf = craftElf('/lib64/ld-linux-x86-64.so.2', ['libpython3.11.so.1.0', 'libc.so.6'], '$ORIGIN/../lib');
    expect(readElf(readFromBuffer(elf))).toMatchObject({
      interp: '/lib64/ld-linux-x86-64.so.2',
      needed: ['libpython3.11.so.1.0', 'libc.so.6'],
      runpath: '$ORIGIN/../lib',
    });
  });

  it('ignores non-ELF data', () => {
    expect(readElf(readFromBuffer(Buffer.from('#!/bin/sh\n'.padEnd(100))))).toBeUndefined();
  });
});
