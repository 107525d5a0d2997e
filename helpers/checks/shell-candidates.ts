import { baseName } from '../facts/paths.ts';
import type { ImageFacts } from '../model/image-facts.ts';
import type { Contract } from '../contract/schema.ts';

/**
 * The commands the runtime shell check tries: the usual shells, every shell the static index found by name or
 * by content (a dash or bash under any name), and every busybox/toybox multi-call binary asked to act as sh. A renamed busybox picks its applet from
 * argv[0], which `docker exec` cannot set, so it is also started through the image's own python with argv[0]
 * "sh" — exactly what an intruder with code execution would do.
 */
export function shellExecCandidates(contract: Contract, facts?: ImageFacts): string[][] {
  const cmds: string[][] = [
    ['/bin/sh', '-c', 'true'],
    ['/bin/bash', '-c', 'true'],
  ];
  if (facts) {
    const shells = new Set(contract.forbiddenFiles.shells);
    const python = facts.fs.entries.has(contract.base.python) ? contract.base.python : undefined;
    for (const e of facts.fs.entries.values()) {
      if (e.type === 'dir') continue;
      if (e.multiCall) {
        cmds.push([e.path, 'sh', '-c', 'true']);
        if (python)
          cmds.push([python, '-S', '-c', "import os, sys; os.execv(sys.argv[1], ['sh', '-c', 'true'])", e.path]);
      } else if (e.shell || shells.has(baseName(e.path))) cmds.push([e.path, '-c', 'true']);
    }
  }
  const seen = new Set<string>();
  return cmds.filter((c) => !seen.has(c.join('\0')) && seen.add(c.join('\0')));
}
