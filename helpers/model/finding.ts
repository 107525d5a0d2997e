// What a check found: shared by the judges (checks, flows) and everything that reports their findings.
import { z } from 'zod';

/**
 * What a check found wrong: what was checked, expected vs seen, and where to look. A check returns [] when all
 * is well. A flow's finding names the request it judged as its check ("POST session-anchoring /api/v1/…").
 */
export interface Finding {
  check: string;
  expected: string;
  seen: string;
  where?: string;
}

/** A finding read back from a report (vitest's JSON, results.json): the same shape, checked. */
export const FindingSchema = z.object({
  check: z.string(),
  expected: z.string(),
  seen: z.string(),
  where: z.string().optional(),
});

/** A long text (an HTTP body, a program's output) as a finding quotes it: its first n characters. */
export const excerpt = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function formatFindings(subject: string, findings: Finding[]): string {
  return findings
    .map((f) =>
      [
        `${subject}: ${f.check}`,
        `  expected: ${f.expected}`,
        `  seen:     ${f.seen}`,
        ...(f.where ? [`  where to look:\n${f.where.replace(/^/gm, '    ')}`] : []),
      ].join('\n'),
    )
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
