import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyDeb } from '../../helpers/debian/fetch.ts';
import { formatLock, parseLock, readLock } from '../../helpers/debian/lock.ts';
import { ARCHITECTURES, DENY, LOCK_FILE, ROOTS } from '../../fixtures/base/packages.ts';

describe('the committed base package lock', () => {
  const lock = readLock(LOCK_FILE);

  it('pins every package for amd64 and arm64 with version, pool path, size and sha256', () => {
    for (const arch of ARCHITECTURES) {
      const entries = lock.architectures[arch]!;
      expect(entries.length).toBeGreaterThanOrEqual(30);
      for (const e of entries) {
        expect(e.filename).toMatch(new RegExp(`^pool/.*/${e.name.replace(/[+.]/g, '\\$&')}_.*_(${arch}|all)\\.deb$`));
        expect(['all', arch]).toContain(e.architecture);
      }
    }
  });

  it('holds the roots, none of the denied packages, and the same Architecture: all packages in both lists', () => {
    expect(lock.roots).toEqual(ROOTS);
    expect(lock.deny).toEqual(DENY);
    const [amd, arm] = ARCHITECTURES.map((a) => lock.architectures[a]!);
    for (const list of [amd!, arm!]) {
      const names = list.map((e) => e.name);
      for (const r of ROOTS) expect(names).toContain(r);
      for (const d of DENY) expect(names).not.toContain(d);
    }
    const all = (l: typeof amd) => l!.filter((e) => e.architecture === 'all').map((e) => JSON.stringify(e));
    expect(all(amd)).toEqual(all(arm));
    expect(all(amd).length).toBeGreaterThanOrEqual(4); // tzdata, netbase, media-types, ca-certificates, distutils
  });

  it('is stored in its canonical form (regenerating it changes only what the archive changed)', () => {
    expect(formatLock(lock)).toBe(readFileSync(LOCK_FILE, 'utf8'));
  });
});

describe('lock validation', () => {
  it('names the bad field', () => {
    const bad = {
      lockVersion: 1,
      distribution: 'bookworm',
      roots: [],
      deny: [],
      architectures: {
        amd64: [
          { name: 'x', version: '1', architecture: 'amd64', filename: 'x.deb', size: 1, sha256: 'ABC', source: 's' },
        ],
      },
    };
    expect(() => parseLock(JSON.stringify(bad), 'lock.json')).toThrow(
      /lock.json is not a valid package lock: architectures.amd64.0.filename: pool path.*architectures.amd64.0.sha256: 64 lower-case hex digits/,
    );
    expect(() => parseLock('{', 'lock.json')).toThrow(/lock.json is not valid JSON/);
  });

  it('refuses bytes that do not match a pin, naming both hashes', () => {
    const pin = { name: 'libc6', version: '2.36-9', sha256: 'f'.repeat(64), size: 3 };
    expect(() => verifyDeb(Buffer.from('abc'), pin, 'http://mirror/x.deb')).toThrow(
      /sha256 mismatch for libc6 2.36-9 from http:\/\/mirror\/x.deb: expected f{64} \(3 bytes\), got ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad \(3 bytes\); refusing to build from unverified bytes/,
    );
  });
});
