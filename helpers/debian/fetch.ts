/**
 * Fetches the .debs a lock pins, verified by sha256, cached by sha256. A pinned file that the
 * archive no longer has (404) is re-resolved from the current, Release-verified index: the new
 * choice is announced, verified against the index, and recorded in a local override lock.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareVersions, parseRelations } from './control.ts';
import { PackageIndex, poolUrl, type IndexPackage, type Source } from './archive.ts';
import { sha256Hex } from './hash.ts';
import { httpGet, HttpNotFound } from './http.ts';
import { readOverride, type Lock, type LockEntry, type LockOverride, writeOverride } from './lock.ts';

type Log = (line: string) => void;

interface FetchOptions {
  sources: Source[];
  /** Root cache directory (debs go to <cacheDir>/debs/<sha256>.deb). */
  cacheDir: string;
  /** The committed lock file: names the override written after a re-resolution. */
  lockFile: string;
  log?: Log;
  concurrency?: number;
}

export interface FetchedDeb {
  entry: LockEntry;
  file: string;
}

export class VerifyError extends Error {}
class FetchError extends Error {}

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

/** Checks bytes against a pin; the message names both hashes so a tampered mirror is obvious. */
export function verifyDeb(
  bytes: Buffer,
  e: Pick<LockEntry, 'name' | 'version' | 'sha256' | 'size'>,
  from: string,
): void {
  const got = sha256Hex(bytes);
  if (got !== e.sha256 || bytes.length !== e.size) {
    throw new VerifyError(
      `sha256 mismatch for ${e.name} ${e.version} from ${from}: expected ${e.sha256} (${e.size} bytes), got ${got} (${bytes.length} bytes); refusing to build from unverified bytes`,
    );
  }
}

export async function fetchLockedDebs(
  lock: Lock,
  arch: string,
  opts: FetchOptions,
): Promise<{ lock: Lock; debs: FetchedDeb[] }> {
  const log = opts.log ?? (() => {});
  const entries = lock.architectures[arch];
  if (!entries?.length) throw new FetchError(`the package lock has no packages for ${arch}`);
  const debDir = join(opts.cacheDir, 'debs');
  mkdirSync(debDir, { recursive: true });
  let index: Promise<PackageIndex> | undefined;
  const replaced: LockOverride['replaced'] = [];
  const known = new Set([...entries.map((e) => e.name), ...lock.deny]);

  const one = async (e: LockEntry): Promise<FetchedDeb> => {
    const file = join(debDir, `${e.sha256}.deb`);
    if (existsSync(file)) {
      const bytes = readFileSync(file);
      if (sha256Hex(bytes) === e.sha256) return { entry: e, file };
      unlinkSync(file); // a corrupt cache entry is refetched, never used
    }
    const url = poolUrl(opts.sources, e.source, e.filename);
    try {
      log(`fetch  ${e.name} ${e.version} ${arch} (${mb(e.size)})`);
      const bytes = await httpGet(url);
      verifyDeb(bytes, e, url);
      store(file, bytes);
      return { entry: e, file };
    } catch (err) {
      if (!(err instanceof HttpNotFound)) throw err;
    }
    index ??= PackageIndex.load(opts.sources, arch, { cacheDir: join(opts.cacheDir, 'debian', 'indexes'), log });
    const cand = pickReplacement(await index, e);
    log(
      `notice: pinned ${e.name} ${e.version} vanished from the archive; using ${cand.version} (sha256 ${cand.sha256}) from the current index`,
    );
    const next: LockEntry = {
      name: e.name,
      version: cand.version,
      architecture: cand.architecture,
      filename: cand.filename,
      size: cand.size,
      sha256: cand.sha256,
      source: cand.source,
    };
    const nurl = poolUrl(opts.sources, next.source, next.filename);
    const bytes = await httpGet(nurl);
    verifyDeb(bytes, next, nurl);
    const nfile = join(debDir, `${next.sha256}.deb`);
    store(nfile, bytes);
    for (const g of parseRelations(cand.preDepends).concat(parseRelations(cand.depends))) {
      if (!g.some((r) => known.has(r.name)))
        log(
          `warning: ${e.name} ${cand.version} depends on ${g.map((r) => r.name).join(' | ')}, which the lock lacks; run "lucid-harness fixtures lock"`,
        );
    }
    replaced.push({ arch, name: e.name, from: e.version, to: cand.version, sha256: cand.sha256 });
    return { entry: next, file: nfile };
  };

  const debs = await mapLimit(entries, opts.concurrency ?? 4, one);
  if (!replaced.length) return { lock, debs };

  const updated: Lock = { ...lock, architectures: { ...lock.architectures, [arch]: debs.map((d) => d.entry) } };
  const prev = readOverride(opts.cacheDir, opts.lockFile);
  const file = writeOverride(opts.cacheDir, opts.lockFile, {
    baseLockSha256: sha256Hex(readFileSync(opts.lockFile)),
    replaced: [
      ...(prev?.replaced ?? []).filter((r) => !replaced.some((n) => n.arch === r.arch && n.name === r.name)),
      ...replaced,
    ],
    lock: updated,
  });
  log(`notice: wrote the re-resolved lock to ${file}; the committed ${opts.lockFile} is unchanged`);
  return { lock: updated, debs };
}

function pickReplacement(index: PackageIndex, e: LockEntry): IndexPackage {
  const c = (index.byName.get(e.name) ?? []).filter((p) => p.architecture === e.architecture);
  if (!c.length) {
    throw new FetchError(
      `pinned ${e.name} ${e.version} vanished from the archive and the current index has no ${e.name} (${e.architecture}); run "lucid-harness fixtures lock"`,
    );
  }
  return c.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a));
}

function store(file: string, bytes: Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file); // atomic: a crash never leaves a half-written .deb under its sha
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
