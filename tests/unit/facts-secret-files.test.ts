import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { indexLayer } from '../../helpers/facts/layer-index.ts';
import { mergeLayers } from '../../helpers/facts/merge.ts';
import { indexDiffDir } from '../../helpers/facts/overlay-layers.ts';
import {
  fingerprintOf,
  MAX_CONFIG_BYTES,
  MAX_SECRET_SCAN_BYTES,
  scanSecretFile,
  secretScanMode,
} from '../../helpers/facts/secret-files.ts';
import { elfHeader, packTar, type TarItem } from '../support/tar-fixture.ts';
import { fixtureEd25519Pem, fixtureRsaJwk } from '../../fixtures/defects/catalog-content.ts';

// Key- and token-shaped strings are assembled at run time so no secret scanner mistakes this file for a leak.
const BEGIN = (t: string) => ['-----BEGIN', `${t}-----`].join(' ');
const END = (t: string) => ['-----END', `${t}-----`].join(' ');
const body =
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n';
const rsaKey = `${BEGIN('RSA PRIVATE KEY')}\n${body}${END('RSA PRIVATE KEY')}\n`;
const cert = `${BEGIN('CERTIFICATE')}\n${body}${END('CERTIFICATE')}\n`;
const npmToken = ['npm', '_', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'].join('');
const ghp = ['ghp', '_', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'].join('');
const pypiToken = ['pypi', '-', 'AgEIcHlwaS5vcmcCJDAwMDAwMDAw'].join('');
const scan = (text: string | Buffer, mode: 'config' | 'content' | 'pem') => scanSecretFile(Buffer.from(text), mode);
const shown = (text: string | Buffer, mode: 'config' | 'content' | 'pem') =>
  scan(text, mode).map((h) => `${h.line} ${h.kind}: ${h.shown}`);

describe('secretScanMode: how deeply a file is read, by name and size', () => {
  test.each([
    ['/app/.env', 'config'],
    ['/app/prod.env', 'config'],
    ['/app/.env.production', 'config'],
    ['/root/.npmrc', 'config'],
    ['/home/nonroot/.pypirc', 'config'],
    ['/root/.git-credentials', 'config'],
    ['/app/credentials.json', 'config'],
    ['/home/x/.ssh/id_rsa', 'config'],
    ['/home/x/.ssh/id_ed25519', 'config'],
    ['/etc/app/settings.yaml', 'config'],
    ['/usr/local/share/lucid/session.cache', 'content'],
    ['/app/run', 'content'],
    ['/usr/lib/python3.11/smtplib.py', 'pem'],
    ['/app/.env.example', 'pem'],
    ['/usr/local/lib/python3.11/site-packages/botocore/data/acm/2015-12-08/paginators-1.json', 'pem'],
    ['/app/node_modules/pkg/config.yaml', 'pem'],
    ['/usr/share/doc/x/examples/req.conf', 'pem'],
    ['/usr/share/doc/x/examples/run-me', 'pem'],
    ['/app/node_modules/pkg/.npmrc', 'config'],
    ['/usr/lib/app/.env', 'config'],
    ['/etc/app/app.conf', 'config'],
    ['/usr/share/doc/x/README.md', 'pem'],
  ])('%s: %s', (path, mode) => {
    expect(secretScanMode(path, 100)).toBe(mode);
  });

  test('empty files and files above the limit are not read', () => {
    expect(secretScanMode('/app/.env', 0)).toBeUndefined();
    expect(secretScanMode('/app/.env', MAX_SECRET_SCAN_BYTES + 1)).toBeUndefined();
    expect(secretScanMode('/app/blob', MAX_SECRET_SCAN_BYTES)).toBe('content');
    expect(secretScanMode('/usr/lib/python3/dist-packages/botocore/data/ec2.json', MAX_CONFIG_BYTES + 1)).toBe('pem');
    expect(secretScanMode('/etc/ssl/certs/ca-certificates.crt', 220_000)).toBe('pem');
  });

  // Seen in Debian's python3-pycryptodome, python3-ecdsa, python3-tornado and python3-twisted; pip's wheels of
  // pycryptodome (web3) and ecdsa (python-jose) ship the same test suites.
  test.each([
    '/usr/local/lib/python3.11/site-packages/Crypto/SelfTest/PublicKey/test_import_RSA.py',
    '/usr/local/lib/python3.11/site-packages/Crypto/SelfTest/PublicKey/__pycache__/test_import_RSA.cpython-311.pyc',
    '/app/site-packages/ecdsa/test_keys.py',
    '/app/site-packages/ecdsa/__pycache__/test_keys.cpython-311.pyc',
    // pip's jwcrypto wheel: its suite is jwcrypto/tests.py and tests-cookbook.py (PEM keys, JWK test vectors).
    '/usr/local/lib/python3.11/site-packages/jwcrypto/tests.py',
    '/usr/local/lib/python3.11/site-packages/jwcrypto/tests-cookbook.py',
    '/usr/local/lib/python3.11/site-packages/jwcrypto/__pycache__/tests.cpython-311.pyc',
    '/opt/venv/lib/python3.11/site-packages/jwcrypto/tests_mldsa.py',
    '/usr/lib/python3/dist-packages/tornado/test/test.key',
    '/usr/lib/python3/dist-packages/twisted/conch/test/keydata.py',
    '/usr/lib/python3/dist-packages/twisted/test/server.pem',
    '/app/node_modules/pkg/tests/fixtures/.env',
  ])('a test suite inside installed software is not read: %s', (path) => {
    expect(secretScanMode(path, 100)).toBeUndefined();
  });

  test.each([
    ['/app/tests/test_keys.py', 'pem'],
    ['/app/tests/.env', 'config'],
    ['/usr/local/share/lucid/test.key', 'config'],
    ['/usr/local/lib/python3.11/site-packages/ecdsa/keys.py', 'pem'],
    ['/usr/local/lib/python3.11/site-packages/contest/latest.py', 'pem'],
    ['/usr/local/lib/python3.11/site-packages/pkg/attests.py', 'pem'],
    ['/app/lucid/tests.py', 'pem'],
  ])("the image's own tests and other software files still are: %s", (path, mode) => {
    expect(secretScanMode(path, 100)).toBe(mode);
  });
});

describe('scanSecretFile', () => {
  test('an env file: literal secrets by name, masked, with line numbers; references, empty and plain values pass', () => {
    const env =
      'DB_HOST=lucid-mongo\nDB_USER=lucid\nDB_PASSWORD=Lucid-Pr0d-2025!\nREDIS_URL=${REDIS_URL}\nexport API_TOKEN="abcdef123456"\nSECRET_KEY=\nJWT_SECRET=$JWT_SECRET\n# PASSWORD=commented\n';
    expect(shown(env, 'config')).toEqual([
      '3 a literal value for DB_PASSWORD: DB_PASSWORD=Lu************',
      '5 a literal value for API_TOKEN: API_TOKEN=ab**********',
    ]);
    const all = JSON.stringify(scan(env, 'config'));
    expect(all).not.toContain('Lucid-Pr0d-2025!');
    expect(all).not.toContain('abcdef123456');
  });

  test('the fingerprint is sha256 of the secret, 16 hex digits, the same wherever the secret is', () => {
    const [a] = scan('DB_PASSWORD=Lucid-Pr0d-2025!\n', 'config');
    const [b] = scan('x: 1\ndb_password: "Lucid-Pr0d-2025!"\n', 'config');
    expect(a!.fingerprint).toBe(fingerprintOf('Lucid-Pr0d-2025!'));
    expect(a!.fingerprint).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(b!.fingerprint).toBe(a!.fingerprint);
    expect(b!.line).toBe(2);
  });

  test('private keys by content under any name; the CA bundle and public keys never', () => {
    expect(shown(rsaKey, 'content')).toEqual([`1 a PEM private key (RSA): ${BEGIN('RSA PRIVATE KEY')} MI************`]);
    expect(shown(`notes\n\n${fixtureEd25519Pem('t')}`, 'pem')).toEqual([
      `3 a PEM private key: ${BEGIN('PRIVATE KEY')} MC************`,
    ]);
    expect(scan(`${BEGIN('OPENSSH PRIVATE KEY')}\n${body}${END('OPENSSH PRIVATE KEY')}\n`, 'config')[0]!.kind).toBe(
      'a PEM private key (OPENSSH)',
    );
    expect(scan(`${BEGIN('ENCRYPTED PRIVATE KEY')}\n${body}${END('ENCRYPTED PRIVATE KEY')}\n`, 'content')).toHaveLength(
      1,
    );
    expect(
      scan(
        `${BEGIN('PGP PRIVATE KEY BLOCK')}\nVersion: GnuPG v2\n\n${body}${END('PGP PRIVATE KEY BLOCK')}\n`,
        'content',
      )[0]!.kind,
    ).toBe('a PEM private key (PGP)');
    expect(scan(cert.repeat(3), 'content')).toEqual([]);
    expect(scan(`${BEGIN('PUBLIC KEY')}\n${body}${END('PUBLIC KEY')}\n`, 'config')).toEqual([]);
    expect(
      scan(
        `${BEGIN('CERTIFICATE')}\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpBQkNERUZHSElKS0xNTk9QUVJTVFVW\nSECRET_PASS==\n${END('CERTIFICATE')}\n`,
        'config',
      ),
    ).toEqual([]);
  });

  test("the secret-files defect's key is a real Ed25519 private key, the same for the same label", () => {
    const pem = fixtureEd25519Pem('secret-files');
    expect(createPrivateKey(pem).asymmetricKeyType).toBe('ed25519');
    expect(fixtureEd25519Pem('secret-files')).toBe(pem);
    expect(scan(pem, 'content')).toHaveLength(1);
  });

  test("the private-jwk-file defect's JWK is a real RSA-2048 private key, the same for the same label", () => {
    const jwk = fixtureRsaJwk('private-jwk-file');
    const key = createPrivateKey({ key: jwk, format: 'jwk' });
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const signature = sign('sha256', Buffer.from('lucid'), key);
    expect(verify('sha256', Buffer.from('lucid'), createPublicKey(key), signature)).toBe(true);
    expect(fixtureRsaJwk('private-jwk-file')).toEqual(jwk);
    expect(shown(JSON.stringify({ keys: [jwk] }, null, 2), 'config')).toEqual([
      `3 a private JSON Web Key (RSA): "kty": "RSA", "d": "${jwk.d!.slice(0, 2)}${'*'.repeat(12)}"`,
    ]);
  });

  test("a parser's PEM constant is not a key: a private key needs a body", () => {
    expect(scan(`PEM_HEADER = "${BEGIN('PRIVATE KEY')}"\nPEM_FOOTER = "${END('PRIVATE KEY')}"\n`, 'pem')).toEqual([]);
    expect(scan(`if line.startswith(b"${BEGIN('OPENSSH PRIVATE KEY')}"):\n    parse(line)\n`, 'pem')).toEqual([]);
    const code = `_BEGIN = b"${BEGIN('OPENSSH PRIVATE KEY')}"\n${'def load_private_key(data, password=None, backend=None):\n    return _load(data)\n'.repeat(3)}_END = b"${END('OPENSSH PRIVATE KEY')}"\n`;
    expect(scan(code, 'pem')).toEqual([]);
  });

  test('a key in code as adjacent string literals, one line each (black, JS concatenation), is a key', () => {
    const lines = body.trim().split('\n');
    const py = `PRIVATE_KEY = (\n    "${BEGIN('RSA PRIVATE KEY')}\\n"\n${lines.map((l) => `    "${l}\\n"`).join('\n')}\n    "${END('RSA PRIVATE KEY')}\\n"\n)\n`;
    const js = `const key =\n  '${BEGIN('PRIVATE KEY')}\\n' +\n${lines.map((l) => `  '${l}\\n' +`).join('\n')}\n  '${END('PRIVATE KEY')}';\n`;
    // Before: the quotes between the markers made the body "not base64" and neither was found.
    expect(shown(py, 'pem')).toEqual([`2 a PEM private key (RSA): ${BEGIN('RSA PRIVATE KEY')} MI************`]);
    expect(scan(js, 'pem')).toHaveLength(1);
    expect(scan(py, 'pem')[0]!.fingerprint).toBe(scan(rsaKey, 'pem')[0]!.fingerprint);
  });

  test('compose env lists, space-separated settings and .netrc lines are read (they were not)', () => {
    const compose =
      'services:\n  mongo:\n    environment:\n      - MONGO_INITDB_ROOT_PASSWORD=changeme\n      - "REDIS_PASSWORD=hunter2"\n      - MONGO_URL=${MONGO_URL}\n';
    expect(shown(compose, 'config')).toEqual([
      '4 a literal value for MONGO_INITDB_ROOT_PASSWORD: MONGO_INITDB_ROOT_PASSWORD=ch******',
      '5 a literal value for REDIS_PASSWORD: REDIS_PASSWORD=hu*****',
    ]);
    expect(shown('bind 0.0.0.0\nrequirepass foobared\n# requirepass commented\n', 'config')).toEqual([
      '2 a literal value for requirepass: requirepass fo******',
    ]);
    expect(shown('machine github.com login bot password s3cr3tpw\n', 'config')).toEqual([
      '1 a password (netrc): password s3******',
    ]);
    expect(shown('machine h\n  login bot\n  password s3cr3tpw\n', 'config')).toEqual([
      '3 a literal value for password: password s3******',
    ]);
    // Prose and references stay quiet.
    expect(scan('help: >\n  The password must be long\npassword ${DB_PASSWORD}\n', 'config')).toEqual([]);
  });

  test("nginx's proxy_pass and fastcgi_pass name an upstream, not a password", () => {
    // Before: read as space-separated settings whose key ends in "pass".
    const nginx =
      'server {\n  listen 8080;\n  location / {\n    proxy_pass http://app:8000;\n  }\n  location /php {\n    fastcgi_pass unix:/run/php.sock;\n  }\n}\n';
    expect(scan(nginx, 'config')).toEqual([]);
    expect(shown('bind 0.0.0.0\nmasterauth hunter22\n', 'config')).toEqual([
      '2 a literal value for masterauth: masterauth hu******',
    ]);
  });

  test('a YAML file: its two-word prose lines are not space-separated settings', () => {
    // Before: "password reset" and "access_token expires" (folded descriptions) were read as key and value.
    const openapi =
      'paths:\n  /reset:\n    post:\n      description: >\n        Sends a mail to\n        password reset\n      summary: |\n        The\n        access_token expires\n';
    expect(scan(openapi, 'config')).toEqual([]);
  });

  test('the same key twice in a file is one hit', () => {
    expect(scan(`${rsaKey}\n${rsaKey}`, 'content')).toHaveLength(1);
  });

  test('credentials.json: the escaped private key and the client secret of a service account', () => {
    const json = JSON.stringify({
      type: 'service_account',
      client_email: 'x@y.iam',
      private_key: `${BEGIN('PRIVATE KEY')}\n${body}${END('PRIVATE KEY')}\n`,
      client_secret: 'GOCSPX-abcdefghij',
    });
    expect(scan(json, 'config').map((h) => h.kind)).toEqual(['a PEM private key', 'a literal value for client_secret']);
  });

  test('.npmrc and .pypirc with tokens; .git-credentials with a password in a URL', () => {
    expect(
      shown(`registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${npmToken}\n`, 'config'),
    ).toEqual([
      `2 a literal value for //registry.npmjs.org/:_authToken: //registry.npmjs.org/:_authToken=np************`,
    ]);
    expect(shown('_auth=dXNlcjpwYXNzd29yZA==\nalways-auth=true\n', 'config')).toEqual([
      '1 a literal value for _auth: _auth=dX************',
    ]);
    expect(
      shown(`[distutils]\nindex-servers = pypi\n[pypi]\nusername = __token__\npassword = ${pypiToken}\n`, 'config'),
    ).toEqual(['5 a literal value for password: password=py************']);
    // The token is the URL's password: one secret, one hit.
    expect(shown(`https://lucid-bot:${ghp}@github.com\n`, 'config')).toEqual([
      '1 a password in a URL: https://lucid-bot:gh************@…',
    ]);
    expect(
      shown(`token: ${ghp}\nnote: ${ghp.replace('ghp', 'gho')}\n`, 'config').map((s) => s.replace(/:.*$/, '')),
    ).toEqual(['1 a literal value for token', '2 a GitHub token']);
  });

  test('config files that name no secret pass: .npmrc without a token, nsswitch.conf, placeholders', () => {
    expect(scan('registry=https://registry.npmjs.org/\nsave-exact=true\n', 'config')).toEqual([]);
    expect(scan('passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n', 'config')).toEqual([]);
    expect(
      scan(
        'password: null\ntoken: ~\nsecret: "{{ vault_secret }}"\napi_key: <your key here>\npassword = %(db_password)s\n',
        'config',
      ),
    ).toEqual([]);
    expect(scan('max_tokens = 4096\npassword_file = /run/secrets/db\n', 'config')).toEqual([]);
    // A YAML tag in front of a reference (pyyaml-env-tag); a tagged literal is still a literal.
    expect(scan('secret: !ENV ${SECRET}\npassword: !ENV "${DB_PASSWORD:-}"\n', 'config')).toEqual([]);
    expect(scan('password: !secret hunter2hunter2\n', 'config').map((h) => `${h.line} ${h.kind}`)).toEqual([
      '1 a literal value for password',
    ]);
    // Structure and paths, not values: a JSON schema's "secret": {, package.json exports, a YAML block scalar.
    expect(
      scan(
        '{\n  "secret": {\n    "type": "object"\n  },\n  "exports": { "./key/generate/secret": "./dist/secret.js" }\n}\n',
        'config',
      ),
    ).toEqual([]);
    expect(scan('tls:\n  private_key: |\n    not-a-pem-body\n', 'config')).toEqual([]);
  });

  test('content mode: strict env lines only (upper-case name, "=", a literal, nothing else on the line)', () => {
    expect(shown('#!/bin/false\nDB_PASSWORD=hunter22\n', 'content')).toEqual([
      '2 a literal value for DB_PASSWORD: DB_PASSWORD=hu******',
    ]);
    expect(scan('QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpBQkNERUZHSElKS0xNTk9QUVJTVFVW\nPASS==\n', 'content')).toEqual([]); // base64's last line
    expect(
      scan(
        'db_password = "x"\nif [ "$PASSWORD" ]; then\nPASSWORD=$1\nAPI_TOKEN=${TOKEN:-}\nprint("PASSWORD=hunter22 is bad")\n',
        'content',
      ),
    ).toEqual([]);
  });

  test('pem mode (source code, docs) and binary data: keys only, no assignments', () => {
    expect(scan('PASSWORD="hunter22"\n', 'pem')).toEqual([]);
    const binary = Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from('\nDB_PASSWORD=hunter22\n')]);
    expect(scan(binary, 'content')).toEqual([]);
    expect(scan(Buffer.concat([Buffer.from([0, 1, 2, 0, 10]), Buffer.from(rsaKey)]), 'content')).toHaveLength(1);
  });
});

const ITEMS: TarItem[] = [
  { name: 'app/', type: 'directory' },
  { name: 'app/.env', data: 'DB_HOST=db\nDB_PASSWORD=Lucid-Pr0d-2025!\n', mode: 0o600 },
  { name: 'app/innocent.dat', data: rsaKey },
  { name: 'app/same-inode.dat', type: 'link', linkname: 'app/innocent.dat' },
  { name: 'app/main.py', data: 'PASSWORD = "in code, not a secret file"\n' },
  { name: 'etc/ssl/certs/ca-certificates.crt', data: cert.repeat(5) },
  {
    name: 'usr/bin/tool',
    mode: 0o755,
    data: Buffer.concat([elfHeader(62), Buffer.from(`\nDB_PASSWORD=in-a-binary\n${rsaKey}`)]),
  },
];
const HITS = ['/app/.env', '/app/innocent.dat', '/app/same-inode.dat'];

describe('secret hits in the layer index', () => {
  test('indexLayer records compact hits (no contents) for the files that have any, hardlinks included', async () => {
    const ix = await indexLayer([await packTar(ITEMS)]);
    expect(Object.keys(ix.secrets ?? {})).toEqual(HITS);
    expect(ix.secrets!['/app/.env']).toEqual([
      {
        kind: 'a literal value for DB_PASSWORD',
        line: 2,
        shown: 'DB_PASSWORD=Lu************',
        fingerprint: fingerprintOf('Lucid-Pr0d-2025!'),
      },
    ]);
    expect(JSON.stringify(ix)).not.toContain('Lucid-Pr0d-2025!');
    expect(ix.texts).toEqual({});
  });

  const root = mkdtempSync(join(tmpdir(), 'lucid-secret-files-unit-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  test('the overlay2 reader finds the same hits in an unpacked layer dir', async () => {
    const tar = await packTar(ITEMS);
    const dir = join(root, 'layer');
    for (const it of ITEMS) {
      const p = join(dir, it.name);
      mkdirSync(dirname(p), { recursive: true });
      if (it.type === 'directory') mkdirSync(p, { recursive: true });
      else if (it.type === 'link') linkSync(join(dir, it.linkname!), p);
      else {
        writeFileSync(p, it.data ?? '');
        chmodSync(p, it.mode ?? 0o644);
      }
    }
    const fromTar = await indexLayer([tar]);
    const fromDir = await indexDiffDir(dir, { names: ITEMS.map((i) => i.name), bytes: tar.length }, fromTar.digest);
    expect(fromDir.secrets).toEqual(fromTar.secrets);
  });

  test('merge: an upper layer that replaces or deletes a file takes its hits away; a hardlink to a lower file shares them', async () => {
    const lower = await indexLayer([await packTar(ITEMS)]);
    const upper = await indexLayer([
      await packTar([
        { name: 'app/.env', data: 'DB_HOST=db\n' },
        { name: 'app/.wh.same-inode.dat', data: '' },
        { name: 'srv/again.dat', type: 'link', linkname: 'app/innocent.dat' },
      ]),
    ]);
    expect([...mergeLayers([lower]).secrets!.keys()]).toEqual(HITS);
    const merged = mergeLayers([lower, upper]);
    expect([...merged.secrets!.keys()].sort()).toEqual(['/app/innocent.dat', '/srv/again.dat']);
  });
});
