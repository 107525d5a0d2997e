// Usage errors of the verbs that have no test file of their own: one line on stderr, exit 2, nothing on stdout.
import { describe, expect, test } from 'vitest';
import { run as doctor } from '../../helpers/cli/doctor.ts';
import { captureConsole } from '../support/console.ts';

describe('lucid-harness doctor: usage', () => {
  const { err, out } = captureConsole();
  test('an unknown option is one line naming the known ones, not the whole help', async () => {
    expect(await doctor(['--bogus'])).toBe(2);
    expect(err).toEqual(['lucid-harness doctor: unknown option --bogus (known: --json, --help)']);
    expect(out).toEqual([]);
  });
});
