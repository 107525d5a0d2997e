// junit.xml from results.json: one testcase per image × platform × check, a failure with its message and detail,
// a not-run check as <skipped message="reason"/>. Written by hand: junit-report-builder's skipped() takes no
// message, and vitest's junit reporter drops the skip note, so CI would show a bare "skipped".
import { writeFileSync } from 'node:fs';
import { subjectOf, type Results } from './results-schema.ts';

const esc = (s: string) =>
  s.replace(
    /[<>&"\u0000-\u0008\u000b\u000c\u000e-\u001f]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] ?? '',
  );

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function junitXml(r: Results): string {
  const suites = [...new Set(r.checks.map((c) => c.suite))];
  const lines = ['<?xml version="1.0" encoding="UTF-8" ?>'];
  const count = (s: string) => r.checks.filter((c) => c.status === s).length;
  lines.push(
    `<testsuites name="lucid-harness" tests="${r.checks.length}" failures="${count('failed')}" skipped="${count('not-run')}" errors="0">`,
  );
  for (const suite of suites) {
    const mine = r.checks.filter((c) => c.suite === suite);
    const n = (s: string) => mine.filter((c) => c.status === s).length;
    const time = mine.reduce((t, c) => t + c.durationMs, 0);
    lines.push(
      `  <testsuite name="${esc(suite)}" tests="${mine.length}" failures="${n('failed')}" skipped="${n('not-run')}" errors="0" time="${seconds(time)}" timestamp="${esc(r.run.started)}">`,
    );
    for (const c of mine) {
      const open = `    <testcase classname="${esc(suite)}" name="${esc(`${subjectOf(c)} > ${c.check}`)}" time="${seconds(c.durationMs)}"`;
      if (c.status === 'passed') lines.push(`${open}/>`);
      else if (c.status === 'not-run')
        lines.push(
          `${open}>`,
          `      <skipped message="${esc(`not run: ${c.reason ?? 'no reason recorded'}`)}"/>`,
          '    </testcase>',
        );
      else
        lines.push(
          `${open}>`,
          `      <failure message="${esc(c.message?.split('\n')[0] ?? 'failed')}">${esc(c.detail ?? c.message ?? '')}</failure>`,
          '    </testcase>',
        );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

export const writeJunit = (file: string, r: Results): void => writeFileSync(file, junitXml(r));
