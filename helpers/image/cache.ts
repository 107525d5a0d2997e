/** The harness's cache root: <repo>/.cache (git-ignored), or LUCID_CACHE_DIR. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../contract/load.ts';

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LUCID_CACHE_DIR || join(PROJECT_ROOT, '.cache'));
}

export function cacheSubdir(...parts: string[]): string {
  const d = join(cacheDir(), ...parts);
  mkdirSync(d, { recursive: true });
  return d;
}
