// What a check found: shared by the judges (checks, flows) and everything that reports their findings.

/** What a check found wrong: expected vs seen, and where to look. A check returns [] when all is well. */
export interface Finding {
  check: string;
  expected: string;
  seen: string;
  where?: string;
}

/** A long text (an HTTP body, a program's output) as a finding quotes it: its first n characters. */
export const excerpt = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function formatFindings(subject: string, findings: Finding[]): string {
  return findings
    .map((f) => [`${subject}: ${f.check}`, `  expected: ${f.expected}`, `  seen:     ${f.seen}`, ...(f.where ? [`  where to look:\n${f.where.replace(/^/gm, '    ')}`] : [])].join('\n'))
    .join('\n\n');
}

export class CheckFailed extends Error {
  constructor(
    readonly subject: string,
    readonly findings: Finding[],
  ) {
    super(formatFindings(subject, findings));
    this.name = 'CheckFailed';
  }
}

/** Throws one error carrying every finding, so a single failure report tells the whole story. */
export function assertNoFindings(subject: string, findings: Finding[]): void {
  if (findings.length) throw new CheckFailed(subject, findings);
}
