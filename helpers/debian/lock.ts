/**
 * The package lock: per architecture, the exact .deb files (pool path, size, sha256) a build uses.
 * The committed lock is only ever rewritten by `fixtures lock`; when the archive has dropped a
 * pinned version, the re-resolved lock goes to a local override file in the cache instead.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../contract/load.ts';
import { sha256Hex } from './hash.ts';

const LockEntrySchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  architecture: z.string().min(1),
  filename: z.string().regex(/^pool\//, { message: 'pool path such as pool/main/b/base-files/...' }),
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, { message: '64 lower-case hex digits' }),
  /** Which source (suite) serves it, e.g. "bookworm-security". */
  source: z.string().min(1),
});
export type LockEntry = z.infer<typeof LockEntrySchema>;

const LockSchema = z.object({
  _comment: z.string().optional(),
  lockVersion: z.literal(1),
  distribution: z.string().min(1),
  roots: z.array(z.string()),
  deny: z.array(z.string()),
  skipped: z.array(z.object({ dependency: z.string(), neededBy: z.array(z.string()) })).default([]),
  /** Release "Date" of each source when the lock was made: which archive state it reflects. */
  sources: z.record(z.string(), z.string()).default({}),
  architectures: z.record(z.string(), z.array(LockEntrySchema)),
});
export type Lock = z.infer<typeof LockSchema>;

class LockError extends Error {}

export function parseLock(text: string, where: string): Lock {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new LockError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
  const r = LockSchema.safeParse(data);
  if (!r.success) throw new LockError(`${where} is not a valid package lock: ${formatIssues(r.error.issues)}`);
  return r.data;
}

export function readLock(file: string): Lock {
  if (!existsSync(file)) throw new LockError(`package lock not found: ${file} (run: lucid-harness fixtures lock)`);
  return parseLock(readFileSync(file, 'utf8'), file);
}

/** Stable, diff-friendly text: top-level keys in schema order, one array element (package) per line. */
export function formatLock(lock: Lock): string {
  const list = (a: unknown[], ind: string) =>
    a.length ? `[\n${a.map((x) => `${ind}  ${JSON.stringify(x)}`).join(',\n')}\n${ind}]` : '[]';
  const value = (v: unknown, ind: string): string => {
    if (Array.isArray(v)) return list(v, ind);
    if (v && typeof v === 'object') {
      const kv = Object.entries(v).filter(([, x]) => x !== undefined);
      return `{\n${kv.map(([k, x]) => `${ind}  ${JSON.stringify(k)}: ${value(x, `${ind}  `)}`).join(',\n')}\n${ind}}`;
    }
    return JSON.stringify(v);
  };
  const ordered: Record<string, unknown> = Object.fromEntries(
    Object.keys(LockSchema.shape).map((k) => [k, lock[k as keyof Lock]]),
  );
  ordered.architectures = Object.fromEntries(
    Object.keys(lock.architectures)
      .sort()
      .map((a) => [a, lock.architectures[a]]),
  );
  return value(ordered, '') + '\n';
}

export function writeLock(file: string, lock: Lock): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, formatLock(lock));
}

export interface LockOverride {
  /** sha256 of the committed lock file it replaces; stale overrides are ignored. */
  baseLockSha256: string;
  replaced: { arch: string; name: string; from: string; to: string; sha256: string }[];
  lock: Lock;
}

export const overrideFile = (cacheDir: string, lockFile: string) =>
  join(cacheDir, 'debian', basename(lockFile).replace(/\.json$/, '') + '.override.json');

/** The cache's override for these exact committed-lock bytes, if any (stale or broken ones are ignored). */
export function readOverride(
  cacheDir: string,
  lockFile: string,
  log: (l: string) => void = () => {},
): LockOverride | undefined {
  const ov = overrideFile(cacheDir, lockFile);
  if (!existsSync(ov) || !existsSync(lockFile)) return undefined;
  let o: LockOverride;
  try {
    o = JSON.parse(readFileSync(ov, 'utf8')) as LockOverride;
    o.lock = parseLock(JSON.stringify(o.lock), ov);
  } catch (e) {
    log(`notice: ignoring unreadable lock override ${ov}: ${(e as Error).message}`);
    return undefined;
  }
  if (o.baseLockSha256 !== sha256Hex(readFileSync(lockFile))) {
    log(`notice: ignoring lock override ${ov}: it was made for a different ${basename(lockFile)}`);
    return undefined;
  }
  return o;
}

/** The committed lock, or the cache's override of it when one exists for these exact bytes. */
export function effectiveLock(lockFile: string, cacheDir: string, log: (l: string) => void = () => {}): Lock {
  const committed = readLock(lockFile);
  const o = readOverride(cacheDir, lockFile, log);
  if (!o) return committed;
  log(
    `notice: using local lock override ${overrideFile(cacheDir, lockFile)} (${o.replaced.map((r) => `${r.name}:${r.arch} ${r.from} -> ${r.to}`).join(', ')}); ` +
      `run "lucid-harness fixtures lock" to refresh the committed lock`,
  );
  return o.lock;
}

export function writeOverride(cacheDir: string, lockFile: string, o: LockOverride): string {
  const file = overrideFile(cacheDir, lockFile);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(o, null, 2) + '\n');
  return file;
}
