// Errors more than one layer throws or catches: here so that a catcher need not import the thrower's folder.
// (NotRun lives with the verdicts in verdict.ts.)

/** A command line or config file the harness refuses (exit 2): thrown by the flag parser and by preflight. */
export class UsageError extends Error {}
