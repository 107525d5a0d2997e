/**
 * Registry failures as typed errors whose message is one line a user can act on. Callers branch on the
 * class (instanceof); the CLI prints the message as is.
 */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly registry: string,
    readonly repository?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

const ENV_HINT = 'set LUCID_REGISTRY_USER/LUCID_REGISTRY_PASSWORD or docker login';

/** 401 without usable credentials. `note` says why none were found (e.g. an unsupported credential helper). */
export class AuthRequiredError extends RegistryError {
  constructor(registry: string, repository: string | undefined, note?: string) {
    const what = repository ?? 'the registry';
    super(
      `authentication required for ${what} at ${registry}: ${ENV_HINT} ${registry}${note ? ` (${note})` : ''}`,
      registry,
      repository,
      401,
    );
  }
}

/** 401 although credentials were sent: they are wrong, or lack the scope. */
export class AuthRejectedError extends RegistryError {
  constructor(registry: string, repository: string | undefined, who: string) {
    super(
      `registry ${registry} rejected the credentials of ${who} for ${repository ?? 'the registry'} (401)`,
      registry,
      repository,
      401,
    );
  }
}

/** 403: authenticated, but not allowed. */
export class AccessDeniedError extends RegistryError {
  constructor(registry: string, repository: string | undefined, detail: string) {
    super(
      `access to ${repository ?? 'the registry'} at ${registry} denied (403${detail ? `: ${detail}` : ''})`,
      registry,
      repository,
      403,
    );
  }
}

export class TagNotFoundError extends RegistryError {
  constructor(
    registry: string,
    repository: string,
    readonly tag: string,
  ) {
    super(`no tag ${tag} in ${repository} at ${registry}`, registry, repository, 404);
  }
}

export class RepositoryNotFoundError extends RegistryError {
  constructor(registry: string, repository: string) {
    super(`no repository ${repository} at ${registry}`, registry, repository, 404);
  }
}

/** A manifest or blob asked for by digest is not there. */
export class DigestNotFoundError extends RegistryError {
  constructor(
    registry: string,
    repository: string,
    readonly kind: 'manifest' | 'blob',
    readonly digest: string,
  ) {
    super(`no ${kind} ${digest} in ${repository} at ${registry}`, registry, repository, 404);
  }
}

export class RateLimitedError extends RegistryError {
  constructor(registry: string, repository: string | undefined, attempts: number, retryAfterMs: number | undefined) {
    const wait = retryAfterMs === undefined ? '' : `; it asks to wait ${Math.ceil(retryAfterMs / 1000)} s`;
    super(
      `registry ${registry} rate-limited requests for ${repository ?? 'the registry'} (429, ${attempts} attempt(s))${wait}: try later, or log in for a higher limit`,
      registry,
      repository,
      429,
    );
  }
}

export class ServerError extends RegistryError {
  constructor(registry: string, repository: string | undefined, status: number, what: string, attempts: number) {
    super(`registry ${registry} answered ${status} for ${what} (${attempts} attempt(s))`, registry, repository, status);
  }
}

export class UnreachableError extends RegistryError {
  constructor(registry: string, url: string, cause: string) {
    super(`registry ${registry} does not answer at ${url}: ${cause}`, registry);
  }
}

/** Bytes whose sha256 is not the digest they were asked for or announced with. */
export class DigestMismatchError extends RegistryError {
  constructor(registry: string, repository: string, what: string, expected: string, got: string) {
    super(`${what} from ${repository} at ${registry} has digest ${got}, expected ${expected}`, registry, repository);
  }
}

/** Anything else the registry answered that this client cannot use (unexpected status, bad JSON, unknown media type). */
export class ProtocolError extends RegistryError {}

/** The index has no entry for a platform the run needs. */
export class PlatformMissingError extends RegistryError {}

/** The pulled image's config disagrees with the index entry it was selected by. */
export class PlatformMismatchError extends RegistryError {}

/** The engine's pull failed. */
export class PullError extends RegistryError {}

/** "Network error" → short cause: the undici/Node code and message, no stack. */
export function causeOf(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const c = err?.cause ?? err;
  if (c?.message && c.code && c.message.includes(c.code)) return c.message;
  return [c?.code, c?.message].filter(Boolean).join(' ') || String(e);
}
