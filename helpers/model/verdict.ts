// The three verdicts every check and flow ends in, and the outcome a suite attaches to its test (task.meta),
// which the reporter, regress and the matrices read as data instead of parsing titles or messages.
import { z } from 'zod';
import { FindingSchema, type Finding } from './finding.ts';

const VERDICTS = ['passed', 'failed', 'not-run'] as const;
export type Verdict = (typeof VERDICTS)[number];

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

/**
 * What a describe block judges, declared with it at collection (describe's `meta` option, under SUBJECT_META):
 * vitest copies it to every test under it, so a test that ended without an outcome (timed out, its hook failed)
 * and a failed hook still name their image and platform as data.
 */
export interface Subject {
  /** The describe title ("data-chain [linux/arm64]", "linux/amd64 flows"). */
  subject: string;
  /** The image and platform the verdicts are about: the reports read these, not titles. */
  image: string;
  platform: string;
}

export interface CheckOutcome extends Subject {
  kind: 'check';
  check: string;
  verdict: Verdict;
  reason?: string;
  findings: Finding[];
}

/** What the flows of one platform are reported as: the stack as a whole, image `flows`. */
export const FLOWS_IMAGE = 'flows';
/** The describe title, and so the subject, of one platform's flows ("linux/amd64 flows"). */
export const flowsSubject = (platform: string): string => `${platform} flows`;

export interface FlowOutcome extends Subject {
  kind: 'flow';
  /** "linux/amd64 flows". */
  subject: string;
  image: typeof FLOWS_IMAGE;
  /** The flow's name, as the reports list it as a check; `flow` says the same for readers of flows. */
  check: string;
  flow: string;
  verdict: Verdict;
  /** The step it failed at; absent when it passed, did not run, or failed before any step (the stack did not come up). */
  step?: string;
  reason?: string;
  findings: Finding[];
}

export type Outcome = CheckOutcome | FlowOutcome;

const SubjectSchema = z.object({ subject: z.string(), image: z.string(), platform: z.string() });
const common = {
  ...SubjectSchema.shape,
  check: z.string(),
  verdict: z.enum(VERDICTS),
  reason: z.string().optional(),
  findings: z.array(FindingSchema),
};
/** An outcome read back from a report: the matrices and the results collector trust only what passes this. */
const OutcomeSchema: z.ZodType<Outcome> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('check'), ...common }),
  z.object({
    kind: z.literal('flow'),
    ...common,
    image: z.literal(FLOWS_IMAGE),
    flow: z.string(),
    step: z.string().optional(),
  }),
]);

/** The task.meta key the outcome lives under. */
export const OUTCOME_META = 'outcome';
/** The meta key a describe block declares its subject under. */
export const SUBJECT_META = 'subject';

/** Where the outcome goes: vitest's task.meta (kept structural so unit tests can fake it). */
interface OutcomeSink {
  task: { meta: object };
  skip: (note?: string) => never;
  annotate?: (message: string, type?: string) => Promise<unknown>;
}

export function attachOutcome(sink: Pick<OutcomeSink, 'task'>, outcome: Outcome): void {
  (sink.task.meta as Record<string, unknown>)[OUTCOME_META] = outcome;
}

/** An outcome as stored (a check's `outcome` in results.json), if it is one. */
export function readOutcome(value: unknown): Outcome | undefined {
  const r = OutcomeSchema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** The outcome in a test's meta (task.meta, or the `meta` vitest's JSON report writes per test), if it is one. */
export function outcomeIn(meta: unknown): Outcome | undefined {
  return typeof meta === 'object' && meta !== null
    ? readOutcome((meta as Record<string, unknown>)[OUTCOME_META])
    : undefined;
}

/** The subject a test or suite declared (its meta, or the `meta` vitest's JSON report writes per test), if any. */
export function subjectIn(meta: unknown): Subject | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const r = SubjectSchema.safeParse((meta as Record<string, unknown>)[SUBJECT_META]);
  return r.success ? r.data : undefined;
}
