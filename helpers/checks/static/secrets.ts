import type { Finding } from '../../model/finding.ts';
import {
  allowList,
  assignmentsIn,
  optionsIn,
  secretAssignment,
  secretsInText,
  type SecretHit,
} from '../../facts/secret-scan.ts';
import { jwkHits } from '../../facts/secret-formats.ts';
import type { StaticCheck } from './types.ts';

export const NO_SECRETS = 'no-secrets';

/** Env values and history lines must carry no credentials; a hit is shown masked, with the field it is in. */
export const checkNoSecrets: StaticCheck = (facts, contract) => {
  const allowed = allowList(contract.secrets.allow);
  const out: Finding[] = [];
  const seen = new Set<string>();
  const report = (where: string, hits: (SecretHit | undefined)[]) => {
    for (const h of hits) {
      if (!h || allowed(h.secret) || seen.has(`${where}\0${h.secret}`)) continue;
      seen.add(`${where}\0${h.secret}`);
      out.push({
        check: NO_SECRETS,
        expected: 'no password, token or private key baked into the image',
        seen: `${where} carries ${h.kind}: ${h.shown}`,
        where: `image config: ${where}`,
      });
    }
  };
  for (const kv of facts.config.Env) {
    const eq = kv.indexOf('=');
    const name = eq < 0 ? kv : kv.slice(0, eq);
    const value = eq < 0 ? '' : kv.slice(eq + 1);
    // The value may itself hold assignments or options: a DSN, a URL query, FLASK_RUN_OPTS-style command lines.
    const inside = [...assignmentsIn(value), ...optionsIn(value)].map(([n, v]) => secretAssignment(n, v));
    // A private JWK is a key whatever the variable is called (JWT_JWK='{"kty":"EC","d":…}').
    report(`Env ${name}`, [secretAssignment(name, value), ...inside, ...secretsInText(value), ...jwkHits(value)]);
  }
  facts.history.forEach((h, i) => {
    const text = h.created_by ?? '';
    report(`history[${i}].created_by`, [
      ...[...assignmentsIn(text), ...optionsIn(text)].map(([n, v]) => secretAssignment(n, v)),
      ...secretsInText(text),
      ...jwkHits(text),
    ]);
  });
  return out;
};
