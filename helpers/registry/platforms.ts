/**
 * Picking each wanted platform's manifest out of an image index (pure). Attestation entries (buildx's
 * `unknown/unknown` with `vnd.docker.reference.type: attestation-manifest`) are ignored; arm64 means variant v8,
 * and an arm64 entry without a variant counts as v8 (as containerd normalises it) when no explicit v8 exists.
 */
import { archOf, variantMatches, variantOf, type Platform } from '../model/platform.ts';
import { MANIFEST_TYPES, type IndexEntry } from './media.ts';

const ATTESTATION_TYPE_ANNOTATION = 'vnd.docker.reference.type';

export function isAttestation(e: IndexEntry): boolean {
  return (
    e.annotations?.[ATTESTATION_TYPE_ANNOTATION] === 'attestation-manifest' ||
    (e.platform?.os === 'unknown' && e.platform?.architecture === 'unknown')
  );
}

/** "linux/arm64/v8", "unknown/unknown", or "(no platform)". */
export function describeEntry(e: IndexEntry): string {
  if (!e.platform) return '(no platform)';
  const p = [e.platform.os, e.platform.architecture, e.platform.variant].filter(Boolean).join('/');
  return isAttestation(e) ? `${p} (attestation)` : p;
}

export const describePlatform = (p: Platform) => (variantOf(p) ? `${p} (${variantOf(p)})` : p);

interface PlatformSelection {
  selected: Partial<Record<Platform, IndexEntry>>;
  missing: Platform[];
  /** Attestations and platforms nobody asked for. */
  ignored: IndexEntry[];
  /** Every entry, described, in index order (for messages). */
  available: string[];
}

function matches(e: IndexEntry, p: Platform, exactVariant: boolean): boolean {
  if (!e.platform || e.platform.os !== 'linux' || e.platform.architecture !== archOf(p)) return false;
  if (!MANIFEST_TYPES.includes(e.mediaType)) return false; // a nested index is not a platform image
  const want = variantOf(p);
  if (!want) return true;
  return exactVariant ? e.platform.variant === want : variantMatches(p, e.platform.variant);
}

export function selectPlatforms(entries: IndexEntry[], wanted: readonly Platform[]): PlatformSelection {
  const candidates = entries.filter((e) => !isAttestation(e));
  const selected: PlatformSelection['selected'] = {};
  const missing: Platform[] = [];
  for (const p of wanted) {
    const hit = candidates.find((e) => matches(e, p, true)) ?? candidates.find((e) => matches(e, p, false));
    if (hit) selected[p] = hit;
    else missing.push(p);
  }
  const chosen = new Set(Object.values(selected));
  return { selected, missing, ignored: entries.filter((e) => !chosen.has(e)), available: entries.map(describeEntry) };
}

/** One line for a missing platform: what was wanted, and what the index has. */
export function missingPlatformMessage(subject: string, sel: PlatformSelection): string {
  const has = sel.available.length ? sel.available.join(', ') : 'no entries';
  return `${subject} has no ${sel.missing.map(describePlatform).join(' and no ')} entry; it has ${has}`;
}
