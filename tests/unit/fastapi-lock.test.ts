/**
 * The FastAPI lock (fixtures/fastapi) as tests/docker/fastapi-debian.test.ts relies on it: the twelve pure-Python
 * packages of Debian 12's FastAPI and uvicorn, the same .deb on both architectures, nothing the base already pins,
 * and what was left out said in `skipped`.
 */
import { describe, expect, test } from 'vitest';
import { readLock } from '../../helpers/debian/lock.ts';
import { LOCK_FILE as BASE_LOCK_FILE } from '../../fixtures/base/packages.ts';
import { FASTAPI_DENY, FASTAPI_LOCK_FILE, FASTAPI_ROOTS } from '../../fixtures/fastapi/packages.ts';

describe('FastAPI package lock', () => {
  const lock = readLock(FASTAPI_LOCK_FILE);
  const base = readLock(BASE_LOCK_FILE);

  test('pins the closure of fastapi and uvicorn: twelve Architecture: all packages, the same on both architectures', () => {
    const amd64 = lock.architectures['amd64'] ?? [];
    expect(amd64.map((e) => e.name)).toEqual([
      'python3-anyio',
      'python3-asgiref',
      'python3-click',
      'python3-fastapi',
      'python3-h11',
      'python3-idna',
      'python3-pydantic',
      'python3-sniffio',
      'python3-starlette',
      'python3-typing-extensions',
      'python3-uvicorn',
      'python3-wsproto',
    ]);
    for (const e of amd64) expect(e.architecture).toBe('all');
    expect(lock.architectures['arm64']).toEqual(amd64);
    expect(lock.roots).toEqual(FASTAPI_ROOTS);
    expect(lock.deny).toEqual(FASTAPI_DENY);
  });

  test('repeats nothing the base pins, denies nothing it locks, and skips only the interpreter and what Linux never imports', () => {
    const inBase = new Set(base.architectures['amd64']!.map((e) => e.name));
    for (const e of lock.architectures['amd64']!) {
      expect(inBase.has(e.name)).toBe(false);
      expect(lock.deny).not.toContain(e.name);
    }
    expect(lock.skipped.map((s) => s.dependency)).toEqual([
      'python3',
      'python3 (>= 3.7~)',
      'python3-colorama',
      'python3-importlib-metadata | python3 (>> 3.8)',
    ]);
  });
});
