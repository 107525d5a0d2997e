/**
 * Which timestamped tags a regression run checks, and in which order. Pure: the tag lists come from the
 * registry (one per service repository); the selection only reads them.
 */
import { timestampKey } from '../registry/tags.ts';

/** --tags PATTERN, --last N or --since DATE. */
export type Selector =
  { kind: 'pattern'; pattern: string } | { kind: 'last'; n: number } | { kind: 'since'; since: string };

/** Nothing (or not enough) to compare: a usage problem, one line, exit 2. */
export class SelectionError extends Error {}

export interface TagListing {
  repository: string;
  tags: string[];
}

interface TagSelection {
  /** The chosen tags, present in every repository, oldest first. */
  tags: string[];
  /** Tags the selector would have taken but some repository lacks (they are not checked). */
  incomplete: { tag: string; missingIn: string[] }[];
}

const ESCAPE = /[.+^${}()|[\]\\]/g;

/**
 * PATTERN → predicate. `/re/` or a pattern starting with `^` is a regular expression; anything else is a glob
 * (`*` any run, `?` one character) matched against the whole tag; commas separate alternatives, since a tag
 * can't hold one.
 */
export function tagMatcher(pattern: string): (tag: string) => boolean {
  const slashed = /^\/(.+)\/$/s.exec(pattern);
  if (slashed || pattern.startsWith('^')) {
    let re: RegExp;
    try {
      re = new RegExp(slashed ? slashed[1]! : pattern);
    } catch (e) {
      throw new SelectionError(`--tags ${pattern}: not a regular expression (${(e as Error).message})`);
    }
    return (t) => re.test(t);
  }
  const globs = pattern
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
  if (!globs.length) throw new SelectionError('--tags needs a pattern, e.g. "latest-202611*"');
  const res = globs.map(
    (g) =>
      new RegExp(`^${[...g].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(ESCAPE, '\\$&'))).join('')}$`),
  );
  return (t) => res.some((re) => re.test(t));
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const utcKey = (d: Date) =>
  `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;

/**
 * DATE → its UTC time as the 14 digits a timestamped tag carries (YYYYMMDDHHMMSS). Takes 2026-11-27,
 * 2026-11-27T10:15[:00][Z|+01:00] (UTC when no offset, as tags are written in UTC), 20261127, 20261127-101500.
 */
export function sinceKey(date: string): string {
  const bad = () =>
    new SelectionError(
      `--since "${date}" is not a date (e.g. 2026-11-27, 2026-11-27T10:15Z, 20261127-101500; UTC unless an offset is given)`,
    );
  const d = date.trim();
  const compact = /^(\d{4})(\d{2})(\d{2})(?:[-T]?(\d{2})(\d{2})(\d{2}))?$/.exec(d);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(d);
  const m = compact ?? iso;
  if (!m) throw bad();
  const [y, mo, da, h = '00', mi = '00', s = '00'] = m.slice(1, 7).map((x) => x ?? '00') as string[];
  const offset = iso?.[7]?.toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') ?? 'Z';
  const t = new Date(`${y}-${mo}-${da}T${h}:${mi}:${s}${offset}`);
  // Date rolls 2026-02-31 over to March; a date that does not survive the round trip is not a date.
  const local = new Date(`${y}-${mo}-${da}T${h}:${mi}:${s}Z`);
  if (Number.isNaN(t.getTime()) || utcKey(local) !== `${y}${mo}${da}${h}${mi}${s}`) throw bad();
  return utcKey(t);
}

/** A tag's time as 14 digits, for comparing with --since (patterns with fewer digits are padded). */
const tagTime = (key: string) => key.slice(0, 14).padEnd(14, '0');

/** Timestamped tags, oldest first (ties: by name, so the order is total). */
function oldestFirst(tags: Iterable<string>, stamp: RegExp): string[] {
  return [...tags]
    .map((t) => [t, timestampKey(t, stamp)] as const)
    .filter((x): x is readonly [string, string] => x[1] !== undefined)
    .sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]))
    .map(([t]) => t);
}

function describeSelector(s: Selector): string {
  return s.kind === 'pattern' ? `--tags ${s.pattern}` : s.kind === 'last' ? `--last ${s.n}` : `--since ${s.since}`;
}

/**
 * The timestamped tags every repository holds, narrowed by the selector, oldest first. Tags only some
 * repositories hold are reported when the selector would have taken them.
 */
export function selectTags(listings: readonly TagListing[], stamp: RegExp, selector: Selector): TagSelection {
  if (!listings.length) throw new SelectionError('no repositories to list');
  const sets = listings.map((l) => new Set(l.tags));
  const union = oldestFirst(new Set(listings.flatMap((l) => l.tags)), stamp);
  const complete = union.filter((t) => sets.every((s) => s.has(t)));
  const missingIn = (t: string) => listings.filter((_, i) => !sets[i]!.has(t)).map((l) => l.repository);
  if (!complete.length) {
    const counts = listings.map((l) => `${l.repository} has ${oldestFirst(l.tags, stamp).length}`).join(', ');
    throw new SelectionError(`no timestamped tag (${stamp.source}) is in every repository: ${counts}`);
  }
  let wanted: (t: string) => boolean;
  if (selector.kind === 'pattern') wanted = tagMatcher(selector.pattern);
  else if (selector.kind === 'since') {
    const from = sinceKey(selector.since);
    wanted = (t) => tagTime(timestampKey(t, stamp)!) >= from;
  } else {
    if (!Number.isInteger(selector.n) || selector.n < 1)
      throw new SelectionError(`--last wants a whole number of tags ≥ 1, got ${selector.n}`);
    const keep = new Set(complete.slice(-selector.n));
    const from = tagTime(timestampKey(complete.slice(-selector.n)[0]!, stamp)!);
    // Incomplete tags inside the window are the ones worth naming; older ones were never candidates.
    wanted = (t) => keep.has(t) || (!complete.includes(t) && tagTime(timestampKey(t, stamp)!) >= from);
  }
  const tags = complete.filter(wanted);
  const incomplete = union
    .filter((t) => wanted(t) && !complete.includes(t))
    .map((t) => ({ tag: t, missingIn: missingIn(t) }));
  if (!tags.length) {
    const shown = complete.length > 4 ? [...complete.slice(0, 2), '…', ...complete.slice(-2)] : complete;
    throw new SelectionError(
      `${describeSelector(selector)} matches no timestamped tag present in every repository (${complete.length} available: ${shown.join(', ')})`,
    );
  }
  return { tags, incomplete };
}

interface ComparisonPlan {
  /** Tags in the order their suites run: the baseline first when one is given, then oldest → newest. */
  order: string[];
  /** [baseline tag, current tag] pairs to compare. */
  pairs: [string, string][];
}

/** Each tag against the one before it, or every tag against --baseline. */
export function planComparisons(tags: readonly string[], baseline?: string): ComparisonPlan {
  if (baseline !== undefined) {
    const rest = tags.filter((t) => t !== baseline);
    if (!rest.length)
      throw new SelectionError(`nothing to compare with the baseline ${baseline}: the selection holds only that tag`);
    return { order: [baseline, ...rest], pairs: rest.map((t) => [baseline, t]) };
  }
  if (tags.length < 2)
    throw new SelectionError(
      `regress compares tags, but the selection holds one (${tags[0] ?? 'none'}); select more or give --baseline TAG`,
    );
  return { order: [...tags], pairs: tags.slice(1).map((t, i) => [tags[i]!, t]) };
}

/** A baseline must exist in every repository; it need not be timestamped (e.g. a release tag). */
export function checkBaseline(listings: readonly TagListing[], baseline: string): void {
  const missing = listings.filter((l) => !l.tags.includes(baseline)).map((l) => l.repository);
  if (missing.length) throw new SelectionError(`baseline tag ${baseline} is not in ${missing.join(', ')}`);
}
