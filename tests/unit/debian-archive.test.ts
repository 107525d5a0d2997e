/**
 * The archive paths against a mini Debian archive served from 127.0.0.1 by the test itself:
 * pinned fetch, the vanished-version re-resolution, and every way bytes can fail verification.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { debianSources, type Source } from '../../helpers/debian/archive.ts';
import { readDeb } from '../../helpers/debian/deb.ts';
import { fetchLockedDebs, VerifyError } from '../../helpers/debian/fetch.ts';
import { effectiveLock, formatLock, overrideFile, type Lock, type LockEntry } from '../../helpers/debian/lock.ts';
import { makeDeb, xzStore } from '../support/debian-testkit.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const files = new Map<string, Buffer>();
const requests: string[] = [];
let server: Server;
let source: Source;

const file = (path: string, text: string) => ({
  path,
  type: 'file' as const,
  mode: 0o644,
  uid: 0,
  gid: 0,
  data: Buffer.from(text),
});
const entry = (name: string, version: string, deb: Buffer): LockEntry => ({
  name,
  version,
  architecture: 'all',
  filename: `pool/main/${name[0]}/${name}/${name}_${version}_all.deb`,
  size: deb.length,
  sha256: sha(deb),
  source: 'mini',
});
const stanza = (e: LockEntry, depends?: string) =>
  [
    `Package: ${e.name}`,
    `Version: ${e.version}`,
    'Architecture: all',
    ...(depends ? [`Depends: ${depends}`] : []),
    `Filename: ${e.filename}`,
    `Size: ${e.size}`,
    `SHA256: ${e.sha256}`,
    'Description: x',
    '',
  ].join('\n');

let demoOld: Buffer, demoNew: Buffer, keep: Buffer;
let oldE: LockEntry, newE: LockEntry, keepE: LockEntry;

/** Serves Packages.<ext> for the current package set, with a Release that lists it. */
function publishIndex(kind: 'xz' | 'gz', tamper = false) {
  for (const k of [...files.keys()]) if (k.includes('/dists/')) files.delete(k);
  const text = Buffer.from([stanza(keepE), stanza(newE, 'keep (>= 2.0)')].join('\n'));
  const packed = kind === 'xz' ? xzStore(text) : gzipSync(text);
  const path = `main/binary-amd64/Packages.${kind}`;
  const release = [
    'Origin: test',
    'Codename: bookworm',
    'Date: Thu, 01 Jan 2026 00:00:00 UTC',
    'SHA256:',
    ` ${sha(packed)} ${packed.length} ${path}`,
    '',
  ].join('\n');
  files.set(`/debian/dists/bookworm/${path}`, tamper ? Buffer.concat([packed, Buffer.from('x')]) : packed);
  // xz: clearsigned InRelease like the real archive (the signature itself is not checked);
  // gz: only a plain Release, which older or minimal mirrors serve.
  if (kind === 'gz') files.set('/debian/dists/bookworm/Release', Buffer.from(release));
  else
    files.set(
      '/debian/dists/bookworm/InRelease',
      Buffer.from(
        `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n${release}-----BEGIN PGP SIGNATURE-----\nAAAA\n-----END PGP SIGNATURE-----\n`,
      ),
    );
}

beforeAll(async () => {
  demoOld = await makeDeb({ name: 'demo', version: '1.0-1', files: [file('usr/share/demo/v', '1.0-1\n')] });
  demoNew = await makeDeb({ name: 'demo', version: '1.0-2', files: [file('usr/share/demo/v', '1.0-2\n')] });
  keep = await makeDeb({
    name: 'keep',
    version: '2.0-1',
    compression: 'gzip',
    files: [file('usr/share/keep/v', 'keep\n')],
  });
  [oldE, newE, keepE] = [
    entry('demo', '1.0-1', demoOld),
    entry('demo', '1.0-2', demoNew),
    entry('keep', '2.0-1', keep),
  ];
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files.get(req.url ?? '');
    res.writeHead(body ? 200 : 404).end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  source = { id: 'mini', mirror: `http://127.0.0.1:${port}/debian`, suite: 'bookworm', component: 'main' };
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let dir: string;
let lockFile: string;
let lines: string[];
const log = (l: string) => lines.push(l);
const lockOf = (entries: LockEntry[]): Lock => ({
  lockVersion: 1,
  distribution: 'bookworm',
  roots: ['demo', 'keep'],
  deny: [],
  skipped: [],
  sources: {},
  architectures: { amd64: entries },
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lucid-archive-'));
  lockFile = join(dir, 'debian-packages.lock.json');
  lines = [];
  requests.length = 0;
  files.clear();
  // The archive has moved on: demo 1.0-1 is gone, 1.0-2 replaced it.
  files.set(`/debian/${newE.filename}`, demoNew);
  files.set(`/debian/${keepE.filename}`, keep);
});

describe('pinned fetch', () => {
  it('downloads, verifies and caches by sha256', async () => {
    const lock = lockOf([keepE]);
    writeFileSync(lockFile, formatLock(lock));
    const r = await fetchLockedDebs(lock, 'amd64', { sources: [source], cacheDir: dir, lockFile, log });
    expect(r.debs[0]!.file).toBe(join(dir, 'debs', `${keepE.sha256}.deb`));
    expect((await readDeb(readFileSync(r.debs[0]!.file))).entries.at(-1)!.data!.toString()).toBe('keep\n');
    requests.length = 0;
    await fetchLockedDebs(lock, 'amd64', { sources: [source], cacheDir: dir, lockFile, log });
    expect(requests).toEqual([]); // warm: nothing fetched
  });

  it('refuses bytes whose sha256 differs from the lock, and never falls back to the index', async () => {
    files.set(`/debian/${keepE.filename}`, Buffer.concat([keep.subarray(0, -1), Buffer.from('!')]));
    const lock = lockOf([keepE]);
    writeFileSync(lockFile, formatLock(lock));
    const p = fetchLockedDebs(lock, 'amd64', { sources: [source], cacheDir: dir, lockFile, log });
    await expect(p).rejects.toThrow(VerifyError);
    await expect(p).rejects.toThrow(
      new RegExp(`sha256 mismatch for keep 2.0-1 .*expected ${keepE.sha256}.*refusing to build from unverified bytes`),
    );
    expect(requests.some((u) => u.includes('/dists/'))).toBe(false);
    expect(existsSync(join(dir, 'debs', `${keepE.sha256}.deb`))).toBe(false);
  });

  it('replaces a corrupt cache entry instead of using it', async () => {
    const lock = lockOf([keepE]);
    writeFileSync(lockFile, formatLock(lock));
    await fetchLockedDebs(lock, 'amd64', { sources: [source], cacheDir: dir, lockFile, log });
    writeFileSync(join(dir, 'debs', `${keepE.sha256}.deb`), 'rotten');
    const r = await fetchLockedDebs(lock, 'amd64', { sources: [source], cacheDir: dir, lockFile, log });
    expect(sha(readFileSync(r.debs[0]!.file))).toBe(keepE.sha256);
  });
});

describe('a pinned version that vanished from the archive', () => {
  for (const kind of ['xz', 'gz'] as const) {
    it(`is re-resolved from the ${kind === 'xz' ? 'InRelease' : 'Release'}-verified Packages.${kind}, announced, and written to a local override`, async () => {
      publishIndex(kind);
      const lock = lockOf([keepE, oldE]);
      const committed = formatLock(lock);
      writeFileSync(lockFile, committed);
      const r = await fetchLockedDebs(lock, 'amd64', { sources: [source], cacheDir: dir, lockFile, log });

      expect(requests).toContain(`/debian/dists/bookworm/main/binary-amd64/Packages.${kind}`);
      expect(lines).toContain(
        `notice: pinned demo 1.0-1 vanished from the archive; using 1.0-2 (sha256 ${newE.sha256}) from the current index`,
      );
      expect(r.lock.architectures.amd64!.find((e) => e.name === 'demo')).toEqual(newE);
      expect((await readDeb(readFileSync(r.debs[1]!.file))).entries.at(-1)!.data!.toString()).toBe('1.0-2\n');
      expect(readFileSync(lockFile, 'utf8')).toBe(committed); // the committed lock is untouched
      const ov = JSON.parse(readFileSync(overrideFile(dir, lockFile), 'utf8'));
      expect(ov.replaced).toEqual([{ arch: 'amd64', name: 'demo', from: '1.0-1', to: '1.0-2', sha256: newE.sha256 }]);

      // Next build: the override is picked up, with a notice.
      lines = [];
      expect(effectiveLock(lockFile, dir, log).architectures.amd64).toEqual([keepE, newE]);
      expect(lines.join('\n')).toMatch(/using local lock override .*demo:amd64 1.0-1 -> 1.0-2/);
      // A changed committed lock makes the override stale.
      writeFileSync(lockFile, formatLock(lockOf([keepE])));
      expect(effectiveLock(lockFile, dir, log).architectures.amd64).toEqual([keepE]);
    });
  }

  it('refuses an index that does not match the Release hash', async () => {
    publishIndex('xz', true);
    const lock = lockOf([oldE]);
    writeFileSync(lockFile, formatLock(lock));
    await expect(fetchLockedDebs(lock, 'amd64', { sources: [source], cacheDir: dir, lockFile, log })).rejects.toThrow(
      /Packages.xz does not match its Release entry .*refusing to use it/,
    );
    expect(existsSync(overrideFile(dir, lockFile))).toBe(false);
  });

  it('refuses a replacement whose bytes do not match the index', async () => {
    publishIndex('xz');
    files.set(`/debian/${newE.filename}`, demoOld);
    const lock = lockOf([oldE]);
    writeFileSync(lockFile, formatLock(lock));
    await expect(fetchLockedDebs(lock, 'amd64', { sources: [source], cacheDir: dir, lockFile, log })).rejects.toThrow(
      /sha256 mismatch for demo 1.0-2/,
    );
    expect(existsSync(overrideFile(dir, lockFile))).toBe(false);
  });

  it('fails with a clear message when the package is gone entirely', async () => {
    publishIndex('xz');
    const gone = { ...oldE, name: 'gone', filename: 'pool/main/g/gone/gone_1_all.deb' };
    const lock = lockOf([gone]);
    writeFileSync(lockFile, formatLock(lock));
    await expect(fetchLockedDebs(lock, 'amd64', { sources: [source], cacheDir: dir, lockFile, log })).rejects.toThrow(
      /pinned gone 1.0-1 vanished from the archive and the current index has no gone/,
    );
  });
});

describe('mirror configuration', () => {
  it('honours DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR', () => {
    const s = debianSources('bookworm', {
      DEBIAN_MIRROR: 'http://mirror.example/debian/',
      DEBIAN_SECURITY_MIRROR: 'http://sec.example/ds',
    });
    expect(s.map((x) => `${x.id} ${x.mirror}`)).toEqual([
      'bookworm http://mirror.example/debian',
      'bookworm-updates http://mirror.example/debian',
      'bookworm-security http://sec.example/ds',
    ]);
    expect(debianSources('bookworm', {})[0]!.mirror).toBe('http://deb.debian.org/debian');
  });
});
