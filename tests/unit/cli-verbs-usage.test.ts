// Usage errors of the verbs that have no test file of their own: one line on stderr, exit 2, nothing on stdout.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { run as doctor } from '../../helpers/cli/doctor.ts';
import { run as verify } from '../../helpers/cli/verify.ts';
import { parseReplace } from '../../helpers/cli/push-verb.ts';
import { run as fixtures } from '../../helpers/cli/fixtures.ts';
import { loadContract } from '../../helpers/contract/load.ts';
import { oneLine } from '../../helpers/model/errors.ts';
import { captureConsole } from '../support/console.ts';

describe('lucid-harness doctor: usage', () => {
  const { err, out } = captureConsole();
  test('an unknown option is one line naming the known ones, not the whole help', async () => {
    expect(await doctor(['--bogus'])).toBe(2);
    expect(err).toEqual(['lucid-harness doctor: unknown option --bogus (known: --json, --help)']);
    expect(out).toEqual([]);
  });
});

describe('messages that quote input stay one line', () => {
  const { err } = captureConsole();
  const dir = mkdtempSync(join(tmpdir(), 'lucid-one-line-'));
  test('oneLine folds line breaks and the blanks around them', () => expect(oneLine('a\n  b\r\nc')).toBe('a b c'));
  test('a profile whose text is "nope\\n" (JSON.parse quotes it, newline and all)', async () => {
    writeFileSync(join(dir, 'nope.json'), 'nope\n');
    expect(await verify(['--profile', join(dir, 'nope.json'), '--report-dir', join(dir, 'r')])).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      /^lucid-harness verify: contract file .*nope\.json is not valid JSON: .*"nope " is not valid JSON$/,
    );
  });
});

describe('fixtures push --replace: checked before anything is built', () => {
  const contract = loadContract({});
  const p = (spec: string) => () => parseReplace(spec, contract, ['data-chain'], ['linux/amd64']);
  test('a service and platform being pushed', () =>
    expect(p('data-chain@linux/amd64=img:1')()).toEqual({
      service: 'data-chain',
      platform: 'linux/amd64',
      image: 'img:1',
    }));
  test('an unknown service, one not pushed, a platform not pushed, an unknown platform', () => {
    expect(p('nope@linux/amd64=x')).toThrowError(/^unknown service "nope"; the contract has: /);
    expect(p('api-gateway@linux/amd64=x')).toThrowError(
      '--replace api-gateway@linux/amd64=x: api-gateway is not pushed (--image data-chain)',
    );
    expect(p('data-chain@linux/arm64=x')).toThrowError(
      '--replace data-chain@linux/arm64=x: linux/arm64 is not pushed (--platform linux/amd64)',
    );
    expect(p('data-chain@arm64=x')).toThrowError(/^unknown platform "arm64"/);
    expect(p('bogus')).toThrowError('--replace wants SERVICE@PLATFORM=IMAGE, got "bogus"');
    expect(p('data-chain@linux/amd64=a b')).toThrowError(
      '--replace data-chain@linux/amd64=a b: "a b" is not a valid image reference or id (it holds a space)',
    );
  });
});

describe('lucid-harness fixtures: usage', () => {
  const { err, out } = captureConsole();
  const dir = mkdtempSync(join(tmpdir(), 'lucid-fixtures-usage-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  test.each([
    [[], 'missing command (build, push, export-oci or lock); see lucid-harness fixtures --help'],
    [
      ['export-oci', join(file, 'x.tar')],
      `${join(file, 'x.tar')} can't be created: ${file} is a file, not a directory`,
    ],
    [['export-oci', file], `${file} is a file, not a directory: give a directory (it is created when missing)`],
  ])('%j → exit 2, one line, before any build', async (argv, message) => {
    expect(await fixtures(argv)).toBe(2);
    expect(err).toEqual([`lucid-harness fixtures: ${message}`]);
    expect(out).toEqual([]);
  });
});
