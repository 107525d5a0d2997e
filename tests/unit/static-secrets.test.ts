import { describe, expect, test } from 'vitest';
import { loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { mask, secretAssignment, secretsInText } from '../../helpers/facts/secret-scan.ts';
import { checkNoSecrets } from '../../helpers/checks/static/secrets.ts';
import { sampleFacts, withConfig } from '../support/sample-facts.ts';

const contract = loadContract({});
const svc = serviceNamed(contract, 'service-mesh-controller');
const base = sampleFacts(contract, svc, 'linux/amd64');
const check = (env: string[], history: string[] = [], allow: string[] = []) =>
  checkNoSecrets(
    withConfig(base, { Env: env }, { history: history.map((created_by) => ({ created_by })) }),
    { ...contract, secrets: { allow } },
    svc,
    'linux/amd64',
  );

// Token-shaped test strings are assembled at run time so no secret scanner mistakes this file for a leak.
const ghp = ['ghp', '_', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'].join('');
const aws = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
const slack = ['xoxb', '-123456789012-abcdefABCDEF'].join('');
const jwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJ1c2VyX2lkIjoiYmxvY2tjaGFpbl91c2VyIn0', 'c2lnbmF0dXJlc2lnbmF0dXJl'].join('.');
const pem = ['-----BEGIN RSA ', 'PRIVATE KEY-----\\nMIIEow...'].join('');

describe('no-secrets', () => {
  test("fails the real mesh image's MONGODB_URI with the password changeme, masked", () => {
    const f = check(['MONGODB_URI=mongodb://lucid:changeme@lucid-mongodb:27017/lucid?authSource=admin']);
    expect(f).toHaveLength(1);
    expect(f[0]!.seen).toBe('Env MONGODB_URI carries a password in a URL: mongodb://lucid:ch******@…');
    expect(f[0]!.where).toBe('image config: Env MONGODB_URI');
    expect(JSON.stringify(f)).not.toContain('changeme');
  });

  test('fails passwords inside a value or a command line: DSN, URL query, --options, curl -u, an Authorization header', () => {
    // Before: each of these passed.
    const f = check(
      [
        'DATABASE_URL=postgresql://lucid@db/lucid?sslmode=disable&password=changeme1',
        'PG_DSN=host=db user=lucid password=changeme2 dbname=lucid',
        'APP_ARGS=--db-password changeme3',
      ],
      [
        'CMD ["python3" "-m" "lucid" "--secret-key" "changeme4"]',
        'ENTRYPOINT ["python3", "app.py", "--api-token=changeme5"]',
        'RUN /bin/sh -c curl -fsS -u deploy:changeme6 https://artifacts.example/x.tgz',
        'RUN /bin/sh -c curl -H "Authorization: Bearer abcdef0123456789xyz" https://x',
      ],
    );
    expect(f.map((x) => x.seen)).toEqual([
      'Env DATABASE_URL carries a literal value for password: password=ch*******',
      'Env PG_DSN carries a literal value for password: password=ch*******',
      'Env APP_ARGS carries a literal value for db_password: db_password=ch*******',
      'history[0].created_by carries a literal value for secret_key: secret_key=ch*******',
      'history[1].created_by carries a literal value for api_token: api_token=ch*******',
      'history[2].created_by carries a literal value for PASSWORD: PASSWORD=ch*******',
      'history[3].created_by carries an Authorization header: Au************',
    ]);
    // References, flags without a secret value, and docker login's --password-stdin pass.
    expect(
      check(
        ['ARGS=--password $DB_PASSWORD', 'URL=https://x/?token=${TOKEN}'],
        [
          'RUN /bin/sh -c echo "$PW" | docker login -u bot --password-stdin registry',
          'RUN /bin/sh -c curl -H "Authorization: Bearer $TOKEN" https://x',
          'CMD ["python3" "-m" "lucid" "--port" "8086"]',
          'CMD ["gunicorn" "-u" "nonroot:nonroot" "-b" "0.0.0.0:8086" "app:app"]', // a user and group, not curl's -u
        ],
      ),
    ).toEqual([]);
  });

  test('a switch named like a secret takes no value: adduser --disabled-password <user>, psql --no-password <db>', () => {
    // Before: the user and database names were read as the switches' passwords.
    expect(
      check(
        [],
        [
          'RUN /bin/sh -c adduser --disabled-password nonroot',
          'RUN /bin/sh -c adduser --uid 65532 --disabled-password nonroot',
          'RUN /bin/sh -c pg_dump --no-password lucid > /tmp/x.sql',
        ],
      ),
    ).toEqual([]);
    expect(check([], ['CMD ["python3" "-m" "lucid" "--password" "changeme7"]'])).toHaveLength(1);
  });

  test('a secret read at build time from a mounted file, $(cat /run/secrets/x), is no literal', () => {
    // RUN --mount=type=secret: the history keeps the command, never the secret. Before: "$(cat" was the literal.
    expect(
      check(
        [],
        [
          'RUN /bin/sh -c GITHUB_TOKEN=$(cat /run/secrets/gh) pip install git+https://github.com/x/y',
          'RUN /bin/sh -c pip download --api-token=$(cat /run/secrets/t) x',
          'RUN /bin/sh -c PIP_TOKEN=`cat /run/secrets/pip` pip install x',
        ],
      ),
    ).toEqual([]);
  });

  test('fails a password-named env var with a literal value, and a secret in history', () => {
    const f = check(
      ['MONGO_PASSWORD=hunter22', 'JWT_SECRET_KEY=supersecretvalue'],
      ['/bin/sh -c #(nop)  ENV SECRET_KEY=abcdef123456', 'RUN |1 DB_PASSWORD=pa55word /bin/sh -c make'],
    );
    expect(f.map((x) => x.seen)).toEqual([
      'Env MONGO_PASSWORD carries a literal value for MONGO_PASSWORD: MONGO_PASSWORD=hu******',
      'Env JWT_SECRET_KEY carries a literal value for JWT_SECRET_KEY: JWT_SECRET_KEY=su************',
      'history[0].created_by carries a literal value for SECRET_KEY: SECRET_KEY=ab**********',
      'history[1].created_by carries a literal value for DB_PASSWORD: DB_PASSWORD=pa******',
    ]);
  });

  test('finds token shapes and PEM keys anywhere in Env values or history', () => {
    const f = check([`X=${ghp}`, `Y=${aws}`, `Z=${slack}`, `W=Bearer ${jwt}`], [`COPY key.pem / # ${pem}`]);
    expect(f.map((x) => x.seen.replace(/:.*$/, ''))).toEqual([
      'Env X carries a GitHub token',
      'Env Y carries an AWS access key id',
      'Env Z carries a Slack token',
      'Env W carries a JWT',
      'history[0].created_by carries a PEM private key',
    ]);
    for (const s of [ghp, aws, slack, jwt]) expect(JSON.stringify(f)).not.toContain(s);
  });

  test('passes near misses: empty values, references, *_FILE paths, URLs without a password, public keys', () => {
    const f = check(
      [
        'PASSWORD=',
        'API_TOKEN=${API_TOKEN}',
        'PASSWORD_FILE=/run/secrets/x', // points at a secret mounted at run time: the way it should be done
        'TOKEN_URL=https://auth.example/token',
        'MONGODB_URL=mongodb://lucid-mongo-standin:27017/lucid',
        'REDIS_URL=redis://:@redis:6379/0',
        'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
        'PWD=/app',
        'MAX_TOKENS=4096',
      ],
      [
        'ARG MONGO_PASSWORD',
        'RUN /bin/sh -c export PASSWORD=$PASSWORD && make',
        'ENV URL=mongodb://user:${MONGO_PW}@db/x',
      ],
    );
    expect(f).toEqual([]);
  });

  test('contract.secrets.allow ignores exact strings and regexes, nothing more', () => {
    const env = ['MONGODB_URI=mongodb://lucid:changeme@db/x', 'API_KEY=placeholder-123'];
    expect(check(env, [], ['changeme', 'placeholder-\\d+'])).toEqual([]);
    expect(check(env, [], ['change'])).toHaveLength(2); // anchored: a prefix allows nothing
  });
});

describe('secret helpers', () => {
  test('mask keeps at most two characters', () => {
    expect(mask('changeme')).toBe('ch******');
    expect(mask('ab')).toBe('****');
    expect(mask('abcd')).toBe('a****');
  });

  test('secretAssignment and secretsInText', () => {
    expect(secretAssignment('DB_PASS', '"quoted value"')?.secret).toBe('quoted value');
    expect(secretAssignment('PASSWORD_FILE', '/run/secrets/x')).toBeUndefined();
    expect(secretsInText('postgres://u:p%40ss@h/db')[0]?.secret).toBe('p%40ss');
    expect(secretsInText('REDIS_URL=redis://:s3cretpw@redis:6379/0')[0]?.shown).toBe('redis://:s3******@…');
  });
});
