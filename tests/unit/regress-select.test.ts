import { describe, expect, test } from 'vitest';
import { loadContract } from '../../helpers/contract/load.ts';
import {
  checkBaseline,
  planComparisons,
  SelectionError,
  selectTags,
  sinceKey,
  tagMatcher,
  type TagListing,
} from '../../helpers/regress/select.ts';

const stamp = new RegExp(loadContract({ overrides: [] }).registry.timestampTagPattern);
const A = 'pickme/lucid-data-chain';
const B = 'pickme/lucid-service-mesh-controller';
// Listed out of order, with non-timestamped tags mixed in, as a registry returns them.
const common = [
  'latest-20261127-101700',
  'latest-arm64',
  'latest-20261001-000000',
  'latest-20261127-101500',
  'v1.2.0',
  'latest-20261127-101600',
];
const listings: TagListing[] = [
  { repository: A, tags: [...common, 'latest-20261127-101630', 'latest-20260901-120000'] },
  { repository: B, tags: [...common, 'latest-20261127-101800'] },
];
const pick = (selector: Parameters<typeof selectTags>[2], l = listings) => selectTags(l, stamp, selector);

describe('tag selection', () => {
  test('--last N: the N newest tags every repository holds, oldest first; incomplete ones in the window are named', () => {
    expect(pick({ kind: 'last', n: 3 })).toEqual({
      tags: ['latest-20261127-101500', 'latest-20261127-101600', 'latest-20261127-101700'],
      incomplete: [
        { tag: 'latest-20261127-101630', missingIn: [B] },
        { tag: 'latest-20261127-101800', missingIn: [A] },
      ],
    });
    expect(pick({ kind: 'last', n: 99 }).tags).toEqual([
      'latest-20261001-000000',
      'latest-20261127-101500',
      'latest-20261127-101600',
      'latest-20261127-101700',
    ]);
    // Older incomplete tags were never candidates of --last 2, so they are not reported.
    expect(pick({ kind: 'last', n: 2 }).incomplete.map((i) => i.tag)).toEqual([
      'latest-20261127-101630',
      'latest-20261127-101800',
    ]);
    expect(pick({ kind: 'last', n: 4 }).incomplete.map((i) => i.tag)).not.toContain('latest-20260901-120000');
  });

  test('--tags: globs match the whole tag; /re/ and ^re are regular expressions; commas are alternatives', () => {
    expect(pick({ kind: 'pattern', pattern: 'latest-20261127-*' }).tags).toEqual([
      'latest-20261127-101500',
      'latest-20261127-101600',
      'latest-20261127-101700',
    ]);
    expect(pick({ kind: 'pattern', pattern: 'latest-20261127-1016??' }).tags).toEqual(['latest-20261127-101600']);
    expect(pick({ kind: 'pattern', pattern: 'latest-20261127-1016??' }).incomplete).toEqual([
      { tag: 'latest-20261127-101630', missingIn: [B] },
    ]);
    expect(pick({ kind: 'pattern', pattern: '/10(15|17)00$/' }).tags).toEqual([
      'latest-20261127-101500',
      'latest-20261127-101700',
    ]);
    expect(pick({ kind: 'pattern', pattern: '^latest-202610' }).tags).toEqual(['latest-20261001-000000']);
    expect(pick({ kind: 'pattern', pattern: 'latest-20261001-000000,latest-20261127-101700' }).tags).toEqual([
      'latest-20261001-000000',
      'latest-20261127-101700',
    ]);
    // Only timestamped tags are ever selected, whatever the pattern says.
    expect(pick({ kind: 'pattern', pattern: '*' }).tags).not.toContain('latest-arm64');
    expect(tagMatcher('latest.2026*')('latest-20261127-101500')).toBe(false); // a glob's dot is a dot
  });

  test('--since: the time in the tag name, UTC, at or after the date', () => {
    expect(pick({ kind: 'since', since: '2026-11-27T10:16Z' }).tags).toEqual([
      'latest-20261127-101600',
      'latest-20261127-101700',
    ]);
    expect(pick({ kind: 'since', since: '2026-11-27' }).tags).toHaveLength(3);
    expect(pick({ kind: 'since', since: '2026-11-27T11:16:00+01:00' }).tags).toEqual([
      'latest-20261127-101600',
      'latest-20261127-101700',
    ]);
    expect(pick({ kind: 'since', since: '20261127-101700' }).tags).toEqual(['latest-20261127-101700']);
    expect(pick({ kind: 'since', since: '2026-11-27T10:16Z' }).incomplete.map((i) => i.tag)).toEqual([
      'latest-20261127-101630',
      'latest-20261127-101800',
    ]);
  });

  test('dates: forms, offsets, and impossible dates', () => {
    expect(sinceKey('2026-11-27')).toBe('20261127000000');
    expect(sinceKey('2026-11-27T10:15')).toBe('20261127101500');
    expect(sinceKey('2026-11-27T00:30:00-0200')).toBe('20261127023000');
    expect(sinceKey('20261127')).toBe('20261127000000');
    for (const bad of ['2026-02-31', 'yesterday', '2026-13-01', '27/11/2026', '20261127-256000'])
      expect(() => sinceKey(bad), bad).toThrow(SelectionError);
    expect(() => sinceKey('2026-02-31')).toThrow('--since "2026-02-31" is not a date (e.g. 2026-11-27');
  });

  test('nothing matches: one line naming what is there', () => {
    expect(() => pick({ kind: 'pattern', pattern: 'latest-1999*' })).toThrow(
      new SelectionError(
        '--tags latest-1999* matches no timestamped tag present in every repository (4 available: latest-20261001-000000, latest-20261127-101500, latest-20261127-101600, latest-20261127-101700)',
      ),
    );
    expect(() => pick({ kind: 'since', since: '2030-01-01' })).toThrow(
      /^--since 2030-01-01 matches no timestamped tag/,
    );
    expect(() => pick({ kind: 'pattern', pattern: '/(/' })).toThrow(/^--tags \/\(\/: not a regular expression/);
    expect(() => pick({ kind: 'last', n: 0 })).toThrow(SelectionError);
    const disjoint = [
      { repository: A, tags: ['latest-20261127-101500'] },
      { repository: B, tags: ['latest-20261127-101600', 'latest-arm64'] },
    ];
    expect(() => pick({ kind: 'last', n: 3 }, disjoint)).toThrow(
      `no timestamped tag (${stamp.source}) is in every repository: ${A} has 1, ${B} has 1`,
    );
  });

  test('pairs: each tag with the previous, or every tag with the baseline (run first)', () => {
    expect(planComparisons(['t1', 't2', 't3'])).toEqual({
      order: ['t1', 't2', 't3'],
      pairs: [
        ['t1', 't2'],
        ['t2', 't3'],
      ],
    });
    expect(planComparisons(['t1', 't2', 't3'], 't2')).toEqual({
      order: ['t2', 't1', 't3'],
      pairs: [
        ['t2', 't1'],
        ['t2', 't3'],
      ],
    });
    expect(planComparisons(['t2'], 'v1.2.0')).toEqual({ order: ['v1.2.0', 't2'], pairs: [['v1.2.0', 't2']] });
    expect(() => planComparisons(['t1'])).toThrow(
      'regress compares tags, but the selection holds one (t1); select more or give --baseline TAG',
    );
    expect(() => planComparisons(['t1'], 't1')).toThrow(SelectionError);
    expect(() => checkBaseline(listings, 'v1.2.0')).not.toThrow();
    expect(() => checkBaseline(listings, 'latest-20261127-101630')).toThrow(
      `baseline tag latest-20261127-101630 is not in ${B}`,
    );
  });
});
