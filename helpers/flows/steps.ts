// The step runner: a flow is a list of named steps; a failure names the step, the request, what was
// expected and what came back, and shows the trail of steps that passed before it.
import { requestLine, type Exchange } from './exchange.ts';

/** One thing that did not match, in a failure message. */
export interface Mismatch {
  /** "POST session-anchoring /api/v1/anchoring/session"; absent for a purely local check. */
  request?: string;
  expected: string;
  received: string;
}

/** Thrown inside a step by the expectation helpers: the step failed for these reasons. */
export class StepProblem extends Error {
  constructor(readonly mismatches: Mismatch[]) {
    super(mismatches.map((m) => `${m.request ? `${m.request}: ` : ''}expected ${m.expected}, received ${m.received}`).join('; '));
    this.name = 'StepProblem';
  }
}

/** Fails the current step with one mismatch. */
export function mismatch(expected: string, got: string, request?: string): never {
  throw new StepProblem([{ request, expected, received: got }]);
}

export interface TrailEntry {
  step: string;
  ok: boolean;
  ms: number;
  requests: string[];
}

export interface FlowFailureInfo {
  flow: string;
  subject: string;
  step: string;
  mismatches: Mismatch[];
  trail: TrailEntry[];
}

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The failure message: step first (the matrix test and CI users grep for `at step "<name>"`). */
export function formatFlowFailure(f: FlowFailureInfo): string {
  const lines = [`${f.flow} [${f.subject}] failed at step "${f.step}"`];
  for (const m of f.mismatches) {
    if (m.request) lines.push(`  request:  ${m.request}`);
    lines.push(`  expected: ${m.expected}`, `  received: ${m.received}`);
  }
  const passed = f.trail.filter((t) => t.ok);
  lines.push(passed.length ? 'steps passed before it:' : 'no step passed before it');
  for (const t of passed) lines.push(`  ✓ ${t.step} (${secs(t.ms)}, ${t.requests.length} request${t.requests.length === 1 ? '' : 's'})`);
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
      const mismatches =
        e instanceof StepProblem
          ? e.mismatches
          : [{ request: entry.requests.at(-1), expected: 'the step to complete', received: `an error: ${(e as Error)?.message ?? String(e)}` }];
      throw new FlowFailed({ flow: this.flow, subject: this.subject, step: name, mismatches, trail: [...this.trail] });
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
