/** Pure parsers for the response headers the distribution API relies on: WWW-Authenticate, Link, Retry-After. */

export interface Challenge {
  /** Lower-case: "bearer", "basic". */
  scheme: string;
  /** Parameter names lower-cased; values unquoted. */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const PARAM = /\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/y;

/**
 * RFC 7235 challenges, e.g. `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:x:pull"`.
 * Several challenges in one header (or several headers) come back in order; a token68 credential is skipped.
 */
export function parseWwwAuthenticate(header: string | string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const h of [header ?? []].flat()) {
    let i = 0;
    const skip = (re: RegExp) => {
      while (i < h.length && re.test(h[i]!)) i++;
    };
    while (i < h.length) {
      skip(/[\s,]/);
      TOKEN.lastIndex = i;
      const scheme = TOKEN.exec(h);
      if (!scheme) break;
      i = TOKEN.lastIndex;
      const challenge: Challenge = { scheme: scheme[0].toLowerCase(), params: {} };
      out.push(challenge);
      for (;;) {
        PARAM.lastIndex = i;
        const m = PARAM.exec(h);
        if (!m) {
          skip(/[^,]/); // a token68 (e.g. "Basic abc==") or junk up to the next comma
          break;
        }
        challenge.params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
        i = PARAM.lastIndex;
        skip(/\s/);
        if (h[i] !== ',') break;
        // After a comma: another parameter of this challenge, or the start of the next challenge.
        PARAM.lastIndex = i + 1;
        if (!PARAM.test(h)) break;
        i++;
      }
    }
  }
  return out;
}

/** The rel="next" target of a Link header, resolved against the request URL (registries send a path). */
export function parseLinkNext(header: string | string[] | undefined, base: string): string | undefined {
  for (const h of [header ?? []].flat()) {
    for (const m of h.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
      const rels = [...m[2]!.matchAll(/;\s*rel\s*=\s*"?([^";]+)"?/gi)].flatMap((r) => r[1]!.toLowerCase().split(/\s+/));
      if (rels.includes('next')) return new URL(m[1]!, base).toString();
    }
  }
  return undefined;
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = [value ?? []].flat()[0]?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
