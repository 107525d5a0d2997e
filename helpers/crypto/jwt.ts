// HS256 JWTs for the blockchain apps' `Authorization: Bearer` (contract §4: keyed with SECRET_KEY,
// claim user_id). Signed and verified with jose; only the deliberately broken token is made by hand.
import { compactVerify, SignJWT, UnsecuredJWT } from 'jose';
import { fromBase64Url, toBase64Url, utf8ToBytes } from './bytes.ts';

type JwtClaims = Record<string, unknown>;

interface MintJwtOptions {
  /** Adds `exp` = iat + this many seconds. Without it the token has no expiry. */
  expiresInSeconds?: number;
  /** Unix seconds used for `iat` (default: now); fixes the clock for reproducible tokens. */
  now?: number;
}

interface DecodedJwt {
  header: Record<string, unknown>;
  payload: JwtClaims;
  /** `header.payload` as sent: the exact bytes the signature covers. */
  signingInput: string;
  signature: Uint8Array;
}

const HEADER = { alg: 'HS256', typ: 'JWT' } as const;

const keyBytes = (secret: string | Uint8Array): Uint8Array =>
  typeof secret === 'string' ? utf8ToBytes(secret) : secret;

/**
 * A signed token: header {alg:'HS256', typ:'JWT'}, payload = claims plus `iat` (whole seconds; an
 * explicit claim wins) and `exp` when expiresInSeconds is given. A string secret is used as UTF-8.
 */
export async function mintJwt(
  claims: JwtClaims,
  secret: string | Uint8Array,
  options: MintJwtOptions = {},
): Promise<string> {
  const iat = Math.floor(options.now ?? Date.now() / 1000);
  // iat in the initial claims set, not setIssuedAt: an explicit iat claim still wins, and iat stays the
  // payload's first member (the same bytes as the tokens minted before jose).
  const jwt = new SignJWT({ iat, ...claims }).setProtectedHeader(HEADER);
  if (options.expiresInSeconds !== undefined) jwt.setExpirationTime(iat + Math.floor(options.expiresInSeconds));
  return jwt.sign(keyBytes(secret));
}

/** An unsecured token (header {alg:'none'}, empty signature) with the same claims mintJwt would sign. */
export function mintUnsecuredJwt(claims: JwtClaims, options: MintJwtOptions = {}): string {
  const iat = Math.floor(options.now ?? Date.now() / 1000);
  const jwt = new UnsecuredJWT({ iat, ...claims });
  if (options.expiresInSeconds !== undefined) jwt.setExpirationTime(iat + Math.floor(options.expiresInSeconds));
  return jwt.encode();
}

/** Splits and parses a compact JWS for inspection; does not check the signature. Throws if malformed. */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new SyntaxError(`JWT must have 3 parts, has ${parts.length}`);
  const [h, p, s] = parts as [string, string, string];
  const parse = (part: string, what: string): Record<string, unknown> => {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(part)));
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new SyntaxError(`JWT ${what} is not an object`);
    return value as Record<string, unknown>;
  };
  return {
    header: parse(h, 'header'),
    payload: parse(p, 'payload'),
    signingInput: `${h}.${p}`,
    signature: fromBase64Url(s),
  };
}

/** True when the token is HS256 and its signature matches `secret`. Claims (exp, …) are not checked. */
export async function verifyJwtSignature(token: string, secret: string | Uint8Array): Promise<boolean> {
  try {
    await compactVerify(token, keyBytes(secret), { algorithms: ['HS256'] });
    return true;
  } catch {
    return false;
  }
}

/**
 * The same token with a wrong signature, by hand: jose signs correctly or not at all. A byte of the
 * *decoded* signature is flipped and re-encoded: editing the last base64url character instead may only
 * touch padding bits that decoders ignore (32 bytes → 43 chars carry 2 spare bits), leaving a token that
 * still verifies.
 */
export function withBadSignature(token: string): string {
  const { signingInput, signature } = decodeJwt(token);
  if (signature.length === 0) throw new RangeError('withBadSignature: token has no signature to spoil');
  const bad = Uint8Array.from(signature);
  bad[0] = bad[0]! ^ 0x01;
  return `${signingInput}.${toBase64Url(bad)}`;
}

/** Shortcut: a token with the right claims and header but a signature that does not verify. */
export async function mintBadSignatureJwt(
  claims: JwtClaims,
  secret: string | Uint8Array,
  options: MintJwtOptions = {},
): Promise<string> {
  return withBadSignature(await mintJwt(claims, secret, options));
}
