import { describe, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { describeImage, parseOsRelease } from '../../helpers/facts/describe.ts';
import { dir, sampleFacts, withFs } from '../support/sample-facts.ts';

const contract = loadContract({});
const base = sampleFacts(contract, serviceNamed(contract, 'data-chain'), 'linux/arm64');

describe('describeImage', () => {
  test('reports base OS through the os-release symlink, Python, size, layers and the Debian 12 note', () => {
    const d = describeImage(base, contract);
    expect(d).toMatchObject({
      base: 'Distroless',
      osId: 'debian',
      osVersionId: '12',
      python: '3.11',
      sizeBytes: 53_000_000,
      sizeText: '53.0 MB',
      layerCount: 2,
      architecture: 'arm64',
      variant: 'v8',
    });
    expect(d.notes).toEqual([
      'distroless debian12 reached end of support in 2026 (2026-06-10): plan a move to a debian13 base',
    ]);
  });

  test('says so when os-release is missing, and notes two Pythons', () => {
    const facts = withFs(base, [dir('/usr/local/lib/python3.12')], ['/usr/lib/os-release']);
    const d = describeImage(facts);
    expect(d.base).toBeUndefined();
    expect(d.python).toBe('3.11, 3.12');
    expect(d.notes).toEqual(['no os-release in the image: base OS unknown', 'more than one Python: 3.11, 3.12']);
  });

  test('parseOsRelease unquotes values', () => {
    expect(parseOsRelease('ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n# c\n')).toEqual({
      ID: 'debian',
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
    });
  });
});
