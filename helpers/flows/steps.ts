// The step runner: a flow is a list of named steps; a failure names the step and its findings (the request
// or what was checked, what was expected, what was seen), and shows the trail of steps that passed before it.
import type { Finding } from '../model/finding.ts';
import { requestLine, type Exchange } from './exchange.ts';

/**
 * A finding as a step's helpers raise it: the model's Finding, whose `check` is the request line ("POST
 * session-anchoring /api/v1/anchoring/session") or what a local check looked at. A pure judge that saw no
 * request leaves it out; the step runner then names the step.
 */
export type StepFinding = Omit<Finding, 'check'> & { check?: string };

/** Thrown inside a step by the expectation helpers: the step failed with these findings. */
export class StepProblem extends Error {
  constructor(readonly findings: StepFinding[]) {
    super(findings.map((f) => `${f.check ? `${f.check}: ` : ''}expected ${f.expected}, seen ${f.seen}`).join('; '));
    this.name = 'StepProblem';
  }
}

/** Fails the current step with one finding. */
export function mismatch(expected: string, seen: string, check?: string): never {
  throw new StepProblem([{ ...(check !== undefined && { check }), expected, seen }]);
}

export interface TrailEntry {
  step: string;
  ok: boolean;
  ms: number;
  requests: string[];
}

interface FlowFailureInfo {
  flow: string;
  subject: string;
  step: string;
  /** Every finding names its check (the step runner fills in `step "<name>"` where a helper gave none). */
  findings: Finding[];
  trail: TrailEntry[];
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The failure message: step first (CI users grep for `at step "<name>"`; the matrices read the outcome). */
export function formatFlowFailure(f: FlowFailureInfo): string {
  const lines = [`${f.flow} [${f.subject}] failed at step "${f.step}"`];
  for (const x of f.findings) {
    lines.push(`  check:    ${x.check}`, `  expected: ${x.expected}`, `  seen:     ${x.seen}`);
    if (x.where) lines.push(`  where to look:\n${x.where.replace(/^/gm, '    ')}`);
  }
  const passed = f.trail.filter((t) => t.ok);
  lines.push(passed.length ? 'steps passed before it:' : 'no step passed before it');
  for (const t of passed)
    lines.push(`  ✓ ${t.step} (${secs(t.ms)}, ${t.requests.length} request${t.requests.length === 1 ? '' : 's'})`);
  return lines.join('\n');
}

export class FlowFailed extends Error {
  constructor(readonly info: FlowFailureInfo) {
    super(formatFlowFailure(info));
    this.name = 'FlowFailed';
  }
}

/**
 * Runs the steps of one flow in order and keeps the trail. A step that throws anything but a
 * StepProblem (a bug, a crash in a helper) still fails as that step, naming its last request.
 */
export class FlowRun {
  readonly trail: TrailEntry[] = [];
  private current: TrailEntry | undefined;
  private readonly t0 = Date.now();

  constructor(
    readonly flow: string,
    readonly subject: string,
  ) {}

  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const entry: TrailEntry = { step: name, ok: false, ms: 0, requests: [] };
    this.current = entry;
    const t0 = Date.now();
    try {
      const value = await fn();
      entry.ok = true;
      return value;
    } catch (e) {
      const raised: StepFinding[] =
        e instanceof StepProblem
          ? e.findings
          : [
              {
                check: entry.requests.at(-1),
                expected: 'the step to complete',
                seen: `an error: ${(e as Error)?.message ?? String(e)}`,
              },
            ];
      const findings = raised.map((f) => ({ ...f, check: f.check ?? `step "${name}"` }));
      throw new FlowFailed({ flow: this.flow, subject: this.subject, step: name, findings, trail: [...this.trail] });
    } finally {
      entry.ms = Date.now() - t0;
      this.trail.push(entry);
      this.current = undefined;
    }
  }

  /** Called for every request made while a step runs. */
  record(x: Pick<Exchange, 'method' | 'service' | 'path'>): void {
    this.current?.requests.push(requestLine(x));
  }

  get elapsedMs(): number {
    return Date.now() - this.t0;
  }
}
