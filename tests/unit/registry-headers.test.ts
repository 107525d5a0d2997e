import { describe, expect, test } from 'vitest';
import { parseLinkNext, parseRetryAfter, parseWwwAuthenticate } from '../../helpers/registry/headers.ts';
import { backoffSchedule, DEFAULT_RETRY, rateLimitDelay } from '../../helpers/registry/retry.ts';

describe('WWW-Authenticate', () => {
  test("Docker Hub's bearer challenge", () => {
    const h =
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:pickme/lucid-data-chain:pull"';
    expect(parseWwwAuthenticate(h)).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:pickme/lucid-data-chain:pull',
        },
      },
    ]);
  });
  test("distribution's basic challenge", () =>
    expect(parseWwwAuthenticate('Basic realm="lucid-harness"')).toEqual([
      { scheme: 'basic', params: { realm: 'lucid-harness' } },
    ]));
  test('several challenges in one header, spaces after commas, parameter names case-insensitive', () => {
    const got = parseWwwAuthenticate(
      'Basic Realm="a, b", Bearer realm="https://t/x", service=reg, error="insufficient_scope"',
    );
    expect(got).toEqual([
      { scheme: 'basic', params: { realm: 'a, b' } },
      { scheme: 'bearer', params: { realm: 'https://t/x', service: 'reg', error: 'insufficient_scope' } },
    ]);
  });
  test('escaped quotes in a quoted value; a scope with several actions', () => {
    expect(
      parseWwwAuthenticate('Bearer realm="r\\"q",scope="repository:a/b:pull,push repository:c:pull"')[0]!.params,
    ).toEqual({ realm: 'r"q', scope: 'repository:a/b:pull,push repository:c:pull' });
  });
  test('a token68 credential is skipped, several headers are read in order', () => {
    expect(parseWwwAuthenticate(['Negotiate abc==', 'Bearer realm="x"']).map((c) => c.scheme)).toEqual([
      'negotiate',
      'bearer',
    ]);
  });
  test('absent or empty header → no challenge', () => {
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(parseWwwAuthenticate('')).toEqual([]);
  });
});

describe('Link rel="next"', () => {
  const base = 'http://127.0.0.1:5000/v2/pickme/lucid-x/tags/list?n=2';
  test('a path (what distribution sends) resolves against the request URL', () => {
    expect(parseLinkNext('</v2/pickme/lucid-x/tags/list?last=b&n=2>; rel="next"', base)).toBe(
      'http://127.0.0.1:5000/v2/pickme/lucid-x/tags/list?last=b&n=2',
    );
  });
  test('an absolute URL, unquoted rel, other links around it', () => {
    expect(parseLinkNext('<https://a/prev>; rel=prev, <https://a/next?last=z>; rel=next; title="x"', base)).toBe(
      'https://a/next?last=z',
    );
  });
  test('rel with several values', () =>
    expect(parseLinkNext('</v2/n>; rel="last next"', base)).toBe('http://127.0.0.1:5000/v2/n'));
  test('no next link → undefined', () => {
    expect(parseLinkNext(undefined, base)).toBeUndefined();
    expect(parseLinkNext('<https://a/prev>; rel="prev"', base)).toBeUndefined();
  });
});

describe('Retry-After and backoff', () => {
  test('delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    const now = Date.parse('Fri, 27 Nov 2026 08:00:00 GMT');
    expect(parseRetryAfter('Fri, 27 Nov 2026 08:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 07:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
  test('exponential, capped, bounded: attempts − 1 delays', () => {
    expect(backoffSchedule(DEFAULT_RETRY)).toEqual([500, 1000, 2000, 4000]);
    expect(backoffSchedule({ attempts: 7, baseMs: 1000, maxMs: 5000 })).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
    expect(backoffSchedule({ attempts: 1, baseMs: 1000, maxMs: 5000 })).toEqual([]);
  });
  test('429: Retry-After wins over the schedule (even when longer), up to a cap; no tries left → undefined', () => {
    expect(rateLimitDelay(DEFAULT_RETRY, 0, undefined)).toBe(500);
    expect(rateLimitDelay(DEFAULT_RETRY, 2, 100)).toBe(100);
    expect(rateLimitDelay(DEFAULT_RETRY, 0, 20_000)).toBe(20_000);
    expect(rateLimitDelay(DEFAULT_RETRY, 0, 3_600_000)).toBeUndefined();
    expect(rateLimitDelay(DEFAULT_RETRY, 4, 1)).toBeUndefined();
  });
});
