import { programArgs, type DockerHealthFacts, type ExecOutcome, type ProcessFact } from '../model/runtime-facts.ts';
import { excerpt, type Finding } from '../model/finding.ts';

/** Real and saved ids that differ from the contract's (ps gives them where it can): root kept in reserve. */
function keptIds(p: ProcessFact, want: { uid: number; gid: number }): string[] {
  const ids = [
    ['real uid', p.ruid, want.uid],
    ['saved uid', p.suid, want.uid],
    ['real gid', p.rgid, want.gid],
    ['saved gid', p.sgid, want.gid],
  ] as const;
  return ids.filter(([, id, w]) => id !== undefined && id !== w).map(([what, id]) => `${what} ${id}`);
}

/**
 * Every process in the container runs as the contract's uid and gid (read from the processes, not the config):
 * effective, and real and saved where ps tells them (os.seteuid alone leaves root one call away).
 */
export function judgeProcessUser(procs: ProcessFact[], want: { uid: number; gid: number }): Finding[] {
  const check = `processes run as ${want.uid}:${want.gid}`;
  if (!procs.length) return [{ check, expected: 'at least one running process', seen: 'no process in the container' }];
  const wrong = procs.filter((p) => p.uid !== want.uid || p.gid !== want.gid || keptIds(p, want).length);
  if (!wrong.length) return [];
  const describe = (p: ProcessFact) => {
    // Said only when the effective ids are right: for a process already wrong, they add nothing.
    const kept = p.uid === want.uid && p.gid === want.gid ? keptIds(p, want) : [];
    const reserve = kept.length
      ? ` but keeps ${kept.join(', ')}${p.ruid === 0 || p.suid === 0 ? ' (it can take root back)' : ''}`
      : '';
    return `pid ${p.pid} runs as ${p.uid}:${p.gid}${p.uid === 0 ? ' (root)' : ''}${reserve}: ${excerpt(programArgs(p.args), 120)}`;
  };
  return [
    {
      check,
      expected: `uid ${want.uid} and gid ${want.gid} for every process (effective, real and saved)`,
      seen: wrong.map(describe).join('; '),
    },
  ];
}

/** Each exec of a shell must fail: exit 0 means the image has a shell that works. */
export function judgeShellExecs(outcomes: ExecOutcome[]): Finding[] {
  return outcomes
    .filter((o) => o.exitCode === 0 || o.exitCode === null)
    .map((o) =>
      o.exitCode === 0
        ? {
            check: 'no shell can be executed',
            expected: `exec of ${o.cmd.join(' ')} fails`,
            seen: `it ran and exited 0${o.output ? `: ${excerpt(o.output, 120)}` : ''}: the image has a working shell`,
          }
        : {
            check: 'no shell can be executed',
            expected: `exec of ${o.cmd.join(' ')} fails with an exit code`,
            seen: `no result from the engine: ${excerpt(o.output, 200)}`,
          },
    );
}

export function judgeDockerHealth(f: DockerHealthFacts): Finding[] {
  if (f.status === 'healthy') return [];
  const check =
    f.runner === 'harness'
      ? "the image's HEALTHCHECK command passes (run through exec by the harness)"
      : "Docker's health status becomes healthy";
  const expected = `healthy within ${(f.budgetMs / 1000).toFixed(0)} s`;
  if (!f.declared) return [{ check, expected, seen: 'the image declares no HEALTHCHECK' }];
  const runs = f.log.length
    ? f.log
        .map((l) => `exit ${l.exitCode}${l.output ? `: ${excerpt(l.output, 200)}` : ' (printed nothing)'}`)
        .join('\n')
    : 'no HEALTHCHECK run finished yet';
  const cmd = f.test?.length ? `HEALTHCHECK ${JSON.stringify(f.test)}\n` : '';
  return [
    {
      check,
      expected,
      // "starting" alone hides that the probe ran and failed: say so in the line itself.
      seen: `${f.status} after ${(f.elapsedMs / 1000).toFixed(1)} s${
        f.log.length && f.log.every((l) => l.exitCode !== 0)
          ? `; ${f.log.length === 1 ? 'its one run' : `all ${f.log.length} of its last runs`} failed (last: exit ${f.log.at(-1)!.exitCode})`
          : ''
      }`,
      where: `${cmd}last HEALTHCHECK runs:\n${runs}`,
    },
  ];
}

/** uname machine names per platform, as a process inside the container reports them. */
const MACHINE_OF: Record<string, string[]> = { 'linux/amd64': ['x86_64'], 'linux/arm64': ['aarch64', 'arm64'] };

/** The code that runs is the platform's: an arm64 tag holding x86-64 binaries runs natively on an x86-64 host. */
export function judgeRuntimeMachine(
  platform: string,
  m: { machine?: string; pageSize?: number; error?: string } | undefined,
): Finding[] {
  const want = MACHINE_OF[platform] ?? [];
  const check = 'code in the container runs as the platform asked for';
  if (!m?.machine)
    return [
      {
        check,
        expected: `a program in the container reports ${want.join(' or ')}`,
        seen: m?.error ?? 'no answer from the container',
      },
    ];
  if (want.includes(m.machine)) return [];
  return [
    {
      check,
      expected: `uname machine ${want.join(' or ')} for ${platform}`,
      seen: `${m.machine}: the image holds code for another architecture than it claims`,
    },
  ];
}
