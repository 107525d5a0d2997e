/**
 * Cold static-facts gather, overlay2 layer dirs vs the image export: each image N times per source, each run
 * with a fresh LUCID_CACHE_DIR and the in-process memo forgotten. Sources alternate so load drifts hit both.
 *   npx tsx scripts/facts-source-timing.ts [runs] [image ...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetGatheredFacts, gatherImageFacts } from '../helpers/facts/gather.ts';

const [runsArg, ...refs] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const images = refs.length ? refs : ['lucid-ref/lucid-data-chain:amd64', 'lucid-ref/lucid-data-chain:arm64'];

async function cold(ref: string, source: 'overlay' | 'export'): Promise<{ ms: number; wall: number; source: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'lucid-facts-timing-'));
  process.env.LUCID_CACHE_DIR = dir;
  if (source === 'export') process.env.LUCID_FACTS_SOURCE = 'export';
  else delete process.env.LUCID_FACTS_SOURCE;
  forgetGatheredFacts();
  try {
    const t0 = performance.now();
    const f = await gatherImageFacts(ref);
    return { ms: f.gather.ms, wall: Math.round(performance.now() - t0), source: f.gather.source };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: string[] = [];
for (const ref of images) {
  const got: Record<string, number[]> = { overlay: [], export: [] };
  for (let i = 0; i < runs; i++) {
    for (const source of i % 2 ? (['export', 'overlay'] as const) : (['overlay', 'export'] as const)) {
      const r = await cold(ref, source);
      if (r.source !== source) throw new Error(`${ref}: asked for ${source}, gathered from ${r.source}`);
      got[source]!.push(r.ms);
    }
  }
  for (const [source, ms] of Object.entries(got)) rows.push(`${ref}\t${source}\t${ms.join(' ')} ms`);
}
console.log(rows.join('\n'));
