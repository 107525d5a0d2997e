/**
 * Reading an OCI image layout without a registry: which images index.json holds, which contract service each
 * one is, and each platform's manifest. Every blob read is checked against its digest.
 */
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import tar from 'tar-stream';
import { repositoryOf } from '../contract/load.ts';
import type { Contract } from '../contract/schema.ts';
import { normalisePath } from '../debian/tar-read.ts';
import {
  INDEX_TYPES,
  MANIFEST_TYPES,
  sha256Digest,
  type ImageIndex,
  type ImageManifest,
  type IndexEntry,
} from '../registry/media.ts';
import {
  blobPath,
  CONTAINERD_NAME_ANNOTATION,
  INDEX_FILE,
  LAYOUT_FILE,
  REF_NAME_ANNOTATION,
  SERVICE_ANNOTATION,
} from './layout.ts';

/** A layout that can't be used: one line, exit 2. */
export class OciLayoutError extends Error {}

export interface OpenLayout {
  /** As the user gave it. */
  path: string;
  /** The directory holding oci-layout and index.json (a temp copy for a tar). */
  root: string;
  close(): void;
}

/** A directory is used in place; a tar is unpacked into a temp directory that close() removes. */
export async function openLayout(path: string): Promise<OpenLayout> {
  if (!existsSync(path)) throw new OciLayoutError(`no OCI layout at ${path}: it does not exist`);
  if (statSync(path).isDirectory()) return { path, root: checkLayout(path, path), close: () => {} };
  const root = mkdtempSync(join(tmpdir(), 'lucid-oci-'));
  try {
    await untar(path, root);
    return { path, root: checkLayout(root, path), close: () => rmSync(root, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

function checkLayout(root: string, shown: string): string {
  const marker = join(root, LAYOUT_FILE);
  if (!existsSync(marker) || !existsSync(join(root, INDEX_FILE)))
    throw new OciLayoutError(
      `${shown} is not an OCI image layout (no ${LAYOUT_FILE} and ${INDEX_FILE}); write one with docker buildx build --output type=oci,dest=…`,
    );
  let version: unknown;
  try {
    version = (JSON.parse(readFileSync(marker, 'utf8')) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch (e) {
    throw new OciLayoutError(`${shown}: ${LAYOUT_FILE} is not JSON (${(e as Error).message})`);
  }
  if (typeof version !== 'string' || !version.startsWith('1.'))
    throw new OciLayoutError(`${shown}: unsupported imageLayoutVersion ${JSON.stringify(version)} (expected 1.x)`);
  return root;
}

async function untar(file: string, into: string): Promise<void> {
  const ex = tar.extract();
  const input = createReadStream(file);
  input.on('error', (e) => ex.destroy(e));
  input.pipe(ex);
  try {
    for await (const entry of ex) {
      const name = normalisePath(entry.header.name);
      const unsafe = !name || name.split('/').some((s) => s === '..');
      if (entry.header.type !== 'file' || unsafe) {
        for await (const _ of entry); // directories are made as needed; nothing else belongs in a layout
        continue;
      }
      const out = join(into, name);
      mkdirSync(dirname(out), { recursive: true });
      const w = createWriteStream(out);
      for await (const c of entry) if (!w.write(c)) await new Promise<void>((r) => w.once('drain', () => r()));
      w.end();
      await finished(w);
    }
  } catch (e) {
    throw new OciLayoutError(`${file} is not a readable tar: ${(e as Error).message}`);
  }
}

/** A blob's bytes, checked against its digest. */
export function readBlob(layout: OpenLayout, digest: string): Buffer {
  const file = join(layout.root, blobPath(digest));
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new OciLayoutError(`${layout.path}: unsupported digest ${digest}`);
  if (!existsSync(file)) throw new OciLayoutError(`${layout.path} lacks blob ${digest}`);
  const bytes = readFileSync(file);
  if (sha256Digest(bytes) !== digest)
    throw new OciLayoutError(`${layout.path}: blob ${digest} is damaged (its bytes hash to ${sha256Digest(bytes)})`);
  return bytes;
}

export const blobFile = (layout: OpenLayout, digest: string) => join(layout.root, blobPath(digest));

function json<T>(layout: OpenLayout, bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch (e) {
    throw new OciLayoutError(`${layout.path}: ${what} is not JSON (${(e as Error).message})`);
  }
}

/** One image of index.json: its names and its platform manifests (an index's entries, or the one manifest). */
export interface LayoutImage {
  /** Position in index.json, for messages. */
  position: number;
  annotations: Record<string, string>;
  /** The image index digest; absent when index.json names a single-platform manifest directly. */
  indexDigest?: string;
  entries: IndexEntry[];
}

export function layoutImages(layout: OpenLayout): LayoutImage[] {
  const index = json<ImageIndex>(layout, readFileSync(join(layout.root, INDEX_FILE)), INDEX_FILE);
  if (!Array.isArray(index.manifests) || !index.manifests.length)
    throw new OciLayoutError(`${layout.path}: ${INDEX_FILE} names no image`);
  return index.manifests.map((top, position) => {
    const annotations = top.annotations ?? {};
    if (INDEX_TYPES.includes(top.mediaType)) {
      const nested = json<ImageIndex>(layout, readBlob(layout, top.digest), `index ${top.digest}`);
      return { position, annotations, indexDigest: top.digest, entries: nested.manifests ?? [] };
    }
    if (!MANIFEST_TYPES.includes(top.mediaType))
      throw new OciLayoutError(
        `${layout.path}: ${INDEX_FILE} entry ${position + 1} is a ${top.mediaType}, not an image index or manifest`,
      );
    // A single-platform image (buildx --platform X --output type=oci): its platform is in the entry, else in its config.
    const platform = top.platform ?? platformOfManifest(layout, top.digest);
    return { position, annotations, entries: [{ ...top, platform }] };
  });
}

function platformOfManifest(layout: OpenLayout, digest: string): IndexEntry['platform'] {
  const m = json<ImageManifest>(layout, readBlob(layout, digest), `manifest ${digest}`);
  const c = json<{ os?: string; architecture?: string; variant?: string }>(
    layout,
    readBlob(layout, m.config.digest),
    `config ${m.config.digest}`,
  );
  return { os: c.os ?? '', architecture: c.architecture ?? '', ...(c.variant && { variant: c.variant }) };
}

/** The names an image carries: the full reference (containerd) and ref.name (a tag, or a reference). */
const namesOf = (img: LayoutImage): string[] =>
  [img.annotations[CONTAINERD_NAME_ANNOTATION], img.annotations[REF_NAME_ANNOTATION]].filter((n): n is string => !!n);

/** docker.io/pickme/lucid-data-chain:dev@sha256:… → pickme/lucid-data-chain; a bare tag ("dev") has no repository. */
export function repositoryOfReference(ref: string): string | undefined {
  let r = ref.split('@')[0]!;
  const lastSlash = r.lastIndexOf('/');
  const colon = r.lastIndexOf(':');
  if (colon > lastSlash) r = r.slice(0, colon);
  const parts = r.split('/');
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost'))
    parts.shift();
  const repo = parts.join('/');
  return repo && /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(repo) ? repo : undefined;
}

/**
 * Pure: which contract service an image is — its io.lucid.service annotation, else a name whose repository is
 * the service's (pickme/lucid-data-chain) or ends in its last part (lucid-data-chain) or its name (data-chain).
 */
export function serviceOfImage(contract: Contract, img: Pick<LayoutImage, 'annotations'>): string | undefined {
  const explicit = img.annotations[SERVICE_ANNOTATION];
  if (explicit && contract.services.some((s) => s.name === explicit)) return explicit;
  for (const name of namesOf(img as LayoutImage)) {
    const repo = repositoryOfReference(name);
    if (!repo) continue;
    const last = repo.split('/').at(-1)!;
    const hit = contract.services.find((s) => {
      const own = repositoryOf(contract, s);
      return repo === own || last === own.split('/').at(-1) || last === s.name;
    });
    if (hit) return hit.name;
  }
  return undefined;
}

export function describeImage(img: LayoutImage): string {
  const names = namesOf(img);
  return `image ${img.position + 1} of ${INDEX_FILE}${names.length ? ` (${names.join(', ')})` : ' (no name annotation)'}`;
}
