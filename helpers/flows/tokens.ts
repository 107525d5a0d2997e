// The harness's own tokens (contract §4): HS256 with contract.jwt.secret, claim user_id naming a user whose
// permissions the apps know (contract.flows.users); and the ones the auth flow expects refused.
import type { Contract } from '../contract/schema.ts';
import { toBase64Url, utf8ToBytes } from '../crypto/bytes.ts';
import { mintJwt, mintUnsecuredJwt, withBadSignature } from '../crypto/jwt.ts';

export interface FlowTokens {
  /** The full-access user (read, write, admin). */
  user: string;
  /** The read-only user. */
  readOnly: string;
  /** The user with read and write, not admin. */
  writer: string;
  /** `user` with one signature byte flipped. */
  badSignature: string;
  /** `user`'s claims, unsigned: header alg "none", empty signature. */
  algNone: string;
  /** Not JWTs: one without dots, one with three parts that are not base64url JSON. */
  malformed: readonly string[];
  /** The read-only user with claims that would grant write if any claim but user_id counted (contract §4: none does). */
  readOnlyClaimingWrite: string;
}

export async function flowTokens(contract: Contract, now = Date.now() / 1000): Promise<FlowTokens> {
  const { secret } = contract.jwt;
  const { full, readOnly, write } = contract.flows.users;
  // Long enough for an emulated run of every flow; short enough not to be a forever-token in a log.
  const opts = { expiresInSeconds: 4 * 3600, now };
  const [user, readOnlyToken, writer, readOnlyClaimingWrite] = await Promise.all([
    mintJwt({ user_id: full }, secret, opts),
    mintJwt({ user_id: readOnly }, secret, opts),
    mintJwt({ user_id: write }, secret, opts),
    mintJwt(
      { user_id: readOnly, permissions: ['read', 'write', 'admin'], scope: 'write', scopes: ['write'], role: 'admin' },
      secret,
      opts,
    ),
  ]);
  // By hand: jose makes well-formed tokens only. A good header, then parts that do not decode.
  const header = toBase64Url(utf8ToBytes('{"alg":"HS256","typ":"JWT"}'));
  return {
    user,
    readOnly: readOnlyToken,
    writer,
    badSignature: withBadSignature(user),
    algNone: mintUnsecuredJwt({ user_id: full }, opts),
    malformed: ['not-a-jwt', `${header}.@@@.@@@`],
    readOnlyClaimingWrite,
  };
}
