import { describe, expect, test } from 'vitest';
import type { CheckOutcome, Verdict } from '../../helpers/model/verdict.ts';
import { detectionMatrix, matrixMarkdown } from '../support/smoke-matrix.ts';
import { judgedTests, parseVitestJson, type TestOutcome } from '../../helpers/plan/run-suites.ts';

/** A smoke test of the JSON report: its outcome in meta; the titles deliberately say nothing the matrix should read. */
const o = (subject: string, check: string, verdict: Verdict, msg = '', reason?: string): TestOutcome => {
  const outcome: CheckOutcome = {
    kind: 'check',
    subject,
    image: subject.replace(/ \[.*$/, ''),
    platform: subject.match(/\[(.*)\]$/)?.[1] ?? 'linux/arm64',
    check,
    verdict,
    ...(reason && { reason }),
    findings: [],
  };
  return {
    ancestors: ['some describe'],
    title: `test #${check.length}`,
    status: verdict === 'failed' ? 'failed' : verdict === 'passed' ? 'passed' : 'skipped',
    failureMessages: verdict === 'failed' ? [msg] : [],
    durationMs: 1,
    meta: { outcome },
  };
};

describe('detection matrix', () => {
  const outcomes = [
    o('root-user [linux/arm64]', 'user', 'failed', 'User is empty: the container runs as root\nmore'),
    o('root-user [linux/arm64]', 'process-user', 'passed'),
    o('root-user [linux/arm64]', 'no-shell', 'failed', 'x'),
  ];
  const [row] = detectionMatrix(outcomes, { 'root-user [linux/arm64]': ['user', 'process-user'] });
  test("missed and unexpected checks are told apart, by the outcomes' subject and check", () => {
    expect(row!.failing).toEqual(['no-shell', 'user']);
    expect(row!.missed).toEqual(['process-user']);
    expect(row!.unexpected).toEqual(['no-shell']);
  });
  test('messages keep their first lines', () =>
    expect(row!.messages.user).toBe('User is empty: the container runs as root ⏎ more'));
  test('a subject with no outcomes misses everything it expected', () =>
    expect(detectionMatrix([], { x: ['user'] })[0]!.missed).toEqual(['user']));
  test("not run is the outcome's verdict: expected, allowed or unexpected", () => {
    const [r] = detectionMatrix(
      [
        o('x [linux/arm64]', 'health', 'not-run'),
        o('x [linux/arm64]', 'hardened', 'not-run'),
        o('x [linux/arm64]', 'user', 'not-run'),
      ],
      { 'x [linux/arm64]': [] },
      { 'x [linux/arm64]': { must: ['health'], may: ['hardened'] } },
    );
    expect(r!.notRun).toEqual(['hardened', 'health', 'user']);
    expect(r!.unexpected).toEqual(['user (not run)']);
    expect(r!.missed).toEqual([]);
  });
  test('a check that does not apply to the platform must not run there, and nowhere else', () => {
    const amd = 'x [linux/amd64]';
    const notApplicable = 'applies to linux/arm64 images only; this image is linux/amd64';
    const [skipped] = detectionMatrix([o(amd, 'pi5-page-size', 'not-run', '', notApplicable)], { [amd]: [] });
    expect([skipped!.missed, skipped!.unexpected]).toEqual([[], []]);
    const [passed] = detectionMatrix([o(amd, 'pi5-page-size', 'passed')], { [amd]: [] });
    expect(passed!.missed).toEqual(['pi5-page-size (not run)']);
    const [arm] = detectionMatrix([o('x [linux/arm64]', 'pi5-page-size', 'not-run')], { 'x [linux/arm64]': [] });
    expect(arm!.unexpected).toEqual(['pi5-page-size (not run)']);
  });
  test('markdown marks each cell', () => {
    const md = matrixMarkdown('t', [row!], ['user', 'process-user', 'no-shell']);
    expect(md).toContain('| root-user [linux/arm64] | **✗** | ✓ (missed!) | ✗ (unexpected) | WRONG');
  });
});

describe('tests as the matrices judge them', () => {
  test("the outcome decides subject, check and verdict, whatever vitest's titles and status say", () =>
    expect(judgedTests([{ ...o('a [linux/amd64]', 'user', 'not-run'), status: 'failed', title: 'other' }])).toEqual([
      { subject: 'a [linux/amd64]', platform: 'linux/amd64', check: 'user', verdict: 'not-run', failureMessages: [] },
    ]));
  test("a test without an outcome: its describe's declared subject, its title as the check, vitest's status as the verdict", () => {
    const declared = { subject: { subject: 'a [linux/amd64]', image: 'a', platform: 'linux/amd64' } };
    const t = (status: TestOutcome['status']): TestOutcome => ({
      ancestors: [],
      title: 'health',
      status,
      failureMessages: [],
      durationMs: 1,
      meta: declared,
    });
    expect(
      judgedTests([t('failed'), t('passed'), t('skipped'), t('pending')]).map((j) => [j.subject, j.check, j.verdict]),
    ).toEqual([
      ['a [linux/amd64]', 'health', 'failed'],
      ['a [linux/amd64]', 'health', 'passed'],
      ['a [linux/amd64]', 'health', 'not-run'],
      ['a [linux/amd64]', 'health', 'not-run'],
    ]);
  });
  test("a test that declares nothing is no subject's (its titles are not read)", () =>
    expect(
      judgedTests([
        {
          ancestors: ['a [linux/amd64]'],
          title: 'user',
          status: 'failed',
          failureMessages: ['m'],
          durationMs: 1,
          meta: {},
        },
      ]),
    ).toEqual([]));
});

describe('vitest json', () => {
  test('is read per test, meta included', () => {
    const json = JSON.stringify({
      testResults: [
        {
          assertionResults: [
            {
              ancestorTitles: ['a'],
              title: 'user',
              status: 'failed',
              failureMessages: ['m'],
              duration: 3,
              meta: { outcome: { verdict: 'failed' } },
            },
          ],
        },
      ],
    });
    expect(parseVitestJson(json)).toEqual([
      {
        ancestors: ['a'],
        title: 'user',
        status: 'failed',
        failureMessages: ['m'],
        durationMs: 3,
        meta: { outcome: { verdict: 'failed' } },
      },
    ]);
  });
  test('a test without meta has an empty one', () => {
    const json = JSON.stringify({
      testResults: [{ assertionResults: [{ ancestorTitles: ['a'], title: 'user', status: 'passed' }] }],
    });
    expect(parseVitestJson(json)[0]!.meta).toEqual({});
  });
  test('failure messages are read without colour codes', () => {
    const json = JSON.stringify({
      testResults: [
        {
          assertionResults: [
            {
              ancestorTitles: ['a'],
              title: 'user',
              status: 'failed',
              failureMessages: ['\u001b[1m\u001b[31mUser is empty\u001b[39m\u001b[22m'],
            },
          ],
        },
      ],
    });
    expect(parseVitestJson(json)[0]!.failureMessages).toEqual(['User is empty']);
  });
});
