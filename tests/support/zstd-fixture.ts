import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** tests/data/zstd/layer.tar.zst: a small layer tar compressed by the zstd CLI (see tests/data/zstd/README.md). */
export const ZSTD_LAYER = readFileSync(join(import.meta.dirname, '../data/zstd/layer.tar.zst'));
/** The diff_id of that layer: sha256 of the tar it holds. */
export const ZSTD_LAYER_DIFF_ID = 'sha256:e16ff2983e22d817dd1547a50ce5e8d3189eaf80dbb4413eb6b7ab5b1e4d71f9';
