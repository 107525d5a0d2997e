// Expectations on one exchange (pure): each either returns what the step needs or fails the step
// with a finding: the request line, the expectation and what came back.
import { excerpt, isObject, requestLine, seenOf, type Exchange } from './exchange.ts';
import { mismatch, StepProblem, type StepFinding } from './steps.ts';

/** Why a 5xx is worse than a wrong 4xx: says so in the message, as the contract asks for auth. */
function statusHint(want: number, got: number): string {
  if (got >= 500 && want >= 400 && want < 500)
    return ` — a server error where ${want} is due is a defect (bad input or credentials must never crash the service)`;
  return '';
}

/** The exchange answered `want` (or one of them); otherwise the step fails. */
export function expectStatus(x: Exchange, want: number | readonly number[], why = ''): Exchange {
  const wanted = typeof want === 'number' ? [want] : want;
  if (wanted.includes(x.status)) return x;
  const hint = wanted.length === 1 ? statusHint(wanted[0]!, x.status) : '';
  return mismatch(`HTTP ${wanted.join(' or ')}${why ? ` (${why})` : ''}`, `${seenOf(x)}${hint}`, requestLine(x));
}

/** Where the contract names no status (a tree build, a verify): any 2xx is an answer. */
export const SUCCESS: readonly number[] = [200, 201, 202, 203];

/** The JSON object body of an exchange already known to have the right status. */
export function objectBody(x: Exchange): Record<string, unknown> {
  if (isObject(x.body)) return x.body;
  return mismatch('a JSON object body', seenOf(x), requestLine(x));
}

/** A field of the body equals `want` (strict, JSON-compared for objects). */
export function expectField(x: Exchange, field: string, want: unknown, why = ''): void {
  const body = objectBody(x);
  const got = body[field];
  if (JSON.stringify(got) === JSON.stringify(want)) return;
  mismatch(
    `${field} = ${show(want)}${why ? ` (${why})` : ''}`,
    `${field} = ${show(got)} in HTTP ${x.status} ${excerpt(x.text, 200)}`,
    requestLine(x),
  );
}

/** A string field of the body, or the step fails. */
export function stringField(x: Exchange, field: string): string {
  const v = objectBody(x)[field];
  if (typeof v === 'string' && v) return v;
  return mismatch(
    `a non-empty string ${field}`,
    `${field} = ${show(v)} in HTTP ${x.status} ${excerpt(x.text, 200)}`,
    requestLine(x),
  );
}

export function show(v: unknown, max = 120): string {
  if (v === undefined) return '(missing)';
  return excerpt(JSON.stringify(v) ?? String(v), max);
}

/** Fails the step with every finding a pure check made, each naming the request it judged unless it names its own check. */
export function expectNoProblems(findings: readonly StepFinding[], request?: Exchange | string): void {
  if (!findings.length) return;
  const line = typeof request === 'string' ? request : request ? requestLine(request) : undefined;
  throw new StepProblem(
    findings.map((f) => ({ ...f, ...(f.check === undefined && line !== undefined && { check: line }) })),
  );
}

/**
 * Runs `checks` over several exchanges and fails once with all their findings (e.g. the same
 * auth probe against three services: the message lists every service that got it wrong).
 */
export function expectAll<T>(items: readonly T[], check: (item: T) => void): void {
  const all: StepFinding[] = [];
  for (const item of items) {
    try {
      check(item);
    } catch (e) {
      if (!(e instanceof StepProblem)) throw e;
      all.push(...e.findings);
    }
  }
  if (all.length) throw new StepProblem(all);
}
