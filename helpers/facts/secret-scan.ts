/**
 * Pure secret spotting for text the image config carries (Env values, history created_by). Tuned for low noise:
 * only credential shapes with a literal value count; variable references ($X, ${X}) are not values.
 */
export interface SecretHit {
  kind: string;
  /** The secret itself, for allow-listing and de-duplication; never printed. */
  secret: string;
  /** A short description with the secret masked. */
  shown: string;
}

/** All but the first (at most) 2 characters hidden; very short secrets show nothing. */
export function mask(secret: string): string {
  const keep = Math.min(2, Math.floor(secret.length / 3));
  return `${secret.slice(0, keep)}${'*'.repeat(Math.max(4, Math.min(12, secret.length - keep)))}`;
}

// The user may be empty: redis://:password@host is the usual Redis form.
const URL_CREDS = /\b([a-z][a-z0-9+.-]*):\/\/([^\s:@/'"]*):([^\s@/'"]*)@/gi;
const TOKENS: { kind: string; re: RegExp }[] = [
  { kind: 'a PEM private key', re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  { kind: 'an AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'a GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/g },
  { kind: 'a Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'a JWT', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*)?/g },
  // A literal credential in an HTTP header (curl -H "Authorization: Bearer ..."); "$TOKEN" is no literal.
  {
    kind: 'an Authorization header',
    re: /\bAuthorization:[ \t]*(?:Bearer|Basic|token)[ \t]+[A-Za-z0-9._~+/-]{8,}=*/gi,
  },
];
/**
 * Variable names that say "this is a secret" at their END: MONGO_PASSWORD, JWT_SECRET_KEY, API_TOKEN. Names that
 * only mention one (PASSWORD_FILE, TOKEN_URL) point at a secret elsewhere and are not judged by name; GPG_KEY-style
 * public fingerprints are not listed on purpose. PWD alone is the working directory.
 */
const SECRET_NAME =
  /(?:^|_)(?:SECRET|PASSWORD|PASSWD|PASSPHRASE|PASS|PWD|TOKEN|CREDENTIALS?|(?:API|PRIVATE|SECRET|ACCESS|AUTH|ENCRYPTION|ENCRYPT|DECRYPTION|SIGNING|MASTER|HMAC|AES|CIPHER)_?KEY)$/i;
export const isSecretName = (name: string): boolean => name.toUpperCase() !== 'PWD' && SECRET_NAME.test(name);
/**
 * A value that names a file (SIGNING_KEY=/run/secrets/signing.pem, GOOGLE_APPLICATION_CREDENTIALS=/var/keys/a.json,
 * PRIVATE_KEY=keys/signing.pem, also as a file: URI) points at the secret, which no-secret-files judges by content. An absolute path's
 * first segment must be a plain lower-case dir name, so a base64 secret that happens to start with "/" is still a
 * literal; a relative one must end in a key or credential file's extension.
 */
export const namesFile = (v: string): boolean =>
  /^(?:file:\/\/)?\/[a-z]+(?:\/[A-Za-z0-9._@-]+)+\/?$/.test(v) ||
  /^(?:\.{1,2}\/)?(?:[A-Za-z0-9_@-][A-Za-z0-9._@-]*\/)*[A-Za-z0-9_@-][A-Za-z0-9._@-]*\.(?:pem|key|der|crt|p8|p12|pfx|jwk|jwks|json|gpg|asc)$/.test(
    v,
  );
const isReference = (v: string) => /^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?[-=?+][^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(v);
/**
 * Whole values that say where a secret comes from, in the syntax of the software that resolves them: Spring's
 * `${a.b:default}` and SpEL `#{...}`, GitHub Actions' `${{ secrets.X }}`, Kubernetes' `$(VAR)`, Go/Helm/Jinja
 * `{{ ... }}`, ERB `<%= ... %>`, supervisord's `%(ENV_X)s`, bank-vaults' `vault:secret/data/x#key`, `env:NAME`,
 * 1Password's `op://` and sigstore's KMS key URIs. Jasypt's `ENC(...)` and Spring Cloud Config's `{cipher}...` are
 * ciphertext whose key lives elsewhere (a literal key beside it is judged by its own name).
 */
const REFERENCES: RegExp[] = [
  /^\$\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}$/,
  /^\$\{\{.*\}\}$/,
  /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/,
  /^#\{.+\}$/,
  /^\{\{.*\}\}$/,
  /^<%=?.*%>$/,
  /^%\([A-Za-z0-9_.-]+\)s$/,
  /^vault:[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+(?:#[A-Za-z0-9_.-]+)*$/,
  /^env:[A-Za-z_][A-Za-z0-9_]*$/,
  /^(?:op|awskms|gcpkms|azurekms|hashivault|k8s):\/\/\S+$/,
  /^ENC\([A-Za-z0-9+/=_-]{16,}\)$/,
  /^\{cipher\}[A-Za-z0-9+/=_-]{16,}$/,
];
export const isReferenceValue = (v: string): boolean => REFERENCES.some((r) => r.test(v));
/** A boolean switch (HF_HUB_DISABLE_IMPLICIT_TOKEN=1, REQUIRE_API_KEY=true) turns a secret on or off; it is none. */
export const isSwitchValue = (v: string): boolean => /^(?:true|false|yes|no|on|off|0|1)$/i.test(v);
const unquote = (v: string) => v.replace(/^(["'])(.*)\1$/s, '$2');

/** Secrets in free text (URLs with a password, token shapes). */
export function secretsInText(text: string): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const m of text.matchAll(URL_CREDS)) {
    const [, scheme, user, password = ''] = m;
    // alembic init's `driver://user:pass@localhost/dbname`: "driver" names no database driver, the URL is a placeholder.
    if (!password || password.startsWith('$') || scheme!.toLowerCase() === 'driver') continue;
    hits.push({ kind: 'a password in a URL', secret: password, shown: `${scheme}://${user}:${mask(password)}@…` });
  }
  for (const { kind, re } of TOKENS) {
    for (const m of text.matchAll(re))
      hits.push({ kind, secret: m[0], shown: kind === 'a PEM private key' ? m[0] : mask(m[0]) });
  }
  return hits;
}

/**
 * The fallback a placeholder bakes in, as its resolver reads it: the shell's (and compose's) `${X:-d}`, `${X-d}`,
 * `${X:=d}`, Spring's `${x.y:d}`. Not `${X:?message}` (an error text) nor `${X:+alt}` (used only when X is set).
 */
export function placeholderDefault(value: string): string | undefined {
  const m = /^\$\{[A-Za-z_][\w.]*(?::-|-|:=|=|:(?![-=?+]))(.*)\}$/s.exec(value);
  return m?.[1] || undefined;
}

/** A NAME=value assignment whose name says secret and whose value is a non-empty literal. */
export function secretAssignment(name: string, rawValue: string): SecretHit | undefined {
  const value = unquote(rawValue);
  // ${DB_PASSWORD:-changeme} bakes changeme in as surely as DB_PASSWORD=changeme (and os.getenv("X", "changeme")).
  const fallback = placeholderDefault(value);
  if (fallback !== undefined && isSecretName(name)) {
    const hit = secretAssignment(name, fallback);
    return (
      hit && { kind: `a literal default for ${name}`, secret: hit.secret, shown: `${name}=\${…:${mask(hit.secret)}}` }
    );
  }
  // A command substitution ($(cat /run/secrets/x), `cat x`) is what RUN --mount=type=secret leaves: the output of a
  // command at build time, not a literal.
  if (
    !value ||
    !isSecretName(name) ||
    isReference(value) ||
    isReferenceValue(value) ||
    isSwitchValue(value) ||
    namesFile(value) ||
    /^(?:\$\(|`)/.test(value)
  )
    return undefined;
  return { kind: `a literal value for ${name}`, secret: value, shown: `${name}=${mask(value)}` };
}

/**
 * Assignments inside history text or a value: `ENV A=1 B=2`, buildkit's `|2 TOKEN=x ARG=y /bin/sh -c ...`, a DSN's
 * `host=db password=x`, a URL query's `?password=x&...`.
 */
export function assignmentsIn(text: string): [string, string][] {
  return [...text.matchAll(/(?:^|[\s|;&?])([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|]*)/g)].map((m) => [
    m[1]!,
    m[2]!,
  ]);
}

/**
 * Long command-line options given a value, as a command (and its history line) spells them: `--db-password x`,
 * `--secret-key=x`, an exec form's `"--password" "x"` or `"--password", "x"`; and curl's `-u user:password`. Option
 * names come back in variable form (DB_PASSWORD), so secretAssignment judges them as it judges names.
 */
export function optionsIn(text: string): [string, string][] {
  const long = [
    ...text.matchAll(/(?:^|[\s"'[,])--([A-Za-z][A-Za-z0-9_-]*)(?:=|["']?(?:[ \t]*,)?[ \t]+["']?)([^\s"',\]]+)/g),
  ]
    // A switch that turns a secret off or asks for it (adduser --disabled-password, psql --no-password) takes no
    // value: the word after it is the command's next argument.
    .filter((m) => !m[2]!.startsWith('-') && !/^(?:no|disabled?|ask|prompt)-/i.test(m[1]!))
    .map((m): [string, string] => [m[1]!.replace(/-/g, '_'), m[2]!]);
  // Only curl's: gunicorn's `-u nonroot:nonroot` (and other tools' -u) is a user and group, not a password.
  const userPass = /\bcurl\b/.test(text)
    ? [...text.matchAll(/(?:^|[\s"'[,])(?:-u|--user)(?:=|["']?(?:[ \t]*,)?[ \t]+["']?)[^\s:"']+:([^\s"',\]]+)/g)]
    : [];
  return [...long, ...userPass.map((m): [string, string] => ['PASSWORD', m[1]!])];
}

/**
 * contract.secrets.allow: each item is a regular expression source matched against the WHOLE secret (anchored),
 * so a plain string such as "changeme" allows exactly that value; an item that is not a valid regex is taken as a
 * literal string. Use it for known placeholders, never for real credentials.
 */
export function allowList(items: readonly string[]): (secret: string) => boolean {
  const res = items.map((s) => {
    try {
      return new RegExp(`^(?:${s})$`);
    } catch {
      return new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    }
  });
  return (secret) => res.some((r) => r.test(secret));
}
