/** One line per fact, for people. Pure. */
import type { Facts } from './facts.ts';
import { gib } from './judge.ts';
import { hostLines } from '../host/judge.ts';

export function factLines(f: Facts): string[] {
  const e = f.engine;
  const lines: string[] = [];
  if (e.reachable) {
    lines.push(`engine: Docker ${e.version}, API ${e.apiVersion}, at ${e.endpoint} (${e.local ? 'local' : 'remote'})`);
    lines.push(`engine platform: ${e.os}/${e.arch}`);
  } else {
    lines.push(`engine: none answers at ${e.endpoint}`);
  }
  lines.push(`host architecture: ${f.hostArch}`);
  for (const r of f.runs) {
    const how = e.reachable && r.platform.endsWith(`/${e.arch}`) ? 'native' : 'emulated';
    lines.push(
      r.ok
        ? `${r.platform} containers: run (${how}; test container printed "${r.output}" in ${(r.ms / 1000).toFixed(1)} s)`
        : `${r.platform} containers: do NOT run (${how}; ${r.error ?? `exit ${r.exitCode}, printed ${JSON.stringify(r.output)}`})`,
    );
  }
  const disk = (label: string, d: Facts['engineDisk']) =>
    d.measured
      ? `${label}: ${gib(d.freeBytes)} free at ${d.path}${d.note ? ` (${d.note})` : ''}`
      : `${label}: ${d.path}: ${d.reason}`;
  lines.push(disk('engine data root', f.engineDisk));
  lines.push(disk('cache dir', f.cacheDisk));
  const b = f.binfmt;
  lines.push(
    !b.applicable
      ? `binfmt qemu-aarch64: not applicable (${b.reason})`
      : !b.present
        ? 'binfmt qemu-aarch64: not registered'
        : `binfmt qemu-aarch64: ${b.enabled ? 'enabled' : 'disabled'}, flags "${b.flags}" (${b.flags.includes('F') ? 'F set: works inside containers' : 'no F: fails inside containers'}), interpreter ${b.interpreter}`,
  );
  lines.push(
    `TESTCONTAINERS_RYUK_DISABLED: ${f.ryuk.env === undefined ? 'unset (the harness sets it to true itself)' : JSON.stringify(f.ryuk.env)}`,
  );
  lines.push(`node: ${f.node}`);
  lines.push(...hostLines(f.host));
  return lines;
}
