import { baseName } from '../facts/paths.ts';
import type { ImageFacts } from '../facts/types.ts';
import type { Contract } from '../contract/schema.ts';

/**
 * The commands the runtime shell check tries: the usual shells, every shell the static index found by name,
 * and every busybox/toybox multi-call binary asked to act as sh (renaming busybox does not remove its shell).
 */
export function shellExecCandidates(contract: Contract, facts?: ImageFacts): string[][] {
  const cmds: string[][] = [
    ['/bin/sh', '-c', 'true'],
    ['/bin/bash', '-c', 'true'],
  ];
  if (facts) {
    const shells = new Set(contract.forbiddenFiles.shells);
    for (const e of facts.fs.entries.values()) {
      if (e.type === 'dir') continue;
      if (e.multiCall) cmds.push([e.path, 'sh', '-c', 'true']);
      else if (shells.has(baseName(e.path))) cmds.push([e.path, '-c', 'true']);
    }
  }
  const seen = new Set<string>();
  return cmds.filter((c) => !seen.has(c.join('\0')) && seen.add(c.join('\0')));
}
