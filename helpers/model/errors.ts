// Errors more than one layer throws or catches: here so that a catcher need not import the thrower's folder.
// (NotRun lives with the verdicts in verdict.ts.)

/** A command line or config file the harness refuses (exit 2): thrown by the flag parser and by preflight. */
export class UsageError extends Error {}

/**
 * A message as the one line a verb prints: messages that quote input (JSON.parse quotes the start of a file,
 * newline included) would otherwise break over several lines.
 */
export const oneLine = (message: string): string => message.replace(/\s*[\r\n]+\s*/g, ' ').trim();
