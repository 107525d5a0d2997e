import type { Contract } from '../../contract/schema.ts';
import type { SecretFileHit } from '../../model/image-facts.ts';
import type { Finding } from '../../model/finding.ts';
import type { StaticCheck } from './types.ts';

export const NO_SECRET_FILES = 'no-secret-files';
/** A file full of secrets is one finding; its first hits are enough to act on. */
const SHOWN_PER_FILE = 4;

/** Glob over absolute paths: `*` stays within a segment, `**` crosses them; everything else is literal. */
export function pathGlob(glob: string): RegExp {
  const src = glob
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${src}$`);
}

/** contract.secretFiles.allow as a predicate over (path, hit). */
function secretFileAllow(contract: Contract): (path: string, hit: SecretFileHit) => boolean {
  const rules = contract.secretFiles.allow.map((a) => ({
    path: a.path === undefined ? undefined : pathGlob(a.path),
    fingerprint: a.fingerprint,
  }));
  return (path, hit) =>
    rules.some((r) => (!r.path || r.path.test(path)) && (!r.fingerprint || r.fingerprint === hit.fingerprint));
}

/**
 * No file of the merged filesystem holds a private key, or a literal password, token or secret in an env or
 * config file (hits scanned at gather time, by content: see helpers/facts/secret-files.ts). Each hit is shown
 * masked with its fingerprint, which is what a user puts in contract.secretFiles.allow to accept it.
 */
export const checkNoSecretFiles: StaticCheck = (facts, contract) => {
  const allowed = secretFileAllow(contract);
  const out: Finding[] = [];
  const files = [...(facts.fs.secrets ?? new Map<string, SecretFileHit[]>())].sort(([a], [b]) => a.localeCompare(b));
  for (const [path, all] of files) {
    const entry = facts.fs.entries.get(path);
    if (!entry) continue; // removed by an upper layer: not in the image a container sees
    const hits = all.filter((h) => !allowed(path, h));
    if (!hits.length) continue;
    const shown = hits.slice(0, SHOWN_PER_FILE).map((h) => `line ${h.line}: ${h.kind}: ${h.shown} (${h.fingerprint})`);
    const more = hits.length > SHOWN_PER_FILE ? `; and ${hits.length - SHOWN_PER_FILE} more` : '';
    out.push({
      check: NO_SECRET_FILES,
      expected: 'no private key, password, token or secret in any file of the image (public certificates are fine)',
      seen: `${path} holds ${shown.join('; ')}${more}`,
      where: `image file ${path} (layer ${entry.layer ?? '?'})`,
    });
  }
  return out;
};
