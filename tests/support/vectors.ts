// Typed access to the known-answer files in tests/data/vectors (contract §4), for the tests of the harness's
// own constructions (helpers/crypto).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mod251Bytes } from '../../helpers/crypto/bytes.ts';
import type { HashAlgo } from '../../helpers/crypto/hash.ts';

const VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../data/vectors');

interface Blake3Case {
  input_len: number;
  hash: string;
  keyed_hash: string;
  derive_key: string;
}
interface Blake3Vectors {
  key: string;
  context_string: string;
  cases: Blake3Case[];
}

interface LucidChunkVector {
  chunk_id: string;
  index: number;
  size_bytes: number;
  data_pattern: string;
  hash_value: Record<HashAlgo, string>;
}
export interface LucidTreeVector {
  algorithm: HashAlgo;
  leaf_count: number;
  leaf_hashes: string[];
  root_hash: string;
}
interface LucidTxVector {
  body: unknown;
  canonical_json: string;
  tx_id: string;
}
/** The vector file names block fields `parent`/`number`/`tx_root`; block-manager says previous_hash/height/merkle_root. */
export interface LucidBlockVector {
  tx_ids: string[];
  tx_root: string;
  header: { parent: string; number: number; tx_root: string; proposer: string };
  block_hash: string;
}
interface LucidVectors {
  chunks: LucidChunkVector[];
  data_chain_trees: LucidTreeVector[];
  transactions: LucidTxVector[];
  blocks: LucidBlockVector[];
}

const readJson = <T>(name: string): T => JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as T;

export const loadBlake3Vectors = (): Blake3Vectors => readJson('blake3-official-test-vectors.json');
export const loadLucidVectors = (): LucidVectors => readJson('lucid-hash-vectors.json');

const PATTERN = /^byte j = \(\((\d+)\*(\d+) \+ j\) mod 251\), j = 0\.\.(\d+)$/;

/**
 * The chunk's bytes, built from its `data_pattern` text ("byte j = ((a*b + j) mod 251), j = 0..n")
 * rather than assumed, so a change to the vector file cannot silently desynchronise the tests.
 */
export function chunkVectorBytes(chunk: LucidChunkVector): Uint8Array {
  const m = PATTERN.exec(chunk.data_pattern);
  if (!m) throw new SyntaxError(`unrecognised data_pattern: ${chunk.data_pattern}`);
  const length = Number(m[3]) + 1;
  if (length !== chunk.size_bytes)
    throw new RangeError(`data_pattern gives ${length} bytes, size_bytes says ${chunk.size_bytes}`);
  return mod251Bytes(length, Number(m[1]) * Number(m[2]));
}
