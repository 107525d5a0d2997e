/**
 * Pure: what the host facts mean for a run. Problems make results untrustworthy (doctor exits 2); warnings say
 * what a verdict on this host does not cover.
 */
import type { HostFacts } from './schema.ts';

const FIX_32BIT =
  'install the 64-bit Raspberry Pi OS (arm64) — or, keeping this card, set arm_64bit=1 in /boot/firmware/config.txt and move to a 64-bit (arm64) userland and Docker';
const FIX_MEMORY_CGROUP =
  'add cgroup_enable=memory cgroup_memory=1 to /boot/firmware/cmdline.txt (Raspberry Pi OS) and reboot';

/** The userland or the engine is 32-bit ARM: linux/arm64 does not run natively, whatever the kernel is. */
function is32BitArm(f: HostFacts): boolean {
  return f.userlandArch === 'arm' || (f.enginePlatform?.startsWith('linux/arm/') ?? false);
}

export function hostProblems(f: HostFacts): string[] {
  const problems: string[] = [];
  if (is32BitArm(f)) {
    const seen = [
      `node arch ${f.userlandArch}${f.nodeElfClass ? ` (${f.nodeElfClass}-bit ELF)` : ''}`,
      f.enginePlatform && `the engine reports ${f.enginePlatform}`,
      f.kernelMachine && `kernel ${f.kernelMachine}`,
    ]
      .filter(Boolean)
      .join(', ');
    problems.push(
      `32-bit userland on ARM (${seen}): linux/arm64 images would not run natively and the results would not be the Pi's: ${FIX_32BIT}`,
    );
  }
  return problems;
}

export function hostWarnings(f: HostFacts): string[] {
  const warnings: string[] = [];
  if (f.memoryLimit === false) {
    warnings.push(
      `the engine does not enforce memory limits (docker info MemoryLimit false${f.cgroupVersion ? `, cgroup v${f.cgroupVersion}` : ''}): --memory is silently ignored; no check sets a memory limit today, so no verdict depends on it, and one that did would be reported not run: ${FIX_MEMORY_CGROUP}`,
    );
  }
  const t = f.throttle;
  if (t?.available && t.now.length)
    warnings.push(
      `the CPU is being held back now (vcgencmd get_throttled=${t.raw}: ${t.now.join(', ')}): every timing is stretched and budgets may fail for it: use the official power supply and cooling`,
    );
  else if (t?.available && t.sinceBoot.length)
    warnings.push(
      `the CPU was held back since boot (vcgencmd get_throttled=${t.raw}: ${t.sinceBoot.join(', ')}): timings of this boot may be stretched`,
    );
  if (f.sameHostAsEngine === false)
    warnings.push("the engine is remote: page size, throttling and userland are this machine's, not the engine host's");
  return warnings;
}

/** One line per fact, for doctor. */
export function hostLines(f: HostFacts): string[] {
  const t = f.throttle;
  return [
    `engine architecture: ${f.engineArch ?? 'unknown'}${f.enginePlatform ? ` (${f.enginePlatform})` : ''}`,
    `userland: node ${f.userlandArch}${f.nodeElfClass ? `, ${f.nodeElfClass}-bit ELF` : ''}; kernel ${f.kernelMachine ?? 'unknown'}`,
    `page size: ${f.pageSize !== undefined ? `${f.pageSize} bytes${f.pageSize !== 4096 ? ` (${f.pageSize / 1024} KiB pages)` : ''}` : 'unknown'}`,
    `memory limits: ${f.memoryLimit === undefined ? 'unknown' : f.memoryLimit ? 'enforced' : 'NOT enforced'}; swap limits: ${f.swapLimit === undefined ? 'unknown' : f.swapLimit ? 'enforced' : 'NOT enforced'}${f.cgroupVersion ? ` (cgroup v${f.cgroupVersion})` : ''}`,
    `throttling: ${!t ? 'unknown' : !t.available ? t.reason : t.now.length || t.sinceBoot.length ? `${t.raw}: now ${t.now.join(', ') || 'none'}; since boot ${t.sinceBoot.join(', ') || 'none'}` : `${t.raw}: none`}`,
  ];
}
