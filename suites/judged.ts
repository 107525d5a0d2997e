// The one place a smoke test turns a judge's result into its verdict: findings fail the test (CheckFailed),
// NotRun skips it with its reason, nothing passes it, a judge that throws fails it; the outcome is attached to
// the test as data in every case.
// A failure while the engine does not answer is no verdict on the image: the check did not run.
import type { TestContext } from 'vitest';
import { CheckFailed, type Finding } from '../helpers/model/finding.ts';
import { engineAnswers, engineGone } from '../helpers/engine/gone.ts';
import { attachOutcome, NotRun, type CheckOutcome, type Outcome, type Subject } from '../helpers/model/verdict.ts';

// What the suites put in task.meta (vitest writes it to its JSON report): typed, also where a describe or a test
// declares it at collection (`describe(title, { meta }, …)`, `test.skip(name, { meta }, …)`).
declare module 'vitest' {
  interface TaskMeta {
    outcome?: Outcome;
    subject?: Subject;
  }
}

interface JudgedSubject {
  subject: string;
  image: string;
  platform: string;
  check: string;
  /** Heads the failure message: what was checked, on which image. */
  title: string;
}

const outcomeOf = (s: JudgedSubject, verdict: CheckOutcome['verdict'], findings: Finding[]): CheckOutcome => ({
  kind: 'check',
  subject: s.subject,
  image: s.image,
  platform: s.platform,
  check: s.check,
  verdict,
  findings,
});

export async function judged(ctx: TestContext, s: JudgedSubject, judge: () => Promise<Finding[]>): Promise<void> {
  let findings: Finding[];
  try {
    findings = await judge();
  } catch (e) {
    if (e instanceof NotRun) return notRun(ctx, s, e.reason);
    if (engineGone(e) || !(await engineAnswers()))
      return notRun(ctx, s, `the engine went away: ${(e as Error).message}`);
    // A judge that broke is still this check's failure: the outcome says so, so no report has to read the message.
    const broke = {
      check: s.check,
      expected: 'the check to complete',
      seen: `an error: ${(e as Error)?.message ?? String(e)}`,
    };
    attachOutcome(ctx, outcomeOf(s, 'failed', [broke]));
    throw e;
  }
  if (findings.length && !(await engineAnswers()))
    return notRun(
      ctx,
      s,
      `the engine went away during the run (it no longer answers); what was seen: ${findings[0]!.seen}`,
    );
  attachOutcome(ctx, outcomeOf(s, findings.length ? 'failed' : 'passed', findings));
  if (findings.length) throw new CheckFailed(s.title, findings);
}

async function notRun(ctx: TestContext, s: JudgedSubject, reason: string): Promise<void> {
  attachOutcome(ctx, { ...outcomeOf(s, 'not-run', []), reason });
  await ctx.annotate(reason, 'not-run').catch(() => undefined);
  ctx.skip(`not run: ${reason}`);
}
