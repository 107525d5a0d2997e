/** Pure parsers for the host facts: docker info, the ELF header of the node binary, /proc/self/auxv, get_throttled. */
import type { HostFacts } from './schema.ts';

/** docker info Architecture (uname -m of the engine's host, as the engine's userland sees it) → a platform. */
export function platformOfEngineArch(arch: string): string {
  if (arch === 'x86_64' || arch === 'amd64') return 'linux/amd64';
  if (arch === 'aarch64' || arch === 'arm64') return 'linux/arm64';
  // A 32-bit userland on a 64-bit ARM kernel reports armv8l (the engine then says linux/arm/v8); a 32-bit Pi OS kernel armv7l.
  const m = /^armv(\d+)/.exec(arch);
  if (m) return `linux/arm/v${m[1]}`;
  return `linux/${arch}`;
}

/** EI_CLASS of an ELF header: 1 = 32-bit, 2 = 64-bit. */
export function elfClassOf(header: Buffer): 32 | 64 | undefined {
  if (header.length < 5 || header.readUInt32BE(0) !== 0x7f454c46) return undefined;
  return header[4] === 1 ? 32 : header[4] === 2 ? 64 : undefined;
}

const AT_NULL = 0;
const AT_PAGESZ = 6;

/** AT_PAGESZ from the auxiliary vector: pairs of native words (8 bytes on a 64-bit userland, 4 on 32-bit), little-endian. */
export function pageSizeFromAuxv(auxv: Buffer, wordBytes: 4 | 8): number | undefined {
  const read = (off: number) => (wordBytes === 8 ? Number(auxv.readBigUInt64LE(off)) : auxv.readUInt32LE(off));
  for (let off = 0; off + 2 * wordBytes <= auxv.length; off += 2 * wordBytes) {
    const type = read(off);
    if (type === AT_NULL) return undefined;
    if (type === AT_PAGESZ) return read(off + wordBytes);
  }
  return undefined;
}

/** The bits of `vcgencmd get_throttled` (Raspberry Pi firmware): 0-3 now, 16-19 since boot. */
const THROTTLE_BITS = ['under-voltage', 'arm frequency capped', 'throttled', 'soft temperature limit'];

export function parseThrottled(output: string): HostFacts['throttle'] {
  const m = /throttled=(0x[0-9a-fA-F]+)/.exec(output);
  if (!m) return { available: false, reason: `vcgencmd printed ${JSON.stringify(output.trim().slice(0, 80))}` };
  const v = Number.parseInt(m[1]!, 16);
  const bits = (shift: number) => THROTTLE_BITS.filter((_, i) => v & (1 << (i + shift)));
  return { available: true, raw: m[1]!, now: bits(0), sinceBoot: bits(16) };
}

/** What a host cannot enforce that a run might rely on. */
export function unenforcedOf(f: Pick<HostFacts, 'memoryLimit' | 'swapLimit'>): string[] {
  return [...(f.memoryLimit === false ? ['memory-limit'] : []), ...(f.swapLimit === false ? ['swap-limit'] : [])];
}
