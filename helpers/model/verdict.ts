// The three verdicts every check and flow ends in, and the outcome a suite attaches to its test (task.meta),
// which the reporter, regress and the matrices read as data instead of parsing titles or messages.
import type { Finding } from './finding.ts';

export type Verdict = 'passed' | 'failed' | 'not-run';

/**
 * Thrown by a judge whose fact could not be observed (the container had exited, the engine went away): the
 * check did not run, for `reason`. The suite turns it into a skipped test carrying the reason.
 */
export class NotRun extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NotRun';
  }
}

export interface CheckOutcome {
  kind: 'check';
  /** The describe title the test sits in ("data-chain [linux/arm64]"). */
  subject: string;
  /** The image and platform the verdict is about, and the check's name: the reports read these, not titles. */
  image: string;
  platform: string;
  check: string;
  verdict: Verdict;
  reason?: string;
  findings: Finding[];
}

/** The task.meta key the outcome lives under. */
export const OUTCOME_META = 'outcome';

/** Where the outcome goes: vitest's task.meta (kept structural so unit tests can fake it). */
export interface OutcomeSink {
  task: { meta: object };
  skip: (note?: string) => never;
  annotate?: (message: string, type?: string) => Promise<unknown>;
}

export function attachOutcome(sink: Pick<OutcomeSink, 'task'>, outcome: object): void {
  (sink.task.meta as Record<string, unknown>)[OUTCOME_META] = outcome;
}
