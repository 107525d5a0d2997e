import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ContractSchema, type Contract } from '../../helpers/contract/schema.ts';
import { formatIssues, loadContract, serviceNamed } from '../../helpers/contract/load.ts';
import { checkNoSecretFiles, pathGlob } from '../../helpers/checks/static/secret-files.ts';
import { dir, file, sampleFacts, withConfig, withFs } from '../support/sample-facts.ts';
import { fingerprintOf, scanSecretFile, secretScanMode } from '../../helpers/facts/secret-files.ts';
import type { ImageFacts, SecretFileHit } from '../../helpers/model/image-facts.ts';

const contract = loadContract({});
const svc = serviceNamed(contract, 'data-chain');
const base = sampleFacts(contract, svc, 'linux/amd64');
const hit = (kind: string, line: number, shown: string, secret: string): SecretFileHit => ({
  kind,
  line,
  shown,
  fingerprint: fingerprintOf(secret),
});
const PASSWORD = hit('a literal value for DB_PASSWORD', 3, 'DB_PASSWORD=Lu************', 'Lucid-Pr0d-2025!');
const KEY = hit('a PEM private key', 1, '-----BEGIN PRIVATE KEY----- MC************', 'MC4CAQAwBQYDK2VwBCIEI');

/** The sample image plus files with the given hits (as the gatherer would have recorded them). */
function withSecrets(files: Record<string, SecretFileHit[]>, layer = 2): ImageFacts {
  const f = withFs(
    base,
    Object.keys(files).map((p) => file(p, { layer })),
  );
  for (const [p, h] of Object.entries(files)) f.fs.secrets!.set(p, h);
  return f;
}
const allowing = (allow: Contract['secretFiles']['allow']): Contract => ({ ...contract, secretFiles: { allow } });
const check = (f: ImageFacts, c: Contract = contract) => checkNoSecretFiles(f, c, svc, 'linux/amd64');

describe('no-secret-files', () => {
  test('passes the sample distroless image', () => {
    expect(check(base)).toEqual([]);
  });

  test('fails an env file with a password and a key under an innocent name: one finding per file, masked, with the layer', () => {
    const f = check(withSecrets({ '/usr/local/share/lucid/session.cache': [KEY], '/app/.env': [PASSWORD] }));
    expect(f.map((x) => x.seen)).toEqual([
      `/app/.env holds line 3: a literal value for DB_PASSWORD: DB_PASSWORD=Lu************ (${PASSWORD.fingerprint})`,
      `/usr/local/share/lucid/session.cache holds line 1: a PEM private key: -----BEGIN PRIVATE KEY----- MC************ (${KEY.fingerprint})`,
    ]);
    expect(f[0]).toMatchObject({ check: 'no-secret-files', where: 'image file /app/.env (layer 2)' });
    expect(JSON.stringify(f)).not.toContain('Lucid-Pr0d-2025!');
  });

  test('a file with many secrets shows the first four and counts the rest', () => {
    const many = Array.from({ length: 6 }, (_, i) =>
      hit(`a literal value for K${i}_TOKEN`, i + 1, `K${i}_TOKEN=ab****`, `secret-${i}`),
    );
    const [f] = check(withSecrets({ '/app/.env': many }));
    expect(f!.seen.match(/line \d+/g)).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    expect(f!.seen).toMatch(/; and 2 more$/);
  });

  test('hits of a path no longer in the merged image are not judged', () => {
    const f = withSecrets({ '/app/.env': [PASSWORD] });
    f.fs.entries.delete('/app/.env');
    expect(check(f)).toEqual([]);
  });

  test('contract.secretFiles.allow: by path (exact or glob), by fingerprint anywhere, or both together', () => {
    const f = withSecrets({ '/app/.env': [PASSWORD], '/opt/tests/fixtures/key.pem': [KEY] });
    expect(check(f, allowing([{ path: '/app/.env' }])).map((x) => x.where)).toEqual([
      'image file /opt/tests/fixtures/key.pem (layer 2)',
    ]);
    expect(check(f, allowing([{ path: '/opt/**' }, { path: '/app/*' }]))).toEqual([]);
    expect(check(f, allowing([{ path: '/opt/*' }])).length).toBe(2); // * stays within one segment
    expect(check(f, allowing([{ fingerprint: KEY.fingerprint }])).map((x) => x.where)).toEqual([
      'image file /app/.env (layer 2)',
    ]);
    expect(check(f, allowing([{ path: '/app/.env', fingerprint: KEY.fingerprint }])).length).toBe(2); // both must match
    expect(
      check(f, allowing([{ path: '/opt/tests/**', fingerprint: KEY.fingerprint, reason: 'test key of a library' }]))
        .length,
    ).toBe(1);
  });

  test('pathGlob: literal characters stay literal', () => {
    expect(pathGlob('/app/.env').test('/app/xenv')).toBe(false);
    expect(pathGlob('/app/*.env').test('/app/prod.env')).toBe(true);
    expect(pathGlob('/app/*.env').test('/app/sub/prod.env')).toBe(false);
    expect(pathGlob('/app/**/.env').test('/app/a/b/.env')).toBe(true);
  });

  test('a profile file accepts a secret for one run (the way every contract value is overridden)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lucid-allow-'));
    try {
      const profile = join(dir, 'accept-test-key.json');
      writeFileSync(
        profile,
        JSON.stringify({
          secretFiles: {
            allow: [{ path: '/usr/local/share/lucid/*', fingerprint: KEY.fingerprint, reason: 'a test key' }],
          },
        }),
      );
      const c = loadContract({ overrides: [profile] });
      const f = withSecrets({ '/usr/local/share/lucid/session.cache': [KEY], '/app/.env': [PASSWORD] });
      expect(check(f, c).map((x) => x.where)).toEqual(['image file /app/.env (layer 2)']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the allow list is contract data: validated, defaulted, overridable', () => {
    expect(contract.secretFiles.allow).toEqual([]);
    const raw = { ...structuredClone(contract), secretFiles: undefined } as Record<string, unknown>;
    expect(ContractSchema.parse(raw).secretFiles).toEqual({ allow: [] });
    const bad = ContractSchema.safeParse({
      ...raw,
      secretFiles: { allow: [{ reason: 'no path, no fingerprint' }, { fingerprint: 'abc' }, { path: 'relative' }] },
    });
    expect(bad.success).toBe(false);
    const msg = formatIssues(bad.error!.issues);
    expect(msg).toContain('secretFiles.allow.0: an allow entry needs a path, a fingerprint or both');
    expect(msg).toContain('secretFiles.allow.1.fingerprint: a fingerprint as no-secret-files prints it');
    expect(msg).toContain('secretFiles.allow.2.path: must be an absolute path');
  });
  describe('installed software the layer index cannot tell by path (pip install --target, PYTHONPATH)', () => {
    // botocore's paginators (a config-named .json), pycryptodomex's SelfTest RSA key, a PEM key elsewhere.
    const PAGINATORS =
      '{"pagination": {"ListCertificates": {"input_token": "NextToken", "output_token": "NextToken"}}}\n';
    const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${'MIIEowIBAAKCAQEAsvI34FgiTK8+txBvmooNGpNwk23YTU51dwNZi5yha3W4lA/Q\n'.repeat(4)}-----END RSA PRIVATE KEY-----\n`;
    const SELFTEST = `rsa_key = b'''${PEM}'''\n`;
    const DB = 'db:\n  password: Lucid-Pr0d-2025!\n';
    /** The sample image with these files, their hits as the gatherer records them (by path alone). */
    const image = (texts: Record<string, string>, env: string[] = [], extra = [dir('/app/deps')]) => {
      const f = withConfig(
        withFs(base, [
          ...extra,
          ...Object.entries(texts).map(([p, t]) => file(p, { layer: 2, size: Buffer.byteLength(t) })),
        ]),
        { Env: [...base.config.Env, ...env] },
      );
      for (const [p, t] of Object.entries(texts)) {
        const hits = scanSecretFile(Buffer.from(t), secretScanMode(p, Buffer.byteLength(t))!);
        if (hits.length) f.fs.secrets!.set(p, hits);
      }
      return f;
    };
    const flagged = (f: ImageFacts) => check(f).map((x) => (x.where ?? '').replace(/^image file (\S+).*/, '$1'));
    const deps = {
      '/app/deps/botocore/data/acm/2015-12-08/paginators-1.json': PAGINATORS,
      '/app/deps/Cryptodome/SelfTest/Signature/test_pss.py': SELFTEST,
      '/app/deps/.pypirc': '[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmcCJGE4\n',
      '/app/deps/vendor/session.cache': PEM,
      '/app/config.yaml': DB,
    };

    test("by path alone every one of them is read as the image's own", () => {
      expect(flagged(image(deps)).sort()).toEqual(Object.keys(deps).sort());
    });

    test('a dir on PYTHONPATH: data and test suites pass; credential files by name and PEM keys still fail', () => {
      expect(flagged(image(deps, ['PYTHONPATH=/app:/app/deps']))).toEqual([
        '/app/config.yaml', // /app is the WorkingDir: the image's own code and config
        '/app/deps/.pypirc',
        '/app/deps/vendor/session.cache',
      ]);
    });

    test('a dir on PYTHONPATH whose package a python3 -c HEALTHCHECK imports stays installed software', () => {
      // pip install --target /app/deps requests: the probe's "import requests" does not make /app/deps own code.
      const f = withConfig(
        image(
          { ...deps, '/app/deps/requests/__init__.py': '' },
          ['PYTHONPATH=/app:/app/deps'],
          [dir('/app/deps'), dir('/app/deps/requests-2.31.0.dist-info')],
        ),
        {
          Healthcheck: {
            Test: ['CMD', '/usr/bin/python3', '-c', "import requests; requests.get('http://localhost:8500/health')"],
          },
        },
      );
      // Before: every file under /app/deps was read as the image's own config (botocore's paginators failed).
      expect(flagged(f)).toEqual(['/app/config.yaml', '/app/deps/.pypirc', '/app/deps/vendor/session.cache']);
    });

    test('a dir on PYTHONPATH that the User cannot read (/root/.local under a 0700 /root): the same policy', () => {
      const site = '/root/.local/lib/python3.11/site-packages';
      const moved = Object.fromEntries(Object.entries(deps).map(([p, t]) => [p.replace('/app/deps', site), t]));
      expect(flagged(image(moved, [`PYTHONPATH=/app:${site}`], [dir('/root', { mode: 0o700 })]))).toEqual([
        '/app/config.yaml',
        `${site}/.pypirc`,
        `${site}/vendor/session.cache`,
      ]);
    });

    test('a site dir (it holds *.dist-info) without PYTHONPATH: the same policy', () => {
      const site = [dir('/opt/site'), dir('/opt/site/botocore-1.29.0.dist-info')];
      const moved = Object.fromEntries(
        Object.entries(deps).map(([p, t]) => [p.replace('/app/deps/', '/opt/site/'), t]),
      );
      expect(flagged(image(moved, [], site))).toEqual([
        '/app/config.yaml',
        '/opt/site/.pypirc',
        '/opt/site/vendor/session.cache',
      ]);
    });

    test("the image's own code is no installed software, wherever the Python path names it", () => {
      const own = {
        '/srv/code/svc/__main__.py': 'import svc.app\n',
        '/srv/code/settings.yaml': DB,
        '/app/src/myproj/config.yaml': DB,
      };
      // PYTHONPATH=/srv/code holds the module the command runs; /app/src holds the egg-info setuptools writes
      // beside a project's own sources (pip install -e), not a site dir.
      const f = withConfig(
        image(own, ['PYTHONPATH=/srv/code'], [dir('/app/src/myproj.egg-info'), file('/app/pyproject.toml')]),
        { Entrypoint: null, Cmd: ['python3', '-m', 'svc'], WorkingDir: '/' },
      );
      expect(flagged(f)).toEqual(['/app/src/myproj/config.yaml', '/srv/code/settings.yaml']);
      // python3 -c "import svc.app; …": the module its code imports is the image's own code too (stdlib imports aside).
      const viaCode = withConfig(image(own, ['PYTHONPATH=/srv/code']), {
        Entrypoint: null,
        Cmd: ['python3', '-c', 'import sys, urllib.request; from svc.app import main; main()'],
        WorkingDir: '/',
      });
      expect(flagged(viaCode)).toContain('/srv/code/settings.yaml');
      // PYTHONPATH=/ would make the whole image installed software: never.
      expect(flagged(image({ '/app/config.yaml': DB }, ['PYTHONPATH=/']))).toEqual(['/app/config.yaml']);
    });
  });
});
