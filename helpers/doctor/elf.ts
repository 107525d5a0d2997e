/**
 * Two hand-assembled static Linux programs, one per platform, that print their machine name and exit 0.
 * The doctor runs them in containers to PROVE a platform works; the engine has no registry, and a real
 * binary would drag in a toolchain or a libc. Each file is one 64-byte ELF header, one 56-byte program
 * header and the code plus message right behind them, all mapped read+execute as a single segment.
 */

const BASE = 0x400000n; // conventional load address; page aligned for 4 KiB and 64 KiB pages
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const CODE_OFFSET = EHDR_SIZE + PHDR_SIZE; // 120: also 4-byte aligned, as AArch64 instructions must be

const EM_X86_64 = 62;
const EM_AARCH64 = 183;

function elf(machine: number, code: Buffer): Buffer {
  const size = CODE_OFFSET + code.length;
  const b = Buffer.alloc(size);
  // e_ident: magic, ELFCLASS64 (2), little-endian (1), EV_CURRENT (1), System V ABI (0), 8 bytes padding.
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  b.writeUInt16LE(2, 0x10); // e_type ET_EXEC: fixed addresses, no relocation
  b.writeUInt16LE(machine, 0x12); // e_machine
  b.writeUInt32LE(1, 0x14); // e_version
  b.writeBigUInt64LE(BASE + BigInt(CODE_OFFSET), 0x18); // e_entry: first instruction
  b.writeBigUInt64LE(BigInt(EHDR_SIZE), 0x20); // e_phoff: program header right after this header
  b.writeBigUInt64LE(0n, 0x28); // e_shoff: no section headers (the loader never needs them)
  b.writeUInt32LE(0, 0x30); // e_flags
  b.writeUInt16LE(EHDR_SIZE, 0x34); // e_ehsize
  b.writeUInt16LE(PHDR_SIZE, 0x36); // e_phentsize
  b.writeUInt16LE(1, 0x38); // e_phnum
  // 0x3a e_shentsize, 0x3c e_shnum, 0x3e e_shstrndx: all 0 (no sections)

  const ph = EHDR_SIZE;
  b.writeUInt32LE(1, ph); // p_type PT_LOAD
  b.writeUInt32LE(5, ph + 4); // p_flags PF_R | PF_X
  b.writeBigUInt64LE(0n, ph + 8); // p_offset: map the file from its first byte...
  b.writeBigUInt64LE(BASE, ph + 16); // p_vaddr: ...at BASE
  b.writeBigUInt64LE(BASE, ph + 24); // p_paddr (ignored)
  b.writeBigUInt64LE(BigInt(size), ph + 32); // p_filesz
  b.writeBigUInt64LE(BigInt(size), ph + 40); // p_memsz: no .bss
  b.writeBigUInt64LE(0x1000n, ph + 48); // p_align
  code.copy(b, CODE_OFFSET);
  return b;
}

// --- AArch64 (A64 encodings, little-endian 32-bit words) ---------------------------------------------------
/** MOVZ Xd, #imm16 (sf=1, hw=0): 1 10 100101 00 imm16 Rd. */
const movz = (rd: number, imm16: number) => (0xd2800000 | (imm16 << 5) | rd) >>> 0;
/** ADR Xd, #off: op=0, immlo (2 bits) at 29, 10000 at 24, immhi (19 bits) at 5, Rd; off is PC-relative bytes. */
const adr = (rd: number, off: number) => (((off & 3) << 29) | 0x10000000 | ((off >> 2) << 5) | rd) >>> 0;
const SVC_0 = 0xd4000001; // SVC #0: trap into the kernel
const AARCH64_WRITE = 64; // generic syscall table (include/uapi/asm-generic/unistd.h)
const AARCH64_EXIT = 93;

export const AARCH64_MESSAGE = 'aarch64\n';

/** write(1, msg, 8); exit(0). 8 instructions (32 bytes) then the message: 160 bytes in all. */
export function aarch64Program(): Buffer {
  const words = [
    movz(0, 1), //              0: mov x0, #1        fd = stdout
    adr(1, 28), //              4: adr x1, msg       msg is at 32, i.e. 28 bytes past this instruction
    movz(2, AARCH64_MESSAGE.length), // 8: mov x2, #8  length
    movz(8, AARCH64_WRITE), //  12: mov x8, #64      syscall number goes in x8
    SVC_0, //                   16: svc #0
    movz(0, 0), //              20: mov x0, #0       exit status
    movz(8, AARCH64_EXIT), //   24: mov x8, #93
    SVC_0, //                   28: svc #0
  ];
  const code = Buffer.alloc(words.length * 4);
  words.forEach((w, i) => code.writeUInt32LE(w, i * 4));
  return elf(EM_AARCH64, Buffer.concat([code, Buffer.from(AARCH64_MESSAGE)]));
}

// --- x86-64 ----------------------------------------------------------------------------------------------
export const X86_64_MESSAGE = 'x86_64\n';

/** write(1, msg, 7); exit(0). 33 bytes of code then the message: 160 bytes in all. */
export function x86_64Program(): Buffer {
  const len = X86_64_MESSAGE.length;
  const code = Buffer.from([
    0xb8,
    1,
    0,
    0,
    0, //            0: mov eax, 1        __NR_write
    0xbf,
    1,
    0,
    0,
    0, //            5: mov edi, 1        fd = stdout
    0x48,
    0x8d,
    0x35,
    16,
    0,
    0,
    0, // 10: lea rsi, [rip+16] msg at 33 = end of this instruction (17) + 16
    0xba,
    len,
    0,
    0,
    0, //          17: mov edx, 7       length
    0x0f,
    0x05, //                  22: syscall
    0xb8,
    60,
    0,
    0,
    0, //           24: mov eax, 60      __NR_exit
    0x31,
    0xff, //                  29: xor edi, edi     exit status 0
    0x0f,
    0x05, //                  31: syscall
  ]);
  return elf(EM_X86_64, Buffer.concat([code, Buffer.from(X86_64_MESSAGE)]));
}
