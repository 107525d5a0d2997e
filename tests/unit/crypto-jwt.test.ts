import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeJwt,
  mintBadSignatureJwt,
  mintJwt,
  mintUnsecuredJwt,
  verifyJwtSignature,
  withBadSignature,
} from '../../helpers/crypto/jwt.ts';

const SECRET = 'test-secret-key-for-lucid-harness';
const CLAIMS = { user_id: 'blockchain_user', scopes: ['read', 'write', 'admin'] };

/** Independent HS256 check with Node's built-in crypto: nothing shared with helpers/crypto. */
function nodeVerifies(token: string, secret: string): boolean {
  const [h, p, s] = token.split('.');
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return expected === s;
}

describe('mintJwt', () => {
  it('a token minted here verifies with node:crypto createHmac', async () => {
    const token = await mintJwt(CLAIMS, SECRET, { expiresInSeconds: 3600 });
    expect(nodeVerifies(token, SECRET)).toBe(true);
    expect(nodeVerifies(token, `${SECRET}x`)).toBe(false);
  });

  it('header {alg:HS256, typ:JWT}; payload = claims + iat (+ exp); base64url without padding', async () => {
    const token = await mintJwt(CLAIMS, SECRET, { now: 1_700_000_000.9, expiresInSeconds: 60 });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const { header, payload, signature } = decodeJwt(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ ...CLAIMS, iat: 1_700_000_000, exp: 1_700_000_060 });
    expect(signature).toHaveLength(32);
    expect(token.split('.')[0]).toBe(Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url'));
  });

  it('is deterministic for a fixed clock; no exp unless asked; explicit iat wins', async () => {
    const a = await mintJwt(CLAIMS, SECRET, { now: 1000 });
    expect(await mintJwt(CLAIMS, SECRET, { now: 1000 })).toBe(a);
    expect(decodeJwt(a).payload).not.toHaveProperty('exp');
    expect(decodeJwt(await mintJwt({ ...CLAIMS, iat: 5 }, SECRET, { now: 1000 })).payload['iat']).toBe(5);
  });

  it('uses the current time by default', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { payload } = decodeJwt(await mintJwt(CLAIMS, SECRET, { expiresInSeconds: 10 }));
    expect(payload['iat']).toBeGreaterThanOrEqual(before);
    expect(payload['exp']).toBe((payload['iat'] as number) + 10);
  });

  it('matches a known HS256 answer computed with node:crypto', async () => {
    const token = await mintJwt({ user_id: 'blockchain_user' }, 'k', { now: 0 });
    const signingInput = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"iat":0,"user_id":"blockchain_user"}').toString('base64url')}`;
    expect(token).toBe(`${signingInput}.${createHmac('sha256', 'k').update(signingInput).digest('base64url')}`);
  });

  it('accepts a byte secret', async () => {
    const key = new Uint8Array([1, 2, 3, 250]);
    const token = await mintJwt(CLAIMS, key, { now: 1 });
    const [h, p, s] = token.split('.');
    expect(createHmac('sha256', Buffer.from(key)).update(`${h}.${p}`).digest('base64url')).toBe(s);
    expect(await verifyJwtSignature(token, key)).toBe(true);
  });
});

describe('mintUnsecuredJwt', () => {
  it('header {alg:none}, the same payload as mintJwt, an empty signature that never verifies', async () => {
    const opts = { now: 1_700_000_000, expiresInSeconds: 60 };
    const token = mintUnsecuredJwt(CLAIMS, opts);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.$/);
    const { header, payload, signature } = decodeJwt(token);
    expect([header, payload, signature.length]).toEqual([
      { alg: 'none' },
      decodeJwt(await mintJwt(CLAIMS, SECRET, opts)).payload,
      0,
    ]);
    expect(await verifyJwtSignature(token, SECRET)).toBe(false);
  });
});

describe('verifyJwtSignature', () => {
  it('true for the right secret, false for a wrong one, a malformed token or another alg', async () => {
    const token = await mintJwt(CLAIMS, SECRET);
    expect(await verifyJwtSignature(token, SECRET)).toBe(true);
    expect(await verifyJwtSignature(token, 'other')).toBe(false);
    expect(await verifyJwtSignature('a.b', SECRET)).toBe(false);
    const [, p, s] = token.split('.');
    // By hand: jose's UnsecuredJWT writes alg none with an empty signature, not with this HS256 one.
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.${s}`;
    expect(await verifyJwtSignature(none, SECRET)).toBe(false);
  });
});

describe('bad-signature tokens', () => {
  it('keep header and payload, and fail both verifiers', async () => {
    const good = await mintJwt(CLAIMS, SECRET, { now: 42 });
    const bad = withBadSignature(good);
    expect(bad).not.toBe(good);
    expect(bad.split('.').slice(0, 2)).toEqual(good.split('.').slice(0, 2));
    expect(decodeJwt(bad).payload).toEqual(decodeJwt(good).payload);
    expect(nodeVerifies(bad, SECRET)).toBe(false);
    expect(await verifyJwtSignature(bad, SECRET)).toBe(false);
    expect(decodeJwt(bad).signature).toHaveLength(32);
  });

  it('mintBadSignatureJwt is the shortcut', async () => {
    const bad = await mintBadSignatureJwt(CLAIMS, SECRET, { now: 42 });
    expect(bad).toBe(withBadSignature(await mintJwt(CLAIMS, SECRET, { now: 42 })));
    expect(nodeVerifies(bad, SECRET)).toBe(false);
  });

  it('refuses a token with no signature to spoil', async () => {
    const [h, p] = (await mintJwt(CLAIMS, SECRET)).split('.');
    expect(() => withBadSignature(`${h}.${p}.`)).toThrow(/no signature/);
  });
});

describe('decodeJwt', () => {
  it('throws on malformed tokens', () => {
    expect(() => decodeJwt('abc')).toThrow(/3 parts/);
    expect(() => decodeJwt('a.b.c.d')).toThrow(/3 parts/);
    expect(() => decodeJwt('!!.e30.')).toThrow(/base64url/);
    expect(() => decodeJwt(`${Buffer.from('[1]').toString('base64url')}.e30.`)).toThrow(/header is not an object/);
    expect(() => decodeJwt(`e30.${Buffer.from('nope').toString('base64url')}.`)).toThrow(SyntaxError);
  });
});
