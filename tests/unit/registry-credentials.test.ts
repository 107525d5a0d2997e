import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { fromDockerConfig, lookupCredentials, normaliseRegistryKey } from '../../helpers/registry/credentials.ts';
import { registryAddressProblem, registryBaseUrl, Transport } from '../../helpers/registry/transport.ts';
import { RegistryError } from '../../helpers/registry/errors.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const dir = mkdtempSync(join(tmpdir(), 'lucid-dockercfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configDir(config: unknown): string {
  const d = mkdtempSync(join(dir, 'c-'));
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return d;
}

describe('docker config auth lookup', () => {
  test('auths[host].auth is base64 user:password; the password may contain colons', () => {
    expect(
      fromDockerConfig({ auths: { 'reg.example:5000': { auth: b64('ci:pa:ss') } } }, 'reg.example:5000', 'cfg')
        .credentials,
    ).toEqual({ username: 'ci', password: 'pa:ss', source: 'cfg' });
  });
  test('keys with a scheme or path match the bare host; Docker Hub is its legacy index URL', () => {
    expect(normaliseRegistryKey('https://reg.example:5000/v1/')).toBe('reg.example:5000');
    expect(
      fromDockerConfig({ auths: { 'https://index.docker.io/v1/': { auth: b64('u:p') } } }, 'docker.io', 'cfg')
        .credentials?.username,
    ).toBe('u');
  });
  test('a credential helper is not run: the lookup says so', () => {
    expect(fromDockerConfig({ auths: { 'ghcr.io': {} }, credsStore: 'desktop' }, 'ghcr.io', 'cfg')).toEqual({
      note: "cfg keeps ghcr.io's login in the credential helper docker-credential-desktop, which lucid-harness does not run",
    });
    expect(fromDockerConfig({ credHelpers: { 'gcr.io': 'gcloud' } }, 'gcr.io', 'cfg').note).toMatch(
      /docker-credential-gcloud/,
    );
    expect(fromDockerConfig({ credHelpers: { 'gcr.io': 'gcloud' } }, 'other.io', 'cfg')).toEqual({});
  });
  test('an auth entry that is not user:password is reported, not used', () => {
    expect(fromDockerConfig({ auths: { h: { auth: b64('nocolon') } } }, 'h', 'cfg')).toEqual({
      note: 'cfg: auths["h"].auth is not base64 of user:password',
    });
  });
});

describe('credential sources in order', () => {
  test('LUCID_REGISTRY_USER/PASSWORD win over the docker config', () => {
    const env = {
      LUCID_REGISTRY_USER: 'envuser',
      LUCID_REGISTRY_PASSWORD: 'envpw',
      DOCKER_CONFIG: configDir({ auths: { h: { auth: b64('cfg:pw') } } }),
    };
    expect(lookupCredentials('h', env).credentials).toEqual({
      username: 'envuser',
      password: 'envpw',
      source: 'env LUCID_REGISTRY_USER',
    });
  });
  test('then DOCKER_CONFIG/config.json', () => {
    const d = configDir({ auths: { h: { auth: b64('cfg:pw') } } });
    expect(lookupCredentials('h', { DOCKER_CONFIG: d }).credentials).toEqual({
      username: 'cfg',
      password: 'pw',
      source: join(d, 'config.json'),
    });
  });
  test('half-set env and a broken config file are told in the note', () => {
    const d = configDir('{not json');
    const got = lookupCredentials('h', { LUCID_REGISTRY_USER: 'x', DOCKER_CONFIG: d });
    expect(got.credentials).toBeUndefined();
    expect(got.note).toMatch(
      /only one of LUCID_REGISTRY_USER\/LUCID_REGISTRY_PASSWORD is set; .*config\.json is not valid JSON/,
    );
  });
  test('nothing anywhere → anonymous, no note', () =>
    expect(lookupCredentials('h', { DOCKER_CONFIG: join(dir, 'absent') })).toEqual({ note: undefined }));
});

describe('registry base URL', () => {
  test('loopback is plain http, anything else https, unless told', () => {
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('registry.example')).toBe('https://registry.example');
    expect(registryBaseUrl('registry.example:5000', true)).toBe('http://registry.example:5000');
    expect(registryBaseUrl('https://127.0.0.1:5443/')).toBe('https://127.0.0.1:5443');
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
  });
});

describe('registry address: refused before any request', () => {
  test.each([
    '127.0.0.1:5000',
    'localhost',
    'registry.example.com:443',
    '[::1]:5000',
    'docker.io',
    'https://r.example/v',
  ])('%s is an address', (r) => expect(registryAddressProblem(r)).toBeUndefined());
  test.each([
    ['a b', 'not host[:port]'],
    ['localhost:notaport', 'not host[:port]'],
    ['localhost:99999', 'port 99999 is not 1-65535'],
    ['127.0.0.1:5000/extra', 'a path needs the scheme: http(s)://host[:port]/path'],
    ['http://x y', 'not a URL'],
  ])('%s: %s', (r, why) => {
    expect(registryAddressProblem(r)).toBe(
      `--registry ${r} is not a registry address (${why}): give host[:port], e.g. 127.0.0.1:5000 or registry.example.com`,
    );
    expect(() => new Transport({ registry: r, credentials: null })).toThrowError(RegistryError);
  });
});
