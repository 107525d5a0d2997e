/**
 * A/B of full verify runs: variants (another checkout and/or env) interleaved round by round on the same
 * engine, so drift and other work on the box spread over all of them. Used to size the levers.
 *
 * usage: tsx bench/ab.ts [--runs N] [--out FILE] --variant NAME=ROOT[,KEY=VALUE...] [--variant ...] [-- verify args]
 *   e.g. --variant head=. --variant conc12=.,LUCID_START_CONCURRENCY=12 --variant proposed=/tmp/lucid-proposed
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { RUN_ID } from '../helpers/engine/labels.ts';
import { median } from './report.ts';
import { waitForQuiet } from './quiet.ts';
import { timedVerify, type TimedVerify } from './verify-timed.ts';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const verifyArgs = dash >= 0 ? argv.slice(dash + 1) : [];
const own = dash >= 0 ? argv.slice(0, dash) : argv;
const get = (k: string) => own.flatMap((a, i) => (a === `--${k}` && own[i + 1] ? [own[i + 1]!] : []));
const runs = Number(get('runs')[0] ?? '2');
const out = get('out')[0];
const variants = get('variant').map((v) => {
  const [name, rest = '.'] = v.split(/=(.*)/s, 2) as [string, string?];
  const [root, ...kv] = rest.split(',');
  return {
    name,
    root: resolve(root || '.'),
    env: Object.fromEntries(kv.map((p) => p.split(/=(.*)/s, 2) as [string, string])),
  };
});
if (!variants.length) {
  console.error(
    'usage: tsx bench/ab.ts [--runs N] [--out FILE] --variant NAME=ROOT[,KEY=VALUE...] ... [-- verify args]',
  );
  process.exit(2);
}

const results = new Map<string, TimedVerify[]>(variants.map((v) => [v.name, []]));
const ownRuns = new Set([RUN_ID]);
const tmp = mkdtempSync(join(tmpdir(), 'lucid-ab-'));
try {
  for (let r = 0; r < runs; r++) {
    // Rotate the order each round: no variant always runs right after another.
    const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
    for (const v of order) {
      const runId = `ab-${v.name}-${r}-${Date.now().toString(36)}`;
      ownRuns.add(runId);
      const q = await waitForQuiet(ownRuns, { maxWaitMs: 120_000 });
      const t = await timedVerify(verifyArgs, { runId, reportDir: join(tmp, runId), env: v.env, root: v.root });
      results.get(v.name)!.push(t);
      console.error(
        `ab: ${v.name} round ${r + 1}: ${(t.wallMs / 1000).toFixed(1)} s, exit ${t.exitCode}, cpu ${Math.round(t.cpuBusy * 100)}%, tests ${t.tests.passed}/${t.tests.failed}${t.imagesLoaded ? `, loaded ${t.imagesLoaded} image(s) first` : ''}${q.quiet ? '' : ' (box not quiet)'}`,
      );
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const rows = variants.map((v) => {
  const ts = results.get(v.name)!;
  const walls = ts.map((t) => t.wallMs);
  return {
    variant: v.name,
    medianMs: median(walls),
    minMs: Math.min(...walls),
    cpuBusy: median(ts.map((t) => t.cpuBusy)),
    failedRuns: ts.filter((t) => t.exitCode !== 0).length,
    runs: ts,
  };
});
console.log('| variant | verify median | min | CPU busy | failed runs |\n|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.variant} | ${(r.medianMs / 1000).toFixed(1)} s | ${(r.minMs / 1000).toFixed(1)} s | ${Math.round(r.cpuBusy * 100)}% | ${r.failedRuns} |`,
  );
if (out) {
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(
    resolve(out),
    `${JSON.stringify({ version: 1, generatedAt: new Date().toISOString(), verifyArgs, variants: rows }, null, 2)}\n`,
  );
}
process.exit(0);
