import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../helpers/model/errors.ts';
import { parseArgs, reportDirProblem } from '../../helpers/cli/args.ts';

const SPEC = {
  registry: { env: 'LUCID_REGISTRY' },
  platform: { repeatable: true, env: 'LUCID_PLATFORMS' },
  'plain-http': { boolean: true },
  help: { boolean: true },
};
const config = (doc: unknown) => {
  const f = join(mkdtempSync(join(tmpdir(), 'lucid-cfg-')), 'c.json');
  writeFileSync(f, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return f;
};

describe('flags: command line, env, config file', () => {
  test('command line wins over env, env over config', () => {
    const LUCID_CONFIG = config({
      verify: { registry: 'from-config:5000', platform: ['linux/arm64'], 'plain-http': true },
    });
    const p = parseArgs(['--registry', 'cli:5000'], SPEC, { LUCID_CONFIG, LUCID_PLATFORMS: 'linux/amd64' }, 'verify');
    expect(p.flags).toEqual({ registry: 'cli:5000', platform: ['linux/amd64'], 'plain-http': true });
  });
  test('repeatable flags collect and split on commas', () =>
    expect(parseArgs(['--platform', 'a,b', '--platform=c'], SPEC, {}).flags.platform).toEqual(['a', 'b', 'c']));
  test('a repeatable option keeps each value once (a service or platform given twice is checked once)', () => {
    expect(parseArgs(['--platform', 'a,b', '--platform', 'a', '--platform=b,a'], SPEC, {}).flags.platform).toEqual([
      'a',
      'b',
    ]);
    expect(parseArgs([], SPEC, { LUCID_PLATFORMS: 'a,a' }).flags.platform).toEqual(['a']);
  });
  test('unknown options are one clear error', () =>
    expect(() => parseArgs(['--regstry', 'x'], SPEC, {})).toThrowError(/unknown option --regstry \(known: --registry/));
  test('a value is required', () =>
    expect(() => parseArgs(['--registry'], SPEC, {})).toThrowError(/--registry needs a value/));
  test('an empty value is no value (it would mean no platform at all, or the current directory)', () => {
    for (const argv of [['--platform='], ['--platform', ''], ['--platform', ','], ['--registry='], ['--registry', '']])
      expect(() => parseArgs(argv, SPEC, {}), argv.join(' ')).toThrowError(
        new RegExp(`^option --${argv[0]!.slice(2).replace(/=$/, '')} needs a value$`),
      );
  });
  test('a single-value option given twice with different values is refused; the same value twice is fine', () => {
    expect(() => parseArgs(['--registry', 'a:5000', '--registry=b:5000'], SPEC, {})).toThrowError(
      /^option --registry given twice \("a:5000" and "b:5000"\): give it once$/,
    );
    expect(parseArgs(['--registry', 'a:5000', '--registry', 'a:5000'], SPEC, {}).flags.registry).toBe('a:5000');
    expect(parseArgs(['--plain-http', '--plain-http'], SPEC, {}).flags['plain-http']).toBe(true);
  });
  test('an env list of nothing but commas is as unset', () =>
    expect(parseArgs([], SPEC, { LUCID_PLATFORMS: ',' }).flags.platform).toBeUndefined());
  test('config: unknown key and wrong type are named', () => {
    expect(() => parseArgs([], SPEC, { LUCID_CONFIG: config({ verify: { registri: 'x' } }) }, 'verify')).toThrowError(
      UsageError,
    );
    expect(() =>
      parseArgs([], SPEC, { LUCID_CONFIG: config({ verify: { platform: 'linux/arm64' } }) }, 'verify'),
    ).toThrowError(/"verify.platform" must be a non-empty array of non-empty strings/);
    // [] would check no platform at all (0 images, exit 0); "" would write the reports to the current directory.
    expect(() => parseArgs([], SPEC, { LUCID_CONFIG: config({ verify: { platform: [] } }) }, 'verify')).toThrowError(
      /"verify.platform" must be a non-empty array of non-empty strings \(leave it out for the default\)$/,
    );
    expect(() => parseArgs([], SPEC, { LUCID_CONFIG: config({ verify: { registry: '' } }) }, 'verify')).toThrowError(
      /"verify.registry" must be a non-empty string/,
    );
    expect(() => parseArgs([], SPEC, { LUCID_CONFIG: config('{oops') }, 'verify')).toThrowError(
      /config file .*c\.json/,
    );
  });
  test('another verb’s section is ignored', () =>
    expect(parseArgs([], SPEC, { LUCID_CONFIG: config({ regress: { registry: 'x' } }) }, 'verify').flags).toEqual({}));
});

describe('--report-dir: checked before anything runs, nothing created', () => {
  const root = mkdtempSync(join(tmpdir(), 'lucid-report-dir-'));
  const file = join(root, 'a-file');
  writeFileSync(file, '');
  test('a directory, or one that can be created, is fine', () => {
    expect(reportDirProblem(root)).toBeUndefined();
    expect(reportDirProblem(join(root, 'new/a/b'))).toBeUndefined();
    expect(existsSync(join(root, 'new'))).toBe(false);
  });
  test('a file, or a path under a file, is named', () => {
    expect(reportDirProblem(file)).toBe(
      `--report-dir ${file} is a file, not a directory: give a directory (it is created when missing)`,
    );
    expect(reportDirProblem(join(file, 'sub'))).toBe(
      `--report-dir ${join(file, 'sub')} can't be created: ${file} is a file, not a directory`,
    );
  });
});
