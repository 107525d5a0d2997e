/**
 * Tag consistency: the moving tag (latest-arm64) must name the same index as the newest timestamped tag
 * (latest-YYYYMMDD-HHMMSS, newest by the time in its name). The judgement is pure; gathering the digests
 * (tag list, HEADs, one GET to check HEAD against the bytes) is `checkTagConsistency`.
 */
import type { Contract } from '../contract/schema.ts';
import type { Finding } from '../model/finding.ts';
import type { RegistryClient } from './client.ts';
import { TagNotFoundError } from './errors.ts';
import { shortDigest } from './media.ts';

export const TAG_CONSISTENCY_CHECK = 'moving tag names the newest timestamped index';

/** Sort key of a timestamped tag: its digits (YYYYMMDDHHMMSS), or undefined when the tag is not one. */
export function timestampKey(tag: string, pattern: RegExp): string | undefined {
  return pattern.test(tag) ? tag.replace(/\D/g, '') : undefined;
}

/** Timestamped tags, newest first. */
export function timestampedTags(tags: string[], pattern: RegExp): string[] {
  return tags
    .map((t) => [t, timestampKey(t, pattern)] as const)
    .filter((x): x is readonly [string, string] => x[1] !== undefined)
    .sort((a, b) => (a[1] === b[1] ? (a[0] < b[0] ? 1 : -1) : a[1] < b[1] ? 1 : -1))
    .map(([t]) => t);
}

interface TagConsistencyInput {
  repository: string;
  movingTag: string;
  pattern: RegExp;
  /** Every tag of the repository. */
  tags: string[];
  /** Index digest per tag, for the tags that were looked up (at least the moving and the newest timestamped one). */
  digests: Record<string, string>;
}

export function tagConsistency(input: TagConsistencyInput): Finding[] {
  const { repository, movingTag, tags, digests } = input;
  const stamped = timestampedTags(tags, input.pattern);
  const findings: Finding[] = [];
  const listing = tags.length ? tags.join(', ') : 'no tags';
  if (!tags.includes(movingTag))
    findings.push({
      check: TAG_CONSISTENCY_CHECK,
      expected: `${repository}:${movingTag}`,
      seen: `no tag ${movingTag} (tags: ${listing})`,
    });
  // No timestamped tag at all (the real build commands push the moving tag alone): nothing to compare the moving
  // tag with, so the check does not run (tagConsistencyNotRun) rather than fail.
  if (findings.length || !stamped.length) return findings;
  const newest = stamped[0]!;
  const moving = digests[movingTag];
  const want = digests[newest];
  if (!moving || !want || moving === want) return findings;
  const same = stamped.find((t) => digests[t] === moving);
  const seenAs = same ? `the index of the older tag ${same}` : 'an index no timestamped tag names';
  findings.push({
    check: TAG_CONSISTENCY_CHECK,
    expected: `${movingTag} = ${newest} (index ${shortDigest(want)})`,
    seen: `${movingTag} is index ${shortDigest(moving)}, ${seenAs}`,
    where: `${repository}: ${stamped
      .slice(0, 5)
      .map((t) => `${t}${digests[t] ? ` → ${shortDigest(digests[t]!)}` : ''}`)
      .join(', ')}${stamped.length > 5 ? ', …' : ''}`,
  });
  return findings;
}

/** Why the consistency could not be judged: the moving tag is there but no timestamped tag is. */
export function tagConsistencyNotRun(
  input: Pick<TagConsistencyInput, 'repository' | 'movingTag' | 'pattern' | 'tags'>,
) {
  if (!input.tags.includes(input.movingTag) || timestampedTags(input.tags, input.pattern).length) return undefined;
  return `${input.repository} has no timestamped tag (matching ${input.pattern.source}) to compare ${input.movingTag} with; tags: ${input.tags.join(', ')}`;
}

interface TagConsistencyReport {
  repository: string;
  movingTag: string;
  newest?: string;
  digests: Record<string, string>;
  findings: Finding[];
  /** Set when there was nothing to compare (tagConsistencyNotRun): the check did not run. */
  notRun?: string;
}

/** How far back to look for the timestamped tag the moving tag really names. */
const LOOKBACK = 20;

export async function checkTagConsistency(
  client: RegistryClient,
  contract: Contract,
  repository: string,
): Promise<TagConsistencyReport> {
  const { movingTag } = contract.registry;
  const pattern = new RegExp(contract.registry.timestampTagPattern);
  const tags = await client.listTags(repository);
  const stamped = timestampedTags(tags, pattern);
  const digests: Record<string, string> = {};
  const head = async (t: string) => {
    try {
      digests[t] = (await client.headManifest(repository, t)).digest;
    } catch (e) {
      if (!(e instanceof TagNotFoundError)) throw e; // listed but gone meanwhile: judged as absent
    }
  };
  if (tags.includes(movingTag)) await head(movingTag);
  if (stamped[0]) await head(stamped[0]);
  const findings: Finding[] = [];
  if (digests[movingTag]) {
    // HEAD is what the check trusts; prove once that it describes the bytes a GET returns.
    const doc = await client.getManifest(repository, movingTag);
    if (doc.digest !== digests[movingTag]) {
      findings.push({
        check: 'HEAD digest matches the manifest bytes',
        expected: `${repository}:${movingTag} ${digests[movingTag]}`,
        seen: `GET bytes hash to ${doc.digest}`,
      });
    }
  }
  if (digests[movingTag] && stamped[0] && digests[movingTag] !== digests[stamped[0]]) {
    for (const t of stamped.slice(1, LOOKBACK)) {
      await head(t);
      if (digests[t] === digests[movingTag]) break;
    }
  }
  findings.push(...tagConsistency({ repository, movingTag, pattern, tags, digests }));
  // Listed, but its manifest was gone by the HEAD (deleted meanwhile): nothing was compared.
  const gone = [movingTag, stamped[0]].filter((t): t is string => !!t && tags.includes(t) && !digests[t]);
  const notRun = findings.length
    ? undefined
    : (tagConsistencyNotRun({ repository, movingTag, pattern, tags }) ??
      (gone.length
        ? `${repository}: ${gone.join(' and ')} listed, but no manifest answered (deleted meanwhile?): nothing to compare`
        : undefined));
  return { repository, movingTag, newest: stamped[0], digests, findings, ...(notRun ? { notRun } : {}) };
}

/** latest-YYYYMMDD-HHMMSS in UTC, the contract's timestamped tag form. */
export function timestampTag(at = new Date(), prefix = 'latest-'): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${prefix}${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}-${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}`;
}
