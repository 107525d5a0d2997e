/**
 * The suite's Release/InRelease file: the SHA256 list that anchors every index we download.
 * (The OpenPGP signature around InRelease is stripped, not checked: see the note in archive.ts.)
 */
export interface ReleaseFile {
  codename?: string;
  suite?: string;
  date?: string;
  /** Indexes are also served under by-hash/SHA256/<sha>, immune to a Release/index update race. */
  acquireByHash?: boolean;
  /** path relative to dists/<suite>/ → size and sha256 */
  sha256: Map<string, { size: number; sha256: string }>;
}

class ReleaseError extends Error {}

function stripClearsign(text: string): string {
  if (!text.startsWith('-----BEGIN PGP SIGNED MESSAGE-----')) return text;
  const body = text.split('\n');
  let i = 1;
  while (i < body.length && body[i]!.trim() !== '') i++; // armor headers ("Hash: SHA256")
  const end = body.findIndex((l) => l.startsWith('-----BEGIN PGP SIGNATURE-----'));
  if (end < 0) throw new ReleaseError('InRelease has no signature block');
  // Dash-escaped lines ("- -----") are unescaped per RFC 4880 §7.1.
  return body
    .slice(i + 1, end)
    .map((l) => (l.startsWith('- ') ? l.slice(2) : l))
    .join('\n');
}

export function parseRelease(text: string): ReleaseFile {
  const lines = stripClearsign(text).split('\n');
  const out: ReleaseFile = { sha256: new Map() };
  let inSha = false;
  for (const line of lines) {
    if (/^\S/.test(line)) {
      const [k, ...v] = line.split(':');
      const value = v.join(':').trim();
      inSha = k === 'SHA256';
      if (k === 'Codename') out.codename = value;
      if (k === 'Suite') out.suite = value;
      if (k === 'Date') out.date = value;
      if (k === 'Acquire-By-Hash') out.acquireByHash = value === 'yes';
      continue;
    }
    if (!inSha) continue;
    const m = /^\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (m) out.sha256.set(m[3]!, { sha256: m[1]!, size: Number(m[2]) });
  }
  if (out.sha256.size === 0) throw new ReleaseError('Release file lists no SHA256 hashes');
  return out;
}
