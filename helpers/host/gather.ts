/** Reads the host facts (helpers/host/schema.ts). Never throws: a fact that can't be read is left out. */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import os from 'node:os';
import { docker } from '../engine/docker.ts';
import { engineEndpoint } from '../engine/endpoint.ts';
import { elfClassOf, pageSizeFromAuxv, parseThrottled, platformOfEngineArch, unenforcedOf } from './read.ts';
import type { HostFacts } from './schema.ts';

interface DockerInfo {
  Architecture?: string;
  MemoryLimit?: boolean;
  SwapLimit?: boolean;
  CgroupVersion?: string;
  KernelVersion?: string;
  OperatingSystem?: string;
}

function nodeElfClass(): 32 | 64 | undefined {
  try {
    const fd = openSync(process.execPath, 'r');
    const b = Buffer.alloc(20);
    readSync(fd, b, 0, 20, 0);
    closeSync(fd);
    return elfClassOf(b);
  } catch {
    return undefined;
  }
}

function pageSize(elfClass: 32 | 64 | undefined): number | undefined {
  try {
    const word = (elfClass ?? (['arm', 'ia32'].includes(process.arch) ? 32 : 64)) === 32 ? 4 : 8;
    const v = pageSizeFromAuxv(readFileSync('/proc/self/auxv'), word);
    if (v) return v;
  } catch {
    /* not Linux, or /proc hidden: ask getconf */
  }
  const r = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8', timeout: 2000 });
  const n = Number(r.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function throttle(): HostFacts['throttle'] {
  const r = spawnSync('vcgencmd', ['get_throttled'], { encoding: 'utf8', timeout: 2000 });
  if (r.error)
    return {
      available: false,
      reason:
        (r.error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'not available (no vcgencmd: not a Raspberry Pi)'
          : `not available (${r.error.message})`,
    };
  return parseThrottled(`${r.stdout}${r.stderr}`);
}

async function info(timeoutMs: number): Promise<DockerInfo | undefined> {
  const timeout = new Promise<undefined>((r) => (setTimeout(r, timeoutMs) as unknown as NodeJS.Timeout).unref());
  return Promise.race([(docker().info() as Promise<DockerInfo>).catch(() => undefined), timeout]);
}

export async function gatherHostFacts(opts: { timeoutMs?: number } = {}): Promise<HostFacts> {
  const i = await info(opts.timeoutMs ?? 5000);
  const elf = nodeElfClass();
  const page = pageSize(elf);
  const limits = {
    ...(i?.MemoryLimit !== undefined && { memoryLimit: i.MemoryLimit }),
    ...(i?.SwapLimit !== undefined && { swapLimit: i.SwapLimit }),
  };
  return {
    ...(i?.Architecture && { engineArch: i.Architecture, enginePlatform: platformOfEngineArch(i.Architecture) }),
    userlandArch: process.arch,
    ...(elf && { nodeElfClass: elf }),
    kernelMachine: os.machine(),
    ...(page !== undefined && { pageSize: page }),
    ...limits,
    ...(i?.CgroupVersion && { cgroupVersion: i.CgroupVersion }),
    ...(i?.KernelVersion && { kernelVersion: i.KernelVersion }),
    ...(i?.OperatingSystem && { operatingSystem: i.OperatingSystem }),
    throttle: throttle(),
    sameHostAsEngine: engineEndpoint().local,
    unenforced: unenforcedOf(limits),
  };
}
