import { z } from 'zod';

/**
 * Facts of the host that change what a verdict means, recorded by `doctor` and in every results.json: which
 * architecture the engine and the userland really are (a 32-bit Raspberry Pi OS on a 64-bit kernel makes the
 * engine say linux/arm/v8), the kernel page size, whether memory limits are enforced (the memory cgroup is
 * often off on Raspberry Pi OS, so --memory is silently ignored), and CPU throttling (undervoltage stretches
 * every timing). Every field but the architecture is optional: a fact that could not be read is left out.
 */
const ThrottleSchema = z.union([
  z.object({ available: z.literal(false), reason: z.string() }),
  z.object({
    available: z.literal(true),
    /** vcgencmd get_throttled as printed, e.g. 0x50005. */
    raw: z.string(),
    now: z.array(z.string()),
    sinceBoot: z.array(z.string()),
  }),
]);

export const HostFactsSchema = z.object({
  /** docker info Architecture as the engine reports it (x86_64, aarch64, armv7l), and as a platform. */
  engineArch: z.string().optional(),
  enginePlatform: z.string().optional(),
  /** process.arch of the harness's own node (x64, arm64, arm) and the ELF class of the node binary. */
  userlandArch: z.string(),
  nodeElfClass: z.union([z.literal(32), z.literal(64)]).optional(),
  /** uname -m of the kernel this process runs on. */
  kernelMachine: z.string().optional(),
  /** Bytes; AT_PAGESZ of /proc/self/auxv, else getconf PAGESIZE. */
  pageSize: z.number().int().positive().optional(),
  /** docker info MemoryLimit / SwapLimit: whether --memory / --memory-swap are enforced. */
  memoryLimit: z.boolean().optional(),
  swapLimit: z.boolean().optional(),
  cgroupVersion: z.string().optional(),
  kernelVersion: z.string().optional(),
  operatingSystem: z.string().optional(),
  throttle: ThrottleSchema.optional(),
  /** False when the engine is remote: page size, throttling and userland are then this machine's, not the engine host's. */
  sameHostAsEngine: z.boolean().optional(),
  /** What this host cannot enforce that a check might rely on (`memory-limit`, `swap-limit`). */
  unenforced: z.array(z.string()).default([]),
});

export type HostFacts = z.infer<typeof HostFactsSchema>;
