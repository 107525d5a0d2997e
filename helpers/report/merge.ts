/**
 * `report --merge`: the results of several shards (one machine per platform, e.g. an amd64 runner and a native
 * arm64 one) as one report. Pure. Shards must be one release under one contract: the same tag, source and
 * contract, and the same image for a service × platform; anything else is refused with one line. Checks keep
 * whatever each shard judged (native budgets stay native), and their status values pass through as they are.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { tagOf } from './history.ts';
import { parseResults, type CheckResult, type Results } from './results-schema.ts';

export class MergeError extends Error {}

export interface Shard {
  /** Where it was read from, for messages. */
  dir: string;
  results: Results;
}

const name = (s: Shard) => basename(s.dir) || s.dir;
const targetKey = (t: { service: string; platform: string; tag?: string }) =>
  `${t.service} [${t.platform}]${t.tag ? ` ${t.tag}` : ''}`;
const checkKey = (c: CheckResult) => [c.image, c.platform, c.tag ?? '', c.suite, c.check].join('\u0000');
const platformsOf = (r: Results) => [...new Set(r.targets.map((t) => t.platform))].sort();

function contractOf(r: Results): string {
  return (
    r.run.contractDigest ??
    `${r.run.contractFile ? basename(r.run.contractFile) : 'default contract'}${r.run.contractProfiles.length ? ` + ${r.run.contractProfiles.join(' + ')}` : ''}`
  );
}

/** Every reason the shards can't be one report; the first is what the CLI prints. */
export function mergeRefusals(shards: readonly Shard[]): string[] {
  const out: string[] = [];
  const [first, ...rest] = shards;
  if (!first) return ['no shards to merge: give the report directories of the shards'];
  const ids = new Map<string, Shard>();
  for (const s of shards) {
    const other = ids.get(s.results.run.id);
    if (other) out.push(`${other.dir} and ${s.dir} hold the same run ${s.results.run.id}: give each shard once`);
    ids.set(s.results.run.id, s);
  }
  for (const s of rest) {
    const a = first.results;
    const b = s.results;
    if (a.version !== b.version)
      out.push(
        `shard ${name(s)} is results version ${b.version}, ${name(first)} version ${a.version}: run both with the same harness`,
      );
    if (tagOf(a) !== tagOf(b))
      out.push(`shards of different tags: ${name(first)} checked ${tagOf(a)}, ${name(s)} checked ${tagOf(b)}`);
    if (a.run.source !== b.run.source)
      out.push(
        `shards of different sources: ${name(first)} checked ${a.run.source} images, ${name(s)} ${b.run.source} images`,
      );
    if (a.run.registry !== b.run.registry)
      out.push(
        `shards of different registries: ${name(first)} ${a.run.registry ?? '(none)'}, ${name(s)} ${b.run.registry ?? '(none)'}`,
      );
    if (contractOf(a) !== contractOf(b))
      out.push(
        `shards under different contracts: ${name(first)} ${contractOf(a)}, ${name(s)} ${contractOf(b)}: run both with the same --contract and --profile`,
      );
  }
  const images = new Map<string, { id: string; shard: Shard }>();
  for (const s of shards) {
    for (const t of s.results.targets) {
      const k = targetKey(t);
      const seen = images.get(k);
      if (seen && seen.id !== t.imageId)
        out.push(`shards checked different images for ${k}: ${name(seen.shard)} ${seen.id}, ${name(s)} ${t.imageId}`);
      else if (!seen) images.set(k, { id: t.imageId, shard: s });
    }
  }
  return out;
}

function firstByKey<T>(xs: T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  for (const x of xs) if (!m.has(key(x))) m.set(key(x), x);
  return [...m.values()];
}

/**
 * Checks of all shards. A check more than one shard ran (one not tied to a target platform, like the registry's
 * tag-consistency, or a platform two shards both covered) is kept once when every shard saw the same status,
 * else once per shard with the shard named.
 */
function mergeChecks(shards: readonly Shard[]): CheckResult[] {
  const byKey = new Map<string, { shard: Shard; check: CheckResult }[]>();
  for (const s of shards)
    for (const c of s.results.checks)
      byKey.set(checkKey(c), [...(byKey.get(checkKey(c)) ?? []), { shard: s, check: c }]);
  return [...byKey.values()].flatMap((seen) => {
    if (seen.length === 1 || seen.every((x) => x.check.status === seen[0]!.check.status)) return [seen[0]!.check];
    return seen.map((x) => ({ ...x.check, check: `${x.check.check} (shard ${name(x.shard)})` }));
  });
}

const unique = (xs: (string | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))];

function outcomeOf(shards: readonly Shard[]): Results['run']['outcome'] {
  const all = shards.map((s) => s.results.run.outcome);
  if (all.every((o) => o === all[0])) return all[0];
  return all.includes('interrupted') ? 'interrupted' : 'failed';
}

export function mergeShards(shards: readonly Shard[]): Results {
  const refusals = mergeRefusals(shards);
  if (refusals.length) throw new MergeError(refusals[0]!);
  const first = shards[0]!.results;
  const started = shards.map((s) => s.results.run.started).sort()[0]!;
  const finished = shards
    .map((s) => s.results.run.finished)
    .sort()
    .at(-1)!;
  // The same shards always make the same run id, so merging them again replaces the history entry.
  const hash = createHash('sha256')
    .update(
      shards
        .map((s) => s.results.run.id)
        .sort()
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 6);
  const id = `${started
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace(/\.\d+([+-])/, '$1')}-merged-${hash}`;
  const { host: _host, ...run } = first.run;
  return parseResults(
    {
      ...first,
      run: {
        ...run,
        id,
        started,
        finished,
        hostArch: unique(shards.map((s) => s.results.run.hostArch)).join('+'),
        ...(unique(shards.map((s) => s.results.run.engineVersion)).length && {
          engineVersion: unique(shards.map((s) => s.results.run.engineVersion)).join(' / '),
        }),
        outcome: outcomeOf(shards),
        ...(shards.some((s) => s.results.run.peers?.length) && {
          peers: firstByKey(
            shards.flatMap((s) => s.results.run.peers ?? []),
            (p) => `${p.service}\u0000${p.platform}`,
          ),
        }),
      },
      targets: firstByKey(
        shards.flatMap((s) => s.results.targets),
        (t) => `${targetKey(t)}\u0000${t.name}`,
      ),
      checks: mergeChecks(shards),
      metrics: firstByKey(
        shards.flatMap((s) => s.results.metrics),
        (m) => [m.image, m.platform, m.tag ?? '', m.name].join('\u0000'),
      ),
      facts: firstByKey(
        shards.flatMap((s) => s.results.facts),
        (f) => [f.image, f.platform, f.tag ?? ''].join('\u0000'),
      ),
      shards: shards.map((s) => ({
        runId: s.results.run.id,
        dir: s.dir,
        platforms: platformsOf(s.results),
        hostArch: s.results.run.hostArch,
        ...(s.results.run.engineVersion && { engineVersion: s.results.run.engineVersion }),
        started: s.results.run.started,
        finished: s.results.run.finished,
        ...(s.results.run.outcome && { outcome: s.results.run.outcome }),
        ...(s.results.run.host && { host: s.results.run.host }),
      })),
    },
    'merged results',
  );
}

/** One line per shard, for the CLI. */
export const shardLines = (r: Results): string[] =>
  (r.shards ?? []).map(
    (s) =>
      `  ${s.dir}: run ${s.runId}, ${s.platforms.join(', ') || 'no targets'} on a ${s.hostArch} host${s.engineVersion ? ` (Docker ${s.engineVersion})` : ''}${s.outcome ? `, ${s.outcome}` : ''}`,
  );
