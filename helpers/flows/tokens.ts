// The harness's own tokens (contract §4): HS256 with contract.jwt.secret, claim user_id = jwt.userId.
import type { Contract } from '../contract/schema.ts';
import { mintJwt, withBadSignature } from '../crypto/index.ts';

export interface FlowTokens {
  /** The contract user: read, write and admin. */
  user: string;
  /** The same user limited by `permissions: ["read"]`. */
  readOnly: string;
  /** `user` with one signature byte flipped. */
  badSignature: string;
}

export function flowTokens(contract: Contract, now = Date.now() / 1000): FlowTokens {
  const { secret, userId } = contract.jwt;
  // Long enough for an emulated run of every flow; short enough not to be a forever-token in a log.
  const opts = { expiresInSeconds: 4 * 3600, now };
  const user = mintJwt({ user_id: userId }, secret, opts);
  return { user, readOnly: mintJwt({ user_id: userId, permissions: ['read'] }, secret, opts), badSignature: withBadSignature(user) };
}
