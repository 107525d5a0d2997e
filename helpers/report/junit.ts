/**
 * junit.xml from a results document (for merged reports, which no vitest run wrote): one <testsuite> per suite
 * file, one <testcase> per check named as vitest names it ("data-chain [linux/arm64] > no-shell"). A status
 * other than passed and failed (skipped, not run) is a <skipped> with its reason.
 */
import { subjectOf, type CheckResult, type Results } from './results-schema.ts';

const xml = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
const seconds = (ms: number) => (ms / 1000).toFixed(3);
const reasonOf = (c: CheckResult) => ((c as { reason?: unknown }).reason as string | undefined) ?? c.message ?? String(c.status);

function testcase(c: CheckResult): string {
  const open = `    <testcase classname="${xml(c.suite)}" name="${xml(`${subjectOf(c)} > ${c.check}`)}" time="${seconds(c.durationMs)}"`;
  if (c.status === 'passed') return `${open}/>`;
  if (c.status === 'failed') return `${open}>\n      <failure message="${xml((c.message ?? 'failed').split('\n')[0]!)}" type="AssertionError">${xml(c.detail ?? c.message ?? '')}</failure>\n    </testcase>`;
  return `${open}>\n      <skipped message="${xml(`${c.status}: ${reasonOf(c)}`.split('\n')[0]!)}"/>\n    </testcase>`;
}

export function junitXml(r: Results): string {
  const suites = new Map<string, CheckResult[]>();
  for (const c of r.checks) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c]);
  const count = (cs: CheckResult[]) => ({ tests: cs.length, failures: cs.filter((c) => c.status === 'failed').length, skipped: cs.filter((c) => c.status !== 'passed' && c.status !== 'failed').length, time: seconds(cs.reduce((n, c) => n + c.durationMs, 0)) });
  const all = count(r.checks);
  const body = [...suites].map(([suite, cs]) => {
    const n = count(cs);
    return `  <testsuite name="${xml(suite)}" timestamp="${xml(r.run.started)}" hostname="${xml(r.run.hostArch)}" tests="${n.tests}" failures="${n.failures}" errors="0" skipped="${n.skipped}" time="${n.time}">\n${cs.map(testcase).join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8" ?>\n<testsuites name="lucid-harness ${xml(r.run.id)}" tests="${all.tests}" failures="${all.failures}" errors="0" skipped="${all.skipped}" time="${all.time}">\n${body.join('\n')}\n</testsuites>\n`;
}
