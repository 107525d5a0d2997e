import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PROJECT_ROOT } from '../contract/load.ts';
import type { LayerIndex } from '../model/image-facts.ts';

/** Bump when LayerIndex or what the indexer records changes: old entries are then simply not found. */
export const LAYER_INDEX_VERSION = 17; // 2: ELF loader facts, shebang, shells by content, ld.so.conf texts; 3: secret-file hits (LayerIndex.secrets); 4: probe script texts; 5: YAML-tagged references are not secrets; 6: test suites inside installed software are not scanned for secrets; 7: pyvenv.cfg texts; 8: shells and multi-call binaries with bytes appended past their LOAD segments, shells given a DT_SONAME (overlay2 reader); 9: PEM keys written as adjacent string literals; 10: compose env lists, space-separated settings, .netrc lines; 11: Authorization headers in config files; 12: .pgpass lines, XML configs, private JWKs, more secret key names, values naming files; 13: settings.py values are Python (an expression is code, not a literal); 14: a file: URI names a file; 15: tests.py-style modules inside installed software are test suites; 16: references in other software's syntax and boolean switches are not secrets, private JWKs in YAML and the image's own Python modules, pgpass-shaped lines of other files kept as PGPASS_IF_NAMED, alembic's placeholder URL; 17: a placeholder's literal fallback (${X:-d}, ${x:d}) in config files is judged as the value

const cacheRoot = (): string => process.env.LUCID_CACHE_DIR || join(PROJECT_ROOT, '.cache');
const hexOf = (digest: string): string => {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new Error(`not a sha256 digest: ${digest}`);
  return m[1]!;
};
const layerFile = (diffId: string) =>
  join(cacheRoot(), 'layer-index', `v${LAYER_INDEX_VERSION}`, `${hexOf(diffId)}.json.gz`);
/** Config blobs are content-addressed (image id = sha256 of the bytes), so they need no version. */
const configFile = (imageId: string) => join(cacheRoot(), 'image-config', `${hexOf(imageId)}.json`);

/** Write-then-rename, so a parallel reader never sees half a file. */
function writeAtomic(file: string, data: Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export function readCachedLayer(diffId: string): LayerIndex | undefined {
  const file = layerFile(diffId);
  if (!existsSync(file)) return undefined;
  try {
    const doc = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as {
      v: number;
      diffId: string;
      layer: LayerIndex;
    };
    return doc.v === LAYER_INDEX_VERSION && doc.diffId === diffId ? doc.layer : undefined;
  } catch {
    return undefined; // a damaged entry is a miss; the next cold gather rewrites it
  }
}

export function writeCachedLayer(diffId: string, layer: LayerIndex): void {
  writeAtomic(layerFile(diffId), gzipSync(JSON.stringify({ v: LAYER_INDEX_VERSION, diffId, layer })));
}

export function readCachedConfig(imageId: string): Buffer | undefined {
  const file = configFile(imageId);
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` === imageId ? bytes : undefined;
}

export function writeCachedConfig(imageId: string, bytes: Buffer): void {
  writeAtomic(configFile(imageId), bytes);
}
