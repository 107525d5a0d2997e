import { posix } from 'node:path';
import { commandOf, judgeArgv, unwrapInit } from './program.ts';
import type { StaticCheck } from './types.ts';

export const ENTRYPOINT = 'entrypoint';

/**
 * The program Docker will exec, and the script an interpreter is given, must be in the image; behind an init
 * wrapper (tini, dumb-init), the wrapper and the command it runs.
 */
export const checkEntrypoint: StaticCheck = (facts) => {
  const argv = commandOf(facts);
  if (!argv.length) {
    return [
      {
        check: ENTRYPOINT,
        expected: 'an Entrypoint or Cmd',
        seen: 'neither Entrypoint nor Cmd is set: the container has nothing to run',
        where: 'image config: config.Entrypoint, config.Cmd',
      },
    ];
  }
  const field = facts.config.Entrypoint?.length ? 'config.Entrypoint + config.Cmd' : 'config.Cmd';
  const { wrappers, command } = unwrapInit(argv);
  let at = 0;
  for (const w of wrappers) {
    const found = judgeArgv(facts, argv.slice(at), ENTRYPOINT, field);
    if (found.length) return found;
    at += w.length;
  }
  if (!wrappers.length) return judgeArgv(facts, argv, ENTRYPOINT, field);
  const last = wrappers.at(-1)!;
  const by = posix.basename(last[0]!);
  // catatonit -P only pauses (a pod's pause process): no command is its normal use.
  if (!command.length && !(by === 'catatonit' && last.some((o) => /^-[^-]*P/.test(o))))
    return [
      {
        check: ENTRYPOINT,
        expected: `${by} is given a command to run`,
        seen: `${JSON.stringify(last)} names no command after its options: ${by} exits with a usage error`,
        where: `image config: ${field} ${JSON.stringify(argv)}`,
      },
    ];
  return command.length ? judgeArgv(facts, command, ENTRYPOINT, `${field}, the command ${by} runs`) : [];
};
