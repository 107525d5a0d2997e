/**
 * Registry mode: a real local distribution registry for tests, a distribution API client, index reading with
 * platform selection, tag consistency, buildx-style multi-platform pushes, and engine pulls by digest.
 *
 * Exported API
 *
 *   startLocalRegistry({ port?, dir?, users?, log?, startTimeoutMs? }) → LocalRegistry { url, host, port, dir, pid, logFile, stop() }
 *     /usr/bin/docker-registry (or $LUCID_REGISTRY_BIN) on 127.0.0.1, temp storage, deletes on; `users` turns on
 *     htpasswd basic auth (bcrypt written by bcryptjs, htpasswd.ts).
 *   new RegistryClient({ registry, plainHttp?, credentials?, retry?, sleep?, log?, timeoutMs? })
 *     ping(), headManifest(repo, ref), getManifest(repo, ref) (digest-verified), blobStream/getBlob(repo, digest)
 *     (verified), hasBlob, pushBlob(repo, {digest,size,open}, mountFrom?), putManifest(repo, ref, type, bytes),
 *     listTags(repo, pageSize?) (Link pagination). Auth: bearer token flow (anonymous or with basic creds), basic;
 *     credentials from LUCID_REGISTRY_USER/LUCID_REGISTRY_PASSWORD or ~/.docker/config.json auths.
 *   readIndex(client, repo, tag, platforms) → IndexInfo { digest, platforms[p] { digest, config, layers, compressedSize }, ignored }
 *   selectPlatforms(entries, platforms), isAttestation(entry), missingPlatformMessage(subject, selection)   pure
 *   tagConsistency({ repository, movingTag, pattern, tags, digests }) → Finding[]                          pure
 *   checkTagConsistency(client, contract, repo) → { digests, newest, findings }   HEADs + one GET check
 *   timestampTag(date?) → latest-YYYYMMDD-HHMMSS (UTC);  timestampedTags(tags, pattern) newest first
 *   pushIndex({ client, repository, tags, platforms: [{ platform, configBytes, layers }], extraEntries?, mounts?, log? }) → PushedIndex
 *   pushPlatformManifest(...) one platform's blobs + manifest → its index entry
 *   localImageSource(imageIdOrTag, log?) → { id, configBytes, layers, os, architecture, variant? }  (cache, else engine export)
 *   compressedLayer(layerRef) → { digest, size, path }   gzip blob cached next to the layer tar
 *   resolveRegistryTargets({ contract, registry, tag, services, platforms, log? }) → RegistryTarget[]
 *     (ImageTarget + registry, repository, tag, indexDigest, manifestDigest, reference, compressedSize, pullMs)
 *   describeRegistryTargets(targets) → report lines;  platformMismatch(platform, inspect) pure;  pullReference(ref, { auth?, log?, label? });  removePulledReferences(refs)
 *   parseWwwAuthenticate, parseLinkNext, parseRetryAfter, backoffSchedule, rateLimitDelay, lookupCredentials,
 *   fromDockerConfig, htpasswdLine                                                                     pure helpers
 *   Errors (one-line messages): RegistryError ⊃ AuthRequiredError, AuthRejectedError, AccessDeniedError,
 *     TagNotFoundError, RepositoryNotFoundError, DigestNotFoundError, RateLimitedError, ServerError,
 *     UnreachableError, DigestMismatchError, ProtocolError, PlatformMissingError, PlatformMismatchError, PullError;
 *     LocalRegistryError.
 */
export { startLocalRegistry, type LocalRegistry, type LocalRegistryOptions } from './local-registry.ts';
export { RegistryClient, type BlobPushResult, type BlobSource, type ManifestDoc, type ManifestHead } from './client.ts';
export { Transport, registryBaseUrl, registryHost, type TransportOptions } from './transport.ts';
export { readIndex, type IndexInfo, type PlatformManifest } from './index-read.ts';
export { isAttestation, missingPlatformMessage, selectPlatforms, type PlatformSelection } from './platforms.ts';
export { checkTagConsistency, tagConsistency, timestampedTags, timestampTag, TAG_CONSISTENCY_CHECK, type TagConsistencyReport } from './tags.ts';
export { pushIndex, pushPlatformManifest, type PushedIndex, type PushedPlatform, type PushPlatformInput } from './push.ts';
export { localImageSource, type ImageSource } from './image-source.ts';
export { compressedLayer, type CompressedLayer } from './layer-blobs.ts';
export { describeRegistryTargets, platformMismatch, resolveRegistryTargets, type RegistryTarget, type ResolveRegistryInput } from './targets.ts';
export { pullReference, removePulledReferences } from './pull.ts';
export { parseLinkNext, parseRetryAfter, parseWwwAuthenticate } from './headers.ts';
export { backoffSchedule, DEFAULT_RETRY, rateLimitDelay, type RetryPolicy } from './retry.ts';
export { fromDockerConfig, lookupCredentials, type Credentials } from './credentials.ts';
export { htpasswdLine } from './htpasswd.ts';
export * from './errors.ts';
export * from './media.ts';
