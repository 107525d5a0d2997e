/**
 * Fails fast, in one line, when a platform of the run needs emulation this host does not have: without it
 * every emulated container dies with "exec format error" and verify only learns so after its budgets.
 * The binfmt_misc directory is overridable (LUCID_BINFMT_DIR) so tests can simulate a host without it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { archOf, type Platform } from '../model/platform.ts';

const BINFMT_DIR_ENV = 'LUCID_BINFMT_DIR';
const DEFAULT_BINFMT_DIR = '/proc/sys/fs/binfmt_misc';

/** binfmt entry names as qemu-user-static and tonistiigi/binfmt register them. */
const QEMU_ENTRY: Record<string, string> = { arm64: 'qemu-aarch64', amd64: 'qemu-x86_64' };

interface BinfmtEntry {
  enabled: boolean;
  flags: string;
}

/** Pure: the text of /proc/sys/fs/binfmt_misc/<name>. */
export function parseBinfmtEntry(text: string): BinfmtEntry {
  return { enabled: /^enabled$/m.test(text), flags: /^flags:\s*(\S*)/m.exec(text)?.[1] ?? '' };
}

export interface EmulationInput {
  platforms: readonly Platform[];
  /** The engine's architecture (amd64, arm64). */
  engineArch: string;
  /** Only a local engine on Linux has its emulation here to look at. */
  engineLocal: boolean;
  hostOs: NodeJS.Platform;
  /** Entry name → its text, or undefined when absent. */
  readEntry(name: string): string | undefined;
  binfmtDir: string;
}

const FIX = 'run bash bin/bootstrap-host.sh (or docker run --privileged --rm tonistiigi/binfmt --install';

/** Pure: one line saying what is missing, or undefined when every emulated platform can run. */
export function emulationProblem(i: EmulationInput): string | undefined {
  if (!i.engineLocal || i.hostOs !== 'linux') return undefined;
  for (const p of i.platforms) {
    const arch = archOf(p);
    if (arch === i.engineArch) continue;
    const name = QEMU_ENTRY[arch];
    if (!name) continue;
    const where = join(i.binfmtDir, name);
    const text = i.readEntry(name);
    const skip = `, or leave ${p} out with --platform linux/${i.engineArch}`;
    if (text === undefined)
      return `${p} needs ${arch} emulation, but ${where} does not exist (no qemu binfmt handler): ${FIX} ${arch})${skip}`;
    const e = parseBinfmtEntry(text);
    if (!e.enabled) return `${p} needs ${arch} emulation, but ${where} is disabled: ${FIX} ${arch})${skip}`;
    if (!e.flags.includes('F'))
      return `${p} needs ${arch} emulation, but ${where} lacks the F flag (flags "${e.flags}"), so it fails inside containers: ${FIX} ${arch})${skip}`;
  }
  return undefined;
}

export function readBinfmt(dir: string): (name: string) => string | undefined {
  return (name) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return undefined;
    }
  };
}

export const binfmtDir = (env: NodeJS.ProcessEnv = process.env) => env[BINFMT_DIR_ENV] || DEFAULT_BINFMT_DIR;
