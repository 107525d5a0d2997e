// HS256 JWTs for the blockchain apps' `Authorization: Bearer` (contract §4: keyed with SECRET_KEY,
// claim user_id). Minted here so the harness needs no JWT library and controls every byte.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toBase64Url, utf8ToBytes } from './bytes.ts';

export type JwtClaims = Record<string, unknown>;

export interface MintJwtOptions {
  /** Adds `exp` = iat + this many seconds. Without it the token has no expiry. */
  expiresInSeconds?: number;
  /** Unix seconds used for `iat` (default: now); fixes the clock for reproducible tokens. */
  now?: number;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: JwtClaims;
  /** `header.payload` as sent: the exact bytes the signature covers. */
  signingInput: string;
  signature: Uint8Array;
}

const HEADER = { alg: 'HS256', typ: 'JWT' } as const;

const keyBytes = (secret: string | Uint8Array): Uint8Array => (typeof secret === 'string' ? utf8ToBytes(secret) : secret);
const encodePart = (value: unknown): string => toBase64Url(utf8ToBytes(JSON.stringify(value)));
const sign = (input: string, secret: string | Uint8Array): Uint8Array => hmac(sha256, keyBytes(secret), utf8ToBytes(input));

/**
 * A signed token: header {alg:'HS256', typ:'JWT'}, payload = claims plus `iat` (whole seconds; an
 * explicit claim wins) and `exp` when expiresInSeconds is given. A string secret is used as UTF-8.
 */
export function mintJwt(claims: JwtClaims, secret: string | Uint8Array, options: MintJwtOptions = {}): string {
  const iat = Math.floor(options.now ?? Date.now() / 1000);
  const payload: JwtClaims = { iat, ...claims };
  if (options.expiresInSeconds !== undefined) payload['exp'] = iat + Math.floor(options.expiresInSeconds);
  const signingInput = `${encodePart(HEADER)}.${encodePart(payload)}`;
  return `${signingInput}.${toBase64Url(sign(signingInput, secret))}`;
}

/** Splits and parses a compact JWS for inspection; does not check the signature. Throws if malformed. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new SyntaxError(`JWT must have 3 parts, has ${parts.length}`);
  const [h, p, s] = parts as [string, string, string];
  const parse = (part: string, what: string): Record<string, unknown> => {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(part)));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SyntaxError(`JWT ${what} is not an object`);
    return value as Record<string, unknown>;
  };
  return { header: parse(h, 'header'), payload: parse(p, 'payload'), signingInput: `${h}.${p}`, signature: fromBase64Url(s) };
}

/** True when the token is HS256 and its signature matches `secret` (constant-time compare). */
export function verifyJwtSignature(token: string, secret: string | Uint8Array): boolean {
  let decoded: DecodedJwt;
  try {
    decoded = decodeJwt(token);
  } catch {
    return false;
  }
  if (decoded.header['alg'] !== 'HS256') return false;
  const expected = sign(decoded.signingInput, secret);
  if (expected.length !== decoded.signature.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ decoded.signature[i]!;
  return diff === 0;
}

/**
 * The same token with a wrong signature. A byte of the *decoded* signature is flipped and re-encoded:
 * editing the last base64url character instead may only touch padding bits that decoders ignore
 * (32 bytes → 43 chars carry 2 spare bits), leaving a token that still verifies.
 */
export function withBadSignature(token: string): string {
  const { signingInput, signature } = decodeJwt(token);
  if (signature.length === 0) throw new RangeError('withBadSignature: token has no signature to spoil');
  const bad = Uint8Array.from(signature);
  bad[0] = bad[0]! ^ 0x01;
  return `${signingInput}.${toBase64Url(bad)}`;
}

/** Shortcut: a token with the right claims and header but a signature that does not verify. */
export function mintBadSignatureJwt(claims: JwtClaims, secret: string | Uint8Array, options: MintJwtOptions = {}): string {
  return withBadSignature(mintJwt(claims, secret, options));
}
