import { basename } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { checkNoSecretFiles } from '../../helpers/checks/static/secret-files.ts';
import { checkNoSecrets } from '../../helpers/checks/static/secrets.ts';
import { scanSecretFile, secretScanMode } from '../../helpers/facts/secret-files.ts';
import { file, sampleFacts, withConfig, withFs } from '../support/sample-facts.ts';

const contract = loadContract({});
const svc = serviceNamed(contract, 'blockchain-engine');
const base = sampleFacts(contract, svc, 'linux/amd64');

/** The sample image with these files, their hits recorded as the gatherer records them, judged by the real check. */
function flagged(texts: Record<string, string>, env: string[] = []): string[] {
  const f = withFs(
    env.length ? withConfig(base, { Env: [...base.config.Env, ...env] }) : base,
    Object.entries(texts).map(([p, t]) => file(p, { layer: 2, size: Buffer.byteLength(t) })),
  );
  for (const [p, t] of Object.entries(texts)) {
    const mode = secretScanMode(p, Buffer.byteLength(t));
    const hits = mode ? scanSecretFile(Buffer.from(t), mode, basename(p)) : [];
    if (hits.length) f.fs.secrets!.set(p, hits);
  }
  return checkNoSecretFiles(f, contract, svc, 'linux/amd64').map((x) => x.seen);
}
const envFlagged = (env: string[]) =>
  checkNoSecrets(withConfig(base, { Env: [...base.config.Env, ...env] }), contract, svc, 'linux/amd64').map(
    (x) => x.seen,
  );

// Secret-shaped strings are assembled at run time so no secret scanner mistakes this file for a leak.
const pw = ['Lucid', '-Pr0d-', '2025!'].join('');
const b64u = (n: number) => 'aB3-_xY9'.repeat(n);

describe('no-secret-files: .pgpass lines (host:port:db:user:password)', () => {
  const line = `db.lucid.internal:5432:lucid:lucid:${pw}`;
  test.each(['/home/nonroot/.pgpass', '/etc/postgresql-common/pgpass.conf'])('fails %s', (p) => {
    const [seen, ...rest] = flagged({ [p]: `# lucid\n${line}\n` });
    expect(rest).toEqual([]);
    expect(seen).toMatch(`${p} holds line 2: a password (pgpass): lucid@db.lucid.internal:5432/lucid:Lu****`);
    expect(seen).not.toContain(pw);
  });
  test("a file of another name is one only when PGPASSFILE (or a DSN's passfile=) names it: then read line by line", () => {
    const text = `see the wiki for the rest\n${line}\n`;
    for (const env of [
      ['PGPASSFILE=/app/conf/pg_credentials'],
      ['PGPASSFILE=conf/pg_credentials'], // relative to the WorkingDir, as libpq opens it
      ['DATABASE_URL=postgresql://lucid@db/lucid?passfile=/app/conf/pg_credentials'],
      ['PG_DSN=host=db dbname=lucid passfile=/app/conf/pg_credentials'],
    ])
      expect([env, flagged({ '/app/conf/pg_credentials': text, '/app/notes': text }, env)]).toEqual([
        env,
        [expect.stringMatching(/^\/app\/conf\/pg_credentials holds line 2: a password \(pgpass/)],
      ]);
  });
  test('colon-separated data that libpq never reads as a password file passes', () => {
    // Before: each file whose every line had the shape failed (a log format, a build stamp, a renamed pgpass).
    expect(
      flagged({
        '/app/conf/pg_credentials': `# lucid\n${line}\n`,
        '/app/logs/app.log': 'INFO:20:lucid.api:startup:listening\nWARNING:41:lucid.db:connect:retrying\n',
        '/app/BUILD': 'lucid:1:gateway:amd64:1.2.3\n',
        '/app/notes': `${line}\nsee the wiki for the rest\n`,
        '/app/group': 'root:x:0:\nsudo:x:27:alice,bob\nlucid:x:65532:nonroot\n',
        '/app/peers': 'fe80:0:0:1:2\n2001:db8:0:1:5\n',
        '/app/times': '12:30:00:00:01\n12:34:56:78:90\n',
        '/app/launch': 'class App:\n    def __init__(self, host: str, port: int):\n        self.port = port\n',
      }),
    ).toEqual([]);
    // A pgpass-shaped line does not hide the same password assigned on another line of a config.
    expect(flagged({ '/app/conf/db.conf': `${line}\npassword = ${pw}\n` })).toEqual([
      expect.stringMatching(/^\/app\/conf\/db.conf holds line 2: a literal value for password/),
    ]);
  });
  test('a wildcard password, IPv6 addresses and times pass, in a pgpass file or one PGPASSFILE names', () => {
    expect(
      flagged(
        {
          '/home/nonroot/.pgpass': 'db:5432:lucid:lucid:*\n',
          '/app/peers': 'fe80:0:0:1:2\n2001:db8:0:1:5\n',
          '/app/times': '12:30:00:00:01\n',
        },
        ['PGPASSFILE=/app/peers'],
      ),
    ).toEqual([]);
  });
});

describe('no-secret-files: XML and properties configs', () => {
  test.each([
    ['/app/conf/settings.xml', `<settings><server><id>r</id><password>${pw}</password></server></settings>\n`],
    ['/app/web.config', `<appSettings>\n  <add key="ApiToken" value="${pw}"/>\n</appSettings>\n`],
    ['/app/conf/users.xml', `<users>\n  <user username="admin" password="${pw}" roles="x"/>\n</users>\n`],
    [
      '/app/application.properties',
      `spring.datasource.url=jdbc:postgresql://db/lucid\nspring.datasource.password=${pw}\n`,
    ],
    ['/app/config/app.yaml', `db.password: ${pw}\n`],
    ['/app/config/app.ini', `[db]\npassword = ${pw}\n`],
    ['/app/config/app.toml', `[db]\npassword = "${pw}"\n`],
    ['/app/config/app.cfg', `[db]\ndb_password: ${pw}\n`],
    ['/app/config/app.conf', `db.password=${pw}\n`],
  ])('fails %s', (p, text) => {
    expect(flagged({ [p]: text })).toHaveLength(1);
  });
  test('references, empty values and non-secret elements pass', () => {
    expect(
      flagged({
        '/app/conf/settings.xml': '<s><password>${env.REPO_PASSWORD}</password><username>lucid</username></s>\n',
        '/app/web.config':
          '<appSettings>\n  <add key="ApiUrl" value="http://api"/>\n  <add key="ApiToken" value=""/>\n</appSettings>\n',
        // Before the comments were blanked: Maven's stock settings.xml failed on its commented samples.
        '/app/conf/maven.xml': `<servers>\n  <!-- server\n  <server>\n    <password>repopwd</password>\n  </server>\n  -->\n</servers>\n`,
        '/app/conf/pom.xml': '<project><properties><password.policy>strict</password.policy></properties></project>\n',
      }),
    ).toEqual([]);
  });
});

describe('no-secret-files: JSON Web Keys', () => {
  const rsaPub = `"kty": "RSA", "kid": "k1", "n": "${b64u(8)}", "e": "AQAB"`;
  test.each([
    ['/app/keys/signing.jwk', `{${rsaPub}, "d": "${b64u(8)}", "p": "${b64u(4)}"}\n`],
    [
      '/app/keys/jwks.json',
      `{"keys": [\n  {\n    "kty": "EC", "crv": "P-256",\n    "x": "${b64u(4)}", "y": "${b64u(4)}",\n    "d": "${b64u(4)}"\n  }\n]}\n`,
    ],
    ['/app/keys/hmac.json', `{"kty":"oct","k":"${b64u(4)}","alg":"HS256"}`],
  ])('a private JWK fails: %s', (p, text) => {
    expect(flagged({ [p]: text })).toEqual([expect.stringMatching(/a private JSON Web Key/)]);
  });
  test('a private JWK in Env fails whatever the name; a public one passes', () => {
    expect(envFlagged([`JWT_JWK={${rsaPub}, "d": "${b64u(8)}"}`])).toEqual([
      'Env JWT_JWK carries a private JSON Web Key (RSA): "kty": "RSA", "d": "aB************"',
    ]);
    expect(envFlagged([`JWT_JWK={${rsaPub}}`])).toEqual([]);
  });
  test('a public JWK or JWKS passes', () => {
    expect(
      flagged({
        '/app/keys/public.jwk': `{${rsaPub}}\n`,
        '/app/.well-known/jwks.json': `{"keys": [{${rsaPub}}, {"kty":"OKP","crv":"Ed25519","x":"${b64u(4)}"}]}\n`,
      }),
    ).toEqual([]);
  });
});

describe('secret names beyond PASSWORD/TOKEN/SECRET', () => {
  const names = [
    'ENCRYPTION_KEY',
    'LUCID_SIGNING_KEY',
    'MASTER_KEY',
    'HMAC_KEY',
    'API_KEY',
    'PRIVATE_KEY',
    'ACCESS_KEY',
    'BACKUP_PASSPHRASE',
    'GCP_CREDENTIALS',
  ];
  test.each(names)('a literal %s fails in Env and in an env file', (n) => {
    expect(envFlagged([`${n}=${pw}`])).toHaveLength(1);
    expect(flagged({ '/app/run.env': `${n}=${pw}\n`, '/app/launch': `${n}=${pw}\n` })).toHaveLength(2);
  });
  test('files named by value, references and public keys pass', () => {
    const env = [
      'ENCRYPTION_KEY_FILE=/run/secrets/k',
      'SIGNING_KEY=/run/secrets/signing.pem',
      'MASTER_KEY=${MASTER_KEY}',
      'PRIVATE_KEY=keys/signing.pem',
      'HMAC_KEY=./hmac.key',
      'SIGNING_KEY_ID=k1',
      'HMAC_KEY_FILE=/run/secrets/hmac',
      'MASTER_KEY_PATH=/run/secrets/master',
      // Before: a file: URI was a literal key.
      'SIGNING_KEY=file:///run/secrets/signing.pem',
      'PUBLIC_KEY=MCowBQYDK2VwAyEA',
      // Before: failed as a literal credential, though it names the file Google's libraries read.
      'GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key.json',
    ];
    expect(envFlagged(env)).toEqual([]);
    expect(flagged({ '/app/run.env': `${env.join('\n')}\n`, '/app/launch': `${env.join('\n')}\n` })).toEqual([]);
  });
});

describe('no-secret-files: settings.py is Python', () => {
  test('an expression is code: the settings of installed software and a settings.py reading its env pass', () => {
    expect(
      flagged({
        // djangorestframework-simplejwt's own defaults, pip-installed (failed once SIGNING_KEY was a secret name).
        '/usr/local/lib/python3.11/site-packages/rest_framework_simplejwt/settings.py':
          'DEFAULTS = {\n    "ALGORITHM": "HS256",\n    "SIGNING_KEY": settings.SECRET_KEY,\n    "VERIFYING_KEY": "",\n}\n',
        '/app/lucid/settings.py': [
          'SECRET_KEY = os.environ["SECRET_KEY"]',
          'SIGNING_KEY = os.environ.get("SIGNING_KEY")',
          'class Settings(BaseSettings):',
          '    ENCRYPTION_KEY: str = Field(default="", env="ENCRYPTION_KEY")',
          '    MASTER_KEY: Optional[str] = None',
          '    HMAC_KEY: str = os.getenv("HMAC_KEY", "")',
          '',
        ].join('\n'),
      }),
    ).toEqual([]);
  });
  test('a string literal, or one a lookup falls back to, still fails', () => {
    const [seen, ...rest] = flagged({
      '/app/lucid/settings.py': [
        `SECRET_KEY = "${pw}"`,
        `SIGNING_KEY: str = '${pw}-s'`,
        `MASTER_KEY = config("MASTER_KEY", default="${pw}-m")`,
        `HMAC_KEY = os.getenv("HMAC_KEY", "${pw}-h")  # dev`,
        'DB = {',
        `    "PASSWORD": r"${pw}-p",`,
        '}',
        '',
      ].join('\n'),
    });
    expect(rest).toEqual([]);
    for (const n of [
      'line 1: a literal value for SECRET_KEY',
      'line 2: a literal value for SIGNING_KEY',
      'line 3',
      'line 4',
    ])
      expect(seen).toContain(n);
    expect(seen).toContain('and 1 more');
    expect(seen).not.toContain(pw);
  });
});

describe('references that are not literals: placeholders, expansions, secret-store and encrypted values', () => {
  // Each as the software that reads it writes it; before, every one here failed as a literal secret.
  const values = [
    "#{systemEnvironment['DB_PASSWORD']}", // Spring SpEL
    '#{@vault.read("secret/lucid").password}',
    '${DB_PASSWORD:}', // Spring placeholder with an (empty) default
    '${spring.datasource.password}',
    '${DB_PASSWORD:${FALLBACK_PASSWORD}}',
    '$(DB_PASSWORD)', // Kubernetes env expansion
    'vault:secret/data/lucid/db#password', // bank-vaults webhook
    'vault:secret/data/lucid/db#password#2',
    'env:DB_PASSWORD',
    'ENC(G6N718UuyPE5bHyWKyuLQSm02auQPUtm)', // Jasypt ciphertext
    '{cipher}AQA8fRqhY9mbjU1ETb0mBlvE6ws+6uGUyvGxUvRVr1lu9eQ0TA==', // Spring Cloud Config
    "<%= ENV['DB_PASSWORD'] %>", // ERB
    '<%= ENV.fetch("DB_PASSWORD") %>',
    '{{ .Values.db.password }}', // Helm / Go templates
    '{{ env "DB_PASSWORD" }}',
    '{{ .Values.db.password | quote }}',
    '%(ENV_DB_PASSWORD)s', // supervisord
    '${{ secrets.DB_PASSWORD }}', // GitHub Actions (a workflow COPY . /app takes along)
    'op://lucid/db/password', // 1Password secret reference
    'awskms:///alias/lucid-signing', // sigstore/cosign KMS key references
    'gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k',
    'hashivault://lucid-signing',
  ];
  test.each(values)('a config file: password: %s passes', (v) => {
    expect(flagged({ '/app/config/app.yaml': `db:\n  password: "${v.replace(/"/g, '\\"')}"\n` })).toEqual([]);
    expect(flagged({ '/app/config/application.properties': `spring.datasource.password=${v}\n` })).toEqual([]);
  });
  test.each(values)('Env: DB_PASSWORD=%s passes', (v) => {
    expect(envFlagged([`DB_PASSWORD=${v}`])).toEqual([]);
  });
  test('literals next to them still fail: a default password, plain words, key ids under a key name', () => {
    // A default that is itself a literal is not written as a placeholder: the contract's MONGODB_URI example.
    expect(envFlagged(['MONGODB_URI=mongodb://lucid:changeme@lucid-mongodb:27017/lucid'])).toHaveLength(1);
    for (const v of ['changeme', 'lucid', 'kid-1', 'ENC-changeme', 'vault-password', 'vault:changeme', '#changeme'])
      expect([v, envFlagged([`SECRET_KEY=${v}`])]).toEqual([
        v,
        [expect.stringMatching(/literal value for SECRET_KEY/)],
      ]);
    expect(flagged({ '/app/config/app.yaml': 'db:\n  password: lucid\n' })).toHaveLength(1);
    expect(flagged({ '/app/config/application.properties': 'spring.datasource.password=ENC(\n' })).toHaveLength(1);
    // A key id is no key: the name says so.
    expect(envFlagged(['SIGNING_KEY_ID=kid-1', 'JWT_KEY_ID=kid-1'])).toEqual([]);
  });
});

describe("a placeholder's fallback is baked in: judged as the value it is", () => {
  // As os.getenv("DB_PASSWORD", "changeme") already is: the image carries the password whatever the env says.
  test.each([
    '${DB_PASSWORD:-changeme}',
    '${DB_PASSWORD-changeme}',
    '${DB_PASSWORD:=changeme}',
    '${db.password:changeme}',
  ])('%s fails in Env and in config files', (v) => {
    expect(envFlagged([`DB_PASSWORD=${v}`])).toEqual([expect.stringMatching(/literal default for DB_PASSWORD/)]);
    expect(flagged({ '/app/config/application.properties': `spring.datasource.password=${v}\n` })).toHaveLength(1);
    expect(flagged({ '/app/config/app.yaml': `db:\n  password: "${v}"\n` })).toHaveLength(1);
  });
  test.each([
    '${DB_PASSWORD:-}',
    '${DB_PASSWORD:?set DB_PASSWORD}', // an error message, not a value
    '${DB_PASSWORD:+configured}', // used only when DB_PASSWORD is set
    '${DB_PASSWORD:-${FALLBACK_PASSWORD}}',
    '${DB_PASSWORD:-/run/secrets/db_password}',
    '${REQUIRE_API_KEY:-false}',
  ])('%s passes', (v) => {
    expect(envFlagged([`DB_PASSWORD=${v}`])).toEqual([]);
    expect(flagged({ '/app/config/application.properties': `spring.datasource.password=${v}\n` })).toEqual([]);
  });
});

describe('no-secret-files: private JWKs outside flat JSON', () => {
  const n = b64u(8);
  const d = b64u(6);
  const xy = b64u(4);
  test.each([
    [
      '/app/config/jwt.yaml',
      `jwt:\n  issuer: lucid\n  signing_key:\n    kty: EC\n    crv: P-256\n    kid: k1\n    x: ${xy}\n    y: ${xy}\n    d: ${d}\n  ttl: 3600\n`,
    ],
    [
      '/app/config/jwks.yml',
      `keys:\n  - kty: RSA\n    kid: "k1"\n    n: "${n}"\n    e: AQAB\n    d: "${d}"\n    p: "${xy}"\n    q: "${xy}"\n  - kty: OKP\n    crv: Ed25519\n    x: ${xy}\n`,
    ],
    ['/app/config/jwt.yaml', `signing_key: {kty: OKP, crv: Ed25519, x: ${xy}, d: ${d}}\n`],
    [
      '/app/lucid/keys.py',
      `import json\n\nSIGNING_JWK = {\n    'kty': 'EC',\n    'crv': 'P-256',\n    'x': '${xy}',\n    'y': '${xy}',\n    'd': '${d}',  # do not share\n}\n`,
    ],
    ['/app/lucid/jwt_keys.py', `PRIVATE_JWK = {"kty": "OKP", "crv": "Ed25519", "x": "${xy}", "d": "${d}"}\n`],
    [
      '/app/keys/signing.json',
      `// the service's signing key {EC}\n{\n  /* rotated yearly {see ops} */\n  "kty": "EC", "crv": "P-256", "x": "${xy}", "y": "${xy}",\n  "d": "${d}"\n}\ntrailing notes\n`,
    ],
  ])('fails %s', (p, text) => {
    expect(flagged({ [p]: text })).toEqual([expect.stringMatching(/a private JSON Web Key \((?:EC|RSA|OKP)\)/)]);
  });
  test('public keys, placeholders, key-shaped data that is no JWK, test suites and docs pass', () => {
    const priv = `{'kty': 'EC', 'crv': 'P-256', 'x': '${xy}', 'y': '${xy}', 'd': '${d}'}`;
    expect(
      flagged({
        '/app/config/jwks.yaml': `keys:\n  - kty: RSA\n    n: ${n}\n    e: AQAB\n  - kty: OKP\n    crv: Ed25519\n    x: ${xy}\n`,
        '/app/config/example.yaml': `signing_key:\n  kty: EC\n  crv: P-256\n  d: "<base64url>"\n`,
        '/app/lucid/public_keys.py': `JWK = {"kty": "EC", "crv": "P-256", "x": "${xy}", "y": "${xy}"}\n`,
        // A private member name without a key type it belongs to, or a key type that has no "d".
        '/app/config/data.yaml': `point:\n  kty: curve\n  d: ${d}\n`,
        '/app/config/rsa.json': `{"kty": "RSA", "d": "${d}"}\n`,
        '/app/config/ec.json': `{"kty": "EC", "d": "${d}"}\n`,
        // PyJWT's to_jwk (jwt/algorithms.py), vendored into the image's own code: a dict of expressions is code.
        '/app/lucid/vendor/jwt/algorithms.py': [
          '        def to_jwk(key_obj):',
          '            if getattr(key_obj, "private_numbers", None):',
          '                numbers = key_obj.private_numbers()',
          '                obj = {',
          '                    "kty": "RSA",',
          '                    "key_ops": ["sign"],',
          '                    "n": to_base64url_uint(numbers.public_numbers.n).decode(),',
          '                    "e": to_base64url_uint(numbers.public_numbers.e).decode(),',
          '                    "d": to_base64url_uint(numbers.d).decode(),',
          '                    "p": to_base64url_uint(numbers.p).decode(),',
          '                    "q": to_base64url_uint(numbers.q).decode(),',
          '                }',
          '    def to_jwk(key_obj):',
          '        return json.dumps({"k": base64url_encode(force_bytes(key_obj)).decode(), "kty": "oct"})',
          '',
        ].join('\n'),
        '/app/tests/test_jwt.py': `KEY = ${priv}\n`,
        '/app/docs/jwk.md': `A private key looks like ${priv}\n`,
        '/usr/local/lib/python3.11/site-packages/jose/jwk.py': `"""Example: ${priv}"""\n`,
      }),
    ).toEqual([]);
  });
});

describe('switches named like secrets, and a CI workflow a COPY . takes along', () => {
  test("a boolean switch is no secret: huggingface_hub's HF_HUB_DISABLE_IMPLICIT_TOKEN=1, REQUIRE_API_KEY=true", () => {
    // Before: each failed as a literal token or key.
    const env = ['HF_HUB_DISABLE_IMPLICIT_TOKEN=1', 'REQUIRE_API_KEY=true', 'USE_AUTH_TOKEN=false', 'VERIFY_TOKEN=0'];
    expect(envFlagged(env)).toEqual([]);
    expect(flagged({ '/app/run.env': `${env.join('\n')}\n`, '/app/launch': `${env.join('\n')}\n` })).toEqual([]);
    expect(envFlagged(['API_TOKEN=12345678', 'PASSWORD=changeme', 'SECRET_KEY=yes-please'])).toHaveLength(3);
  });
  test("a GitHub Actions workflow's permissions and secret references pass; a literal token in it fails", () => {
    const workflow = [
      'name: release',
      'permissions:',
      '  contents: read',
      '  id-token: write',
      'jobs:',
      '  publish:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: pypa/gh-action-pypi-publish@release/v1',
      '        with:',
      '          password: ${{ secrets.PYPI_API_TOKEN }}',
      '      - run: gh release create "$TAG"',
      '        env:',
      '          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}',
      '',
    ].join('\n');
    expect(flagged({ '/app/.github/workflows/release.yml': workflow })).toEqual([]);
    expect(
      flagged({ '/app/.github/workflows/release.yml': workflow.replace('${{ secrets.GITHUB_TOKEN }}', pw) }),
    ).toHaveLength(1);
  });
});

describe("alembic's generated alembic.ini", () => {
  // `alembic init` writes this placeholder URL; projects copy the file into the image and set the real URL in env.py.
  const ini = [
    '# A generic, single database configuration.',
    '',
    '[alembic]',
    'script_location = alembic',
    'prepend_sys_path = .',
    'version_path_separator = os',
    '',
    'sqlalchemy.url = driver://user:pass@localhost/dbname',
    '',
    '[post_write_hooks]',
    '',
    '[loggers]',
    'keys = root,sqlalchemy,alembic',
    '',
  ].join('\n');
  test('its placeholder URL (scheme "driver", no database driver) passes; a real URL with a password fails', () => {
    // Before: failed as a password in a URL.
    expect(flagged({ '/app/alembic.ini': ini })).toEqual([]);
    expect(
      flagged({ '/app/alembic.ini': ini.replace('driver://user:pass@localhost', 'postgresql://lucid:changeme@db') }),
    ).toEqual([expect.stringMatching(/a password in a URL: postgresql:\/\/lucid:ch\*+@/)]);
  });
});
