/**
 * Secret file formats that are not `key = value` lines: PostgreSQL's .pgpass, XML configs and JSON Web Keys.
 * Pure functions over a file's text; each hit carries its index in the text so the caller can give its line.
 */
import { mask } from './secret-scan.ts';

export interface FormatHit {
  kind: string;
  secret: string;
  shown: string;
  index: number;
}

/** The names libpq reads a password file under (PGPASSFILE aside). */
export const PGPASS_NAMES = new Set(['.pgpass', 'pgpass.conf']);
/**
 * The kind of a pgpass-shaped line in a file of another name: libpq reads such a file only when PGPASSFILE (or a
 * connection string's passfile=) names it, which the image config says and the no-secret-files check decides.
 */
export const PGPASS_IF_NAMED = 'a password (pgpass-shaped, if PGPASSFILE names the file)';
/** At most this many such lines of one file are kept: a file of them is judged by its first ones. */
const MAX_UNNAMED_PGPASS = 16;
/** host:port:database:user:password, `\:` and `\\` escaped; the port is a number or `*` (so IPv6 lines are not). */
const FIELD = String.raw`((?:[^:\\\n]|\\.)+)`;
const PGPASS_LINE = new RegExp(`^${FIELD}:(\\d{1,5}|\\*):${FIELD}:${FIELD}:${FIELD}[ \\t]*$`);
const COMMENT = /^[ \t]*(?:#|$)/;
/** A line in the first KiB has the pgpass shape: worth reading the file as one. */
const PGPASS_HEAD = /^[^:\n]+:(?:\d{1,5}|\*):[^:\n]+:[^:\n]+:[^\n]/m;
export const mightBePgpass = (content: Buffer): boolean =>
  content.length <= 64 * 1024 && PGPASS_HEAD.test(content.toString('latin1', 0, 1024));

/**
 * Password lines of a pgpass file, line by line as libpq reads it (a line of another shape matches no connection).
 * A file not named so gives its lines as PGPASS_IF_NAMED, and only those whose database and user are names.
 */
export function pgpassHits(text: string, named: boolean): FormatHit[] {
  const out: FormatHit[] = [];
  let index = 0;
  for (const line of text.split('\n')) {
    const at = index;
    index += line.length + 1;
    if (COMMENT.test(line)) continue;
    const m = PGPASS_LINE.exec(line.replace(/\r$/, ''));
    if (!m) continue;
    const [, host, port, db, user, password] = m;
    // A database and a user are names (or `*`); all-hex groups are an IPv6 address, digits a time or a version.
    const isName = (f: string) => f === '*' || /[A-Za-z_]/.test(f);
    const ipv6 = m.slice(1).every((f) => /^[0-9a-f]{0,4}$/i.test(f!));
    // `*` matches any password: the line names no secret.
    if (!isName(db!) || !isName(user!) || ipv6 || password === '*') continue;
    if (!named && out.length >= MAX_UNNAMED_PGPASS) break;
    out.push({
      kind: named ? 'a password (pgpass)' : PGPASS_IF_NAMED,
      secret: password!,
      shown: `${user}@${host}:${port}/${db}:${mask(password!)}`,
      index: at,
    });
  }
  return out;
}

/** Element text (`<password>x</password>`, also namespaced), on one line. */
const XML_ELEMENT =
  /<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)(?:\s[^<>]*)?>[ \t]*([^<>\s](?:[^<>\n]*[^<>\s])?)[ \t]*<\/(?:[\w.-]+:)?\1[ \t]*>/g;
/** A start tag with attributes; its attributes one by one. */
const XML_TAG = /<[A-Za-z_][\w.:-]*((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))+)\s*\/?>/g;
const XML_ATTR = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * Literal secrets in XML: `<password>x</password>`, a setting given as a key and a value (.NET's
 * `<add key="ApiToken" value="x"/>`, `<property name="db.password" value="x"/>`), an attribute named as a secret
 * (`<user username="u" password="x"/>`). Names and values are judged by the caller's rules for config keys.
 */
export function xmlHits(
  text: string,
  isSecretKey: (key: string) => boolean,
  isLiteral: (value: string) => boolean,
): FormatHit[] {
  const out: FormatHit[] = [];
  // A comment is documentation (Maven's settings.xml shows <password>repopwd</password> in one); blanked, so
  // indices still give lines.
  if (text.includes('<!--')) text = text.replace(/<!--[\s\S]*?(?:-->|$)/g, (c) => c.replace(/[^\n]/g, ' '));
  const hit = (key: string, value: string, index: number) => {
    if (value.trim() && isSecretKey(key) && isLiteral(value))
      out.push({ kind: `a literal value for ${key}`, secret: value, shown: `${key}=${mask(value)}`, index });
  };
  for (const m of text.matchAll(XML_ELEMENT)) hit(m[1]!, m[2]!, m.index);
  for (const m of text.matchAll(XML_TAG)) {
    const attrs = [...m[1]!.matchAll(XML_ATTR)].map((a): [string, string] => [a[1]!, a[2] ?? a[3] ?? '']);
    const get = (n: string) => attrs.find(([k]) => k.toLowerCase() === n)?.[1];
    const key = get('key') ?? get('name');
    const value = get('value');
    if (key !== undefined && value !== undefined) hit(key, value, m.index);
    for (const [k, v] of attrs) if (!/^(?:key|name|value)$/i.test(k)) hit(k, v, m.index);
  }
  return out;
}

/**
 * One flat object that names a key type (a JWK; a JWKS lists them under "keys"): JSON, JSON-escaped JSON, a
 * Python dict literal, a YAML flow mapping. Keys and values quoted with either quote, or not at all.
 */
const JWK_OBJECT = /\{[^{}]*?(?<=[{,\s])\\?["']?kty\\?["']?[ \t\r\n]*:[^{}]*\}/g;
/**
 * A member and its value: quoted, or bare only where YAML's flow style ends one (at "," or "}"): a bare word followed
 * by anything else is code (PyJWT's `"d": to_base64url_uint(numbers.d).decode()`), not key material.
 */
const JWK_MEMBER =
  /(?<=[{,\s])\\?["']?(kty|crv|n|d|p|q|dp|dq|qi|k)\\?["']?[ \t\r\n]*:[ \t\r\n]*(?:\\?(["'])([A-Za-z0-9_+/=.-]*)\\?\2|([A-Za-z0-9_+/=.-]*)(?=[ \t\r\n]*[,}]))/g;
/** A YAML block mapping's kty line: its indent, and the "- " that opens a list item. */
const YAML_KTY = /^([ \t]*)(-[ \t]+)?(["']?)kty\3[ \t]*:[ \t]*\S/;
const YAML_MEMBER = /^[ \t]*(?:-[ \t]+)?(["']?)([A-Za-z]+)\1[ \t]*:[ \t]*(["']?)([A-Za-z0-9_+/=.-]*)\3[ \t]*$/;
/** Private members are base64url; a short or templated value ("...", "${D}") is documentation, not a key. */
const KEY_MATERIAL = /^[A-Za-z0-9_-]{16,}={0,2}$/;
/** Comments (JSON5/JS, Python and YAML) blanked, strings kept; newlines stay, so indices still give lines. */
const COMMENT_OR_STRING = /("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)|#[^\n]*/g;
const blankComments = (text: string) =>
  text.replace(COMMENT_OR_STRING, (c, str: string | undefined) => str ?? c.replace(/[^\n]/g, ' '));

/**
 * The private member of a JWK's members, when they make a private key: "d" of an RSA key (with its modulus or
 * primes), of an EC or OKP key (with its curve), RSA's primes and CRT values, an "oct" key's "k". A public JWK
 * (n/e, x/y/crv), a key type that has no such member, or a member without the rest of its key is not a secret.
 */
function privateMember(members: Map<string, string>): string | undefined {
  const kty = members.get('kty') ?? '';
  const has = (n: string) => !!members.get(n);
  const whole =
    kty === 'RSA' ? has('n') || (has('p') && has('q')) : kty === 'EC' || kty === 'OKP' ? has('crv') : kty === 'oct';
  if (!whole) return undefined;
  const names = kty === 'oct' ? ['k'] : kty === 'RSA' ? ['d', 'p', 'q', 'dp', 'dq', 'qi'] : ['d'];
  return names.find((n) => KEY_MATERIAL.test(members.get(n) ?? ''));
}

/** The members of each YAML block mapping that holds a kty key, with the index of its kty line. */
function yamlMappings(text: string): { members: Map<string, string>; index: number }[] {
  const out: { members: Map<string, string>; index: number }[] = [];
  const lines = text.split('\n');
  const starts: number[] = [];
  let at = 0;
  for (const l of lines) {
    starts.push(at);
    at += l.length + 1;
  }
  const indent = (l: string) => /^[ \t]*/.exec(l)![0].length;
  const item = (l: string) => /^[ \t]*-[ \t]+/.exec(l)?.[0].length;
  const blank = (l: string) => /^[ \t]*\r?$/.test(l);
  lines.forEach((l, i) => {
    const m = YAML_KTY.exec(l);
    if (!m) return;
    const col = m[1]!.length + (m[2]?.length ?? 0);
    const members = new Map<string, string>();
    const take = (line: string) => {
      const mm = YAML_MEMBER.exec(line.replace(/\r$/, ''));
      if (mm && !members.has(mm[2]!)) members.set(mm[2]!, mm[4]!);
    };
    take(l);
    // Siblings before it (a list item's "- " opens the mapping), then after it, at the same column.
    for (let j = i - 1; j >= 0 && !m[2]; j--) {
      const s = lines[j]!;
      if (blank(s)) continue;
      const it = item(s);
      if (it !== undefined && it === col) {
        take(s);
        break;
      }
      if (indent(s) === col && it === undefined) take(s);
      else if (indent(s) <= col) break;
    }
    for (let j = i + 1; j < lines.length; j++) {
      const s = lines[j]!;
      if (blank(s)) continue;
      if (indent(s) < col) break;
      if (indent(s) === col && item(s) === undefined) take(s);
    }
    out.push({ members, index: starts[i]! });
  });
  return out;
}

/**
 * Private JSON Web Keys, in JSON (comments and trailing text allowed), JSON-escaped in a string, a Python dict
 * literal, or YAML (block or flow).
 */
export function jwkHits(text: string): FormatHit[] {
  const out: FormatHit[] = [];
  const plain = blankComments(text);
  const found = [
    ...[...plain.matchAll(JWK_OBJECT)].map((m) => ({
      members: new Map([...m[0].matchAll(JWK_MEMBER)].map((x): [string, string] => [x[1]!, x[3] ?? x[4]!])),
      index: m.index,
    })),
    ...(/^[ \t]*(?:-[ \t]+)?["']?kty["']?[ \t]*:/m.test(plain) ? yamlMappings(plain) : []),
  ];
  for (const { members, index } of found) {
    const name = privateMember(members);
    if (!name) continue;
    const kty = members.get('kty')!;
    const secret = members.get(name)!;
    out.push({
      kind: `a private JSON Web Key (${kty})`,
      secret,
      shown: `"kty": "${kty}", "${name}": "${mask(secret)}"`,
      index,
    });
  }
  return out;
}
