// The flow defect matrix (pure): from the flow suite's test outcomes (helpers/plan/run-suites.ts),
// compare the failing flow tests and their steps with what a defect declares; rows as JSON and Markdown.
import { flowsSubject } from '../../helpers/model/verdict.ts';
import { judgedTests, type TestOutcome } from '../../helpers/plan/run-suites.ts';

/** One test of a platform's flows as the matrix judges it. */
export interface FlowTest {
  test: string;
  status: 'passed' | 'failed' | 'not-run';
  /** The step it failed at, from its outcome (meta.outcome.step). */
  step?: string;
  /** Its failure message, for the report only. */
  message?: string;
}

/** The tests of one platform's flows (subject "<platform> flows"), verdict and step from each test's outcome. */
export function flowTests(outcomes: readonly TestOutcome[], platform: string): FlowTest[] {
  return judgedTests(outcomes)
    .filter((t) => t.subject === flowsSubject(platform))
    .map((t) => {
      const message = t.failureMessages.join('\n') || undefined;
      return {
        test: t.check,
        status: t.verdict,
        ...(t.step !== undefined && { step: t.step }),
        ...(message && { message }),
      };
    });
}

/**
 * Problems of one matrix row ([] = as declared): every expected test failed naming its step, every
 * other flow test passed, and all of `flowTests` were in the report.
 */
export function judgeOutcomes(
  expected: Record<string, string>,
  outcomes: readonly FlowTest[],
  flowTests: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const test of flowTests) {
    const o = outcomes.find((x) => x.test === test);
    const want = expected[test];
    if (!o) problems.push(`${test}: not in the report`);
    else if (want === undefined && o.status !== 'passed')
      problems.push(
        `${test}: expected to pass, was ${o.status}${o.step ? ` at step "${o.step}"` : ''}${o.message && !o.step ? `: ${o.message.split('\n')[0]}` : ''}`,
      );
    else if (want !== undefined && o.status !== 'failed')
      problems.push(`${test}: expected to fail at step "${want}", was ${o.status}`);
    else if (want !== undefined && o.step !== want)
      problems.push(
        `${test}: expected to fail at step "${want}", failed ${o.step ? `at step "${o.step}"` : `outside any step: ${o.message?.split('\n')[0] ?? ''}`}`,
      );
  }
  for (const name of Object.keys(expected))
    if (!flowTests.includes(name)) problems.push(`${name}: the defect expects a flow test the suite does not have`);
  return problems;
}

export interface MatrixRow {
  defect: string;
  service: string;
  module: string;
  summary: string;
  expected: Record<string, string>;
  /** Failing flow test → the step it failed at (null: it failed outside any step). */
  observed: Record<string, string | null>;
  ok: boolean;
  problems: string[];
  ms: number;
  /** The first line of each failure message, for the report. */
  failures: Record<string, string>;
}

export function matrixRow(
  meta: Pick<MatrixRow, 'defect' | 'service' | 'module' | 'summary' | 'expected' | 'ms'>,
  outcomes: readonly FlowTest[],
  flowTests: readonly string[],
): MatrixRow {
  const failed = outcomes.filter((o) => o.status === 'failed');
  const problems = judgeOutcomes(meta.expected, outcomes, flowTests);
  return {
    ...meta,
    observed: Object.fromEntries(failed.map((o) => [o.test, o.step ?? null])),
    ok: problems.length === 0,
    problems,
    failures: Object.fromEntries(failed.map((o) => [o.test, (o.message ?? '').split('\n').slice(0, 4).join(' | ')])),
  };
}

const cell = (m: Record<string, string | null>) =>
  Object.keys(m).length
    ? Object.entries(m)
        .map(([t, s]) => `${t} @ \`${s ?? '?'}\``)
        .join('<br>')
    : '(none)';

export function renderMatrixMarkdown(
  rows: readonly MatrixRow[],
  info: { platform: string; totalMs: number; generatedAt: string },
): string {
  const ok = rows.filter((r) => r.ok).length;
  const lines = [
    '# Flow defect matrix',
    '',
    `${info.platform}, ${info.generatedAt}: ${ok}/${rows.length} rows as declared, ${(info.totalMs / 1000).toFixed(1)} s in all.`,
    'Each row runs the flow suite against the reference stack with one image replaced by the defect image.',
    '',
    '| defect | service | expected failing test @ step | observed | ok | time |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.defect} | ${r.service} | ${cell(r.expected)} | ${cell(r.observed)} | ${r.ok ? 'yes' : '**NO**'} | ${(r.ms / 1000).toFixed(1)} s |`,
    ),
  ];
  const bad = rows.filter((r) => !r.ok);
  if (bad.length)
    lines.push(
      '',
      '## Rows not as declared',
      '',
      ...bad.flatMap((r) => [`- ${r.defect}:`, ...r.problems.map((p) => `  - ${p}`)]),
    );
  lines.push(
    '',
    '## What each defect does',
    '',
    ...rows.map((r) => `- **${r.defect}** (${r.service}, \`${r.module}\`): ${r.summary}`),
  );
  return `${lines.join('\n')}\n`;
}
