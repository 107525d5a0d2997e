/**
 * Where registry credentials come from: LUCID_REGISTRY_USER/LUCID_REGISTRY_PASSWORD, else the user's Docker
 * config (`auths[host].auth`, base64 "user:password"). Credential helpers (credsStore/credHelpers) are not
 * run: the lookup says so in `note`, which ends up in the 401 message.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

interface Credentials {
  username: string;
  password: string;
  /** For messages: "env LUCID_REGISTRY_USER" or "~/.docker/config.json". */
  source: string;
}

export interface CredentialLookup {
  credentials?: Credentials;
  /** Why nothing usable was found, when that is worth telling (helper configured, half-set env, bad entry). */
  note?: string;
}

const USER_ENV = 'LUCID_REGISTRY_USER';
const PASSWORD_ENV = 'LUCID_REGISTRY_PASSWORD';

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** Docker Hub is stored under its legacy index URL. */
const HUB_KEYS = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** "https://host:5000/v1/" → "host:5000" (config keys may carry a scheme and a path). */
export function normaliseRegistryKey(key: string): string {
  const host = key
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return HUB_KEYS.includes(host) ? 'docker.io' : host;
}

function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** Pure part: credentials for `host` from a parsed Docker config. */
export function fromDockerConfig(config: DockerConfig, host: string, where: string): CredentialLookup {
  const want = normaliseRegistryKey(host);
  const entry = Object.entries(config.auths ?? {}).find(([k]) => normaliseRegistryKey(k) === want)?.[1];
  if (entry?.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return { note: `${where}: auths["${host}"].auth is not base64 of user:password` };
    return { credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source: where } };
  }
  if (entry?.username && entry.password)
    return { credentials: { username: entry.username, password: entry.password, source: where } };
  const helper =
    Object.entries(config.credHelpers ?? {}).find(([k]) => normaliseRegistryKey(k) === want)?.[1] ?? config.credsStore;
  if (helper)
    return {
      note: `${where} keeps ${host}'s login in the credential helper docker-credential-${helper}, which lucid-harness does not run`,
    };
  if (entry?.identitytoken)
    return { note: `${where} has only an identity token for ${host}, which lucid-harness does not use` };
  return {};
}

export function lookupCredentials(host: string, env: NodeJS.ProcessEnv = process.env): CredentialLookup {
  const user = env[USER_ENV];
  const password = env[PASSWORD_ENV];
  if (user && password !== undefined) return { credentials: { username: user, password, source: `env ${USER_ENV}` } };
  const halfSet = user || password ? `only one of ${USER_ENV}/${PASSWORD_ENV} is set` : undefined;
  const file = dockerConfigPath(env);
  if (!existsSync(file)) return { note: halfSet };
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as DockerConfig;
  } catch (e) {
    return { note: [halfSet, `${file} is not valid JSON (${(e as Error).message})`].filter(Boolean).join('; ') };
  }
  const found = fromDockerConfig(config, host, file);
  return found.credentials ? found : { note: [halfSet, found.note].filter(Boolean).join('; ') || undefined };
}

export const basicAuthHeader = (c: Credentials) =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
