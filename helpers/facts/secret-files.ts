/**
 * Secret files by content, scanned once per layer while the layer is indexed (layer-index.ts for tars,
 * overlay-layers.ts for overlay2 dirs): only compact hits (kind, line, masked value, fingerprint) are kept in
 * the layer index, never the files. Two depths, chosen by name and size:
 * - "config": names that hold credentials by convention (.env, *.env, credentials.json, .git-credentials,
 *   .npmrc, .pypirc, id_rsa, *.conf, *.yaml, ...) are read as configuration: any `key = value`, `key: value`,
 *   `"key": "value"` or `NAME=value` whose key says secret and whose value is a literal, URLs with a password,
 *   token shapes, PEM private keys.
 * - "content": every other regular file up to MAX_SECRET_SCAN_BYTES (a key under an innocent name): PEM private
 *   keys with a real body, and strict env-file lines (`[export ]UPPER_NAME=literal`, nothing else on the line).
 * ELF files are skipped (their strings are code, not configuration). Public certificates never match: only
 * "PRIVATE KEY" PEM blocks count.
 */
import { createHash } from 'node:crypto';
import {
  isReferenceValue,
  isSecretName,
  isSwitchValue,
  mask,
  namesFile,
  placeholderDefault,
  secretsInText,
} from './secret-scan.ts';
import { jwkHits, mightBePgpass, PGPASS_IF_NAMED, PGPASS_NAMES, pgpassHits, xmlHits } from './secret-formats.ts';
import type { SecretFileHit } from '../model/image-facts.ts';
import { baseName } from './paths.ts';

/**
 * config: read as configuration (above); content: PEM keys and strict env lines; pem: PEM keys only, for source
 * code, documentation and compressed data, where an upper-case assignment is code or prose and not a secret file
 * (and scanning it as one would cost most of the time: the stdlib's .py files are 3/4 of a base image's text);
 * code: the image's own Python modules (not its tests), PEM keys and private JWKs (a dict literal).
 */
export type SecretScanMode = 'config' | 'content' | 'code' | 'pem';

/** Keys are at most a few KiB; a file above this is data (a wheel, an archive), not a key or a config. */
export const MAX_SECRET_SCAN_BYTES = 1024 * 1024;
export const MAX_CONFIG_BYTES = 256 * 1024;

const CONFIG_NAMES = new Set([
  '.env',
  'credentials',
  'credentials.json',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  '.netrc',
  '.pgpass',
  '.htpasswd',
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  'settings.py',
  'local_settings.py',
]);
const CONFIG_NAME = /^\.env\..+$|\.(?:env|conf|config|cfg|ini|properties|ya?ml|toml|json|jwk|jwks|xml|pem|key)$/i;

const PEM_ONLY_NAME =
  /\.(?:crt|cer|der|p7b|py|pyi|pyc|pyo|pyx|pxd|c|h|cc|cpp|hpp|js|mjs|cjs|ts|go|rs|java|rb|pl|pm|php|lua|html?|css|md|rst|txt|tex|svg|pot?|mo|gz|xz|bz2|zst|zip|whl|jar|egg|png|jpe?g|gif|ico|woff2?|ttf|otf|so(?:\.[0-9.]+)?|a|o)$/i;

/**
 * Trees of installed software (distribution packages, Python and npm packages): their .json/.yaml/.conf files are
 * data, schemas and examples (botocore's paginators say "input_token": "NextToken", gcloud's YAML lists a --secret
 * flag), not the image's configuration. There, only credential files by name are read as configuration.
 */
const SOFTWARE_TREE =
  /\/(?:site-packages|dist-packages|node_modules)\/|^\/usr\/(?:share|lib|lib32|lib64|libexec|include)\//;
/**
 * A test suite shipped inside installed software (pycryptodome's Crypto/SelfTest, ecdsa's test_keys.py, jwcrypto's
 * tests.py and tests-cookbook.py, tornado's
 * test/test.key, twisted's conch/test): its keys are published test vectors, not the image's secrets, and a real
 * image pulls them in with web3 or python-jose.
 */
const TEST_DIR = /\/(?:tests?|testing|testdata|test_data|SelfTest|selftest)\//;
const TEST_MODULE = /^(?:tests?(?:[-_].+)?|test_.+|.+_tests?|conftest)\.py[co]?$/;
const isSoftwareTest = (path: string, name: string): boolean =>
  TEST_DIR.test(path) || TEST_MODULE.test(name.replace(/\.cpython-[^.]+(?=\.py[co]$)/, ''));
/** Templates by convention: .env.example and friends hold placeholders for the real file. */
const TEMPLATE_NAME = /\.(?:example|sample|template|dist|tmpl|tpl)$/i;

/**
 * How deeply a regular file is scanned, by its path and size; undefined: not at all. `software`: the file lies in
 * a tree of installed software (by default known from its path alone, as the layer index must decide).
 */
export function secretScanMode(
  path: string,
  size: number,
  software = SOFTWARE_TREE.test(path),
): SecretScanMode | undefined {
  if (size === 0 || size > MAX_SECRET_SCAN_BYTES) return undefined;
  const name = baseName(path);
  if (software && isSoftwareTest(path, name)) return undefined;
  if (TEMPLATE_NAME.test(name)) return 'pem';
  // A config-named file above MAX_CONFIG_BYTES is data (a service description JSON, say): keys only.
  if (CONFIG_NAMES.has(name) || /^\.env\..+$|\.env$/i.test(name)) return size <= MAX_CONFIG_BYTES ? 'config' : 'pem';
  if (CONFIG_NAME.test(name)) return size <= MAX_CONFIG_BYTES && !software ? 'config' : 'pem';
  if (!software && /\.py$/i.test(name) && !isSoftwareTest(path, name)) return 'code';
  return PEM_ONLY_NAME.test(name) || software ? 'pem' : 'content';
}

const PEM_KIND = 'a PEM private key';

/**
 * The hits a file keeps once it is known to lie in installed software, of those its scan by path found: a tree the
 * layer index could not tell by path (pip install --target, a dir on PYTHONPATH) gets the policy SOFTWARE_TREE
 * gets at scan time, applied to the hits instead of to the reading.
 */
export function softwareTreeHits(path: string, size: number, hits: readonly SecretFileHit[]): SecretFileHit[] {
  const mode = secretScanMode(path, size, true);
  if (mode === undefined) return [];
  return mode === 'config' ? [...hits] : hits.filter((h) => h.kind.startsWith(PEM_KIND));
}

export const fingerprintOf = (secret: string): string =>
  `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`;

const PEM_MARK = Buffer.from('PRIVATE KEY');
const PEM_BLOCK =
  /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----([\s\S]{0,16384}?)(?:-----END \1PRIVATE KEY\2-----|$)/g;
/** Header lines an encrypted PEM may carry before its base64 ("Proc-Type: 4,ENCRYPTED", PGP "Version: x"). */
const PEM_HEADER_LINE = /^[A-Za-z-]+:.*$/gm;
/**
 * A key written in code as adjacent string literals, one line each (black's `"MIIE...\n"`, JS's `'MIIE...' +`):
 * the line's base64 without its quotes, prefix and joiner. A line with anything else (code) is left as it is.
 */
const LITERAL_LINE = /^[ \t]*(?:[bBrRuUfF]{0,2}["'`])?([A-Za-z0-9+/=]*)(?:["'`][ \t]*[+,\\]?)?[ \t]*$/gm;

/**
 * PEM private keys with a body of base64 lines: a parser's constants ("-----BEGIN PRIVATE KEY-----" and its END
 * line in a library, code between them) are not a key. JSON-escaped newlines (a service-account
 * credentials.json) count as newlines.
 */
function pemKeys(text: string): { kind: string; secret: string; shown: string; index: number }[] {
  const out: { kind: string; secret: string; shown: string; index: number }[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const raw = (m[3] ?? '')
      .replace(/\\r|\\n/g, '\n')
      .replace(PEM_HEADER_LINE, '')
      .replace(LITERAL_LINE, '$1');
    if (!/^[A-Za-z0-9+/=\s]*$/.test(raw)) continue;
    const body = raw.replace(/\s/g, '');
    if (body.length < 64) continue;
    const type = `${m[1] ?? ''}PRIVATE KEY${m[2] ?? ''}`;
    const what = (m[1] ?? '').trim();
    out.push({
      kind: `${PEM_KIND}${what ? ` (${what})` : ''}`,
      secret: body,
      shown: `-----BEGIN ${type}----- ${mask(body)}`,
      index: m.index,
    });
  }
  return out;
}

/** Not a literal secret: null-ish, a reference or template, a placeholder, or structure (a JSON/YAML object, a block scalar). */
const isPlaceholder = (v: string): boolean =>
  // A YAML tag before the value (pyyaml-env-tag's `!ENV ${SECRET}`): the value after it decides.
  (/^!\S+\s+\S/.test(v) && isPlaceholder(unquote(v.replace(/^!\S+\s+/, '')))) ||
  /^(?:null|none|nil|~|true|false|undefined)$/i.test(v) ||
  /^[{[=]/.test(v) || // "=": a base64 line's padding read as "name=value"
  v.length > 4096 ||
  /^[|>][-+]?$/.test(v) ||
  /^\$\{?[A-Za-z_][A-Za-z0-9_]*/.test(v) ||
  namesFile(v) ||
  isReferenceValue(v) ||
  isSwitchValue(v) ||
  /^\{\{.*\}\}$/.test(v) ||
  /^%\([A-Za-z0-9_]+\)s$/.test(v) ||
  /^<[^>]*>$/.test(v);
/** camelCase, dots, dashes and slashes to SNAKE so the name rules of secret-scan apply: _authToken -> _AUTH_TOKEN. */
const snake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_');
const unquote = (v: string) => v.replace(/^(["'])(.*)\1$/s, '$2');
/** Key names as secret-scan judges Env names, plus npm's legacy `_auth` (base64 user:password) and *_auth_token. */
const isConfigSecretKey = (key: string) => {
  // npm scopes a key by registry ("//registry.npmjs.org/:_authToken"): the part after the last ":" is the key. Any
  // other key with a "/" is a path (package.json "exports": {"./key/generate/secret": ...}), not a setting.
  const own = key.startsWith('//') ? key.slice(key.lastIndexOf(':') + 1) : key;
  if (own.includes('/')) return false;
  const s = snake(own).replace(/^_+|_+$/g, '');
  // "passwd: files" is nsswitch.conf's user database, not a password.
  if (/^passwd$/i.test(s)) return false;
  return isSecretName(s) || /^auth$/i.test(s) || /(?:^|_)(?:AUTH|ACCESS|REFRESH|BEARER)_?TOKEN$/i.test(s);
};

/** A GitHub Actions workflow's `permissions:` grant (`id-token: write`) names an access level, not a token. */
const githubPermission = (key: string, value: string) => key === 'id-token' && /^(?:read|write|none)$/.test(value);

/**
 * `key = value`, `key: value`, `"key": "value",` and `export NAME=value` lines of a configuration file, also as a
 * YAML list item (compose's `environment:` list: `- DB_PASSWORD=x`, `- "DB_PASSWORD=x"`). Group 1 is a quote
 * opened before the key.
 */
const CONFIG_LINE =
  /^[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?(["']?)([A-Za-z0-9_./:@-]{0,127}[A-Za-z0-9_])["']?[ \t]*[=:][ \t]*(.*?)[ \t]*,?[ \t]*$/;
/** `key value` without "=" or ":" (redis.conf's `requirepass x`, .netrc's `machine h login u password x`). */
const SPACED_LINE = /^[ \t]*([A-Za-z_][A-Za-z0-9_.-]{0,127})[ \t]+(\S+)[ \t]*$/;
const NETRC_PASSWORD = /(?:^|[ \t])(?:password|passwd)[ \t]+(\S+)/g;
/** Keys whose space-separated value is a password though the name does not say so. */
const SPACED_SECRET_KEYS = new Set(['requirepass', 'masterauth']);
/** nginx directives whose name ends in "pass" and whose value is the upstream a request is passed to. */
const NGINX_PASS = /^(?:proxy|fastcgi|uwsgi|scgi|grpc|memcached)_pass$/;
/** Minified JSON puts everything on one line. */
const JSON_PAIR = /"([^"\\\n]{1,128})"[ \t]*:[ \t]*"((?:[^"\\\n]|\\.){1,4096})"/g;
/** A strict env-file line anywhere: upper-case name, no spaces around "=", a literal value, nothing after it. */
const ENV_LINE = /^(?:export[ \t]+)?([A-Z][A-Z0-9_]*)=("[^"\n]+"|'[^'\n]+'|[^\s"'$`#;&|(){}=][^\s;&|`]*)[ \t]*$/gm;

/** A Python string literal, whole: r"x", b'x', "x". */
const PY_STRING = /^[rRbBuU]{0,2}(["'])((?:(?!\1)[^\\]|\\.)*)\1$/;
/** The default a lookup falls back to: os.getenv("X", "d"), environ.get("X", "d"), config("X", default="d"), Field(default="d"). */
const PY_DEFAULT =
  /(?:\bdefault[ \t]*=[ \t]*|\b(?:getenv|environ\.get|config)\([ \t]*[rRbBuU]{0,2}(["'])[^"'\n]*\1[ \t]*,[ \t]*)[rRbBuU]{0,2}(["'])((?:(?!\2)[^\\\n]|\\.)*)\2/;
/**
 * The literal a line of Python assigns (after `NAME =`, `NAME: type =` or `"NAME":`): a string, or the string a
 * lookup falls back to; '' for any other expression (os.environ["X"], settings.SECRET_KEY, None), which is code.
 */
function pythonLiteral(raw: string): string {
  const v = raw
    .replace(/^[A-Za-z_][\w.[\], |]*?[ \t]*=[ \t]*(?!=)/, '') // an annotation: `str = ...`
    .replace(/[ \t]+#.*$/, '')
    .replace(/[ \t]*,$/, '');
  const s = PY_STRING.exec(v);
  if (s) return s[2]!;
  return PY_DEFAULT.exec(v)?.[3] ?? '';
}

function lineAt(index: number, starts: number[]): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function lineStarts(text: string): number[] {
  const s = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) s.push(i + 1);
  return s;
}

/**
 * The secrets in one file's bytes. Pure: the same bytes and mode give the same hits. A value is a secret only
 * when it is a literal (references such as $X, ${X}, {{ x }}, %(x)s and empty or null values are not).
 */
export function scanSecretFile(content: Buffer, mode: SecretScanMode, name = ''): SecretFileHit[] {
  const hasPem = content.indexOf(PEM_MARK) >= 0;
  if (mode === 'pem' && !hasPem) return [];
  // A NUL in the first bytes: binary data, where only a PEM block could be read as text.
  const readable = mode === 'content' && !content.subarray(0, 512).includes(0);
  const envLines = readable && mightAssign(content);
  const jwk = mode !== 'pem' && content.indexOf(KTY) >= 0;
  const pgpass = mode === 'config' || (readable && mightBePgpass(content));
  if (mode !== 'config' && !hasPem && !envLines && !jwk && !pgpass) return [];
  const text = content.toString('utf8');
  let starts: number[] | undefined;
  const line = (i: number) => lineAt(i, (starts ??= lineStarts(text)));
  const hits: SecretFileHit[] = [];
  const seen = new Set<string>();
  const add = (kind: string, secret: string, shown: string, at: number) => {
    const fingerprint = fingerprintOf(secret);
    // A hit that counts only when the config names the file must not hide the same secret found otherwise.
    const key = kind === PGPASS_IF_NAMED ? `${fingerprint} if named` : fingerprint;
    if (seen.has(key)) return;
    seen.add(key);
    hits.push({ kind, line: line(at), shown, fingerprint });
  };
  if (hasPem) for (const k of pemKeys(text)) add(k.kind, k.secret, k.shown, k.index);
  if (mode === 'pem') return hits;
  const literal = (v: string) => !isPlaceholder(v) && !v.startsWith('-----BEGIN');
  const formats = [
    ...(jwk ? jwkHits(text) : []),
    ...(pgpass ? pgpassHits(text, PGPASS_NAMES.has(name)) : []),
    ...(mode === 'config' && text.includes('<') ? xmlHits(text, isConfigSecretKey, literal) : []),
  ];
  for (const h of formats) add(h.kind, h.secret, h.shown, h.index);
  if (mode === 'code') return hits;
  if (mode === 'content') {
    if (!envLines) return hits;
    for (const m of text.matchAll(ENV_LINE)) {
      const [, name, raw] = m;
      const value = unquote(raw!);
      if (value && isSecretName(name!) && !isPlaceholder(value))
        add(`a literal value for ${name}`, value, `${name}=${mask(value)}`, m.index);
    }
    return hits;
  }
  // settings.py is Python: a value is code, a literal only when written as a string.
  const python = /\.py$/.test(name);
  let offset = 0;
  const lines = text.split('\n');
  // Space-separated settings are a format of their own (redis.conf, .netrc): in a file of `key: value` or `key = value`
  // lines (YAML, INI), a line of two words is prose (a folded description), not a setting.
  const keyed = lines.some((l) => CONFIG_LINE.test(l) && !/^[ \t]*[#;]/.test(l));
  for (const l of lines) {
    const m = CONFIG_LINE.exec(l);
    if (m && !l.trimStart().startsWith('#') && !l.trimStart().startsWith(';')) {
      const [, q, key, raw] = m;
      // The quote opened before the key closes after the value: "DB_PASSWORD=x".
      const bare = q && raw!.endsWith(q) && !raw!.startsWith(q) ? raw!.slice(0, -1) : raw!;
      const written = python ? pythonLiteral(raw!) : unquote(bare.replace(/[ \t]+#.*$/, ''));
      // ${DB_PASSWORD:-changeme}: the fallback is baked in (Spring's ${x:changeme} too).
      const fallback = python ? undefined : placeholderDefault(written);
      const value = fallback ?? written;
      if (
        value &&
        isConfigSecretKey(key!) &&
        !isPlaceholder(value) &&
        !value.startsWith('-----BEGIN') &&
        !githubPermission(key!, value)
      )
        add(`a literal ${fallback ? 'default' : 'value'} for ${key}`, value, `${key}=${mask(value)}`, offset);
    }
    const spaced = !m && !keyed && !/^[ \t]*[#;]/.test(l) ? SPACED_LINE.exec(l) : null;
    if (spaced) {
      const [, key, value] = spaced;
      const secretKey = (isConfigSecretKey(key!) && !NGINX_PASS.test(key!)) || SPACED_SECRET_KEYS.has(key!);
      if (secretKey && !isPlaceholder(unquote(value!)))
        add(`a literal value for ${key}`, unquote(value!), `${key} ${mask(unquote(value!))}`, offset);
    } else if (!m && /^[ \t]*(?:machine|default)\b/.test(l))
      for (const n of l.matchAll(NETRC_PASSWORD))
        if (!isPlaceholder(n[1]!)) add('a password (netrc)', n[1]!, `password ${mask(n[1]!)}`, offset);
    for (const h of secretsInText(l)) if (h.kind !== 'a PEM private key') add(h.kind, h.secret, h.shown, offset);
    offset += l.length + 1;
  }
  for (const m of text.matchAll(JSON_PAIR)) {
    const [, key, value] = m;
    if (isConfigSecretKey(key!) && !isPlaceholder(value!) && !value!.startsWith('-----BEGIN'))
      add(`a literal value for ${key}`, value!, `"${key}": "${mask(value!)}"`, m.index);
  }
  return hits;
}

const ASSIGN = Buffer.from('=');
const KTY = Buffer.from('kty');
/** Cheap pre-test for the content mode: an env line needs "=" and an upper-case secret word. */
function mightAssign(content: Buffer): boolean {
  if (content.indexOf(ASSIGN) < 0) return false;
  // One latin1 pass is cheaper than several Buffer.indexOf calls over the same bytes.
  return /PASS|SECRET|TOKEN|_KEY|PWD|CREDENTIAL/.test(content.toString('latin1'));
}
