/**
 * One registry's HTTP transport: base URL, authentication (anonymous or basic-authenticated bearer tokens as
 * Docker Hub issues them, or plain basic auth) and bounded retries of 429 / 5xx / dropped connections.
 * It knows nothing of manifests or blobs; client.ts does.
 */
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { basicAuthHeader, lookupCredentials, type CredentialLookup } from './credentials.ts';
import {
  AccessDeniedError,
  AuthRejectedError,
  AuthRequiredError,
  causeOf,
  RateLimitedError,
  RegistryError,
  ServerError,
  UnreachableError,
} from './errors.ts';
import { parseRetryAfter, parseWwwAuthenticate, type Challenge } from './headers.ts';
import { backoffSchedule, DEFAULT_RETRY, rateLimitDelay, sleep, type RetryPolicy } from './retry.ts';

type Headers = Record<string, string | string[] | undefined>;

export interface TransportOptions {
  /** host[:port] as users write it (127.0.0.1:5000, ghcr.io), or a full base URL (http://host:5000). */
  registry: string;
  /** Force http:// for a non-loopback host (loopback hosts are http already). */
  plainHttp?: boolean;
  /** Explicit credentials, or null for anonymous only; default: env, then the Docker config. */
  credentials?: CredentialLookup | null;
  retry?: Partial<RetryPolicy>;
  /** Injected by tests of the retry logic so they need not wait. */
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
  timeoutMs?: number;
}

export interface Req {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** A path (/v2/…) or an absolute URL (an upload Location). */
  url: string;
  headers?: Record<string, string>;
  /** A factory, because a retried request needs a fresh stream. */
  body?: () => Buffer | Readable;
  repository?: string;
  /** Token scope wanted for `repository` (default pull). */
  actions?: ('pull' | 'push')[];
  /** Further scopes for the token, e.g. repository:<from>:pull for a cross-repository mount. */
  extraScopes?: string[];
  /** For messages: "GET manifest pickme/lucid-x:latest-arm64". */
  what: string;
}

export interface Res {
  status: number;
  headers: Headers;
  body: Dispatcher.ResponseData['body'];
  url: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i;

/** http for loopback registries (the engine treats 127.0.0.0/8 as insecure too), https for the rest. */
export function registryBaseUrl(registry: string, plainHttp = false): string {
  if (/^https?:\/\//i.test(registry)) return registry.replace(/\/+$/, '');
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  return `${plainHttp || LOOPBACK.test(host) ? 'http' : 'https'}://${host}`;
}

/**
 * Why REGISTRY is no registry address (host[:port], or an http(s):// URL), or undefined. Without it a space, a
 * port that is no number or a path surfaced as "does not answer at …: Invalid URL" or an SSL record error.
 */
export function registryAddressProblem(registry: string): string | undefined {
  const bad = (why: string) =>
    `--registry ${registry} is not a registry address (${why}): give host[:port], e.g. 127.0.0.1:5000 or registry.example.com`;
  if (/^https?:\/\//i.test(registry)) {
    try {
      new URL(registry);
      return undefined;
    } catch {
      return bad('not a URL');
    }
  }
  const m = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::(\d+))?$/.exec(registry);
  if (!m) return bad(/\//.test(registry) ? 'a path needs the scheme: http(s)://host[:port]/path' : 'not host[:port]');
  if (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535)) return bad(`port ${m[2]} is not 1-65535`);
  return undefined;
}

/** The host[:port] part of a registry name or base URL. */
export const registryHost = (registry: string) => registry.replace(/^https?:\/\//i, '').replace(/\/.*$/, '');

const header = (h: Headers, name: string): string | undefined => [h[name] ?? []].flat()[0];
const RETRYABLE_NET = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_CLOSED',
]);

interface Token {
  value: string;
  actions: Set<string>;
}

export class Transport {
  readonly host: string;
  readonly baseUrl: string;
  private readonly creds: CredentialLookup;
  private readonly policy: RetryPolicy;
  private readonly wait: (ms: number) => Promise<void>;
  private readonly log: (line: string) => void;
  private readonly timeoutMs: number;
  /** Once the registry asked for Basic auth, every request carries it. */
  private basic = false;
  /** Bearer tokens by repository ('' = registry-wide). */
  private readonly tokens = new Map<string, Token>();

  constructor(opts: TransportOptions) {
    const problem = registryAddressProblem(opts.registry);
    if (problem) throw new RegistryError(problem, opts.registry);
    this.host = registryHost(opts.registry);
    this.baseUrl = registryBaseUrl(opts.registry, opts.plainHttp);
    this.creds = opts.credentials === null ? {} : (opts.credentials ?? lookupCredentials(this.host));
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.wait = opts.sleep ?? sleep;
    this.log = opts.log ?? (() => {});
    this.timeoutMs = opts.timeoutMs ?? 120_000;
  }

  get credentialSource(): string | undefined {
    const c = this.creds.credentials;
    return c && `${c.username} (from ${c.source})`;
  }

  /** The same credentials for the engine's pull (X-Registry-Auth), when there are any. */
  engineAuth(): { username: string; password: string; serveraddress: string } | undefined {
    const c = this.creds.credentials;
    return c && { username: c.username, password: c.password, serveraddress: this.host };
  }

  /** Sends `req`, authenticating and retrying as needed. 401/403/429/5xx never come back: they throw. */
  async send(req: Req): Promise<Res> {
    const schedule = backoffSchedule(this.policy);
    let retries = 0;
    let authRounds = 0;
    let url = req.url.startsWith('/') ? `${this.baseUrl}${req.url}` : req.url;
    let redirects = 0;
    for (;;) {
      let res: Res;
      try {
        res = await this.once(req, url);
      } catch (e) {
        const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
        if (code && RETRYABLE_NET.has(code) && retries < schedule.length) {
          this.log(`registry ${this.host}: ${req.what}: ${causeOf(e)}; retry in ${schedule[retries]} ms`);
          await this.wait(schedule[retries++]!);
          continue;
        }
        throw new UnreachableError(this.host, url, causeOf(e));
      }
      const s = res.status;
      if (
        [301, 302, 303, 307, 308].includes(s) &&
        (req.method === 'GET' || req.method === 'HEAD') &&
        header(res.headers, 'location') &&
        redirects++ < 5
      ) {
        await res.body.dump();
        url = new URL(header(res.headers, 'location')!, url).toString(); // blob storage behind the registry
        continue;
      }
      if (s === 401) {
        const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
        await res.body.dump();
        if (authRounds++ < 2 && (await this.authenticate(challenges, req))) continue;
        throw this.authError(req);
      }
      if (s === 403) throw new AccessDeniedError(this.host, req.repository, await errorDetail(res));
      if (s === 429) {
        const after = parseRetryAfter(res.headers['retry-after']);
        await res.body.dump();
        const delay = rateLimitDelay(this.policy, retries, after);
        if (delay === undefined) throw new RateLimitedError(this.host, req.repository, retries + 1, after);
        this.log(`registry ${this.host}: ${req.what}: 429 rate-limited; retry in ${delay} ms`);
        retries++;
        await this.wait(delay);
        continue;
      }
      if (s >= 500) {
        await res.body.dump();
        if (retries >= schedule.length) throw new ServerError(this.host, req.repository, s, req.what, retries + 1);
        this.log(`registry ${this.host}: ${req.what}: ${s}; retry in ${schedule[retries]} ms`);
        await this.wait(schedule[retries++]!);
        continue;
      }
      return res;
    }
  }

  private async once(req: Req, url: string): Promise<Res> {
    const headers: Record<string, string> = { 'user-agent': 'lucid-harness', ...req.headers };
    const sameOrigin = url.startsWith(this.baseUrl);
    const auth = sameOrigin ? this.authorization(req) : undefined; // never leak a token to a redirect target
    if (auth) headers.authorization = auth;
    const r = await request(url, {
      method: req.method,
      headers,
      body: req.body?.(),
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    return { status: r.statusCode, headers: r.headers as Headers, body: r.body, url };
  }

  private authorization(req: Req): string | undefined {
    const t = this.tokens.get(req.repository ?? '');
    if (t && (req.actions ?? ['pull']).every((a) => t.actions.has(a))) return `Bearer ${t.value}`;
    if (this.basic && this.creds.credentials) return basicAuthHeader(this.creds.credentials);
    return undefined;
  }

  /** True when a retry has a chance: a token was obtained, or basic credentials are now attached. */
  private async authenticate(challenges: Challenge[], req: Req): Promise<boolean> {
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) return this.fetchToken(bearer, req);
    if (challenges.some((c) => c.scheme === 'basic') && this.creds.credentials && !this.basic) {
      this.basic = true;
      return true;
    }
    return false;
  }

  private async fetchToken(ch: Challenge, req: Req): Promise<boolean> {
    const key = req.repository ?? '';
    const had = this.tokens.get(key);
    const actions = new Set([...(had?.actions ?? []), ...(req.actions ?? ['pull'])]);
    const scopes = new Set<string>((ch.params.scope ?? '').split(' ').filter(Boolean));
    if (req.repository) scopes.add(`repository:${req.repository}:${[...actions].join(',')}`);
    for (const s of req.extraScopes ?? []) scopes.add(s);
    const u = new URL(ch.params.realm!);
    if (ch.params.service) u.searchParams.set('service', ch.params.service);
    for (const s of scopes) u.searchParams.append('scope', s);
    const headers: Record<string, string> = { 'user-agent': 'lucid-harness' };
    if (this.creds.credentials) headers.authorization = basicAuthHeader(this.creds.credentials);
    let r;
    try {
      r = await request(u, { method: 'GET', headers, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
    } catch (e) {
      throw new UnreachableError(this.host, `${u.origin}${u.pathname}`, `token service: ${causeOf(e)}`);
    }
    const text = await r.body.text();
    if (r.statusCode === 401 || r.statusCode === 403) throw this.authError(req);
    if (r.statusCode !== 200)
      throw new ServerError(this.host, req.repository, r.statusCode, `token request to ${u.origin}${u.pathname}`, 1);
    let body: { token?: string; access_token?: string };
    try {
      body = JSON.parse(text);
    } catch {
      body = {};
    }
    const value = body.token ?? body.access_token;
    if (!value)
      throw new ServerError(
        this.host,
        req.repository,
        r.statusCode,
        `token request to ${u.origin}${u.pathname} (no token in the answer)`,
        1,
      );
    if (had?.value === value) return false; // same token again: the registry will refuse again
    this.tokens.set(key, { value, actions });
    return true;
  }

  private authError(req: Req): Error {
    const who = this.credentialSource;
    if (who) return new AuthRejectedError(this.host, req.repository, who);
    const anonymousToken = this.tokens.has(req.repository ?? '');
    const note = [
      this.creds.note,
      anonymousToken ? 'an anonymous token was refused: the repository is private or does not exist' : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    return new AuthRequiredError(this.host, req.repository, note || undefined);
  }
}

/** `code: message` of the first error in a distribution error body, or the status text. */
export async function errorDetail(res: Res): Promise<string> {
  const text = await res.body.text().catch(() => '');
  try {
    const e = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    if (e) return [e.code, e.message].filter(Boolean).join(': ');
  } catch {
    /* not JSON */
  }
  return text.trim().split('\n')[0]?.slice(0, 200) ?? '';
}

/** The distribution error code of a response (MANIFEST_UNKNOWN, NAME_UNKNOWN, …), reading the body. */
export async function errorCode(res: Res): Promise<{ code?: string; detail: string }> {
  const detail = await errorDetail(res);
  return { code: /^[A-Z_]+(?=:|$)/.exec(detail)?.[0], detail };
}
