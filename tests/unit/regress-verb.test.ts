import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { run } from '../../helpers/cli/regress-verb.ts';
import { captureConsole } from '../support/console.ts';
import { DEFAULT_THRESHOLDS } from '../../helpers/report/compare.ts';
import { parseThresholds, readThresholds, ThresholdsError } from '../../helpers/regress/thresholds.ts';

const dir = mkdtempSync(join(tmpdir(), 'lucid-regress-verb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

/** Usage errors are caught before any engine or registry call: one line on stderr, exit 2. */
describe('lucid-harness regress: usage', () => {
  const { err, out } = captureConsole();
  beforeEach(() => {
    vi.stubEnv('LUCID_REGISTRY', '');
    vi.stubEnv('LUCID_CONFIG', '');
  });
  afterEach(() => vi.unstubAllEnvs());

  test.each([
    [[], '--registry is required, e.g. --registry 127.0.0.1:5000'],
    [['--registry', 'r:5000'], 'which tags? give --tags PATTERN, --last N or --since DATE (see --help)'],
    [
      ['--registry', 'r:5000', '--last', '3', '--tags', 'x*'],
      'give one of --tags, --last, --since (got --tags and --last)',
    ],
    [['--registry', 'r:5000', '--last', 'three'], '--last wants a whole number ≥ 1, got "three"'],
    [['--registry', 'r:5000', '--last', '0'], '--last wants a whole number ≥ 1, got "0"'],
    [['--registry', 'r:5000', '--since', '2026-02-31'], expect.stringMatching(/^--since "2026-02-31" is not a date/)],
    [
      ['--registry', 'r:5000', '--last', '2', '--platform', 'linux/s390x'],
      'unknown platform "linux/s390x" (expected one of: linux/amd64, linux/arm64)',
    ],
    [['--registry', 'r:5000', '--last', '2', '--image', 'nope'], expect.stringMatching(/nope/)],
    [['--registry', 'r:5000', '--last', '2', 'extra'], 'unexpected argument "extra" (see --help)'],
    // Before any registry call (r:5000 does not exist): a bad pattern is the user's, not the registry's.
    [['--registry', 'r:5000', '--tags', '/[/'], expect.stringMatching(/^--tags \/\[\/: not a regular expression \(/)],
    [['--registry', 'r:5000', '--tags', ','], '--tags needs a pattern, e.g. "latest-202611*"'],
    [['--registry', 'r:5000', '--bogus'], expect.stringMatching(/^unknown option --bogus/)],
    [
      ['--registry', 'r:5000', '--last', '2', '--thresholds', join(dir, 'none.json')],
      `cannot read thresholds ${join(dir, 'none.json')}: ENOENT`,
    ],
    [
      ['--registry', 'r:5000', '--last', '2', '--thresholds', file('bad.json', '{"metrics": {"image-size": {}}}')],
      `${join(dir, 'bad.json')} is not a regression config: metrics.image-size: give relative, absolute, or both`,
    ],
    [
      ['--registry', 'r:5000', '--last', '2', '--thresholds', file('text.json', 'nope')],
      expect.stringMatching(/^thresholds .*text\.json is not JSON: /),
    ],
  ])('%j → exit 2', async (argv, message) => {
    expect(await run(argv as string[])).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]!.startsWith('lucid-harness regress: ')).toBe(true);
    expect(err[0]!.slice('lucid-harness regress: '.length)).toEqual(message);
    expect(out).toEqual([]);
  });

  test('the registry may come from the environment, like verify', async () => {
    vi.stubEnv('LUCID_REGISTRY', 'r:5000');
    expect(await run(['--last', 'x'])).toBe(2);
    expect(err).toEqual(['lucid-harness regress: --last wants a whole number ≥ 1, got "x"']);
  });

  test("a selector on the command line replaces the config file's; the file's own is checked like a flag", async () => {
    vi.stubEnv('LUCID_CONFIG', file('config.json', JSON.stringify({ regress: { registry: 'r:5000', last: 'zero' } })));
    expect(await run(['--since', '2026-02-31'])).toBe(2);
    expect(await run([])).toBe(2);
    expect(err).toEqual([
      expect.stringMatching(/^lucid-harness regress: --since "2026-02-31" is not a date/),
      'lucid-harness regress: --last wants a whole number ≥ 1, got "zero"',
    ]);
  });

  test('--help prints the options and exits 0', async () => {
    expect(await run(['--help'])).toBe(0);
    expect(out[0]).toMatch(/^usage: lucid-harness regress --registry R \(--tags PATTERN \| --last N \| --since DATE\)/);
    expect(out[0]).toContain('Exit codes: 0 no regression, 1 a regression');
  });
});

describe('--thresholds files', () => {
  test('given metrics replace the default of the same name, false turns one off, the rest stay', () => {
    const config = readThresholds(
      file(
        'ok.json',
        JSON.stringify({
          metrics: { 'time-to-first-200': { relative: 1, absolute: 5000, combine: 'all' }, 'anchoring-latency': false },
        }),
      ),
    );
    expect(config.metrics['time-to-first-200']).toEqual({ relative: 1, absolute: 5000, combine: 'all' });
    expect(config.metrics['anchoring-latency']).toBeUndefined();
    expect(config.metrics['image-size']).toEqual(DEFAULT_THRESHOLDS['image-size']);
    expect(() => parseThresholds({ metrics: { x: { relative: -1 } } })).toThrow(ThresholdsError);
  });
});
