// The harness's own tokens (contract §4): HS256 with contract.jwt.secret, claim user_id naming a user whose
// permissions the apps know (contract.flows.users). No other claim: permissions come from the user alone.
import type { Contract } from '../contract/schema.ts';
import { mintJwt, withBadSignature } from '../crypto/jwt.ts';

export interface FlowTokens {
  /** The full-access user (read, write, admin). */
  user: string;
  /** The read-only user. */
  readOnly: string;
  /** `user` with one signature byte flipped. */
  badSignature: string;
}

export async function flowTokens(contract: Contract, now = Date.now() / 1000): Promise<FlowTokens> {
  const { secret } = contract.jwt;
  const { full, readOnly } = contract.flows.users;
  // Long enough for an emulated run of every flow; short enough not to be a forever-token in a log.
  const opts = { expiresInSeconds: 4 * 3600, now };
  const [user, readOnlyToken] = await Promise.all([
    mintJwt({ user_id: full }, secret, opts),
    mintJwt({ user_id: readOnly }, secret, opts),
  ]);
  return { user, readOnly: readOnlyToken, badSignature: withBadSignature(user) };
}
