import { commandOf, judgeArgv } from './program.ts';
import type { StaticCheck } from './types.ts';

export const ENTRYPOINT = 'entrypoint';

/** The program Docker will exec, and the script an interpreter is given, must be in the image. */
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
  return judgeArgv(facts, argv, ENTRYPOINT, field);
};
