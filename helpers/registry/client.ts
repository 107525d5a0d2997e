/**
 * Distribution API client: manifests and indexes by tag or digest (every byte digest-verified), blobs (streamed,
 * verified), tag lists (Link pagination), blob uploads (existence check, cross-repository mount, monolithic
 * POST + PUT) and manifest pushes. Authentication and retries live in transport.ts.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DigestMismatchError,
  DigestNotFoundError,
  ProtocolError,
  RepositoryNotFoundError,
  TagNotFoundError,
} from './errors.ts';
import { parseLinkNext } from './headers.ts';
import { isDigest, MANIFEST_ACCEPT, mediaTypeOf, sha256Digest } from './media.ts';
import { errorCode, errorDetail, Transport, type Req, type Res, type TransportOptions } from './transport.ts';

interface ManifestDoc {
  repository: string;
  /** The tag or digest asked for. */
  reference: string;
  digest: string;
  mediaType: string;
  bytes: Buffer;
  json: Record<string, unknown>;
}

interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

/** A blob to upload: its digest and size are known before the bytes are read. */
interface BlobSource {
  digest: string;
  size: number;
  open(): Buffer | Readable;
}

export type BlobPushResult = 'existed' | 'mounted' | 'uploaded';

const header = (r: Res, name: string): string | undefined => [r.headers[name] ?? []].flat()[0];

export class RegistryClient {
  readonly transport: Transport;

  constructor(opts: TransportOptions | Transport) {
    this.transport = opts instanceof Transport ? opts : new Transport(opts);
  }

  get host(): string {
    return this.transport.host;
  }

  /** GET /v2/: the registry answers and (after any auth dance) lets us in. */
  async ping(): Promise<void> {
    const res = await this.transport.send({ method: 'GET', url: '/v2/', what: 'GET /v2/' });
    await this.expect(res, [200], { what: 'GET /v2/' });
  }

  async headManifest(repository: string, reference: string): Promise<ManifestHead> {
    const what = `HEAD manifest ${repository}${sep(reference)}${reference}`;
    const res = await this.transport.send({
      method: 'HEAD',
      url: `/v2/${repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      repository,
      what,
    });
    if (res.status === 404) {
      await res.body.dump();
      throw await this.manifestNotFound(repository, reference, undefined);
    }
    await this.expect(res, [200], { what, repository });
    const digest = header(res, 'docker-content-digest');
    if (!digest) {
      const doc = await this.getManifest(repository, reference); // a registry that omits the header: ask for the bytes
      return { digest: doc.digest, mediaType: doc.mediaType, size: doc.bytes.length };
    }
    return {
      digest,
      mediaType: header(res, 'content-type')?.split(';')[0] ?? '',
      size: Number(header(res, 'content-length') ?? 0),
    };
  }

  /** The manifest or index bytes; their sha256 must equal Docker-Content-Digest and, by digest, the one asked for. */
  async getManifest(repository: string, reference: string): Promise<ManifestDoc> {
    const what = `GET manifest ${repository}${sep(reference)}${reference}`;
    const res = await this.transport.send({
      method: 'GET',
      url: `/v2/${repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      repository,
      what,
    });
    if (res.status === 404) throw await this.manifestNotFound(repository, reference, res);
    await this.expect(res, [200], { what, repository });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    const digest = sha256Digest(bytes);
    const announced = header(res, 'docker-content-digest');
    if (announced && announced !== digest)
      throw new DigestMismatchError(this.host, repository, `manifest ${reference}`, announced, digest);
    if (isDigest(reference) && reference !== digest)
      throw new DigestMismatchError(this.host, repository, `manifest ${reference}`, reference, digest);
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new ProtocolError(`${what} at ${this.host}: the manifest is not JSON`, this.host, repository);
    }
    return { repository, reference, digest, mediaType: mediaTypeOf(json, header(res, 'content-type')), bytes, json };
  }

  /** A blob, streamed; the last chunk is followed by a DigestMismatchError when the bytes are not `digest`. */
  async *blobStream(repository: string, digest: string): AsyncGenerator<Buffer> {
    const what = `GET blob ${repository}@${digest}`;
    const res = await this.transport.send({
      method: 'GET',
      url: `/v2/${repository}/blobs/${digest}`,
      repository,
      what,
    });
    if (res.status === 404) {
      await res.body.dump();
      throw new DigestNotFoundError(this.host, repository, 'blob', digest);
    }
    await this.expect(res, [200], { what, repository });
    const hash = createHash('sha256');
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      yield chunk;
    }
    const got = `sha256:${hash.digest('hex')}`;
    if (got !== digest) throw new DigestMismatchError(this.host, repository, 'blob', digest, got);
  }

  /** A small blob (an image config) in memory, verified. */
  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of this.blobStream(repository, digest)) chunks.push(c);
    return Buffer.concat(chunks);
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const what = `HEAD blob ${repository}@${digest}`;
    const res = await this.transport.send({
      method: 'HEAD',
      url: `/v2/${repository}/blobs/${digest}`,
      repository,
      actions: ['pull'],
      what,
    });
    await res.body.dump();
    if (res.status === 404) return false;
    await this.expect(res, [200], { what, repository });
    return true;
  }

  /**
   * Uploads a blob unless the repository has it. `mountFrom` names a repository of the same registry that has
   * it: the registry then links it without a byte sent (201), or falls back to a normal upload session (202).
   */
  async pushBlob(repository: string, blob: BlobSource, mountFrom?: string): Promise<BlobPushResult> {
    if (await this.hasBlob(repository, blob.digest)) return 'existed';
    const push: Pick<Req, 'repository' | 'actions'> = { repository, actions: ['pull', 'push'] };
    const query =
      mountFrom && mountFrom !== repository
        ? `?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(mountFrom)}`
        : '';
    const what = `POST upload ${repository}@${blob.digest}`;
    const start = await this.transport.send({
      method: 'POST',
      url: `/v2/${repository}/blobs/uploads/${query}`,
      headers: { 'content-length': '0' },
      ...push,
      extraScopes: query ? [`repository:${mountFrom}:pull`] : undefined,
      what,
    });
    if (start.status === 201 && query) {
      await start.body.dump();
      return 'mounted';
    }
    await this.expect(start, [202], { what, repository });
    await start.body.dump();
    const location = header(start, 'location');
    if (!location) throw new ProtocolError(`${what} at ${this.host}: 202 without a Location`, this.host, repository);
    const put = new URL(location, this.transport.baseUrl);
    put.searchParams.set('digest', blob.digest);
    const putWhat = `PUT blob ${repository}@${blob.digest}`;
    const done = await this.transport.send({
      method: 'PUT',
      url: put.toString(),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
      body: () => blob.open(),
      ...push,
      what: putWhat,
    });
    await this.expect(done, [201], { what: putWhat, repository });
    await done.body.dump();
    const stored = header(done, 'docker-content-digest');
    if (stored && stored !== blob.digest)
      throw new DigestMismatchError(this.host, repository, 'uploaded blob', blob.digest, stored);
    return 'uploaded';
  }

  /** PUT a manifest or index under a tag or its digest; returns the digest the registry stored it as. */
  async putManifest(repository: string, reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const what = `PUT manifest ${repository}${sep(reference)}${reference}`;
    const res = await this.transport.send({
      method: 'PUT',
      url: `/v2/${repository}/manifests/${reference}`,
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: () => bytes,
      repository,
      actions: ['pull', 'push'],
      what,
    });
    await this.expect(res, [201], { what, repository });
    await res.body.dump();
    const digest = sha256Digest(bytes);
    const stored = header(res, 'docker-content-digest');
    if (stored && stored !== digest)
      throw new DigestMismatchError(this.host, repository, `manifest ${reference}`, digest, stored);
    return digest;
  }

  /** Every tag of the repository, following Link: rel="next" pages. */
  async listTags(repository: string, pageSize?: number): Promise<string[]> {
    const tags: string[] = [];
    let url: string | undefined = `/v2/${repository}/tags/list${pageSize ? `?n=${pageSize}` : ''}`;
    for (let page = 0; url; page++) {
      if (page > 10_000)
        throw new ProtocolError(`tag list of ${repository} at ${this.host} does not end`, this.host, repository);
      const what = `GET tags ${repository}`;
      const res: Res = await this.transport.send({ method: 'GET', url, repository, what });
      if (res.status === 404) {
        await res.body.dump();
        throw new RepositoryNotFoundError(this.host, repository);
      }
      await this.expect(res, [200], { what, repository });
      const body = (await res.body.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      url = parseLinkNext(res.headers.link, res.url);
    }
    return tags;
  }

  /** 404 on a manifest: an unknown digest, an unknown repository, or an unknown tag of a known one. */
  private async manifestNotFound(repository: string, reference: string, res: Res | undefined): Promise<Error> {
    if (isDigest(reference)) {
      await res?.body.dump();
      return new DigestNotFoundError(this.host, repository, 'manifest', reference);
    }
    const code = res ? (await errorCode(res)).code : undefined;
    if (code === 'NAME_UNKNOWN') return new RepositoryNotFoundError(this.host, repository);
    // distribution answers MANIFEST_UNKNOWN for both; the tag list tells a missing repository apart.
    try {
      const probe = await this.transport.send({
        method: 'GET',
        url: `/v2/${repository}/tags/list?n=1`,
        repository,
        what: `GET tags ${repository}`,
      });
      await probe.body.dump();
      if (probe.status === 404) return new RepositoryNotFoundError(this.host, repository);
    } catch {
      /* the probe is only a hint */
    }
    return new TagNotFoundError(this.host, repository, reference);
  }

  private async expect(res: Res, ok: number[], ctx: { what: string; repository?: string }): Promise<void> {
    if (ok.includes(res.status)) return;
    const detail = await errorDetail(res);
    throw new ProtocolError(
      `${ctx.what} at ${this.host}: unexpected ${res.status}${detail ? ` (${detail})` : ''}`,
      this.host,
      ctx.repository,
      res.status,
    );
  }
}

const sep = (reference: string) => (isDigest(reference) ? '@' : ':');
