/**
 * Debian archive access: suites ("sources"), their Release files and verified Packages indexes.
 *
 * Trust: every index is checked against the SHA256 list of the suite's InRelease/Release. The
 * OpenPGP signature of InRelease is not verified (no OpenPGP code in the dependency set), so the
 * committed lock's sha256 pins remain the real anchor; re-resolved packages are as trustworthy as
 * the HTTP path to the mirror.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareVersions, parseStanzas } from './control.ts';
import { decompress } from './decompress.ts';
import { sha256Hex } from './hash.ts';
import { httpGet, HttpNotFound } from './http.ts';
import { parseRelease, type ReleaseFile } from './release.ts';

export interface Source {
  /** Stable id written into the lock (e.g. "bookworm-security"); the URL is looked up at fetch time. */
  id: string;
  mirror: string;
  suite: string;
  component: string;
}

/** <codename>, -updates (deb.debian.org or DEBIAN_MIRROR) and -security (DEBIAN_SECURITY_MIRROR). */
export function debianSources(codename: string, env: NodeJS.ProcessEnv = process.env): Source[] {
  const main = (env.DEBIAN_MIRROR || 'http://deb.debian.org/debian').replace(/\/+$/, '');
  const sec = (env.DEBIAN_SECURITY_MIRROR || 'http://security.debian.org/debian-security').replace(/\/+$/, '');
  return [
    { id: codename, mirror: main, suite: codename, component: 'main' },
    { id: `${codename}-updates`, mirror: main, suite: `${codename}-updates`, component: 'main' },
    { id: `${codename}-security`, mirror: sec, suite: `${codename}-security`, component: 'main' },
  ];
}

export interface IndexPackage {
  name: string;
  version: string;
  architecture: string;
  filename: string;
  size: number;
  sha256: string;
  depends?: string;
  preDepends?: string;
  provides?: string;
  source: string;
}

class IndexError extends Error {}

type Log = (line: string) => void;

export async function fetchRelease(src: Source): Promise<ReleaseFile> {
  const base = `${src.mirror}/dists/${src.suite}`;
  try {
    return parseRelease((await httpGet(`${base}/InRelease`)).toString('utf8'));
  } catch (e) {
    if (!(e instanceof HttpNotFound)) throw e;
    return parseRelease((await httpGet(`${base}/Release`)).toString('utf8'));
  }
}

/** Downloads <component>/binary-<arch>/Packages.{xz,gz,} verified against the Release hash list. */
async function fetchPackagesIndex(
  src: Source,
  arch: string,
  opts: { cacheDir?: string; log?: Log } = {},
): Promise<IndexPackage[]> {
  const release = await fetchRelease(src);
  const stem = `${src.component}/binary-${arch}/Packages`;
  const pick = ['.xz', '.gz', ''].map((ext) => stem + ext).find((p) => release.sha256.has(p));
  if (!pick) throw new IndexError(`${src.id}: Release lists no ${stem}{.xz,.gz}`);
  const want = release.sha256.get(pick)!;
  const cached = opts.cacheDir ? join(opts.cacheDir, `${want.sha256}.index`) : undefined;
  let raw: Buffer | undefined = cached && existsSync(cached) ? readFileSync(cached) : undefined;
  if (!raw || sha256Hex(raw) !== want.sha256) {
    opts.log?.(`index  ${src.id} ${pick} (${(want.size / 1e6).toFixed(1)} MB)`);
    raw = await fetchIndexFile(src, pick, want.sha256, release.acquireByHash === true);
    const got = sha256Hex(raw);
    if (got !== want.sha256 || raw.length !== want.size) {
      throw new IndexError(
        `${src.id}: ${pick} does not match its Release entry (sha256 ${got}, ${raw.length} bytes; expected ${want.sha256}, ${want.size} bytes); refusing to use it`,
      );
    }
    if (cached) {
      mkdirSync(opts.cacheDir!, { recursive: true });
      writeFileSync(cached, raw);
    }
  }
  const text = (await decompress(raw, pick)).toString('utf8');
  return parseStanzas(text).flatMap((s) => {
    const name = s.Package;
    const sha256 = s.SHA256;
    if (!name || !s.Version || !s.Filename || !sha256) return [];
    return [
      {
        name,
        version: s.Version,
        architecture: s.Architecture ?? arch,
        filename: s.Filename,
        size: Number(s.Size ?? 0),
        sha256,
        depends: s.Depends,
        preDepends: s['Pre-Depends'],
        provides: s.Provides,
        source: src.id,
      },
    ];
  });
}

async function fetchIndexFile(src: Source, path: string, sha256: string, byHash: boolean): Promise<Buffer> {
  const base = `${src.mirror}/dists/${src.suite}`;
  if (byHash) {
    const dir = path.slice(0, path.lastIndexOf('/'));
    try {
      return await httpGet(`${base}/${dir}/by-hash/SHA256/${sha256}`);
    } catch (e) {
      if (!(e instanceof HttpNotFound)) throw e;
    }
  }
  return httpGet(`${base}/${path}`);
}

/** All sources' candidates for one architecture, by name; providers of virtual names alongside. */
export class PackageIndex {
  readonly byName = new Map<string, IndexPackage[]>();
  readonly providers = new Map<string, IndexPackage[]>();

  constructor(packages: IndexPackage[]) {
    for (const p of packages) {
      push(this.byName, p.name, p);
      for (const v of (p.provides ?? '').split(',')) {
        const n = v.trim().split(/[\s(:]/)[0];
        if (n) push(this.providers, n, p);
      }
    }
  }

  /** Highest version across sources (security and point updates win over the release). */
  best(name: string): IndexPackage | undefined {
    const c = this.byName.get(name);
    return c?.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
  }

  static async load(
    sources: Source[],
    arch: string,
    opts: { cacheDir?: string; log?: Log } = {},
  ): Promise<PackageIndex> {
    const all = await Promise.all(sources.map((s) => fetchPackagesIndex(s, arch, opts)));
    return new PackageIndex(all.flat());
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T) {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

export function poolUrl(sources: Source[], sourceId: string, filename: string): string {
  const src = sources.find((s) => s.id === sourceId) ?? sources[0];
  if (!src) throw new IndexError('no Debian sources configured');
  return `${src.mirror}/${filename}`;
}
