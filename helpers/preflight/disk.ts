/**
 * Free space before building images: a build that fills the disk half way fails with an engine error far
 * from its cause (and may leave the engine unhappy). One line instead, naming the place and the need.
 * LUCID_MIN_FREE_BYTES replaces both thresholds (tests simulate a nearly full disk with a huge value).
 */
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

const MIN_FREE_ENV = 'LUCID_MIN_FREE_BYTES';
const GiB = 1024 ** 3;
/** The twelve reference images take ~0.8 GB in the engine; containers, logs and a defect set need room too. */
const DEFAULT_ENGINE_NEED = 2 * GiB;
/** Layer tars and packages in the cache dir (~0.3 GB), with room to spare. */
const DEFAULT_CACHE_NEED = 1 * GiB;

interface SpaceProbe {
  what: string;
  path: string;
  freeBytes: number;
  needBytes: number;
}

const gib = (n: number) => `${(n / GiB).toFixed(1)} GiB`;

/** Pure: the first place short of space, as one line, or undefined. */
export function spaceProblem(probes: SpaceProbe[]): string | undefined {
  const short = probes.find((p) => p.freeBytes < p.needBytes);
  if (!short) return undefined;
  return `only ${gib(short.freeBytes)} free for ${short.what} ${short.path}, a build needs ${gib(short.needBytes)}: free space (e.g. docker system prune) or set ${MIN_FREE_ENV} to accept less`;
}

/** Free bytes for unprivileged writers at `dir` or its nearest existing parent; undefined when unmeasurable. */
async function freeBytes(dir: string): Promise<number | undefined> {
  let at = dir;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  try {
    const s = await statfs(at);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** Threshold per place: the env override when set (a number of bytes), else the default. */
export function needBytes(dflt: number, env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env[MIN_FREE_ENV]);
  return env[MIN_FREE_ENV] !== undefined && env[MIN_FREE_ENV] !== '' && Number.isFinite(v) && v >= 0 ? v : dflt;
}

/**
 * Measures the engine data root (local engine only: a remote one's disk is not ours to see) and the
 * cache dir; places that cannot be measured are skipped, never guessed.
 */
export async function checkSpaceForBuild(o: {
  engineRoot?: string;
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
}): Promise<string | undefined> {
  const probes: SpaceProbe[] = [];
  const add = async (what: string, path: string | undefined, need: number) => {
    if (!path) return;
    const free = await freeBytes(path);
    if (free !== undefined) probes.push({ what, path, freeBytes: free, needBytes: needBytes(need, o.env) });
  };
  await add('the engine data root', o.engineRoot, DEFAULT_ENGINE_NEED);
  await add('the cache dir', o.cacheDir, DEFAULT_CACHE_NEED);
  return spaceProblem(probes);
}
