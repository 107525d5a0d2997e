import { describe, expect, it } from 'vitest';
import { elfDeps } from '../../helpers/debian/elf.ts';
import { craftElf } from '../support/debian-testkit.ts';

describe('ELF dependency reader', () => {
  it('reads the interpreter, DT_NEEDED and RUNPATH through the load segment mapping', () => {
    const elf = craftElf('/lib64/ld-linux-x86-64.so.2', ['libpython3.11.so.1.0', 'libc.so.6'], '$ORIGIN/../lib');
    expect(elfDeps(elf)).toEqual({
      interp: '/lib64/ld-linux-x86-64.so.2',
      needed: ['libpython3.11.so.1.0', 'libc.so.6'],
      runpath: ['$ORIGIN/../lib'],
    });
  });

  it('ignores non-ELF data', () => {
    expect(elfDeps(Buffer.from('#!/bin/sh\n'.padEnd(100)))).toBeUndefined();
  });
});
