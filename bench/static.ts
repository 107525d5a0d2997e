/**
 * Static checks per image: facts gathered from the engine's overlay2 layer dirs or its image export (no container; see
 * helpers/facts/gather.ts, LUCID_FACTS_SOURCE=export forces the export) plus the static
 * checks. Cold = an empty cache dir; warm-disk = the layer cache on disk, nothing in memory; memo = the
 * same process asking again (what the suites get for the second and later looks at an image).
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract } from '../helpers/contract/schema.ts';
import { serviceNamed } from '../helpers/contract/load.ts';
import { runStaticChecks } from '../helpers/checks/static/registry.ts';
import { forgetGatheredFacts, gatherImageFacts } from '../helpers/facts/gather.ts';
import { cacheDir } from '../helpers/image/cache.ts';
import type { ImageTarget } from '../helpers/model/target.ts';

export interface StaticTiming {
  target: string;
  /** Fresh, empty cache dir for this image alone: read (overlay2 dirs or export) and index every layer. */
  coldMs: number;
  /** Fresh cache dir holding only the build cache (layer tars), as right after `fixtures build`: no facts yet. */
  coldBuiltMs: number;
  /** One fresh cache dir for the whole pass, images in plan order (later images reuse shared layers). */
  coldInRunMs: number;
  warmDiskMs: number;
  memoMs: number;
  findings: number;
}

async function timeOnce(contract: Contract, t: ImageTarget): Promise<{ ms: number; findings: number }> {
  const t0 = performance.now();
  const facts = await gatherImageFacts(t.image, { platform: t.platform });
  const findings = runStaticChecks(facts, contract, serviceNamed(contract, t.service), t.platform).reduce(
    (n, r) => n + r.findings.length,
    0,
  );
  return { ms: Math.round(performance.now() - t0), findings };
}

function withCacheDir<T>(dir: string, f: () => Promise<T>): Promise<T> {
  const saved = process.env.LUCID_CACHE_DIR;
  process.env.LUCID_CACHE_DIR = dir;
  return f().finally(() => {
    if (saved === undefined) delete process.env.LUCID_CACHE_DIR;
    else process.env.LUCID_CACHE_DIR = saved;
  });
}

export async function benchStatic(contract: Contract, targets: ImageTarget[]): Promise<StaticTiming[]> {
  const out = new Map<ImageTarget, StaticTiming>();
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'lucid-bench-cache-'));
    dirs.push(d);
    return d;
  };
  const builtLayers = join(cacheDir(), 'layers');
  const withBuildCache = () => {
    const d = fresh();
    if (existsSync(builtLayers)) symlinkSync(builtLayers, join(d, 'layers'));
    return d;
  };
  try {
    for (const t of targets) {
      forgetGatheredFacts();
      const cold = await withCacheDir(fresh(), () => timeOnce(contract, t));
      forgetGatheredFacts();
      const built = await withCacheDir(withBuildCache(), () => timeOnce(contract, t));
      out.set(t, {
        target: `${t.service} [${t.platform}]`,
        coldMs: cold.ms,
        coldBuiltMs: built.ms,
        coldInRunMs: 0,
        warmDiskMs: 0,
        memoMs: 0,
        findings: cold.findings,
      });
    }
    const run = fresh();
    forgetGatheredFacts();
    for (const t of targets) out.get(t)!.coldInRunMs = (await withCacheDir(run, () => timeOnce(contract, t))).ms;
    for (const t of targets) {
      forgetGatheredFacts();
      out.get(t)!.warmDiskMs = (await withCacheDir(run, () => timeOnce(contract, t))).ms;
      out.get(t)!.memoMs = (await withCacheDir(run, () => timeOnce(contract, t))).ms;
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  return [...out.values()];
}
