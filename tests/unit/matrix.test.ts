import { describe, expect, test } from 'vitest';
import { detectionMatrix, matrixMarkdown } from '../../helpers/plan/matrix.ts';
import { parseVitestJson, type TestOutcome } from '../../helpers/plan/run-suites.ts';

const o = (subject: string, title: string, failed: boolean, msg = ''): TestOutcome => ({ ancestors: [subject], title, status: failed ? 'failed' : 'passed', failureMessages: failed ? [msg] : [], durationMs: 1 });

describe('detection matrix', () => {
  const outcomes = [o('root-user [linux/amd64]', 'user', true, 'User is empty: the container runs as root\nmore'), o('root-user [linux/amd64]', 'process-user', false), o('root-user [linux/amd64]', 'no-shell', true, 'x')];
  const [row] = detectionMatrix(outcomes, { 'root-user [linux/amd64]': ['user', 'process-user'] });
  test('missed and unexpected checks are told apart', () => {
    expect(row!.failing).toEqual(['no-shell', 'user']);
    expect(row!.missed).toEqual(['process-user']);
    expect(row!.unexpected).toEqual(['no-shell']);
  });
  test('messages keep their first lines', () => expect(row!.messages.user).toBe('User is empty: the container runs as root ⏎ more'));
  test('a subject with no outcomes misses everything it expected', () => expect(detectionMatrix([], { x: ['user'] })[0]!.missed).toEqual(['user']));
  test('markdown marks each cell', () => {
    const md = matrixMarkdown('t', [row!], ['user', 'process-user', 'no-shell']);
    expect(md).toContain('| root-user [linux/amd64] | **✗** | ✓ (missed!) | ✗ (unexpected) | WRONG');
  });
  test('vitest json is read per test', () => {
    const json = JSON.stringify({ testResults: [{ assertionResults: [{ ancestorTitles: ['a'], title: 'user', status: 'failed', failureMessages: ['m'], duration: 3 }] }] });
    expect(parseVitestJson(json)).toEqual([{ ancestors: ['a'], title: 'user', status: 'failed', failureMessages: ['m'], durationMs: 3 }]);
  });
  test('failure messages are read without colour codes', () => {
    const json = JSON.stringify({ testResults: [{ assertionResults: [{ ancestorTitles: ['a'], title: 'user', status: 'failed', failureMessages: ['\u001b[1m\u001b[31mUser is empty\u001b[39m\u001b[22m'] }] }] });
    expect(parseVitestJson(json)[0]!.failureMessages).toEqual(['User is empty']);
  });
});
