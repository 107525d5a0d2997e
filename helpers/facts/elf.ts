/** ELF e_machine values the harness may meet; anything else is reported by number. */
const MACHINES: Record<number, string> = {
  3: 'x86',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  62: 'x86-64',
  183: 'aarch64',
  243: 'riscv',
};

/** Bytes needed to read the machine field (e_ident is 16 bytes, e_type 2, e_machine 2). */
export const ELF_HEADER_BYTES = 20;

/** The ELF machine of a file's first bytes, or undefined when it is not ELF. */
export function elfMachine(head: Uint8Array): string | undefined {
  if (head.length < ELF_HEADER_BYTES) return undefined;
  if (head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) return undefined;
  // EI_DATA: 1 little-endian, 2 big-endian (s390x and some ppc64 are big-endian).
  const m = head[5] === 2 ? (head[18]! << 8) | head[19]! : head[18]! | (head[19]! << 8);
  return MACHINES[m] ?? `elf-machine-${m}`;
}

/** The ELF machine an OCI architecture runs natively. */
export function machineForArch(arch: string): string | undefined {
  return { amd64: 'x86-64', arm64: 'aarch64', arm: 'arm', '386': 'x86', riscv64: 'riscv', ppc64le: 'ppc64', s390x: 's390x' }[arch];
}
